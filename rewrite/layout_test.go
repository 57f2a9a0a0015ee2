package rewrite

import (
	"strings"
	"testing"
)

// relayout rebuilds sql from its tokens with sep between them, lower- or
// upper-casing unquoted words; the statement stays the same.
func relayout(sql, sep string, upper bool) string {
	var b strings.Builder
	l := lexer{s: sql}
	for l.next() != tkEOF {
		if b.Len() > 0 {
			b.WriteString(sep)
		}
		tok := sql[l.start:l.end]
		if l.kind == tkIdent {
			if upper {
				tok = strings.ToUpper(tok)
			} else {
				tok = strings.ToLower(tok)
			}
		}
		b.WriteString(tok)
	}
	return b.String()
}

// TestLayoutVariants rewrites every golden input laid out differently
// (newlines, comments between all tokens, other letter case): the splicer
// must find its clauses whatever the layout, and the result must agree
// with the golden case.
func TestLayoutVariants(t *testing.T) {
	p := testPolicy()
	for _, file := range goldenFiles(t) {
		for _, c := range readGolden(t, file) {
			if strings.Contains(c.in, "$$") || strings.Contains(c.in, "--") || strings.HasPrefix(c.out, "ERROR 42601") {
				continue
			}
			for _, v := range []string{
				relayout(c.in, "\n\t", false),
				relayout(c.in, " /* c */ ", true),
			} {
				s := c.session
				res, err := New(Options{CacheBytes: -1}).Rewrite(v, p, &s)
				if (err != nil) != strings.HasPrefix(c.out, "ERROR") {
					t.Errorf("%s: variant error %v, golden %s\n%s", c.name, err, c.out, v)
					continue
				}
				if err != nil {
					continue
				}
				if res.Changed != (c.out != "(unchanged)") {
					t.Errorf("%s: variant changed=%v, golden %s\n%s", c.name, res.Changed, c.out, v)
				}
				if _, perr := parse(res.SQL); res.Changed && perr != nil {
					t.Errorf("%s: variant output does not parse: %v\n%s", c.name, perr, res.SQL)
				}
			}
		}
	}
}
