package rewrite

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// fromList filters the managed tables of a FROM (or USING) list and returns
// the predicates that belong in the statement's WHERE clause. With derived
// set there is no WHERE to use (a MERGE source) and every table that would
// need one becomes a filtered derived table instead.
func (w *walker) fromList(items []*pg.Node, derived bool) []string {
	var preds []string
	for _, it := range items {
		preds = append(preds, w.fromItem(it, derived)...)
	}
	return preds
}

// fromItem filters the managed tables under one FROM item. Predicates that
// must be applied above the item are returned; what the item's own
// structure takes (outer-join ON clauses, derived tables) is spliced here.
func (w *walker) fromItem(n *pg.Node, derived bool) []string {
	if n == nil || w.err != nil {
		return nil
	}
	switch v := n.Node.(type) {
	case *pg.Node_RangeVar:
		return w.tableRef(v.RangeVar, derived)
	case *pg.Node_RangeTableSample:
		rv := v.RangeTableSample.Relation.GetRangeVar()
		if derived && w.tableSampleFiltered(rv) {
			w.fail(codeNotSupp, "softdelete-proxy cannot filter %s with TABLESAMPLE on this side of a join", rv.Relname)
			return nil
		}
		return w.tableRef(rv, false)
	case *pg.Node_JoinExpr:
		return w.joinExpr(v.JoinExpr, derived)
	}
	return nil // subqueries and functions are filtered in their own scope
}

// tableRef returns the filter of a managed table reference.
func (w *walker) tableRef(rv *pg.RangeVar, derived bool) []string {
	t := w.managed(rv)
	if t == nil {
		return nil
	}
	if derived || rv.Alias != nil && len(rv.Alias.Colnames) > 0 {
		w.derivedTable(rv, t)
		return nil
	}
	if p := w.readPred(rv, t); p != "" {
		return []string{p}
	}
	return nil
}

// joinExpr places the filters of a join's two sides: the preserved side of
// an outer join passes them up, the nullable side takes them into the ON
// clause (or a derived table when there is no ON: USING, NATURAL, FULL).
// Under an aliased join the inner names are hidden from the outer query,
// so nothing may pass up.
func (w *walker) joinExpr(j *pg.JoinExpr, derived bool) []string {
	hidden := derived || j.Alias != nil
	hasOn := j.Quals != nil
	var up, on []string
	switch j.Jointype {
	case pg.JoinType_JOIN_LEFT:
		up = w.fromItem(j.Larg, hidden)
		on = w.fromItem(j.Rarg, !hasOn)
	case pg.JoinType_JOIN_RIGHT:
		on = w.fromItem(j.Larg, !hasOn)
		up = w.fromItem(j.Rarg, hidden)
	case pg.JoinType_JOIN_FULL:
		w.fromItem(j.Larg, true)
		w.fromItem(j.Rarg, true)
	default: // inner and cross joins
		if hidden && hasOn {
			on = append(w.fromItem(j.Larg, false), w.fromItem(j.Rarg, false)...)
		} else {
			up = append(w.fromItem(j.Larg, hidden), w.fromItem(j.Rarg, hidden)...)
		}
	}
	if len(on) > 0 {
		w.addToOn(j.Quals, on)
	}
	return up
}

// addToOn splices preds into the ON clause whose expression is quals.
func (w *walker) addToOn(quals *pg.Node, preds []string) {
	if w.err != nil {
		return
	}
	first := tokAt(w.toks, minLocation(quals))
	if first < 0 {
		w.internal("join condition not found in the text")
		return
	}
	on := w.backTo(first, kwOn)
	if on < 0 {
		w.internal("ON not found")
		return
	}
	end := w.scanLevel(on, w.toks[on].depth, w.clauseAfterQuals)
	w.insert(w.toks[on+1].start, "(")
	w.insert(w.toks[end-1].end, ") AND "+strings.Join(preds, " AND "))
}
