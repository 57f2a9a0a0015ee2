package rewrite

import "strings"

// maxIdentLen is NAMEDATALEN-1: PostgreSQL truncates longer identifiers.
const maxIdentLen = 63

// MayTouch is the cheap pre-check: it reports whether sql names, anywhere
// outside strings, comments and dollar quotes, an identifier equal to the
// bare name of a managed table (unquoted identifiers folded to lower case).
// It does not allocate.
func (p *Policy) MayTouch(sql string) bool {
	return p.scan(sql, false, nil).touch
}

// scanned is what one pass of the scanner learns about a statement.
type scanned struct {
	touch   bool // names a managed table (maybe)
	tracked bool // some statement starts with a verb whose effect the proxy follows, or set_config is named
	// catalog: some statement starts with CREATE, DROP, ALTER, IMPORT or
	// DO, which may change the catalog (Stmt.CatalogChange).
	catalog bool
	// setConfig: an identifier set_config or pg_settings (plain, quoted or
	// a U& name that may decode to it) occurs, so the tree is searched for
	// calls of set_config and updates of pg_settings.
	setConfig bool
	// backslash: a plain '…' (or N'…') literal holds a backslash, which
	// standard_conforming_strings = off would read as an escape.
	backslash bool
	// firstBackslash is the offset of the first such literal.
	firstBackslash int
	lits           []span // the literals, when litsOK
	litsOK         bool   // every literal can be templatised (see normalize)
}

// scan runs the pre-check. With full unset it stops at the first managed
// name; with full set it reads the whole text and also collects the
// literals into lits (which it appends to and returns in scanned.lits).
func (p *Policy) scan(sql string, full bool, lits []span) scanned {
	return p.scanAs(sql, full, lits, false)
}

// scanAs is scan with the lexing of standard_conforming_strings = off when
// nonStd is set (backslashes escape in every '…' literal).
func (p *Policy) scanAs(sql string, full bool, lits []span, nonStd bool) scanned {
	var names map[string]struct{}
	var lens uint64
	if p != nil {
		names, lens = p.names, p.nameLens
	}
	f := scanned{litsOK: full}
	l := lexer{s: sql, nonStd: nonStd}
	atStart := true
	prevKind, prevStart, prevEnd := tkEOF, 0, 0
	for {
		switch l.next() {
		case tkEOF:
			f.lits = lits
			f.litsOK = f.litsOK && len(lits) > 0
			return f
		case tkIdent:
			w := sql[l.start:l.end]
			if atStart {
				switch verbOf(w) {
				case verbTracked:
					f.tracked = true
				case verbCatalog:
					f.catalog = true
				}
			}
			if len(w) == len("set_config") && equalFoldASCII(w, "set_config") ||
				len(w) == len("pg_settings") && equalFoldASCII(w, "pg_settings") {
				f.tracked, f.setConfig = true, true
			}
			if !f.touch && lens&(1<<(clipIdent(w)&63)) != 0 && hasFolded(names, w) {
				f.touch = true
			}
		case tkQIdent:
			if !f.touch && len(names) > 0 && (l.unicode || quotedMatch(names, lens, sql[l.start+1:l.end-1])) {
				f.touch = true
			}
			if q := sql[l.start+1 : l.end-1]; l.unicode || q == "set_config" || q == "pg_settings" {
				f.tracked, f.setConfig = true, true
			}
		case tkString, tkNumber:
			if l.backslash && !f.backslash {
				f.backslash, f.firstBackslash = true, l.start
			}
			if f.litsOK {
				f.litsOK = l.plain
				neg := int32(-1)
				if prevKind == tkOp && prevEnd-prevStart == 1 && sql[prevStart] == '-' {
					neg = int32(prevStart)
				}
				lits = append(lits, span{start: int32(l.start), end: int32(l.end), neg: neg})
			}
		case tkDollar, tkError:
			f.litsOK = false
		}
		if f.touch && !full {
			return f
		}
		atStart = l.kind == tkPunct && sql[l.start] == ';'
		prevKind, prevStart, prevEnd = l.kind, l.start, l.end
	}
}

