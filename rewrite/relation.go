package rewrite

import pg "github.com/pganalyze/pg_query_go/v6"

// relSpan is where a table reference is in the token stream: first is ONLY
// (if written) or the name, nameEnd the last token of the name (with a
// trailing *), last the last token including the alias and its columns.
type relSpan struct {
	first, name, nameEnd, last int
}

// relSpan maps rv onto its tokens.
func (w *walker) relSpan(rv *pg.RangeVar) (relSpan, bool) {
	i := tokAt(w.toks, rv.Location)
	if i < 0 || !isNameTok(w.toks[i]) {
		return relSpan{}, false
	}
	s := relSpan{first: i, name: i}
	k := i
	for p := 1; p < nameParts(rv); p++ {
		if !isPunct(w.sql, w.toks, k+1, '.') || k+2 >= len(w.toks) || !isNameTok(w.toks[k+2]) {
			return relSpan{}, false
		}
		k += 2
	}
	switch {
	case isPunct(w.sql, w.toks, i-1, '(') && w.kw(i-2) == kwOnly:
		if !isPunct(w.sql, w.toks, k+1, ')') {
			return relSpan{}, false
		}
		k++
		s.first = i - 2
	case w.kw(i-1) == kwOnly:
		s.first = i - 1
	}
	if k+1 < len(w.toks) && w.toks[k+1].kind == tkOp && w.sql[w.toks[k+1].start:w.toks[k+1].end] == "*" {
		k++
	}
	s.nameEnd = k
	if rv.Alias != nil {
		if w.kw(k+1) == kwAs {
			k++
		}
		k++
		if k >= len(w.toks) || !isNameTok(w.toks[k]) {
			return relSpan{}, false
		}
		if len(rv.Alias.Colnames) > 0 {
			if !isPunct(w.sql, w.toks, k+1, '(') {
				return relSpan{}, false
			}
			if k = w.closeParen(k + 1); k < 0 {
				return relSpan{}, false
			}
		}
	}
	s.last = k
	return s, true
}

func nameParts(rv *pg.RangeVar) int {
	n := 1
	if rv.Schemaname != "" {
		n++
	}
	if rv.Catalogname != "" {
		n++
	}
	return n
}

func isNameTok(t token) bool { return t.kind == tkIdent || t.kind == tkQIdent }

// derivedTable replaces the name of rv (managed table t) by a subquery that
// keeps only the rows visible in the session's mode, so that a FULL JOIN, a
// USING/NATURAL join or a MERGE source sees the filtered table.
func (w *walker) derivedTable(rv *pg.RangeVar, t *Table) {
	pred := w.visiblePred("", t)
	if pred == "" || w.err != nil {
		return
	}
	s, ok := w.relSpan(rv)
	if !ok {
		w.internal("table reference not found in the text")
		return
	}
	text := "(SELECT * FROM " + w.nameText(s, rv) + " WHERE " + pred + ")"
	if rv.Alias == nil {
		text += " AS " + quoteIdent(rv.Relname)
	}
	w.replace(w.toks[s.first].start, w.toks[s.nameEnd].end, text)
}
