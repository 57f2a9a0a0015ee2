package purger

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

// Every statement the package sends is built here from a policy.Table, with
// identifiers quoted and values passed as parameters; sql_test.go keeps them
// as golden files under testdata/sql/.

// qualified is the quoted "schema"."table" of t.
func qualified(t policy.Table) string { return pgx.Identifier{t.Schema, t.Name}.Sanitize() }

// tableName is the unquoted schema.table used in logs, labels and audit rows.
func tableName(t policy.Table) string { return t.Schema + "." + t.Name }

func ident(s string) string { return pgx.Identifier{s}.Sanitize() }

// notHeld is the predicate excluding rows on hold ("" when t has no hold column).
func notHeld(t policy.Table) string {
	if t.HoldColumn == "" {
		return ""
	}
	return " AND NOT coalesce(" + ident(t.HoldColumn) + ", false)"
}

// notLocked is the predicate excluding locked rows ("" when t has no lock
// column): the purger and trash empty leave them; trash forget names them
// and the database refuses (55006).
func notLocked(t policy.Table) string {
	if t.LockTest == "" {
		return ""
	}
	return " AND NOT coalesce(" + t.LockTest + ", false)"
}

// pastRetention selects trashed rows past their purge date (by the
// database clock) and neither on hold nor locked: deleted more than $1
// microseconds ago, or, with a purge_at column, when that column says (a
// row without one, trashed before the column was filled, by retention).
func pastRetention(t policy.Table) string {
	col := ident(t.Column)
	return col + " IS NOT NULL AND " + purgeDue(t) + notHeld(t) + notLocked(t)
}

// purgeDue is the test "the trashed row's purge date has come".
func purgeDue(t policy.Table) string {
	byRetention := ident(t.Column) + " < now() - $1::bigint * interval '1 microsecond'"
	if t.PurgeAtColumn == "" {
		return byRetention
	}
	pa := ident(t.PurgeAtColumn)
	if t.Retention <= 0 {
		return pa + " <= now()"
	}
	return "CASE WHEN " + pa + " IS NULL THEN " + byRetention + " ELSE " + pa + " <= now() END"
}

// batchSQL deletes at most $2 rows past retention ($1 microseconds), oldest
// first, skipping rows other sessions have locked. The rows are picked and
// locked by (tableoid, ctid) in a sub-select and deleted through a TID scan;
// tableoid keeps it right on partitioned and inherited tables. See doc.go.
func batchSQL(t policy.Table) string {
	q := qualified(t)
	return "DELETE FROM " + q + " AS x USING (SELECT tableoid AS toid, ctid AS tid FROM " + q +
		" WHERE " + pastRetention(t) + " ORDER BY " + ident(t.Column) +
		" LIMIT $2 FOR UPDATE SKIP LOCKED) AS b WHERE x.tableoid = b.toid AND x.ctid = b.tid"
}

// countSQL counts what batchSQL would delete in total (dry run).
func countSQL(t policy.Table) string {
	return "SELECT count(*) FROM " + qualified(t) + " WHERE " + pastRetention(t)
}

// statsSQL reads, in one scan of the partial index on the deleted column,
// the trashed rows, those past retention ($1 microseconds; none when the
// table keeps its trash forever), the oldest deletion time and its age in
// seconds by the database clock.
func statsSQL(t policy.Table) string {
	col := ident(t.Column)
	backlog := "0::bigint"
	if t.Retention > 0 || t.PurgeAtColumn != "" {
		backlog = "count(*) FILTER (WHERE " + purgeDue(t) + notHeld(t) + notLocked(t) + ")"
	}
	held, locked := "0::bigint", "0::bigint"
	if t.HoldColumn != "" {
		held = "count(*) FILTER (WHERE coalesce(" + ident(t.HoldColumn) + ", false))"
	}
	if t.LockTest != "" {
		locked = "count(*) FILTER (WHERE coalesce(" + t.LockTest + ", false)" + notHeld(t) + ")"
	}
	return "SELECT count(*), " + backlog + ", " + held + ", " + locked + ", min(" + col + "), " +
		"coalesce(greatest(extract(epoch FROM now() - min(" + col + ")), 0), 0)::float8 FROM " +
		qualified(t) + " WHERE " + col + " IS NOT NULL"
}

// timeoutSQL bounds every statement of the transaction ($1, e.g.
// "30000ms"), like SET LOCAL statement_timeout.
const timeoutSQL = "SELECT set_config('statement_timeout', $1, true)"

// fkEdgesSQL lists the foreign keys between two different tables as
// (child schema, child table, parent schema, parent table).
const fkEdgesSQL = `SELECT cn.nspname, cl.relname, pn.nspname, pl.relname
FROM pg_constraint k
JOIN pg_class cl ON cl.oid = k.conrelid
JOIN pg_namespace cn ON cn.oid = cl.relnamespace
JOIN pg_class pl ON pl.oid = k.confrelid
JOIN pg_namespace pn ON pn.oid = pl.relnamespace
WHERE k.contype = 'f' AND k.conrelid <> k.confrelid`

