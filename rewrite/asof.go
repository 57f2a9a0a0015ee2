package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// Time travel (softdelete.as_of, docs/trash.md): while the setting is not
// empty, a read of a managed table sees the rows that were live at that
// moment (not trashed, or trashed after it; with a created column, not
// created after it), and a write to one is refused with 25006, as in a
// read-only transaction. The server reads the moment itself, from the
// setting, so the proxy never parses a timestamp; a statement rewritten
// under it sees the live rows again once the setting is reset.

// asOfExpr is the moment, +infinity when the setting is empty or unset.
const asOfExpr = `coalesce(nullif(pg_catalog.current_setting('softdelete.as_of', true), '')::timestamptz, 'infinity'::timestamptz)`

const codeReadOnly = "25006"

// visiblePred is the predicate over t's columns (qual: "alias." or "")
// that keeps the rows a read sees in the session's mode, "" for every row.
func (w *walker) visiblePred(qual string, t *Table) string {
	if t == nil {
		return ""
	}
	col := qual + quoteIdent(t.Column)
	if !w.asOf {
		if test := liveTest(w.vis); test != "" {
			return col + test
		}
		return ""
	}
	var pred string
	switch w.vis {
	case VisibilityDeleted:
		pred = col + " <= " + asOfExpr
	case VisibilityActive:
		pred = "(" + col + " IS NULL OR " + col + " > " + asOfExpr + ")"
	}
	if t.CreatedColumn == "" {
		return pred
	}
	created := qual + quoteIdent(t.CreatedColumn)
	born := "(" + created + " IS NULL OR " + created + " <= " + asOfExpr + ")"
	if pred == "" {
		return born
	}
	return pred + " AND " + born
}

// tableSampleFiltered reports a TABLESAMPLE of a managed table whose reads
// are filtered.
func (w *walker) tableSampleFiltered(rv *pg.RangeVar) bool {
	t := w.managed(rv)
	return t != nil && w.visiblePred("", t) != ""
}

// refuseAsOfWrite fails a write (what: DELETE, UPDATE, …) of managed
// table t while softdelete.as_of is set.
func (w *walker) refuseAsOfWrite(t *Table, rv *pg.RangeVar, what string) {
	if !w.asOf || t == nil || w.err != nil {
		return
	}
	w.fail(codeReadOnly, "cannot execute %s on %s while softdelete.as_of is set: the session reads the past", what, tableName(t))
	w.err.Hint = "RESET softdelete.as_of (or SET LOCAL it in a transaction of reads only) before writing."
	if rv != nil {
		w.err.Position = w.position(rv.Location)
	}
}
