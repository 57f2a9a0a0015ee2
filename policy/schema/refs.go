package schema

import (
	"regexp"
	"strings"
)

// A text search for the queries of a managed table in view definitions
// and function bodies. It is not a parser: dynamic SQL is not seen, and a
// name in a string or a comment counts. It knows aliases, so that in
// "FROM contacts c JOIN orgs o … WHERE c.deleted_at IS NULL" the filter is
// credited to contacts and not to orgs.

// tableRef is one FROM, JOIN or DELETE FROM of the table.
type tableRef struct {
	deletes   bool   // DELETE FROM
	qualifier string // the alias, or the table name as written
}

const identRE = `(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)`

// notAlias are the words that may follow a table name and are not its alias.
var notAlias = map[string]bool{
	"where": true, "join": true, "on": true, "left": true, "right": true, "inner": true, "full": true,
	"cross": true, "natural": true, "using": true, "group": true, "order": true, "limit": true,
	"union": true, "except": true, "intersect": true, "window": true, "having": true, "for": true,
	"returning": true, "set": true, "offset": true, "fetch": true, "tablesample": true, "lateral": true,
	"outer": true, "into": true, "then": true, "end": true, "loop": true, "and": true, "or": true,
}

// refPattern matches FROM, JOIN or DELETE FROM, the table's name
// (schema-qualified or not, quoted or not) and an optional alias: group 1
// is the keyword, 2 the table name as written, 3 the alias.
func refPattern(c *Catalog, t *TableInfo) *regexp.Regexp {
	name := identPattern(t.Name, c.Q(t.Name))
	schema := identPattern(t.Schema, c.Q(t.Schema))
	return regexp.MustCompile(`(?i)\b(delete\s+from|from|join)\s+(?:only\s+)?(?:` + schema + `\s*\.\s*)?(` + name +
		`)(?:$|\s+(?:as\s+)?(` + identRE + `)|[^\w$".])`)
}

// identPattern matches an identifier as it may be written: quoted always,
// and bare when quote_ident left it bare (then in any case).
func identPattern(raw, quoted string) string {
	q := regexp.QuoteMeta(quoteAlways(raw))
	if quoted == raw {
		return `(?:` + q + `|` + regexp.QuoteMeta(raw) + `)`
	}
	return `(?-i:` + q + `)`
}

// findRefs returns the table's references in text.
func findRefs(re *regexp.Regexp, text string) []tableRef {
	var out []tableRef
	for _, m := range re.FindAllStringSubmatch(text, -1) {
		r := tableRef{deletes: strings.HasPrefix(strings.ToLower(m[1]), "delete"), qualifier: m[3]}
		if r.qualifier == "" || notAlias[strings.ToLower(r.qualifier)] {
			r.qualifier = m[2]
		}
		out = append(out, r)
	}
	return out
}

// filtered reports whether text tests col IS NULL for this reference:
// qualified by its alias or name, or unqualified.
func (r tableRef) filtered(text, col string) bool {
	qualified := `(?i)(?:^|[^\w$"])` + regexp.QuoteMeta(r.qualifier) + `\s*\.\s*` + regexp.QuoteMeta(col) + `\s+IS\s+NULL\b`
	bare := `(?i)(?:^|[^\w$".])` + regexp.QuoteMeta(col) + `\s+IS\s+NULL\b`
	return regexp.MustCompile(qualified).MatchString(text) || regexp.MustCompile(bare).MatchString(text)
}

// unfilteredReads reports whether some FROM or JOIN of the table in text
// lacks the filter.
func unfilteredReads(refs []tableRef, text, col string) bool {
	for _, r := range refs {
		if !r.deletes && !r.filtered(text, col) {
			return true
		}
	}
	return false
}

// deletesFrom reports whether text runs DELETE FROM the table.
func deletesFrom(refs []tableRef) bool {
	for _, r := range refs {
		if r.deletes {
			return true
		}
	}
	return false
}
