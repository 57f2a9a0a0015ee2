package rewrite

import "sort"

// keyword identifies the handful of keywords the splicer looks for.
type keyword uint8

const (
	kwNone keyword = iota
	kwAnd
	kwAs
	kwBy
	kwCase
	kwConflict
	kwCross
	kwData
	kwDelete
	kwDistinct
	kwDo
	kwEnd
	kwExcept
	kwFetch
	kwFor
	kwFrom
	kwFull
	kwGroup
	kwHaving
	kwInner
	kwInsert
	kwIntersect
	kwJoin
	kwLeft
	kwLimit
	kwNatural
	kwNo
	kwNot
	kwOffset
	kwOn
	kwOnly
	kwOrder
	kwOuter
	kwReturning
	kwRight
	kwSelect
	kwTable
	kwThen
	kwTruncate
	kwUnion
	kwUpdate
	kwUsing
	kwWhen
	kwWhere
	kwWindow
	kwWith
)

var keywordIDs = map[string]keyword{
	"and": kwAnd, "as": kwAs, "by": kwBy, "case": kwCase, "conflict": kwConflict,
	"cross": kwCross, "data": kwData, "delete": kwDelete, "distinct": kwDistinct,
	"do": kwDo, "end": kwEnd, "except": kwExcept, "fetch": kwFetch, "for": kwFor,
	"from": kwFrom, "full": kwFull, "group": kwGroup, "having": kwHaving,
	"inner": kwInner, "insert": kwInsert, "intersect": kwIntersect, "join": kwJoin,
	"left": kwLeft, "limit": kwLimit, "natural": kwNatural, "no": kwNo, "not": kwNot,
	"offset": kwOffset, "on": kwOn, "only": kwOnly, "order": kwOrder, "outer": kwOuter,
	"returning": kwReturning, "right": kwRight, "select": kwSelect, "table": kwTable,
	"then": kwThen, "truncate": kwTruncate, "union": kwUnion, "update": kwUpdate,
	"using": kwUsing, "when": kwWhen, "where": kwWhere, "window": kwWindow, "with": kwWith,
}

// token is one lexeme of the statement text with its nesting depth.
// Parentheses, brackets and CASE … END nest; an opening and its closing
// token carry the outer depth, the tokens between them one more.
type token struct {
	start, end int32
	kind       tokKind
	kw         keyword
	depth      int16
}

// tokenize splits sql into tokens (comments and whitespace dropped).
func tokenize(sql string) []token {
	l := lexer{s: sql}
	toks := make([]token, 0, len(sql)/4+4)
	var depth int16
	for l.next() != tkEOF {
		t := token{start: int32(l.start), end: int32(l.end), kind: l.kind, depth: depth}
		if l.kind == tkIdent {
			t.kw = lookupKeyword(sql[l.start:l.end])
			if n := len(toks); n > 0 && isLabel(sql, toks[n-1], t.kw) {
				t.kw = kwNone
			}
		}
		c := sql[l.start]
		switch {
		case t.kind == tkPunct && (c == '(' || c == '[') || t.kw == kwCase:
			depth++
		case t.kind == tkPunct && (c == ')' || c == ']') || t.kw == kwEnd:
			if depth > 0 {
				depth--
			}
			t.depth = depth
		}
		toks = append(toks, t)
	}
	return toks
}

// isLabel reports a keyword used as a name: after a dot (t.end, a.left)
// or as a column label (AS from), where every keyword is allowed. After
// AS the keywords that start a query keep their meaning (PREPARE q AS
// SELECT, WITH x AS NOT MATERIALIZED).
func isLabel(sql string, prev token, kw keyword) bool {
	if kw == kwNone {
		return false
	}
	if prev.kind == tkPunct && sql[prev.start] == '.' {
		return true
	}
	if prev.kw != kwAs {
		return false
	}
	switch kw {
	case kwSelect, kwWith, kwTable, kwInsert, kwUpdate, kwDelete, kwNot:
		return false
	}
	return true
}

// lookupKeyword folds an unquoted word to lower case and looks it up.
func lookupKeyword(w string) keyword {
	if len(w) > 12 {
		return kwNone
	}
	var buf [12]byte
	for i := 0; i < len(w); i++ {
		buf[i] = lowerASCII(w[i])
	}
	return keywordIDs[string(buf[:len(w)])]
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// tokAt returns the index of the token starting at byte offset pos, or -1.
func tokAt(toks []token, pos int32) int {
	i := sort.Search(len(toks), func(i int) bool { return toks[i].start >= pos })
	if i < len(toks) && toks[i].start == pos {
		return i
	}
	return -1
}

// isPunct reports whether token i is the single punctuation character c.
func isPunct(sql string, toks []token, i int, c byte) bool {
	return i >= 0 && i < len(toks) && toks[i].kind == tkPunct && sql[toks[i].start] == c
}
