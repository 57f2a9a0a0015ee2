package rewrite

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// Constant normalisation: statements that differ only in their literals
// share one parse. The key is the statement with each literal replaced by a
// marker byte (NUL cannot occur in a query); the template is the rewritten
// text cut at the literals, which are put back from each new statement.

// span is a literal in the input; neg is the start of a '-' token right
// before it (-1 if none), where the parser puts a negative constant.
type span struct {
	start, end, neg int32
}

// Marker bytes keep the literal's lexical class in the key, so that the
// parser sees the same token kinds for every statement of one template.
const (
	markString = "\x00s"
	markInt    = "\x00i"
	markNum    = "\x00n"
)

// normalize returns the template key of sql and its literals. ok is false
// when sql has no literal, or one the scanner does not templatise
// (prefixed or escaped strings, dollar quotes, non-decimal numbers), or
// does not lex cleanly.
func normalize(sql string) (key string, consts []span, ok bool) {
	f := (*Policy)(nil).scan(sql, true, nil)
	if !f.litsOK {
		return "", nil, false
	}
	return templateKey(sql, f.lits), f.lits, true
}

// templateKey is sql with each literal replaced by its marker.
func templateKey(sql string, lits []span) string {
	var b strings.Builder
	b.Grow(len(sql) + 2*len(lits))
	last := int32(0)
	for _, c := range lits {
		b.WriteString(sql[last:c.start])
		b.WriteString(marker(sql[c.start:c.end]))
		last = c.end
	}
	b.WriteString(sql[last:])
	return b.String()
}

func marker(lit string) string {
	if lit[0] == '\'' {
		return markString
	}
	for i := 0; i < len(lit); i++ {
		if !isDigit(lit[i]) {
			return markNum
		}
	}
	return markInt
}

// template is a rewritten statement cut at its literals.
type template struct {
	chunks []string // len(chunks) == number of literals + 1
	size   int
	res    Result // Stmts and Changed; SQL unused
}

// fill puts the literals of sql back into the template.
func (t *template) fill(sql string, consts []span) (string, bool) {
	if len(consts) != len(t.chunks)-1 {
		return "", false
	}
	var b strings.Builder
	n := t.size
	for _, c := range consts {
		n += int(c.end - c.start)
	}
	b.Grow(n)
	for i, c := range consts {
		b.WriteString(t.chunks[i])
		b.WriteString(sql[c.start:c.end])
	}
	b.WriteString(t.chunks[len(consts)])
	return b.String(), true
}

// buildTemplate cuts the rewrite out of sql at its literals, or returns nil
// when that is not provably the same for every literal: each literal must be
// a constant of the parse tree (not, say, a FETCH count or an option), and
// no edit may touch one.
func buildTemplate(tree *pg.ParseResult, sql string, consts []span, edits []edit, out string, res Result) *template {
	locs := make(map[int32]bool, len(consts))
	constLocations(tree, locs)
	t := &template{res: res}
	prevOut := int32(0)
	for _, c := range consts {
		if !locs[c.start] && !(c.neg >= 0 && locs[c.neg]) {
			return nil
		}
		for _, e := range edits {
			if e.start < c.end && c.start < e.end || c.start < e.start && e.start < c.end {
				return nil
			}
		}
		o := c.start + shiftAt(edits, c.start)
		n := c.end - c.start
		if o < prevOut || int(o+n) > len(out) || out[o:o+n] != sql[c.start:c.end] {
			return nil
		}
		t.chunks = append(t.chunks, out[prevOut:o])
		prevOut = o + n
	}
	t.chunks = append(t.chunks, out[prevOut:])
	for _, c := range t.chunks {
		t.size += len(c)
	}
	return t
}
