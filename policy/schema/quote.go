package schema

import "strings"

// quoteAlways double-quotes an identifier (the fallback when the server did
// not quote it for us).
func quoteAlways(id string) string {
	return `"` + strings.ReplaceAll(id, `"`, `""`) + `"`
}

// quoteLiteral writes s as a standard SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// indexKey returns the parenthesized key list of a pg_get_indexdef text,
// e.g. "(email)" or "(lower(email), org_id)"; "" when it cannot be found.
func indexKey(def string) string {
	i := strings.Index(def, " USING ")
	if i < 0 {
		return ""
	}
	start := strings.IndexByte(def[i:], '(')
	if start < 0 {
		return ""
	}
	start += i
	end := closingParen(def, start)
	if end < 0 {
		return ""
	}
	return def[start : end+1]
}

// unquoted undoes quote_ident.
func unquoted(id string) string {
	if len(id) >= 2 && id[0] == '"' && id[len(id)-1] == '"' {
		return strings.ReplaceAll(id[1:len(id)-1], `""`, `"`)
	}
	return id
}

// quoteDerived quotes a name this package made up by adding a suffix such
// as "_purge_idx" to a name (no keyword ends like that): bare when it is a
// plain lower-case identifier, double-quoted otherwise.
func quoteDerived(id string) string {
	for i, r := range id {
		plain := r == '_' || ('a' <= r && r <= 'z') || (i > 0 && (r == '$' || ('0' <= r && r <= '9')))
		if !plain {
			return quoteAlways(id)
		}
	}
	return id
}
