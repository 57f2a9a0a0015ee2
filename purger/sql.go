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

// The records of softdelete.evicted (docs/keys.md): the rows key eviction
// deleted for good, whole, each with the table or partition it was in
// (table_name, as regclass prints it: schema-qualified, quote_ident
// quoting). The purger deletes a table's records once its retention has
// passed; trash evicted lists and restores them.

// evictedTable is softdelete.evicted.
const evictedTable = schema.Evicted

// evictedExistsSQL says whether softdelete.evicted exists (migrate made it).
const evictedExistsSQL = "SELECT to_regclass('" + evictedTable + "') IS NOT NULL"

// evictedNamesSQL lists the table_name values of the records of managed
// table $1.$2 (raw schema and name): the table itself, and its partitions
// and inheritance children at any depth, except those that are managed
// tables of their own (the raw schemas $3 and names $4, with theirs).
const evictedNamesSQL = `WITH RECURSIVE r(oid) AS (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2
    UNION
    SELECT i.inhrelid FROM pg_inherits i JOIN r ON i.inhparent = r.oid
    WHERE NOT EXISTS (SELECT 1 FROM unnest($3::text[], $4::text[]) AS o(s, t)
                      JOIN pg_namespace n ON n.nspname = o.s JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = o.t
                      WHERE c.oid = i.inhrelid)
)
SELECT quote_ident($1) || '.' || quote_ident($2)
UNION
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM r JOIN pg_class c ON c.oid = r.oid
JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY 1`

// evictedDue selects the records of the relations names matches, evicted
// more than $1 microseconds ago, whose row was not on hold (hold: the
// parameter holding t's hold column, when it has one; a held trashed row
// can be evicted, and its record keeps the hold).
func evictedDue(t policy.Table, names, hold string) string {
	s := "table_name " + names + " AND at < now() - $1::bigint * interval '1 microsecond'"
	if t.HoldColumn != "" {
		s += " AND NOT coalesce((content ->> " + hold + "::text)::boolean, false)"
	}
	return s
}

// evictedBatchSQL deletes at most $2 records of relation $3 (a
// table_name) past retention ($1 microseconds; $4: the hold column),
// oldest first, through the index on (table_name, at). The purge role may
// not lock them (FOR UPDATE needs UPDATE, which would let it forge
// records), and need not: it alone deletes them, under the purge lock; a
// restore that holds one makes the batch wait for it, within
// statement_timeout.
func evictedBatchSQL(t policy.Table) string {
	return "DELETE FROM " + evictedTable + " WHERE id IN (SELECT id FROM " + evictedTable +
		" WHERE " + evictedDue(t, "= $3::text", "$4") + " ORDER BY at LIMIT $2)"
}

// evictedCountSQL counts the records of the relations $2 (text[]) that
// the batches would delete ($1 microseconds; $3: the hold column), for a
// dry run.
func evictedCountSQL(t policy.Table) string {
	return "SELECT count(*) FROM " + evictedTable + " WHERE " + evictedDue(t, "= ANY ($2::text[])", "$3")
}

// evictedListSQL lists the records of the relations $1 (text[]; NULL for
// every record) evicted at least $2 microseconds ago, oldest first, at
// most $3.
const evictedListSQL = "SELECT id, table_name, key_name, reason, at, actor, content::text FROM " + evictedTable +
	" WHERE ($1::text[] IS NULL OR table_name = ANY ($1::text[])) AND at <= now() - $2::bigint * interval '1 microsecond'" +
	" ORDER BY at, id LIMIT $3"

// evictedTakeSQL deletes record $1 and returns it: a restore holds it
// (and, should the insert fail, gets it back with the rollback).
const evictedTakeSQL = "DELETE FROM " + evictedTable + " WHERE id = $1 RETURNING id, table_name, key_name, reason, at, actor, content::text"

// restoreTargetSQL reads, for the relation named $1 (a record's
// table_name), its name quoted by the server and the quoted columns of
// the record's content $2 it may be given (the columns that still exist,
// generated ones left to the table); no row when the relation is gone.
const restoreTargetSQL = `SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = '' AND $2::jsonb ? a.attname::text)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p')`

// restoreEvictedSQL inserts record content $1 into rel (quoted) as the
// row it was: jsonb_populate_record of the table's row type, columns cols
// (quoted, comma-separated), identity values kept.
func restoreEvictedSQL(rel, cols string) string {
	return "INSERT INTO " + rel + " (" + cols + ") OVERRIDING SYSTEM VALUE SELECT " + cols +
		" FROM jsonb_populate_record(NULL::" + rel + ", $1::jsonb)"
}
