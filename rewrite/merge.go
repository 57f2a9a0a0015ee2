package rewrite

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// mergeStmt rewrites MERGE. A managed target is filtered in the join
// condition (trashed rows do not match) and in each WHEN NOT MATCHED BY
// SOURCE condition; WHEN … THEN DELETE trashes the row instead (or, in the
// trash view, deletes it forever). A managed source becomes a filtered
// derived table: it is the preserved side, so no ON placement is right.
func (w *walker) mergeStmt(m *pg.MergeStmt) {
	if m == nil || w.err != nil {
		return
	}
	n := w.pushWith(m.WithClause)
	defer w.popCTEs(n)
	w.fromItem(m.SourceRelation, true)
	if t := w.target(m.Relation); t != nil {
		w.refuseAsOfWrite(t, m.Relation, "MERGE")
		w.mergeTarget(m, t)
	}
	w.walkParts(m, m.WithClause)
}

func (w *walker) mergeTarget(m *pg.MergeStmt, t *Table) {
	if w.err != nil {
		return
	}
	test := liveTest(w.vis)
	own := qualifier(m.Relation) + "." + quoteIdent(t.Column) + test
	if test != "" {
		w.addToOn(m.JoinCondition, []string{own})
	}
	first := tokAt(w.toks, minLocation(m.JoinCondition))
	if first < 0 {
		w.internal("MERGE join condition not found in the text")
		return
	}
	on := w.backTo(first, kwOn)
	if on < 0 {
		w.internal("MERGE ON not found in the text")
		return
	}
	d := w.toks[on].depth
	k := on
	for _, c := range m.MergeWhenClauses {
		wc := c.GetMergeWhenClause()
		k = w.scanLevel(k, d, func(k int) bool { return w.kw(k) == kwWhen })
		then := w.scanLevel(k, d, func(k int) bool { return w.kw(k) == kwThen })
		if w.kw(k) != kwWhen || w.kw(then) != kwThen || wc == nil {
			w.internal("MERGE WHEN clause not found in the text")
			return
		}
		var preds []string
		if wc.MatchKind == pg.MergeMatchKind_MERGE_WHEN_NOT_MATCHED_BY_SOURCE && test != "" {
			preds = append(preds, own)
		}
		if len(preds) > 0 {
			w.whenCondition(k, then, wc, strings.Join(preds, " AND "))
		}
		if wc.CommandType == pg.CmdType_CMD_DELETE {
			w.mergeDelete(then+1, t)
		}
		k = then
	}
}

// whenCondition adds pred to the condition of the WHEN clause between
// tokens when and then.
func (w *walker) whenCondition(when, then int, wc *pg.MergeWhenClause, pred string) {
	if wc.Condition == nil {
		w.insert(w.toks[then-1].end, " AND "+pred)
		return
	}
	and := w.scanLevel(when, w.toks[when].depth, func(k int) bool { return w.kw(k) == kwAnd })
	if and >= then {
		w.internal("MERGE WHEN condition not found in the text")
		return
	}
	w.insert(w.toks[and+1].start, "(")
	w.insert(w.toks[then-1].end, ") AND "+pred)
}

// mergeDelete rewrites the DELETE action at token k.
func (w *walker) mergeDelete(k int, t *Table) {
	if w.kw(k) != kwDelete {
		w.internal("MERGE DELETE action not found in the text")
		return
	}
	if w.vis == VisibilityDeleted {
		if !w.hard {
			w.denyHardDelete(t, w.toks[k].start)
		}
		return
	}
	w.replace(w.toks[k].start, w.toks[k].end, "UPDATE SET "+softSet(t))
}
