package rewrite

//go:generate go run ./internal/genkeywords -o keywords_gen.go

import "strings"

// defaultSearchPath is PostgreSQL's default search_path.
const defaultSearchPath = `"$user", public`

// quoteIdent quotes an identifier the way PostgreSQL's quote_ident does:
// only when it is not a lower-case word or is a non-unreserved keyword.
func quoteIdent(s string) string {
	if isSafeIdent(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func isSafeIdent(s string) bool {
	if s == "" || !(s[0] >= 'a' && s[0] <= 'z' || s[0] == '_') {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	_, kw := quotedKeywords[s]
	return !kw
}

// searchPath returns the schemas an unqualified relation name is looked up
// in, in PostgreSQL's order (recomputeNamespacePath in namespace.c): the
// session's temporary schema ("pg_temp") and then pg_catalog first unless
// the path lists them, then the path with "$user" replaced by user
// (current_user). raw is a search_path value as PostgreSQL stores it (""
// means the default). No managed table lives in pg_temp or pg_catalog; a
// shadow may.
func searchPath(raw, user string) []string {
	if strings.TrimSpace(raw) == "" {
		raw = defaultSearchPath
	}
	items := splitIdentList(raw)
	temp, catalog := false, false
	for _, item := range items {
		temp = temp || item == "pg_temp"
		catalog = catalog || item == "pg_catalog"
	}
	out := make([]string, 0, len(items)+2)
	if !temp {
		out = append(out, "pg_temp")
	}
	if !catalog {
		out = append(out, "pg_catalog")
	}
	for _, item := range items {
		if item == "$user" {
			item = user
		}
		if item != "" {
			out = append(out, item)
		}
	}
	return out
}

// splitIdentList splits a comma-separated identifier list as PostgreSQL's
// SplitIdentifierString does: "quoted" names kept exact ("" unescaped),
// unquoted names trimmed and folded to lower case.
func splitIdentList(raw string) []string {
	var out []string
	i := 0
	for i <= len(raw) {
		for i < len(raw) && isSpace(raw[i]) {
			i++
		}
		var name string
		if i < len(raw) && raw[i] == '"' {
			end, _ := scanQuotedIdent(raw, i+1)
			name = strings.ReplaceAll(strings.TrimSuffix(raw[i+1:end], `"`), `""`, `"`)
			i = end
			for i < len(raw) && raw[i] != ',' {
				i++
			}
		} else {
			j := strings.IndexByte(raw[i:], ',')
			if j < 0 {
				j = len(raw) - i
			}
			name = foldASCII(strings.TrimSpace(raw[i : i+j]))
			i += j
		}
		out = append(out, name)
		i++ // the comma
	}
	return out
}

// foldASCII lower-cases ASCII letters only, as PostgreSQL folds identifiers.
func foldASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = lowerASCII(c)
	}
	return string(b)
}
