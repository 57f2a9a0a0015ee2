package rewrite

import "strings"

// A small Go tokenizer that follows PostgreSQL's scan.l closely enough for
// three jobs: the allocation-free pre-check (identifiers), constant
// normalisation (string and number literals) and locating clause keywords
// for text splicing. It assumes standard_conforming_strings = on, as the
// parser does, unless nonStd is set (see modes.go).

type tokKind uint8

const (
	tkEOF      tokKind = iota
	tkIdent            // unquoted identifier or keyword
	tkQIdent           // "quoted" or U&"quoted" identifier
	tkString           // '…', E'…', B'…', X'…', N'…', U&'…'
	tkDollar           // $tag$…$tag$
	tkNumber           // numeric literal
	tkParam            // $1
	tkOp               // operator
	tkPunct            // ( ) [ ] , ; . :
	tkTypecast         // ::
	tkError            // unterminated literal or a byte PostgreSQL rejects
)

// lexer yields one token at a time from s, skipping whitespace and
// comments. The current token is in its fields (no struct is copied per
// token: this loop is the pre-check's whole cost).
type lexer struct {
	s          string
	i          int // read position
	start, end int // current token
	kind       tokKind
	// plain marks literals safe to templatise: a simple '…' string without
	// backslashes, or a simple decimal number.
	plain bool
	// unicode marks a U&"…" identifier, whose name is not decoded.
	unicode bool
	// nonStd lexes as standard_conforming_strings = off does: backslashes
	// escape in plain '…' and N'…' literals too.
	nonStd bool
	// backslash marks a plain '…' or N'…' literal holding a backslash
	// (read differently with standard_conforming_strings off).
	backslash bool
}

// Byte classes, for a table-driven scanner.
const (
	clOther uint8 = iota
	clSpace
	clIdent // identifier start: letter, _, or a non-ASCII byte
	clDigit
	clOp
	clPunct
)

var byteClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			t[c] = clSpace
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80:
			t[c] = clIdent
		case c >= '0' && c <= '9':
			t[c] = clDigit
		case strings.IndexByte("~!@#^&|`?+-*/%<>=", byte(c)) >= 0:
			t[c] = clOp
		case strings.IndexByte("()[],;.:", byte(c)) >= 0:
			t[c] = clPunct
		}
	}
	return t
}()

func isSpace(c byte) bool      { return byteClass[c] == clSpace }
func isIdentStart(c byte) bool { return byteClass[c] == clIdent }
func isIdentCont(c byte) bool  { k := byteClass[c]; return k == clIdent || k == clDigit || c == '$' }
func isDigit(c byte) bool      { return byteClass[c] == clDigit }
func isOpChar(c byte) bool     { return byteClass[c] == clOp }

// skipSpace skips whitespace and comments from i.
func skipSpace(s string, i int) int {
	for i < len(s) {
		c := s[i]
		switch {
		case byteClass[c] == clSpace:
			i++
		case c == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			i = skipBlockComment(s, i)
		default:
			return i
		}
	}
	return i
}

// skipBlockComment skips a (nested) /* */ comment starting at i.
func skipBlockComment(s string, i int) int {
	depth := 0
	for i < len(s) {
		if s[i] == '/' && i+1 < len(s) && s[i+1] == '*' {
			depth++
			i += 2
			continue
		}
		if s[i] == '*' && i+1 < len(s) && s[i+1] == '/' {
			depth--
			i += 2
			if depth == 0 {
				return i
			}
			continue
		}
		i++
	}
	return i
}

// next advances to the next token and returns its kind (tkEOF at the end).
func (l *lexer) next() tokKind {
	s := l.s
	i := l.i
	for i < len(s) && s[i] == ' ' {
		i++
	}
	if i < len(s) && (byteClass[s[i]] == clSpace || s[i] == '-' || s[i] == '/') {
		i = skipSpace(s, i)
	}
	l.start, l.plain, l.unicode, l.backslash = i, false, false, false
	if i >= len(s) {
		l.i, l.end, l.kind = i, i, tkEOF
		return tkEOF
	}
	switch byteClass[s[i]] {
	case clIdent:
		if i+2 < len(s) && byteClass[s[i+1]]|1 == clIdent|clDigit && byteClass[s[i+2]]|1 == clIdent|clDigit {
			// a plain word of 3+ characters: no prefixed literal
			j := i + 3
			for j < len(s) && (byteClass[s[j]]|1 == clIdent|clDigit || s[j] == '$') {
				j++
			}
			l.kind, l.end, l.i = tkIdent, j, j
			return tkIdent
		}
		l.scanWord(i)
	case clDigit:
		l.kind = tkNumber
		l.end, l.plain = scanNumber(s, i)
	case clOp:
		l.kind, l.end = tkOp, scanOperator(s, i)
	case clPunct:
		l.scanPunct(i)
	default:
		l.scanOther(i)
	}
	l.i = l.end
	return l.kind
}

