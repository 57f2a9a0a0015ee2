package schema

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Script renders the migration as a psql script: the notes at the top,
// then each batch (batch.go) as a transaction with a lock_timeout, each
// step under its comment.
func (m *Migration) Script(lockTimeout time.Duration) string {
	var b strings.Builder
	if m.Empty() {
		fmt.Fprintf(&b, "-- softdelete-proxy migrate: nothing to do in database %s.\n", m.Database)
	} else {
		fmt.Fprintf(&b, "-- softdelete-proxy migrate: %d statement(s) for database %s.\n", len(m.Statements()), m.Database)
		b.WriteString("-- Every statement is idempotent. Apply with: softdelete-proxy migrate --apply, or psql -f this file.\n")
	}
	batches := m.Batches()
	if len(batches) > 1 {
		fmt.Fprintf(&b, "-- %d transactions of at most %d statements, to leave room in the server's lock table;\n"+
			"-- the guard's triggers come last. Stopped half-way, run it again.\n", len(batches), m.BatchStatements)
	}
	for _, n := range m.Notes {
		b.WriteString("--\n")
		writeComment(&b, "NOTE: "+n)
	}
	for i, batch := range batches {
		if len(batches) > 1 {
			fmt.Fprintf(&b, "\n-- transaction %d of %d", i+1, len(batches))
		}
		b.WriteString("\nBEGIN;\n")
		if lockTimeout > 0 {
			fmt.Fprintf(&b, "SET LOCAL lock_timeout = %s;   -- give up rather than queue production queries behind a lock\n",
				quoteLiteral(lockTimeoutValue(lockTimeout)))
		}
		for _, s := range batch {
			b.WriteString("\n")
			writeComment(&b, s.Comment)
			for _, stmt := range s.SQL {
				b.WriteString(stmt + "\n")
			}
		}
		b.WriteString("\nCOMMIT;\n")
	}
	return b.String()
}

// writeComment writes text as -- lines, wrapping prose; lines indented
// with two spaces are SQL and kept whole.
func writeComment(b *strings.Builder, text string) {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, "  ") {
			b.WriteString("-- " + line + "\n")
			continue
		}
		for _, l := range wrap(line, textWidth-3) {
			b.WriteString("-- " + l + "\n")
		}
	}
}

func lockTimeoutValue(d time.Duration) string {
	if d%time.Second == 0 {
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return fmt.Sprintf("%dms", d.Milliseconds())
}

// Beginner starts a transaction: a *pgx.Conn.
type Beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

// Apply runs the migration batch by batch (batch.go), each batch in one
// transaction (with lock_timeout when positive). On the first error the
// batch is rolled back and the batches before it stay committed: the error
// says which. It returns how many transactions committed.
func (m *Migration) Apply(ctx context.Context, db Beginner, lockTimeout time.Duration) (int, error) {
	batches := m.Batches()
	for i, batch := range batches {
		if err := applyBatch(ctx, db, statementsOf(batch), lockTimeout); err != nil {
			return i, fmt.Errorf("%w\n%s%s", err, rolledBack(i, len(batches)), applyHint(err))
		}
	}
	return len(batches), nil
}

// rolledBack says what a failure in batch i of n left behind.
func rolledBack(i, n int) string {
	if i == 0 {
		return "(nothing was changed: the transaction was rolled back)"
	}
	return fmt.Sprintf("(transaction %d of %d was rolled back; the %d before it are committed. Every statement can run again:"+
		" fix the cause and run migrate again. Until then, with require_guard the proxy refuses the tables whose guard is not installed yet)",
		i+1, n, i)
}

// applyBatch runs stmts in one transaction.
func applyBatch(ctx context.Context, db Beginner, stmts []string, lockTimeout time.Duration) error {
	tx, err := db.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if lockTimeout > 0 {
		if _, err := tx.Exec(ctx, "SELECT set_config('lock_timeout', $1, true)", lockTimeoutValue(lockTimeout)); err != nil {
			return err
		}
	}
	for len(stmts) > 0 {
		n := min(len(stmts), applyChunk)
		if err := execChunk(ctx, tx, stmts[:n]); err != nil {
			return err
		}
		stmts = stmts[n:]
	}
	return tx.Commit(ctx)
}

// applyChunk is how many statements Apply sends in one simple-protocol
// message: a migration of 1,000 tables has tens of thousands, and one
// round trip each would cost more than running them.
const applyChunk = 500

// execChunk runs stmts in one message, and on an error names the
// statement that failed (the ones before it completed).
func execChunk(ctx context.Context, tx pgx.Tx, stmts []string) error {
	results, err := tx.Conn().PgConn().Exec(ctx, strings.Join(stmts, "\n")).ReadAll()
	if err == nil {
		return nil
	}
	failed := stmts[min(len(results), len(stmts)-1)]
	for i, r := range results {
		if r.Err != nil && i < len(stmts) {
			failed = stmts[i]
			break
		}
	}
	return fmt.Errorf("%w\nin: %s", err, failed)
}

// applyHint says what to do about the errors a large migration runs into.
func applyHint(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "53200" { // out_of_shared_memory: the lock table is full
		return "\nA transaction of the migration locks every table, index and trigger it changes," +
			" and the server's lock table had no room left (other sessions hold locks too). Run migrate again" +
			" without --single-transaction (it then uses transactions sized to the lock table), raise" +
			" max_locks_per_transaction (it needs a restart), or adopt the tables in parts (a narrower pattern or" +
			" databases: per run)."
	}
	return ""
}
