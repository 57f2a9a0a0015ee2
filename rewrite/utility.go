package rewrite

import (
	"strconv"
	"strings"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// denyHardDelete refuses a delete-forever without the hard_delete role;
// loc is where the statement names the table.
func (w *walker) denyHardDelete(t *Table, loc int32) {
	roles := "none is listed"
	if len(w.pol.HardDeleteRoles) > 0 {
		roles = strings.Join(w.pol.HardDeleteRoles, ", ")
	}
	w.fail(codePriv, "permission denied to delete forever from the trash of %s: it requires membership in a role of the policy's roles.hard_delete (%s)", tableName(t), roles)
	w.err.Hint = "Ask a DBA to run the delete, or to grant you one of those roles (GRANT role TO user), then reconnect."
	w.err.Position = w.position(loc)
}

// position turns a byte offset into PostgreSQL's 1-based character position.
func (w *walker) position(loc int32) int {
	if loc < 0 || int(loc) > len(w.sql) {
		return 0
	}
	return utf8.RuneCountInString(w.sql[:loc]) + 1
}

// copyStmt rewrites COPY t [(cols)] TO … into COPY (SELECT … WHERE …) TO …;
// COPY FROM writes and passes, COPY (query) TO filters the query.
func (w *walker) copyStmt(c *pg.CopyStmt) {
	if c.Query != nil {
		w.walk(c.Query)
		return
	}
	t := w.target(c.Relation)
	if t != nil && c.IsFrom {
		w.refuseAsOfWrite(t, c.Relation, "COPY FROM")
	}
	pred := w.visiblePred("", t)
	if t == nil || c.IsFrom || pred == "" {
		return
	}
	span, ok := w.relSpan(c.Relation)
	if !ok {
		w.internal("COPY table not found in the text")
		return
	}
	cols, last := "*", span.nameEnd
	if len(c.Attlist) > 0 {
		open := last + 1
		closing := -1
		if isPunct(w.sql, w.toks, open, '(') {
			closing = w.closeParen(open)
		}
		if closing < 0 {
			w.internal("COPY column list not found in the text")
			return
		}
		cols, last = w.text(open+1, closing-1), closing
	}
	q := "(SELECT " + cols + " FROM " + w.nameText(span, c.Relation) +
		" WHERE " + pred + ")"
	w.replace(w.toks[span.first].start, w.toks[last].end, q)
}

// truncateStmt applies each managed table's on_truncate setting. It
// reports true when the TRUNCATE became a soft (UPDATE) truncate.
func (w *walker) truncateStmt(ts *pg.TruncateStmt) bool {
	var soft []*pg.RangeVar
	var softTables []*Table
	other := ""
	for _, n := range ts.Relations {
		rv := n.GetRangeVar()
		t := w.target(rv)
		if w.refuseAsOfWrite(t, rv, "TRUNCATE"); w.err != nil {
			return false
		}
		switch {
		case t != nil && t.OnTruncate == TruncateDeny:
			w.fail(codeNotSupp, "TRUNCATE of %s is refused: it is a soft-delete table (policy on_truncate: deny)", tableName(t))
			w.err.Hint = "Delete the rows with DELETE, or set on_truncate: soft or hard for this table in the policy."
			w.err.Position = w.position(rv.Location)
			return false
		case t != nil && t.OnTruncate == TruncateSoft:
			soft = append(soft, rv)
			softTables = append(softTables, t)
		case rv != nil:
			other = rv.Relname
		}
	}
	if len(soft) == 0 {
		return false
	}
	switch {
	case other != "":
		w.fail(codeNotSupp, "TRUNCATE mixes soft-truncated %s with %s; truncate them in separate statements", tableName(softTables[0]), quoteIdent(other))
	case ts.RestartSeqs:
		w.fail(codeNotSupp, "TRUNCATE … RESTART IDENTITY of soft-truncated %s is refused: its trashed rows keep their ids", tableName(softTables[0]))
	case ts.Behavior == pg.DropBehavior_DROP_CASCADE:
		w.fail(codeNotSupp, "TRUNCATE … CASCADE of soft-truncated %s is refused: a soft truncate cascades to nothing", tableName(softTables[0]))
	}
	if w.err != nil {
		return false
	}
	w.softTruncate(soft, softTables)
	return w.err == nil
}

// softTruncate replaces the statement by one UPDATE per table, chained as
// data-modifying CTEs so that it stays one statement with one command tag.
func (w *walker) softTruncate(rels []*pg.RangeVar, tables []*Table) {
	first := tokAt(w.toks, rels[0].Location)
	for first >= 0 && w.kw(first) != kwTruncate {
		first--
	}
	lastRel, ok := w.relSpan(rels[len(rels)-1])
	if first < 0 || !ok {
		w.internal("TRUNCATE not found in the text")
		return
	}
	last := w.scanLevel(lastRel.last, w.toks[first].depth, func(int) bool { return false }) - 1
	names := make([]string, len(rels))
	for i, rv := range rels {
		names[i] = w.qualifiedName(rv)
	}
	var b strings.Builder
	for i, rv := range rels {
		upd := softUpdate(rv, names[i], tables[i])
		if i == 0 {
			upd += " AND " + truncateCheck(rels, names)
		}
		switch {
		case len(rels) == 1:
			b.WriteString(upd)
		case i == 0:
			b.WriteString("WITH softdelete_truncate_1 AS (" + upd + ")")
		case i < len(rels)-1:
			b.WriteString(", softdelete_truncate_" + strconv.Itoa(i+1) + " AS (" + upd + ")")
		default:
			b.WriteString(" " + upd)
		}
	}
	w.replace(w.toks[first].start, w.toks[last].end, b.String())
}

// truncateCheck is the call that refuses, as PostgreSQL refuses TRUNCATE,
// to empty tables that a table outside the statement references (0A000).
// It reads no column, so the planner runs it once, before the first row,
// even on an empty table (a one-time filter).
func truncateCheck(rels []*pg.RangeVar, names []string) string {
	lits := make([]string, len(rels))
	recurse := make([]string, len(rels))
	for i, rv := range rels {
		lits[i] = escapedLiteral(names[i]) + "::pg_catalog.regclass"
		recurse[i] = strconv.FormatBool(rv.Inh)
	}
	return "softdelete." + TruncateCheckName + "(ARRAY[" + strings.Join(lits, ", ") + "], ARRAY[" + strings.Join(recurse, ", ") + "])"
}

// softUpdate is the UPDATE that trashes every live row of rv (named name).
func softUpdate(rv *pg.RangeVar, name string, t *Table) string {
	only := ""
	if !rv.Inh {
		only = "ONLY "
	}
	return "UPDATE " + only + name + " SET " + softSet(t) + " WHERE " + quoteIdent(t.Column) + " IS NULL"
}

// escapedLiteral is s as an escape string constant (E'…'), which reads the same
// whatever standard_conforming_strings says.
func escapedLiteral(s string) string {
	return "E'" + strings.NewReplacer(`\`, `\\`, `'`, `''`).Replace(s) + "'"
}