// primaryKeySQL lists the primary key columns of $1 (a quoted table name) in
// key order, with their types.
const primaryKeySQL = `SELECT a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_index i
JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
WHERE i.indrelid = $1::regclass AND i.indisprimary
ORDER BY array_position(i.indkey::int2[], a.attnum)`

// restoreSQL puts back the trashed rows matching pred, clearing who deleted
// them and why.
func restoreSQL(t policy.Table, pred string) string {
	sets := []string{ident(t.Column) + " = NULL"}
	for _, c := range []string{t.DeletedByColumn, t.ReasonColumn} {
		if c != "" {
			sets = append(sets, ident(c)+" = NULL")
		}
	}
	return "UPDATE " + qualified(t) + " SET " + strings.Join(sets, ", ") +
		" WHERE " + ident(t.Column) + " IS NOT NULL AND (" + pred + ")"
}

// forgetSQL deletes for good the trashed, not held rows matching pred.
func forgetSQL(t policy.Table, pred string) string {
	return "DELETE FROM " + qualified(t) + " WHERE " + ident(t.Column) + " IS NOT NULL" +
		notHeld(t) + " AND (" + pred + ")"
}

// listSQL lists trashed rows older than $1 microseconds in state $3 (""
// for any), oldest first, at most $2, with the row's key as text (see
// keyText), when it was deleted, by whom and why, when it will be purged
// (NULL: never), its state (stateSQL) and its delete operation.
func listSQL(t policy.Table, key string) string {
	col := ident(t.Column)
	by, reason := "NULL::text", "NULL::text"
	if t.DeletedByColumn != "" {
		by = ident(t.DeletedByColumn) + "::text"
	}
	if t.ReasonColumn != "" {
		reason = ident(t.ReasonColumn) + "::text"
	}
	return "SELECT k, d, b, r, p, s, o FROM (SELECT " + key + " AS k, " + col + " AS d, " + by + " AS b, " + reason + " AS r, " +
		purgeAtExpr(t) + " AS p, " + stateSQL(t) + " AS s, " + operationExpr(t) + " AS o FROM " + qualified(t) + " WHERE " + col + " IS NOT NULL AND " + col +
		" <= now() - $1::bigint * interval '1 microsecond') AS x WHERE $3::text = '' OR s = $3::text ORDER BY d LIMIT $2"
}

// purgeAtExpr is a trashed row's purge date, NULL for never: its own
// (purge_at_column), else its deletion time plus the retention.
func purgeAtExpr(t policy.Table) string {
	byRetention := "NULL::timestamptz"
	if t.Retention > 0 {
		byRetention = fmt.Sprintf("%s + interval '%d microseconds'", ident(t.Column), t.Retention.Microseconds())
	}
	if t.PurgeAtColumn == "" {
		return byRetention
	}
	return "nullif(coalesce(" + ident(t.PurgeAtColumn) + ", " + byRetention + "), 'infinity')"
}

// Deletion states of a trashed row, in the order they win.
const (
	StateHeld    = "held"          // on legal hold (hold_column): never purged
	StateLocked  = "locked"        // locked (lock_column): never purged nor deleted
	StatePending = "pending purge" // past its purge date, not purged yet
	StateTrashed = "trashed"       // waiting for its purge date
)

// States lists the deletion states, for --state.
var States = []string{StateTrashed, StatePending, StateHeld, StateLocked}

// stateSQL is a trashed row's state.
func stateSQL(t policy.Table) string {
	var b strings.Builder
	b.WriteString("CASE")
	if t.HoldColumn != "" {
		b.WriteString(" WHEN coalesce(" + ident(t.HoldColumn) + ", false) THEN '" + StateHeld + "'")
	}
	if t.LockTest != "" {
		b.WriteString(" WHEN coalesce(" + t.LockTest + ", false) THEN '" + StateLocked + "'")
	}
	if t.Retention > 0 || t.PurgeAtColumn != "" {
		b.WriteString(" WHEN " + purgeAtExpr(t) + " <= now() THEN '" + StatePending + "'")
	}
	b.WriteString(" ELSE '" + StateTrashed + "' END")
	return b.String()
}

// keyText renders a row's primary key as text: the column itself for a
// one-column key, a row literal for a composite one, the ctid without one.
func keyText(pk []keyColumn) string {
	switch len(pk) {
	case 0:
		return "ctid::text"
	case 1:
		return ident(pk[0].name) + "::text"
	}
	cols := make([]string, len(pk))
	for i, c := range pk {
		cols[i] = ident(c.name)
	}
	return "ROW(" + strings.Join(cols, ", ") + ")::text"
}

// idPredicate matches a one-column key against $1, a text array cast to the
// key's type so the primary key index is used.
func idPredicate(k keyColumn) string {
	return ident(k.name) + " = ANY ($1::text[]::" + k.typ + "[])"
}

// keyColumn is one primary key column and its SQL type.
type keyColumn struct{ name, typ string }

// operationExpr reads a trashed row's delete operation, NULL on a table
// without the column (migrate adds it to tables of ON DELETE CASCADE keys
// only).
func operationExpr(t policy.Table) string {
	return "(to_jsonb(" + ident(t.Name) + ".*) ->> '" + schema.OperationColumn + "')::bigint"
}
