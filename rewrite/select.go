package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// pushWith brings the CTE names of wc into scope, rewriting each CTE's
// query in the scope it sees (for WITH RECURSIVE every name is visible in
// every CTE). It returns how many names to pop after the statement.
func (w *walker) pushWith(wc *pg.WithClause) int {
	if wc == nil {
		return 0
	}
	var names []string
	for _, c := range wc.Ctes {
		if cte := c.GetCommonTableExpr(); cte != nil {
			names = append(names, cte.Ctename)
		}
	}
	if wc.Recursive {
		w.ctes = append(w.ctes, names...)
	}
	for i, c := range wc.Ctes {
		if cte := c.GetCommonTableExpr(); cte != nil {
			w.walk(cte.Ctequery)
		}
		if !wc.Recursive && i < len(names) {
			w.ctes = append(w.ctes, names[i])
		}
	}
	return len(names)
}

func (w *walker) popCTEs(n int) { w.ctes = w.ctes[:len(w.ctes)-n] }

// selectStmt filters one SELECT (or set operation) and everything nested in it.
func (w *walker) selectStmt(s *pg.SelectStmt) {
	if s == nil || w.err != nil {
		return
	}
	n := w.pushWith(s.WithClause)
	defer w.popCTEs(n)
	if preds := w.fromList(s.FromClause, false); len(preds) > 0 {
		w.selectWhere(s, preds)
	}
	w.walkParts(s, s.WithClause) // the branches of a set operation too
}

// selectWhere adds preds to the WHERE clause of a simple SELECT.
func (w *walker) selectWhere(s *pg.SelectStmt, preds []string) {
	if w.err != nil {
		return
	}
	if tableTok, ok := w.tableForm(s); ok {
		rv := s.FromClause[0].GetRangeVar()
		span, _ := w.relSpan(rv)
		w.replace(w.toks[tableTok].start, w.toks[tableTok].end, "SELECT * FROM")
		w.addPreds(w.whereAfter(span.last, w.toks[tableTok].depth), preds)
		return
	}
	from := w.fromKeyword(s)
	if from < 0 {
		w.internal("FROM not found")
		return
	}
	w.addPreds(w.whereAfter(from, w.toks[from].depth), preds)
}

// tableForm reports `TABLE name` and returns the TABLE token.
func (w *walker) tableForm(s *pg.SelectStmt) (int, bool) {
	if len(s.TargetList) != 1 || len(s.FromClause) != 1 {
		return 0, false
	}
	rt := s.TargetList[0].GetResTarget()
	rv := s.FromClause[0].GetRangeVar()
	if rt == nil || rt.Location >= 0 || rv == nil {
		return 0, false
	}
	span, ok := w.relSpan(rv)
	if !ok || w.kw(span.first-1) != kwTable {
		return 0, false
	}
	return span.first - 1, true
}

// fromKeyword returns the index of the FROM token of a simple SELECT, or -1.
// It scans forward from the SELECT keyword found before the first target;
// a SELECT without targets is found from its first table instead.
func (w *walker) fromKeyword(s *pg.SelectStmt) int {
	if len(s.TargetList) > 0 {
		rt := s.TargetList[0].GetResTarget()
		if rt == nil || rt.Location < 0 {
			return -1
		}
		t0 := tokAt(w.toks, rt.Location)
		if t0 < 0 {
			return -1
		}
		d := w.toks[t0].depth
		sel := -1
		for k := t0 - 1; k >= 0 && w.toks[k].depth >= d; k-- {
			if w.toks[k].depth == d && w.toks[k].kw == kwSelect {
				sel = k
				break
			}
		}
		if sel < 0 {
			return -1
		}
		k := w.scanLevel(sel, d, func(k int) bool {
			return w.isFromKeyword(k) || w.clauseAfterFrom(k)
		})
		if w.kw(k) != kwFrom {
			return -1
		}
		return k
	}
	return w.fromOfEmptySelect(s)
}

// fromOfEmptySelect handles `SELECT FROM t …`: the FROM directly follows
// SELECT and precedes the first table (after any '(' or ONLY).
func (w *walker) fromOfEmptySelect(s *pg.SelectStmt) int {
	if len(s.FromClause) == 0 {
		return -1
	}
	n := s.FromClause[0]
	for n.GetJoinExpr() != nil {
		n = n.GetJoinExpr().Larg
	}
	rv := n.GetRangeVar()
	if rv == nil {
		return -1
	}
	k := tokAt(w.toks, rv.Location) - 1
	for k >= 0 && (isPunct(w.sql, w.toks, k, '(') || w.kw(k) == kwOnly) {
		k--
	}
	if w.kw(k) != kwFrom || w.kw(k-1) != kwSelect {
		return -1
	}
	return k
}
