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
    action     text NOT NULL CHECK (action IN ('restore', 'forget', 'empty', 'purge')),
    table_name text NOT NULL,
    row_count  bigint NOT NULL,
    detail     jsonb NOT NULL DEFAULT '{}'
);
`)
	return b.String()
}

// auditColumns are the columns the purger's audit rows fill (purger/audit.go).
var auditColumns = []string{"at", "actor", "action", "table_name", "row_count", "detail"}
