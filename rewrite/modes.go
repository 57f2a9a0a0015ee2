package rewrite

import (
	"fmt"
	"unicode/utf8"
)

// Lexing as the server lexes. pg_query parses UTF8 text with
// standard_conforming_strings on; the server lexes the text converted from
// the client encoding, with the session's standard_conforming_strings.
// Where the two may read a text differently the rewrite does not trust its
// parse: it lexes the text the server's way, passes it through unchanged
// when that finds nothing the proxy needs to parse, and refuses it
// (0A000) otherwise.
//
//   - standard_conforming_strings off: backslashes escape in plain '…'
//     literals. When no plain literal holds a backslash both lexings agree.
//   - a client encoding other than UTF8 (and SQL_ASCII, which the server
//     checks as UTF8): pure ASCII text reads the same. Other text cannot be
//     parsed (pg_query wants UTF8); it is lexed with the trailing bytes of
//     each multibyte character masked, for the encodings whose trailing
//     bytes may be ASCII (SJIS, BIG5, GBK, UHC, GB18030, JOHAB,
//     SHIFT_JIS_2004), as the server sees it after conversion.
//   - the policy's names are known in UTF8: with non-ASCII names, a text
//     naming a managed table in another encoding is refused.

// checkLexing decides whether sql, whose standard lexing found f, may be
// parsed as usual (stop false). Otherwise it is passed through unchanged
// (stop true, err nil) or refused (err). What the proxy needs to parse is a
// managed name, or a statement whose effect on the session it follows
// (tracked); catalog-changing DDL alone may pass unparsed, since names are
// bound as the proxy resolved them whatever the catalog has become.
func checkLexing(sql string, p *Policy, s *Session, f scanned) (stop bool, err *Error) {
	if enc := encodingOf(s.ClientEncoding); enc != encUTF8 {
		if p != nil && p.nonASCII && f.touch {
			return true, encodingNamesError(s.ClientEncoding)
		}
		if !isASCII(sql) {
			view := sql
			if enc.clientOnly() {
				view = enc.mask(sql)
			}
			if g := p.scanAs(view, false, nil, s.NonStandardStrings); g.touch || g.tracked {
				return true, encodingError(s.ClientEncoding)
			}
			return true, nil
		}
	}
	if s.NonStandardStrings && f.backslash {
		if g := p.scanAs(sql, false, nil, true); g.touch || g.tracked {
			return true, nonStandardError(sql, f.firstBackslash)
		}
		return true, nil
	}
	return false, nil
}

func nonStandardError(sql string, at int) *Error {
	return &Error{Code: codeNotSupp,
		Message:  "softdelete-proxy cannot parse this statement with standard_conforming_strings off: a backslash in a '…' string literal is an escape to the server but not to the proxy's parser",
		Hint:     "Run SET standard_conforming_strings = on, or write such literals as escape strings (E'…').",
		Position: utf8.RuneCountInString(sql[:at]) + 1}
}

func encodingError(name string) *Error {
	return &Error{Code: codeNotSupp,
		Message: fmt.Sprintf("softdelete-proxy cannot parse a statement with non-ASCII characters in client_encoding %s: its parser reads UTF8, and in this encoding a character's bytes may even read as ASCII (a backslash, a quote's neighbour)", name),
		Hint:    "Connect with client_encoding UTF8 (the server converts stored text to it), or keep non-ASCII characters out of such statements (pass them as parameters)."}
}

func encodingNamesError(name string) *Error {
	return &Error{Code: codeNotSupp,
		Message: fmt.Sprintf("softdelete-proxy cannot follow this statement in client_encoding %s: the policy names tables or columns outside ASCII, which the proxy can match in UTF8 only", name),
		Hint:    "Use client_encoding UTF8 (SET client_encoding = 'UTF8')."}
}
