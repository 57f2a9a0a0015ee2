package schema

import (
	"fmt"
	"strings"
)

// Options choose the optional parts of a migration.
type Options struct {
	// Unique is ignored: every migration makes keys behave as if trashed
	// rows were gone (keys.go). It is kept so that older callers build.
	Unique bool
	// Guard is ignored: the guard is part of every migration (objects.go).
	// It is kept so that callers written for migrate --guard still build.
	Guard bool
	// SingleTransaction runs the whole migration in one transaction, however
	// many locks it takes (batch.go).
	SingleTransaction bool
}

// Step is one change: a comment saying why, and its statements.
type Step struct {
	Table   string   // schema.table as SQL, "" for the database as a whole
	Comment string   // why, one or more lines without "--"
	SQL     []string // statements, each ending with ";"
	Phase   phase    // when it runs in a migration of several transactions (batch.go)
}

// Migration is the DDL that adopts the policy in one database. Every
// statement can run again as a no-op, and Plan on a catalog read after
// applying it returns no steps.
type Migration struct {
	Database string
	Steps    []Step
	Notes    []string // what migrate will not do, and why (printed as comments)
	// BatchStatements is how many statements one transaction may hold (0:
	// no limit), from the server's lock table (batch.go).
	BatchStatements int
}

// Empty reports whether there is no statement to run.
func (m *Migration) Empty() bool { return len(m.Steps) == 0 }

// Statements returns every statement in the order it runs.
func (m *Migration) Statements() []string { return statementsOf(m.ordered()) }

// Plan computes the migration of the catalog's database to its policy.
func Plan(c *Catalog, opts Options) *Migration {
	m := &Migration{Database: c.Database}
	if !opts.SingleTransaction {
		m.BatchStatements = batchStatements(c.LockCapacity)
	}
	if c.Audit != nil && !c.Audit.Exists {
		m.add("", "the audit table (audit.table) written by trash operations and purges",
			strings.TrimSpace(AuditTableDDL(c.Audit.Name)))
	}
	planAuditUpgrade(m, c)
	for _, f := range c.checkAudit() {
		if f.Kind == KindAuditColumns {
			m.note("%s.\nIt was not made by migrate: %s.", f.Message, f.Fix)
		}
	}
	for _, t := range c.Tables {
		planTable(m, c, t, opts)
	}
	planObjects(m, c)
	return m
}

func (m *Migration) add(table, comment string, sql ...string) {
	m.Steps = append(m.Steps, Step{Table: table, Comment: comment, SQL: sql})
}

// addObject adds the step that creates, replaces or drops one object.
func (m *Migration) addObject(st objectStatus, comment string, sql []string) {
	p := phaseFirst
	switch {
	case st.Gate:
		p = phaseGate
	case st.State == stateUnexpected:
		p = phaseCleanup
	}
	m.Steps = append(m.Steps, Step{Table: st.Table, Comment: comment, SQL: sql, Phase: p})
}

func (m *Migration) note(format string, args ...any) {
	m.Notes = append(m.Notes, fmt.Sprintf(format, args...))
}

func planTable(m *Migration, c *Catalog, t *TableInfo, opts Options) {
	switch {
	case !t.Exists():
		m.note("%s does not exist: create it first (or remove it from the policy); nothing done for it", t.Quoted)
		return
	case !t.IsTable():
		m.note("%s is a %s, not a table: nothing done for it", t.Quoted, relkindName(t.Kind))
		return
	}
	added := planColumns(m, c, t)
	planPurgeIndex(m, c, t, added)
	planUniques(m, c, t, opts.Unique)
}

// planColumns adds the missing columns; it reports whether the soft-delete
// column is among them. Columns of the wrong type are left to the DBA.
func planColumns(m *Migration, c *Catalog, t *TableInfo) (addedSoftDelete bool) {
	var sql []string
	for _, role := range columnRoles(t) {
		q := c.Q(role.name)
		col, ok := t.Columns[role.name]
		if ok {
			k := &checker{c: c, t: t}
			k.columnType(role, q, col)
			for _, f := range k.out {
				m.note("%s: %s.\nFix it by hand%s", t.Quoted, f.Message, fixSuffix(f.Fix))
			}
			continue
		}
		sql = append(sql, addColumnDDL(t.Quoted, q, role.ddl))
		addedSoftDelete = addedSoftDelete || role.key == "column"
	}
	if len(sql) > 0 {
		m.add(t.Quoted, "the columns the policy names (adding a nullable column or one with a constant default does not rewrite the table)", sql...)
	}
	return addedSoftDelete
}

// fixSuffix appends a fix to a note: DDL on its own line, advice inline.
func fixSuffix(fix string) string {
	if strings.HasPrefix(fix, "ALTER ") || strings.HasPrefix(fix, "CREATE ") {
		return ", then run migrate again:\n  " + fix
	}
	return ": " + fix + "."
}

func planPurgeIndex(m *Migration, c *Catalog, t *TableInfo, columnAdded bool) {
	col := c.Q(t.Column)
	if !columnAdded && hasPurgeIndex(t, col) {
		return
	}
	if existing, ok := t.Columns[t.Column]; ok && existing.BaseType != oidTimestamptz {
		return // its type is wrong (see the note): the index comes after the fix
	}
	name := quoteDerived(purgeIndexName(t.Table))
	comment := "the purger's partial index: only trashed rows, oldest first"
	if !columnAdded {
		comment += "\nOn a large table, build it first without blocking writes, outside a transaction:"
		for _, line := range purgeIndexAdvice(t, name, col) {
			comment += "\n  " + line
		}
		comment += "\n(CONCURRENTLY cannot run inside this script's transaction; the statement below then does nothing.)"
	}
	m.add(t.Quoted, comment, fmt.Sprintf("CREATE INDEX IF NOT EXISTS %s ON %s (%s) WHERE %s IS NOT NULL;", name, t.Quoted, col, col))
}

// planUniques notes the keys migrate leaves as they are; the keys
// generator (keys.go) handles the others in every migration.
func planUniques(m *Migration, c *Catalog, t *TableInfo, _ bool) {
	col := c.Q(t.Column)
	for _, ix := range t.Indexes {
		if handling(ix, col, tableMode(t)) == keyLeft && classifyUnique(ix, col) == uniquePlain {
			m.note("%s: %s left as it is (on_key_conflict: refuse, and not a plain key of columns): it counts trashed rows", t.Quoted, describeUnique(ix))
		}
	}
}
