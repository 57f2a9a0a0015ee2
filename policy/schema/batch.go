package schema

// A migration of a thousand tables takes tens of thousands of locks
// (every table, index, trigger and function it changes), and the server's
// lock table is shared by every session: sized by max_locks_per_transaction
// for all backends together, 64 × about 120 by default. One transaction
// that holds a large share of it makes other sessions fail with "out of
// shared memory", and one that needs more than all of it cannot commit.
//
// So a large migration runs in batches, each its own transaction:
//
//	steps ──► [batch 1: columns, indexes, keys, functions, …] COMMIT
//	          [batch 2: …]                                     COMMIT
//	          [batch n: the guard's triggers, then the drops]  COMMIT
//
// A step (one object, with the DROP that replaces it) never spans two
// batches. The guard's triggers come last (phaseGate), followed only by
// the drops of the triggers and functions no longer wanted (phaseCleanup:
// an old guard trigger keeps guarding until its replacement is in, and
// may call an old function until then): with require_guard
// the proxy serves a table only once its guard is in place, so until the
// last batch commits, a table whose referential, key and privilege
// triggers are not all installed is refused rather than served half-done.
// Every statement can run again, so a migration stopped half-way is
// finished by running migrate again.

// lockShare is the part of the server's lock table one migration
// transaction may hold; locksPerStatement is the most locks one generated
// statement takes (a table and an index, a table and a trigger; measured
// at 0.4 on average over bench/adopt.sh's schemas).
const (
	lockShare         = 4
	locksPerStatement = 2
)

// batchStatements is how many statements one transaction may hold on a
// server whose lock table has room for capacity locks (0: unknown, no
// limit).
func batchStatements(capacity int) int {
	if capacity <= 0 {
		return 0
	}
	return max(capacity/lockShare/locksPerStatement, 1)
}

// phase orders the steps of a migration.
type phase int

const (
	phaseFirst   phase = iota // columns, indexes, keys, functions, every other trigger
	phaseGate                 // the guard's triggers (Object.Gate)
	phaseCleanup              // dropping triggers, then functions, no longer wanted
)

// ordered returns the steps in the order they run: by phase, each phase
// in plan order.
func (m *Migration) ordered() []Step {
	out := make([]Step, 0, len(m.Steps))
	for p := phaseFirst; p <= phaseCleanup; p++ {
		for _, s := range m.Steps {
			if s.Phase == p {
				out = append(out, s)
			}
		}
	}
	return out
}

// Batches splits the ordered steps into transactions of at most
// BatchStatements statements each (a larger step is a batch of its own).
func (m *Migration) Batches() [][]Step {
	var out [][]Step
	var cur []Step
	n := 0
	for _, s := range m.ordered() {
		if len(cur) > 0 && m.BatchStatements > 0 && n+len(s.SQL) > m.BatchStatements {
			out = append(out, cur)
			cur, n = nil, 0
		}
		cur = append(cur, s)
		n += len(s.SQL)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// statementsOf returns the statements of steps in order.
func statementsOf(steps []Step) []string {
	var out []string
	for _, s := range steps {
		out = append(out, s.SQL...)
	}
	return out
}
