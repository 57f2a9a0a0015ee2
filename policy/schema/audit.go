package schema

import (
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// AuditTableDDL is the idempotent DDL that creates the audit table named
// "schema.table" (audit.table; and its schema): the columns the purger and
// the trash commands write (auditColumns; purger/audit.go inserts them).
func AuditTableDDL(table string) string {
	var b strings.Builder
	name := pgx.Identifier{table}.Sanitize()
	if n, err := policy.ParseTableName(table); err == nil {
		b.WriteString("CREATE SCHEMA IF NOT EXISTS " + pgx.Identifier{n.Schema}.Sanitize() + ";\n")
		name = pgx.Identifier{n.Schema, n.Name}.Sanitize()
	}
	b.WriteString("CREATE TABLE IF NOT EXISTS " + name + ` (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,
    action     text NOT NULL CONSTRAINT ` + auditCheckName(name) + ` CHECK (action IN (` + auditActionList() + `)),
    table_name text NOT NULL,
    row_count  bigint NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}',
    keys       jsonb,
    reason     text,
    db_user    text
);
`)
	return b.String()
}

// auditColumns are the columns the purger's audit rows fill (purger/audit.go).
var auditColumns = []string{"at", "actor", "action", "table_name", "row_count", "detail"}

// auditActionList is the CHECK list of the action column.
func auditActionList() string {
	q := make([]string, len(auditActions))
	for i, a := range auditActions {
		q[i] = quoteLiteral(a)
	}
	return strings.Join(q, ", ")
}

// auditCheckName is the name of the action column's CHECK constraint of
// the audit table named (quoted) name: <table>_action_check, as
// PostgreSQL names a column constraint.
func auditCheckName(name string) string {
	table := name[strings.LastIndex(name, ".")+1:]
	return pgx.Identifier{strings.Trim(table, `"`) + "_action_check"}.Sanitize()
}

// auditUpgradeDDL brings an audit table made before the deletion audit up
// to date: its new columns, and the action CHECK with the new actions.
func auditUpgradeDDL(quoted string) []string {
	out := []string{}
	for _, col := range auditTrashColumns {
		out = append(out, "ALTER TABLE "+quoted+" ADD COLUMN IF NOT EXISTS "+col.name+" "+col.ddl+";")
	}
	check := auditCheckName(quoted)
	return append(out, "ALTER TABLE "+quoted+" DROP CONSTRAINT IF EXISTS "+check+";",
		"ALTER TABLE "+quoted+" ADD CONSTRAINT "+check+" CHECK (action IN ("+auditActionList()+"));")
}
