package policy

import (
	"fmt"
	"strings"
)

// A table key with * (any run of characters) or ? (one character) in an
// unquoted part is a pattern: "public.*", "billing.invoice_*". It manages
// every table of the database it matches (resolved against the catalog:
// policy/schema.PatternSQL) with its settings, except those listed in its
// exclude, and with with_column: true only those that have its soft-delete
// column. A table the policy names itself keeps its own entry; a table
// two patterns match takes the first in the file. Partitions are managed
// through their parent, never matched themselves.

// Pattern is one pattern key of tables, its parts as SQL LIKE patterns.
type Pattern struct {
	Key          string
	Schema, Name string      // LIKE patterns (\ escapes)
	Exclude      [][2]string // LIKE patterns of schema and name
	WithColumn   bool
	Column       string // the soft-delete column its tables get
	Line         int
}

// IsPattern reports whether a table key is a pattern.
func IsPattern(key string) bool {
	quoted := false
	for _, r := range key {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == '*' || r == '?'):
			return true
		}
	}
	return false
}

// parseLike turns "schema.name" with globs into two LIKE patterns; quoted
// parts are literal, unquoted ones folded to lower case.
func parseLike(key string) ([2]string, error) {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c == '"' && quoted && i+1 < len(key) && key[i+1] == '"':
			cur.WriteString(likeEscape(`"`))
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
			cur.WriteString(likeEscape(string(c)))
		case c == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		case c == '*':
			cur.WriteByte('%')
		case c == '?':
			cur.WriteByte('_')
		case c == '_' || c == '$' || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') || c >= 0x80:
			cur.WriteString(likeEscape(string(c)))
		case 'A' <= c && c <= 'Z':
			cur.WriteByte(c + 'a' - 'A')
		default:
			return [2]string{}, fmt.Errorf("unexpected %q in pattern %q (quote a name with \"…\")", c, key)
		}
	}
	parts = append(parts, cur.String())
	if quoted || len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return [2]string{}, fmt.Errorf("%q is not schema.table with * or ? (e.g. public.* or billing.invoice_*)", key)
	}
	return [2]string{parts[0], parts[1]}, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Patterns returns the pattern keys of c in file order. c must be valid.
func (c *Config) Patterns() []Pattern {
	var out []Pattern
	for _, key := range c.tableKeys() {
		if !IsPattern(key) {
			continue
		}
		like, _ := parseLike(key)
		s := c.Tables[key]
		p := Pattern{Key: key, Schema: like[0], Name: like[1], WithColumn: s.WithColumn || c.Defaults.WithColumn,
			Column: ident(c.merged(key).Column), Line: c.pos["tables."+key]}
		for _, x := range append(append([]string(nil), c.Defaults.Exclude...), s.Exclude...) {
			if ex, err := excludeLike(x); err == nil {
				p.Exclude = append(p.Exclude, ex)
			}
		}
		out = append(out, p)
	}
	return out
}

// excludeLike parses an exclude entry: a table name or a pattern.
func excludeLike(x string) ([2]string, error) {
	if IsPattern(x) {
		return parseLike(x)
	}
	n, err := ParseTableName(x)
	if err != nil {
		return [2]string{}, err
	}
	return [2]string{likeEscape(n.Schema), likeEscape(n.Name)}, nil
}

// Match is a table a pattern matched in a database's catalog.
type Match struct {
	Pattern int // index in Patterns()
	Table   TableName
}

// WithMatches returns a copy of c whose Managed is c's named tables
// followed by the tables the patterns matched (in pattern order, then as
// given), each once: a named table keeps its entry, the first pattern
// wins, and the audit table is never managed.
func (c *Config) WithMatches(matches []Match) *Config {
	out := *c
	out.Managed = append([]Table(nil), c.Managed...)
	seen := map[TableName]bool{}
	for _, t := range c.Managed {
		seen[t.QualifiedName()] = true
	}
	if a, ok := c.AuditTable(); ok {
		seen[a] = true
	}
	pats := c.Patterns()
	byPattern := make([][]TableName, len(pats))
	for _, m := range matches {
		if m.Pattern >= 0 && m.Pattern < len(pats) {
			byPattern[m.Pattern] = append(byPattern[m.Pattern], m.Table)
		}
	}
	for i, p := range pats {
		settings := c.tableFromSettings(p.Key)
		for _, n := range byPattern[i] {
			if seen[n] {
				continue
			}
			seen[n] = true
			t := settings
			t.Schema, t.Name = n.Schema, n.Name
			out.Managed = append(out.Managed, t)
		}
	}
	return &out
}

// HasPatterns reports whether any table key is a pattern.
func (c *Config) HasPatterns() bool {
	for key := range c.Tables {
		if IsPattern(key) {
			return true
		}
	}
	return false
}

// checkPattern checks a pattern key and its exclude entries.
func checkPattern(p *problems, key string, s TableSettings) {
	path := "tables." + key
	if _, err := parseLike(key); err != nil {
		p.add([]string{path}, "table %s: %v", key, err)
	}
	checkExclude(p, path, "table "+key+": ", s.Exclude)
}

// checkExclude checks exclude entries (of defaults or of a pattern).
func checkExclude(p *problems, path, label string, exclude []string) {
	for i, x := range exclude {
		if _, err := excludeLike(x); err != nil {
			sub := fmt.Sprintf("%s.exclude[%d]", path, i)
			p.add([]string{sub, path + ".exclude", path}, "%sexclude[%d]: %v", label, i, err)
		}
	}
}

// checkNotPattern refuses the pattern-only keys on a named table.
func checkNotPattern(p *problems, key string, s TableSettings) {
	path := "tables." + key
	if len(s.Exclude) > 0 {
		p.add([]string{path + ".exclude", path}, "table %s: exclude is for patterns (a key with * or ?)", key)
	}
	if s.WithColumn {
		p.add([]string{path + ".with_column", path}, "table %s: with_column is for patterns (a key with * or ?)", key)
	}
}
