package policy

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxIdentLen is PostgreSQL's NAMEDATALEN-1: longer names are truncated by
// the server, so a longer name in the policy could never match.
const maxIdentLen = 63

// TableName is a table's schema and name as stored in the catalog.
type TableName struct {
	Schema string
	Name   string
}

// String writes the name as SQL, quoting the parts that need it.
func (t TableName) String() string { return quoteIdent(t.Schema) + "." + quoteIdent(t.Name) }

// ParseTableName parses exactly "schema.table". Each part is an identifier:
// unquoted ones are folded to lower case as PostgreSQL does, quoted ones
// ("My Schema") are taken as written with "" standing for one quote.
func ParseTableName(s string) (TableName, error) {
	schema, rest, err := scanIdent(s)
	if err != nil {
		return TableName{}, err
	}
	if rest == "" {
		return TableName{}, fmt.Errorf("%q is not schema.table (e.g. public.%s)", s, quoteIdent(schema))
	}
	if rest[0] != '.' {
		return TableName{}, fmt.Errorf("unexpected %q after %q", rest, s[:len(s)-len(rest)])
	}
	name, rest, err := scanIdent(rest[1:])
	if err != nil {
		return TableName{}, err
	}
	if rest != "" {
		return TableName{}, fmt.Errorf("%q is not schema.table: unexpected %q", s, rest)
	}
	return TableName{Schema: schema, Name: name}, nil
}

// ParseIdent parses one identifier (a column name), folding it if unquoted.
func ParseIdent(s string) (string, error) {
	id, rest, err := scanIdent(s)
	if err != nil {
		return "", err
	}
	if rest != "" {
		return "", fmt.Errorf("invalid identifier %q: unexpected %q", s, rest)
	}
	return id, nil
}

// scanIdent reads one identifier at the start of s and returns it with the
// rest of s.
func scanIdent(s string) (id, rest string, err error) {
	if s == "" {
		return "", "", errors.New("empty identifier")
	}
	if s[0] == '"' {
		id, rest, err = scanQuoted(s)
	} else {
		id, rest, err = scanUnquoted(s)
	}
	if err == nil && len(id) > maxIdentLen {
		err = fmt.Errorf("identifier %q is longer than %d bytes", id, maxIdentLen)
	}
	return id, rest, err
}

func scanUnquoted(s string) (string, string, error) {
	var b strings.Builder
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !identRune(r, i == 0) || r == utf8.RuneError {
			break
		}
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
		i += size
	}
	if i == 0 {
		return "", "", fmt.Errorf("invalid identifier %q: must start with a letter or _ (quote it with \"…\" otherwise)", s)
	}
	return b.String(), s[i:], nil
}

func scanQuoted(s string) (string, string, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch {
		case s[i] == 0:
			return "", "", fmt.Errorf("invalid identifier %q: contains a NUL byte", s)
		case s[i] != '"':
			b.WriteByte(s[i])
		case i+1 < len(s) && s[i+1] == '"':
			b.WriteByte('"')
			i++
		case b.Len() == 0:
			return "", "", fmt.Errorf("invalid identifier %q: zero-length quoted identifier", s)
		default:
			return b.String(), s[i+1:], nil
		}
	}
	return "", "", fmt.Errorf("invalid identifier %q: unterminated quoted identifier", s)
}

// quoteIdent returns id unquoted when it reads back the same unquoted, and
// double-quoted otherwise. Keywords are not considered: this is for
// messages and display, not for building SQL.
func quoteIdent(id string) string {
	if plainIdent(id) {
		return id
	}
	return `"` + strings.ReplaceAll(id, `"`, `""`) + `"`
}

func plainIdent(id string) bool {
	for i, r := range id {
		if !identRune(r, i == 0) || ('A' <= r && r <= 'Z') {
			return false
		}
	}
	return id != ""
}

// identRune follows PostgreSQL's scanner: letters, _ and any non-ASCII
// character start an identifier; digits and $ may follow.
func identRune(r rune, first bool) bool {
	switch {
	case r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || r > unicode.MaxASCII:
		return true
	case first:
		return false
	}
	return r == '$' || ('0' <= r && r <= '9')
}