func (l *lexer) set(k tokKind, end int) {
	l.kind, l.end = k, end
}

// setQuoted records a quoted token that may be unterminated.
func (l *lexer) setQuoted(k tokKind, end int, ok bool) {
	if !ok {
		k = tkError
	}
	l.kind, l.end = k, end
}

func (l *lexer) scanPunct(i int) {
	s := l.s
	switch {
	case s[i] == '.' && i+1 < len(s) && isDigit(s[i+1]):
		l.kind = tkNumber
		l.end, l.plain = scanNumber(s, i)
	case s[i] == ':' && i+1 < len(s) && s[i+1] == ':':
		l.set(tkTypecast, i+2)
	case s[i] == ':' && i+1 < len(s) && s[i+1] == '=':
		l.set(tkOp, i+2)
	default:
		l.set(tkPunct, i+1)
	}
}

// scanOther scans quoted strings and identifiers, $ tokens and bad bytes.
func (l *lexer) scanOther(i int) {
	s := l.s
	switch s[i] {
	case '\'':
		end, ok, plain := scanQuoted(s, i+1, l.nonStd)
		l.setQuoted(tkString, end, ok)
		l.plain = plain
		l.backslash = !plain && strings.IndexByte(s[i:end], '\\') >= 0
	case '"':
		end, ok := scanQuotedIdent(s, i+1)
		l.setQuoted(tkQIdent, end, ok)
	case '$':
		l.kind, l.end = scanDollar(s, i)
	default:
		l.set(tkError, i+1)
	}
}

// scanWord scans an identifier, or a literal with a prefix (E'…', B'…',
// X'…', N'…', U&'…', U&"…").
func (l *lexer) scanWord(i int) {
	s := l.s
	if i+1 < len(s) && s[i+1] == '\'' {
		switch s[i] {
		case 'e', 'E':
			end, ok, _ := scanQuoted(s, i+2, true)
			l.setQuoted(tkString, end, ok)
			return
		case 'n', 'N':
			end, ok, _ := scanQuoted(s, i+2, l.nonStd)
			l.setQuoted(tkString, end, ok)
			l.backslash = strings.IndexByte(s[i:end], '\\') >= 0
			return
		case 'b', 'B', 'x', 'X':
			end, ok, _ := scanQuoted(s, i+2, false)
			l.setQuoted(tkString, end, ok)
			return
		}
	}
	if (s[i] == 'u' || s[i] == 'U') && i+2 < len(s) && s[i+1] == '&' {
		switch s[i+2] {
		case '\'':
			end, ok, _ := scanQuoted(s, i+3, false)
			l.setQuoted(tkString, end, ok)
			return
		case '"':
			end, ok := scanQuotedIdent(s, i+3)
			l.setQuoted(tkQIdent, end, ok)
			l.unicode = true
			return
		}
	}
	j := i + 1
	for j < len(s) {
		if k := byteClass[s[j]]; k != clIdent && k != clDigit && s[j] != '$' {
			break
		}
		j++
	}
	l.set(tkIdent, j)
}

// scanQuoted scans the body of a quoted string from i (just after the
// opening quote), including PostgreSQL's continuation of a literal across
// whitespace that contains a newline. It returns the end offset, whether the
// literal is terminated, and whether it is plain (no backslash, no
// continuation).
func scanQuoted(s string, i int, escapes bool) (int, bool, bool) {
	plain := !escapes
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\':
			plain = false
			if escapes {
				i += 2
				continue
			}
			i++
		case c == '\'':
			if i+1 < len(s) && s[i+1] == '\'' {
				i += 2
				continue
			}
			i++
			if j, ok := continuation(s, i); ok {
				plain = false
				i = j + 1
				continue
			}
			return i, true, plain
		default:
			i++
		}
	}
	return len(s), false, false
}

