package rewrite

import (
	"fmt"
	"unicode/utf8"
)

// Lexing as the server lexes. pg_query parses UTF8 text with
// standard_conforming_strings on; the server lexes the text converted from
// the client encoding, with the session's standard_conforming_strings.
// Where the two may read a text differently the rewrite must not trust its
// parse: it lexes the text the server's way, passes it through unchanged
// when that finds nothing the proxy needs to parse, and refuses it
// otherwise.
//
//   - standard_conforming_strings off: backslashes escape in plain '…'
//     literals. When no plain literal holds a backslash both lexings agree.
//   - SJIS, BIG5, GBK, UHC, GB18030, JOHAB, SHIFT_JIS_2004: a multibyte
//     character's trailing bytes may be ASCII (0x5c is a backslash). When
//     none is, both lexings agree; otherwise the text is lexed with those
//     bytes masked, as the server sees it after conversion.
//   - any converting encoding: the policy's names are known in UTF8 only;
//     a policy with non-ASCII names cannot be matched against the text.

// checkLexing decides whether sql, whose standard lexing found f, may be
// parsed as usual (stop false). Otherwise it is passed through unchanged
// (stop true, err nil) or refused (err).
func checkLexing(sql string, p *Policy, s *Session, f facts) (stop bool, err *Error) {
	if s == nil || !s.NonStandardStrings && s.ClientEncoding == "" {
		return false, nil
	}
	enc := encodingOf(s.ClientEncoding)
	if enc != encUTF8 && p != nil && p.nonASCII && (f.touch || !isASCII(sql)) {
		return true, encodingNamesError(s.ClientEncoding)
	}
	if enc.clientOnly() && !isASCII(sql) && enc.asciiTrail(sql) {
		g := p.scanAs(enc.mask(sql), false, nil, s.NonStandardStrings)
		if g.touch || g.tracked {
			return true, encodingError(s.ClientEncoding)
		}
		return true, nil
	}
	if s.NonStandardStrings && f.backslash {
		g := p.scanAs(sql, false, nil, true)
		if g.touch || g.tracked {
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
		Message: fmt.Sprintf("softdelete-proxy cannot parse this statement in client_encoding %s: a multibyte character holds a byte that the proxy's parser would read as ASCII", name),
		Hint:    "Use client_encoding UTF8 (SET client_encoding = 'UTF8'); the server converts to and from it for any client."}
}

func encodingNamesError(name string) *Error {
	return &Error{Code: codeNotSupp,
		Message: fmt.Sprintf("softdelete-proxy cannot follow this statement in client_encoding %s: the policy names tables or columns outside ASCII, which the proxy can match in UTF8 only", name),
		Hint:    "Use client_encoding UTF8 (SET client_encoding = 'UTF8')."}
}
