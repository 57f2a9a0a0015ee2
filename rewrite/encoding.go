package rewrite

import "strings"

// encoding is what the rewrite must know of a client_encoding: whether the
// server converts the text (any encoding but UTF8 and SQL_ASCII), and, for
// the encodings PostgreSQL accepts only as client encodings, how long a
// character is: their trailing bytes may be ASCII (a backslash, a quote's
// neighbour, a letter), which a byte-wise lexer would read as SQL.
type encoding uint8

const (
	encUTF8    encoding = iota // also "" and SQL_ASCII: the text is lexed as sent
	encOther                   // converted, but every byte of a multibyte character is >= 0x80
	encSJIS                    // SJIS, SHIFT_JIS_2004
	encBIG5                    // BIG5, GBK, UHC: a high byte starts a 2-byte character
	encGB18030                 // GB18030: 2 or 4 bytes
	encJOHAB                   // JOHAB: as EUC (SS2 2 bytes, SS3 3 bytes)
)

// encodingOf maps the name the server reports in ParameterStatus (case
// ignored) to its class.
func encodingOf(name string) encoding {
	switch strings.ToUpper(name) {
	case "", "UTF8", "SQL_ASCII":
		return encUTF8
	case "SJIS", "SHIFT_JIS_2004":
		return encSJIS
	case "BIG5", "GBK", "UHC":
		return encBIG5
	case "GB18030":
		return encGB18030
	case "JOHAB":
		return encJOHAB
	}
	return encOther
}

// clientOnly reports the encodings whose characters may hold ASCII bytes.
func (e encoding) clientOnly() bool { return e >= encSJIS }

// mblen is the byte length of the character starting at s[i], as
// PostgreSQL's pg_encoding_mblen counts it (src/common/wchar.c).
func (e encoding) mblen(s string, i int) int {
	c := s[i]
	if c < 0x80 {
		return 1
	}
	switch e {
	case encSJIS:
		if c >= 0xa1 && c <= 0xdf { // one-byte kana
			return 1
		}
	case encGB18030:
		if i+1 < len(s) && s[i+1] >= 0x30 && s[i+1] <= 0x39 {
			return 4
		}
	case encJOHAB:
		switch c {
		case 0x8e: // SS2
			return 2
		case 0x8f: // SS3
			return 3
		}
	}
	return 2
}

// asciiTrail reports whether some multibyte character of s has a trailing
// byte below 0x80, which the server reads as part of the character and a
// byte-wise lexer as ASCII.
func (e encoding) asciiTrail(s string) bool {
	for i := 0; i < len(s); {
		n := e.mblen(s, i)
		for k := i + 1; k < i+n && k < len(s); k++ {
			if s[k] < 0x80 {
				return true
			}
		}
		i += n
	}
	return false
}

// mask returns s with every trailing byte of a multibyte character replaced
// by 0x80, keeping every offset: the lexer then sees each character as the
// server does after conversion, a run of non-ASCII bytes (an identifier
// character, or part of a literal or comment).
func (e encoding) mask(s string) string {
	b := []byte(s)
	for i := 0; i < len(b); {
		n := e.mblen(s, i)
		for k := i + 1; k < i+n && k < len(b); k++ {
			b[k] = 0x80
		}
		i += n
	}
	return string(b)
}

// isASCII reports whether s is pure ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