// hasFolded looks up an unquoted identifier, folded to lower case and
// truncated as PostgreSQL does, without allocating.
func hasFolded(names map[string]struct{}, w string) bool {
	var buf [maxIdentLen]byte
	n := clipIdent(w)
	for i := 0; i < n; i++ {
		buf[i] = lowerASCII(w[i])
	}
	_, ok := names[string(buf[:n])]
	return ok
}

// quotedMatch looks up a quoted identifier's body, skipping the lookup when
// no managed name has its length.
func quotedMatch(names map[string]struct{}, lens uint64, body string) bool {
	if len(body) <= maxIdentLen && lens&(1<<len(body)) == 0 && strings.IndexByte(body, '"') < 0 {
		return false
	}
	return hasQuoted(names, body)
}

// hasQuoted looks up the body of a quoted identifier ("" unescaped).
func hasQuoted(names map[string]struct{}, body string) bool {
	var buf [2 * maxIdentLen]byte
	n := 0
	for i := 0; i < len(body) && n < len(buf); i++ {
		buf[n] = body[i]
		n++
		if body[i] == '"' {
			i++ // skip the second quote of ""
		}
	}
	s := buf[:n]
	if len(s) > maxIdentLen {
		s = s[:clipIdent(string(s))]
	}
	_, ok := names[string(s)]
	return ok
}

// clipIdent returns the length PostgreSQL keeps of identifier w: at most 63
// bytes, cut at a UTF-8 character boundary.
func clipIdent(w string) int {
	if len(w) <= maxIdentLen {
		return len(w)
	}
	n := maxIdentLen
	for n > 0 && w[n]&0xC0 == 0x80 {
		n--
	}
	return n
}

// Verb classes of a statement's first word.
const (
	verbNone    = iota
	verbTracked // its effect on the session the proxy follows
	verbCatalog // it may change the catalog
)

// verbOf classifies w (any case), the first word of a statement: settings
// (SET, RESET, SHOW, DISCARD), prepared statements, transactions and
// savepoints are followed by the proxy even when no managed table is
// involved; CREATE, DROP, ALTER, IMPORT and DO may change the catalog.
// COMMIT, BEGIN and the like are parsed once, then served by the cache.
func verbOf(w string) int {
	switch len(w) {
	case 2:
		return catalogIf(equalFoldASCII(w, "do"))
	case 3:
		return trackedIf(equalFoldASCII(w, "set") || equalFoldASCII(w, "end"))
	case 4:
		if equalFoldASCII(w, "drop") {
			return verbCatalog
		}
		return trackedIf(equalFoldASCII(w, "show"))
	case 5:
		if equalFoldASCII(w, "alter") {
			return verbCatalog
		}
		return trackedIf(equalFoldASCII(w, "reset") || equalFoldASCII(w, "begin") || equalFoldASCII(w, "start") ||
			equalFoldASCII(w, "abort"))
	case 6:
		if equalFoldASCII(w, "create") || equalFoldASCII(w, "import") {
			return verbCatalog
		}
		return trackedIf(equalFoldASCII(w, "commit"))
	case 7:
		return trackedIf(equalFoldASCII(w, "prepare") || equalFoldASCII(w, "execute") || equalFoldASCII(w, "discard") ||
			equalFoldASCII(w, "release"))
	case 8:
		return trackedIf(equalFoldASCII(w, "rollback"))
	case 9:
		return trackedIf(equalFoldASCII(w, "savepoint"))
	case 10:
		return trackedIf(equalFoldASCII(w, "deallocate"))
	}
	return verbNone
}

func trackedIf(b bool) int {
	if b {
		return verbTracked
	}
	return verbNone
}

func catalogIf(b bool) int {
	if b {
		return verbCatalog
	}
	return verbNone
}

// equalFoldASCII compares w with the lower-case ASCII word lw.
func equalFoldASCII(w, lw string) bool {
	if len(w) != len(lw) {
		return false
	}
	for i := 0; i < len(w); i++ {
		if lowerASCII(w[i]) != lw[i] {
			return false
		}
	}
	return true
}
