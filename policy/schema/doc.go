// Package schema compares a soft-delete policy with a live database: the
// check and migrate commands of softdelete-proxy.
//
// # Layers
//
//	Inspect(ctx, conn, cfg)  -> *Catalog     reads pg_catalog, nothing else (inspect*.go)
//	Check(catalog)           -> *Report      pure: findings with a fix each (check*.go, refs.go, unique.go)
//	WriteReport(w, r, fmt)                   text for a DBA, JSON for scripts (format.go)
//	Plan(catalog, Options)   -> *Migration   pure: idempotent DDL steps and notes (plan.go, objects.go)
//	Migration.Script / Apply                 a psql script, or transactions sized to the lock table (script.go, batch.go)
//
// Inspect asks the server to quote every name (quote_ident) and to deparse
// indexes, predicates, views and functions (pg_get_indexdef, pg_get_expr,
// pg_get_viewdef, pg_get_functiondef), so that Check and Plan work on the
// server's own spelling and need no connection: the tests check them
// against real databases built from testdata/*.sql.
//
// # What check reports
//
// Errors (the policy cannot be served): a table that is missing or is not a
// table; a policy column that is missing or of the wrong type (the
// soft-delete column must be timestamptz, a timestamp without time zone
// gets a conversion hint; deleted_by and reason text-like; hold boolean);
// a NOT NULL soft-delete column; an audit table that is missing or lacks
// the purger's columns; a server object that is missing, stale or
// unexpected (below: the guard, the purge role, the column grants that keep
// roles in step, the referential actions); a managed table (or one of its
// partitions and children) descending from a table outside the policy;
// row-level security the rewrite cannot apply exactly (check_guard.go).
//
// Warnings (what soft delete changes): unique constraints and indexes that
// also count trashed rows (or include the soft-delete column, which makes
// them useless since NULLs are distinct); foreign keys referencing a
// managed table, whose ON DELETE action no longer fires, and foreign keys
// of a managed table to an unmanaged one, whose action reaches the trash;
// DELETE triggers that stop firing and UPDATE triggers that start; views,
// materialized views and SQL or PL/pgSQL functions that read the table
// without "col IS NULL" (refs.go: a text search that follows aliases), and
// functions that DELETE from it; a default on the soft-delete column; no
// index led by the soft-delete column for the purger; a foreign table under
// a managed one; and, database-wide, who can turn the guard off: the roles
// that own managed tables and the superusers that can log in; a
// roles.hard_delete role that does not exist.
//
// The JSON report is {"database", "tables": [...], "children": {table:
// [partitions and children managed with it]}, "errors", "warnings",
// "findings": [{"severity": "error"|"warning", "table", "kind", "object"
// (omitted when none), "message", "fix"}]}; kinds are the Kind constants
// and never change meaning. Findings are sorted by table (policy order, the
// audit table last), errors first, then by kind and object.
//
// # What migrate does
//
// Every statement is idempotent and Plan on the migrated catalog is empty:
// ADD COLUMN IF NOT EXISTS for missing columns; CREATE INDEX IF NOT EXISTS
// for the purger's partial index (with a comment suggesting CONCURRENTLY,
// which cannot run in the transaction); the audit table from
// AuditTableDDL (audit.go), whose columns the purger writes.
// With Options.Unique, each plain unique constraint or index becomes a
// partial unique index of live rows under the same name (so unique
// violations still name it); those a foreign key depends on, and deferrable
// ones, are left with a note. Then the server objects (below). What
// migrate cannot decide for a DBA (a column of the wrong type, a view in
// the policy) is printed as a note.
//
// # Server objects
//
// Everything that must hold on every path, whoever connects, is a server
// object that migrate installs and check verifies, from one registry
// (objects.go): each concern is a generator (guardObjects in guard.go, the
// referential actions in fk*.go) that returns the Objects it wants from the
// Catalog. Functions live in schema softdelete, triggers are named
// softdelete_*; each carries COMMENT 'softdelete-proxy <fingerprint>', a
// short hash of its Create DDL. Inspect reads what is installed
// (objects_inspect.go: every function of schema softdelete, every
// softdelete_* trigger calling one, their comments, bodies and whether the
// trigger is enabled); Plan creates what is missing, replaces what is stale
// (another fingerprint, a function body changed by hand, a disabled
// trigger) and drops what no generator wants (triggers first, functions
// after the triggers were replaced); Check reports each of these as an
// error. Kinds without a comment (roles, grants) say themselves whether
// the catalog has them (Object.Present).
//
// # The guard
//
// guard.go, guard_sql.go (docs/guard.md for DBAs): a live row of a managed
// table is never deleted for good, a trashed one only when session_user is
// a member by GRANT of the purge role (roles.purge) or of a
// roles.hard_delete role; TRUNCATE is refused (on_truncate: hard: to
// hard_delete members only); trashing needs DELETE on the table and
// restoring UPDATE. Deletes are checked once per statement from its
// transition table, on every managed table and every partition and child
// (row by row where a parent outside the policy or a foreign partition
// requires it). privileges.go creates the purge role with its grants, and
// grants the column privileges the rewritten statements need to the roles
// that may delete or read. Inspect reads the facts (inspect_guard.go); the
// tests in guard*_test.go and privileges_test.go attack every server-side
// path as an application role would.
//
// # For the proxy
//
// InheritanceSQL, ParseInheritanceRows and ExpandTables (inherit.go): the
// partitions and children managed with each table, for the proxy's filter.
// GuardStatusSQL and GuardStatus (guard_status.go): one query, simple
// protocol, text results, that tells which tables' guard is missing or
// stale, from the same generator as check.
package schema
