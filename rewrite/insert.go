package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// insertStmt rewrites INSERT: its source query is filtered like any read;
// on a managed target, ON CONFLICT (cols) infers the unique index of live
// rows (WHERE col IS NULL: any unique index satisfying the predicate,
// partial or not, can be inferred) and DO UPDATE never touches a row the
// session cannot see.
func (w *walker) insertStmt(ins *pg.InsertStmt) {
	if ins == nil || w.err != nil {
		return
	}
	n := w.pushWith(ins.WithClause)
	defer w.popCTEs(n)
	t := w.target(ins.Relation)
	w.refuseAsOfWrite(t, ins.Relation, "INSERT")
	if t != nil && ins.OnConflictClause != nil {
		w.onConflict(ins, t)
	}
	w.walkParts(ins, ins.WithClause)
}

func (w *walker) onConflict(ins *pg.InsertStmt, t *Table) {
	oc := ins.OnConflictClause
	on := tokAt(w.toks, oc.Location)
	if on < 0 || w.kw(on) != kwOn {
		w.internal("ON CONFLICT not found in the text")
		return
	}
	d := w.toks[on].depth
	if inf := oc.Infer; inf != nil && len(inf.IndexElems) > 0 {
		w.inferencePred(inf, d, quoteIdent(t.Column)+" IS NULL")
	}
	if oc.Action != pg.OnConflictAction_ONCONFLICT_UPDATE {
		return
	}
	test := liveTest(w.vis)
	if test == "" {
		return
	}
	do := w.scanLevel(on, d, func(k int) bool { return w.kw(k) == kwDo })
	if w.kw(do) != kwDo {
		w.internal("DO UPDATE not found in the text")
		return
	}
	q := quoteIdent(ins.Relation.Relname)
	if ins.Relation.Alias != nil {
		q = quoteIdent(ins.Relation.Alias.Aliasname)
	}
	w.addPreds(w.dmlWhere(do, d), []string{q + "." + quoteIdent(t.Column) + test})
}

// inferencePred adds pred to the arbiter inference clause `(cols) [WHERE …]`.
func (w *walker) inferencePred(inf *pg.InferClause, d int16, pred string) {
	open := tokAt(w.toks, inf.Location)
	if !isPunct(w.sql, w.toks, open, '(') {
		w.internal("ON CONFLICT target not found in the text")
		return
	}
	closing := w.closeParen(open)
	if closing < 0 {
		w.internal("ON CONFLICT target not closed")
		return
	}
	if inf.WhereClause == nil {
		w.insert(w.toks[closing].end, " WHERE "+pred)
		return
	}
	if w.kw(closing+1) != kwWhere {
		w.internal("ON CONFLICT WHERE not found in the text")
		return
	}
	w.addPreds(wherePos{where: closing + 1, end: w.scanLevel(closing+1, d, w.clauseAfterWhere)}, []string{pred})
}
