package schema

import (
	"fmt"
	"strings"
)

// Check compares the catalog with the policy it was inspected for and
// returns every finding, sorted (see sortFindings).
func Check(c *Catalog) *Report {
	r := &Report{Database: c.Database, Tables: []string{}, Findings: []Finding{}}
	order := map[string]int{}
	for i, t := range c.Tables {
		order[t.Quoted] = i
		r.Tables = append(r.Tables, t.Quoted)
		r.Findings = append(r.Findings, c.checkTable(t)...)
		for _, d := range c.inherited(t) {
			if r.Children == nil {
				r.Children = map[string][]string{}
			}
			r.Children[t.Quoted] = append(r.Children[t.Quoted], d.Quoted)
		}
	}
	r.Findings = append(r.Findings, c.checkAudit()...)
	r.Findings = append(r.Findings, c.checkObjects()...)
	r.Findings = append(r.Findings, c.checkBypass()...)
	sortFindings(r.Findings, order)
	for _, f := range r.Findings {
		if f.Severity == Error {
			r.Errors++
		} else {
			r.Warnings++
		}
	}
	return r
}

// checker collects the findings of one table.
type checker struct {
	c   *Catalog
	t   *TableInfo
	col string // the soft-delete column, quoted
	out []Finding
}

func (k *checker) add(sev Severity, kind, object, fix, format string, args ...any) {
	k.out = append(k.out, Finding{Severity: sev, Table: k.t.Quoted, Kind: kind, Object: object,
		Message: fmt.Sprintf(format, args...), Fix: fix})
}

func (c *Catalog) checkTable(t *TableInfo) []Finding {
	k := &checker{c: c, t: t, col: c.Q(t.Column)}
	switch {
	case !t.Exists():
		k.add(Error, KindTableMissing, "", fmt.Sprintf("create the table, or remove it from tables: in the config (line %d)", t.Line),
			"table %s does not exist", t.Quoted)
		return k.out
	case !t.IsTable():
		k.add(Error, KindNotATable, "", fmt.Sprintf("name the underlying table in the config (line %d) instead", t.Line),
			"%s is a %s, not a table: soft delete needs a table it can UPDATE", t.Quoted, relkindName(t.Kind))
		return k.out
	}
	k.columns()
	k.uniques()
	k.foreignKeys()
	k.triggers()
	k.views()
	k.functions()
	k.purgeIndex()
	k.guardChecks()
	return k.out
}

// relkindName spells pg_class.relkind.
func relkindName(kind string) string {
	switch kind {
	case "v":
		return "view"
	case "m":
		return "materialized view"
	case "f":
		return "foreign table"
	case "S":
		return "sequence"
	case "i", "I":
		return "index"
	case "c":
		return "composite type"
	}
	return "relation of kind " + kind
}

// mentionsIsNull reports whether SQL text tests col IS NULL (col quoted as
// the server deparses it, possibly qualified: c.deleted_at IS NULL).
func mentionsIsNull(text, col string) bool {
	for _, end := range columnEnds(text, col) {
		rest := strings.TrimLeft(text[end:], " \t\n")
		if len(rest) == len(text[end:]) || !hasPrefixFold(rest, "IS") {
			continue
		}
		after := rest[2:]
		rest = strings.TrimLeft(after, " \t\n")
		if len(rest) < len(after) && hasPrefixFold(rest, "NULL") && (len(rest) == 4 || !wordByte(rest[4])) {
			return true
		}
	}
	return false
}

// mentionsColumn reports whether col appears as a whole name in text.
func mentionsColumn(text, col string) bool {
	for _, end := range columnEnds(text, col) {
		if end == len(text) || !nameByte(text[end]) {
			return true
		}
	}
	return false
}

// columnEnds are the offsets just after each occurrence of col in text
// that does not continue a name before it.
func columnEnds(text, col string) []int {
	var out []int
	for from := 0; col != ""; {
		i := strings.Index(text[from:], col)
		if i < 0 {
			break
		}
		at := from + i
		if at == 0 || !nameByte(text[at-1]) {
			out = append(out, at+len(col))
		}
		from = at + 1
	}
	return out
}

// nameByte is a byte that continues a name: a word character, $ or ".
func nameByte(b byte) bool { return wordByte(b) || b == '$' || b == '"' }

// wordByte is what \w matches in Go's regexp: ASCII letters, digits, _.
func wordByte(b byte) bool {
	return b == '_' || ('a' <= b && b <= 'z') || ('A' <= b && b <= 'Z') || ('0' <= b && b <= '9')
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
