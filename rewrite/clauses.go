package rewrite

// Locating clauses in the token stream. Node locations give where a table
// name or an expression starts; the clause keywords around them are found
// by scanning tokens at the statement's nesting depth, where no expression
// can contain a clause keyword.

// wherePos locates a WHERE clause: where is the index of the WHERE token and
// end the index just past its expression; when there is no WHERE (where <
// 0), at is the index of the token a WHERE clause would go before.
type wherePos struct {
	where, end, at int
}

func (w *walker) kw(k int) keyword {
	if k < 0 || k >= len(w.toks) {
		return kwNone
	}
	return w.toks[k].kw
}

// levelEnds reports whether token k ends the level at depth d.
func (w *walker) levelEnds(k int, d int16) bool {
	if k >= len(w.toks) {
		return true
	}
	t := w.toks[k]
	return t.depth < d || t.depth == d && isPunct(w.sql, w.toks, k, ';')
}

// scanLevel returns the first k > i at depth d for which stop(k) holds, or
// the index where the level ends.
func (w *walker) scanLevel(i int, d int16, stop func(k int) bool) int {
	for k := i + 1; ; k++ {
		if w.levelEnds(k, d) {
			return k
		}
		if w.toks[k].depth == d && stop(k) {
			return k
		}
	}
}

// clauseAfterFrom reports keywords that end a FROM list.
func (w *walker) clauseAfterFrom(k int) bool {
	switch w.kw(k) {
	case kwWhere, kwHaving, kwWindow, kwLimit, kwOffset, kwFetch,
		kwFor, kwUnion, kwIntersect, kwExcept, kwReturning:
		return true
	case kwGroup, kwOrder: // not WITHIN GROUP (ORDER BY …)
		return w.kw(k+1) == kwBy
	case kwOn: // ON CONFLICT (…) | ON CONFLICT DO | ON CONFLICT ON CONSTRAINT
		return w.kw(k+1) == kwConflict && (isPunct(w.sql, w.toks, k+2, '(') || w.kw(k+2) == kwDo || w.kw(k+2) == kwOn)
	case kwWith:
		return w.kw(k+1) == kwData || w.kw(k+1) == kwNo
	}
	return false
}

// clauseAfterWhere reports keywords that end a WHERE (or HAVING-less) expression.
func (w *walker) clauseAfterWhere(k int) bool {
	switch w.kw(k) {
	case kwHaving, kwWindow, kwLimit, kwOffset, kwFetch, kwFor,
		kwUnion, kwIntersect, kwExcept, kwReturning, kwOn, kwDo:
		return true
	case kwGroup, kwOrder:
		return w.kw(k+1) == kwBy
	case kwWith:
		return w.kw(k+1) == kwData || w.kw(k+1) == kwNo
	}
	return false
}

// clauseAfterQuals reports tokens that end a JOIN … ON expression.
func (w *walker) clauseAfterQuals(k int) bool {
	if w.clauseAfterFrom(k) || isPunct(w.sql, w.toks, k, ',') {
		return true
	}
	switch w.kw(k) {
	case kwOn, kwWhen, kwJoin, kwCross, kwNatural:
		return true
	case kwLeft, kwRight, kwFull, kwInner:
		return w.kw(k+1) == kwJoin || w.kw(k+1) == kwOuter
	}
	return false
}

// isFromKeyword reports a FROM that starts a FROM clause (not IS DISTINCT
// FROM, not a column label AS from).
func (w *walker) isFromKeyword(k int) bool {
	return w.kw(k) == kwFrom && w.kw(k-1) != kwDistinct && w.kw(k-1) != kwAs
}

// whereAfter locates the WHERE clause of a statement level at depth d whose
// FROM list (or SET list, or target) ends somewhere after token i.
func (w *walker) whereAfter(i int, d int16) wherePos {
	k := w.scanLevel(i, d, w.clauseAfterFrom)
	if w.kw(k) != kwWhere {
		return wherePos{where: -1, at: k}
	}
	return wherePos{where: k, end: w.scanLevel(k, d, w.clauseAfterWhere)}
}

// dmlWhere locates the WHERE of an UPDATE or DELETE after token i.
func (w *walker) dmlWhere(i int, d int16) wherePos {
	k := w.scanLevel(i, d, func(k int) bool {
		return w.kw(k) == kwWhere || w.kw(k) == kwReturning
	})
	if w.kw(k) != kwWhere {
		return wherePos{where: -1, at: k}
	}
	return wherePos{where: k, end: w.scanLevel(k, d, w.clauseAfterWhere)}
}

// backTo returns the nearest token before i with keyword kw at depth <= the
// depth of token i, or -1.
func (w *walker) backTo(i int, kw keyword) int {
	d := w.toks[i].depth
	for k := i - 1; k >= 0; k-- {
		t := w.toks[k]
		if t.depth < d {
			d = t.depth
		}
		if t.kw == kw && t.depth == d {
			return k
		}
	}
	return -1
}

// closeParen returns the index of the ')' matching the '(' at index i.
func (w *walker) closeParen(i int) int {
	d := w.toks[i].depth
	for k := i + 1; k < len(w.toks); k++ {
		if w.toks[k].depth == d && isPunct(w.sql, w.toks, k, ')') {
			return k
		}
		if w.toks[k].depth < d {
			break
		}
	}
	return -1
}

// text returns the source text of tokens first..last.
func (w *walker) text(first, last int) string {
	return w.sql[w.toks[first].start:w.toks[last].end]
}
