package rewrite

import (
	"errors"
	"strings"
	"unicode/utf8"

	pg "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
)

// parse runs pg_query's parser on sql with its comments blanked out.
// libpg_query turns comments into tokens of their own, which breaks the
// grammar's one-token lookahead (x NOT /* c */ IN …, WITH /* c */ TIME
// ZONE, a string continued after a -- comment: libpg_query issue #365)
// where PostgreSQL accepts the text. Blanking keeps every byte offset, so
// node locations still point into sql.
func parse(sql string) (*pg.ParseResult, *Error) {
	text := blankComments(sql)
	tree, err := pg.Parse(text)
	if err == nil && strings.IndexByte(sql, 0) >= 0 {
		err = errors.New("the statement contains a NUL byte") // the C parser stops at it
	}
	if err != nil {
		return nil, syntaxError(sql, text, err)
	}
	return tree, nil
}

// blankComments replaces the comments of sql by spaces (newlines kept).
// Text ending in an unterminated comment is returned as is, so that the
// parser reports it.
func blankComments(sql string) string {
	if !strings.Contains(sql, "--") && !strings.Contains(sql, "/*") {
		return sql
	}
	var b []byte
	l := lexer{s: sql}
	gap := 0
	for {
		k := l.next()
		if k == tkEOF && endsInComment(sql, gap) {
			return sql
		}
		for i := gap; i < l.start; i++ {
			if !isSpace(sql[i]) {
				if b == nil {
					b = []byte(sql)
				}
				b[i] = ' '
			}
		}
		if k == tkEOF {
			break
		}
		if k == tkString && strings.Contains(sql[l.start:l.end], "--") {
			b = blankContinuation(sql, l.start, l.end, b)
		}
		gap = l.end
	}
	if b == nil {
		return sql
	}
	return string(b)
}

// blankContinuation blanks the -- comments between the parts of a string
// literal continued over lines ('a' -- c NEWLINE 'b').
func blankContinuation(sql string, start, end int, b []byte) []byte {
	escapes := sql[start] == 'e' || sql[start] == 'E'
	in := false
	for i := start; i < end; i++ {
		c := sql[i]
		switch {
		case in && escapes && c == '\\':
			i++
		case c == '\'':
			in = !in
		case !in && c == '-' && i+1 < end && sql[i+1] == '-':
			if b == nil {
				b = []byte(sql)
			}
			for ; i < end && sql[i] != '\n' && sql[i] != '\r'; i++ {
				b[i] = ' '
			}
		}
	}
	return b
}

// endsInComment reports whether the whitespace and comments from i to the
// end of s end inside an unclosed /* comment.
func endsInComment(s string, i int) bool {
	for i < len(s) {
		switch {
		case s[i] == '/' && i+1 < len(s) && s[i+1] == '*':
			if !blockCommentCloses(s, i) {
				return true
			}
			i = skipBlockComment(s, i)
		case s[i] == '-' && i+1 < len(s) && s[i+1] == '-':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		default:
			i++
		}
	}
	return false
}

// blockCommentCloses reports whether the comment at i is closed.
func blockCommentCloses(s string, i int) bool {
	depth := 0
	for i < len(s) {
		switch {
		case s[i] == '/' && i+1 < len(s) && s[i+1] == '*':
			depth++
			i += 2
		case s[i] == '*' && i+1 < len(s) && s[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return true
			}
		default:
			i++
		}
	}
	return false
}

// syntaxError turns a parser error into SQLSTATE 42601. The parser's
// cursor is a 1-based character position in text (sql with blanked
// comments, which may hold fewer characters); it is mapped back to sql.
func syntaxError(sql, text string, err error) *Error {
	e := &Error{Code: codeSyntax, Message: err.Error()}
	var pe *parser.Error
	if !errors.As(err, &pe) || pe.Cursorpos <= 0 {
		return e
	}
	off, n := 0, 1
	for off < len(text) && n < pe.Cursorpos {
		_, size := utf8.DecodeRuneInString(text[off:])
		off += size
		n++
	}
	e.Position = utf8.RuneCountInString(sql[:off]) + 1
	return e
}