// continuation reports whether a string literal ending at i continues:
// horizontal whitespace or a -- comment, then a newline, then whitespace or
// -- comments, then a quote (scan.l's whitespace_with_newline). It returns
// the offset of that quote.
func continuation(s string, i int) (int, bool) {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\f') {
		i++
	}
	if i+1 < len(s) && s[i] == '-' && s[i+1] == '-' {
		for i < len(s) && s[i] != '\n' && s[i] != '\r' {
			i++
		}
	}
	if i >= len(s) || s[i] != '\n' && s[i] != '\r' {
		return 0, false
	}
	for i < len(s) {
		switch {
		case isSpace(s[i]):
			i++
		case s[i] == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case s[i] == '\'':
			return i, true
		default:
			return 0, false
		}
	}
	return 0, false
}

// scanQuotedIdent scans a "quoted identifier" body from i.
func scanQuotedIdent(s string, i int) (int, bool) {
	for i < len(s) {
		if s[i] == '"' {
			if i+1 < len(s) && s[i+1] == '"' {
				i += 2
				continue
			}
			return i + 1, true
		}
		i++
	}
	return len(s), false
}

// scanNumber scans a numeric literal at i. plain is false for anything but
// digits[.digits][e[+-]digits] (hex, octal, binary, underscores, junk).
func scanNumber(s string, i int) (int, bool) {
	plain := true
	if s[i] == '0' && i+1 < len(s) && isRadix(s[i+1]) {
		plain = false
		i += 2
	}
	i = scanDigits(s, i, &plain)
	if i < len(s) && s[i] == '.' && !(i+1 < len(s) && s[i+1] == '.') {
		i++
		i = scanDigits(s, i, &plain)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && isDigit(s[j]) {
			i = scanDigits(s, j, &plain)
		}
	}
	for i < len(s) && isIdentCont(s[i]) { // trailing junk: a parse error
		plain = false
		i++
	}
	return i, plain
}

func isRadix(c byte) bool {
	return c == 'x' || c == 'X' || c == 'o' || c == 'O' || c == 'b' || c == 'B'
}

func scanDigits(s string, i int, plain *bool) int {
	for i < len(s) && (isDigit(s[i]) || s[i] == '_' || isHexLetter(s[i]) && !*plain) {
		if s[i] == '_' {
			*plain = false
		}
		i++
	}
	return i
}

func isHexLetter(c byte) bool {
	return c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// scanDollar scans $1 parameters and $tag$…$tag$ strings.
func scanDollar(s string, i int) (tokKind, int) {
	j := i + 1
	if j < len(s) && isDigit(s[j]) {
		for j < len(s) && isDigit(s[j]) {
			j++
		}
		return tkParam, j
	}
	for j < len(s) && s[j] != '$' && (isIdentStart(s[j]) || j > i+1 && isDigit(s[j])) {
		j++
	}
	if j >= len(s) || s[j] != '$' {
		return tkError, i + 1
	}
	tag := s[i : j+1]
	for k := j + 1; k+len(tag) <= len(s); k++ {
		if s[k] == '$' && s[k:k+len(tag)] == tag {
			return tkDollar, k + len(tag)
		}
	}
	return tkError, len(s)
}

// scanOperator applies scan.l's operator rules: a run of operator
// characters, cut before an embedded comment start, with trailing + and -
// given back unless the operator holds one of ~ ! @ # ^ & | ` ? %.
func scanOperator(s string, i int) int {
	j := i
	for j < len(s) && isOpChar(s[j]) {
		if j > i && (s[j] == '-' && s[j-1] == '-' || s[j] == '*' && s[j-1] == '/') {
			j--
			break
		}
		j++
	}
	n := j - i
	if n > 1 && (s[i+n-1] == '+' || s[i+n-1] == '-') {
		special := false
		for k := i; k < i+n-1; k++ {
			switch s[k] {
			case '~', '!', '@', '#', '^', '&', '|', '`', '?', '%':
				special = true
			}
		}
		if !special {
			for n > 1 && (s[i+n-1] == '+' || s[i+n-1] == '-') {
				n--
			}
		}
	}
	return i + n
}
