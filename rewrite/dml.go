package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// deleteStmt rewrites DELETE. On a managed table it becomes an UPDATE that
// trashes the live rows it would have deleted (soft reports true), except in
// the trash view, where it deletes trashed rows forever.
func (w *walker) deleteStmt(d *pg.DeleteStmt) (soft bool) {
	if d == nil || w.err != nil {
		return false
	}
	n := w.pushWith(d.WithClause)
	defer w.popCTEs(n)
	preds := w.fromList(d.UsingClause, false)
	t := w.target(d.Relation)
	w.refuseAsOfWrite(t, d.Relation, "DELETE")
	if t != nil {
		soft = w.deleteTarget(d, t, preds)
	} else {
		w.dmlPreds(d.Relation, d.WhereClause, "", preds)
	}
	w.walkParts(d, d.WithClause)
	return soft && w.err == nil
}

// deleteTarget splices the DELETE of managed table t.
func (w *walker) deleteTarget(d *pg.DeleteStmt, t *Table, preds []string) bool {
	span, ok := w.relSpan(d.Relation)
	if !ok || w.kw(span.first-1) != kwFrom || w.kw(span.first-2) != kwDelete {
		w.internal("DELETE target not found in the text")
		return false
	}
	if w.vis == VisibilityDeleted {
		if !w.hard {
			w.denyHardDelete(t, d.Relation.Location)
			return false
		}
		// Only trashed rows; the server's guard lets them go because the
		// session user is a member of a roles.hard_delete role.
		own := qualifier(d.Relation) + "." + quoteIdent(t.Column) + " IS NOT NULL"
		w.dmlPreds(d.Relation, d.WhereClause, own, preds)
		return false
	}
	dlt, from := w.toks[span.first-2], w.toks[span.first-1]
	w.replace(dlt.start, from.end, "UPDATE")
	w.insert(w.toks[span.last].end, " SET "+softSet(t))
	dep := w.toks[span.name].depth
	using := w.scanLevel(span.last, dep, func(k int) bool {
		return w.kw(k) == kwUsing || w.kw(k) == kwWhere || w.kw(k) == kwReturning
	})
	if w.kw(using) == kwUsing {
		w.replace(w.toks[using].start, w.toks[using].end, "FROM")
	}
	own := qualifier(d.Relation) + "." + quoteIdent(t.Column) + " IS NULL"
	w.dmlPreds(d.Relation, d.WhereClause, own, preds)
	return true
}

// dmlPreds adds the target's own predicate (own, may be "") and the FROM
// list's predicates to the WHERE of an UPDATE or DELETE on target rv. A
// WHERE CURRENT OF already names one row of a filtered cursor: own is
// dropped there, and other predicates are refused.
func (w *walker) dmlPreds(rv *pg.RangeVar, where *pg.Node, own string, others []string) {
	if w.err != nil {
		return
	}
	if where.GetCurrentOfExpr() != nil {
		if len(others) > 0 {
			w.fail(codeNotSupp, "softdelete-proxy cannot combine WHERE CURRENT OF with other soft-delete tables")
		}
		return
	}
	preds := others
	if own != "" {
		preds = append([]string{own}, others...)
	}
	if len(preds) == 0 {
		return
	}
	span, ok := w.relSpan(rv)
	if !ok {
		w.internal("statement target not found in the text")
		return
	}
	w.addPreds(w.dmlWhere(span.last, w.toks[span.name].depth), preds)
}

// updateStmt rewrites UPDATE: a managed target only touches the rows the
// session sees (live rows; trashed rows in the trash view, which is how
// SET deleted_at = NULL restores them).
func (w *walker) updateStmt(u *pg.UpdateStmt) {
	if u == nil || w.err != nil {
		return
	}
	n := w.pushWith(u.WithClause)
	defer w.popCTEs(n)
	preds := w.fromList(u.FromClause, false)
	own := ""
	if t := w.target(u.Relation); t != nil {
		w.refuseAsOfWrite(t, u.Relation, "UPDATE")
		if test := liveTest(w.vis); test != "" {
			own = qualifier(u.Relation) + "." + quoteIdent(t.Column) + test
		}
	}
	w.dmlPreds(u.Relation, u.WhereClause, own, preds)
	w.walkParts(u, u.WithClause)
}
