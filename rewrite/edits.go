package rewrite

import (
	"sort"
	"strings"
)

// edit replaces sql[start:end] with text; start == end is an insertion.
type edit struct {
	start, end int32
	text       string
}

// sortEdits orders edits by position; at one position insertions come
// before a replacement, otherwise the order they were made in is kept.
func sortEdits(edits []edit) {
	sort.SliceStable(edits, func(i, j int) bool {
		a, b := edits[i], edits[j]
		if a.start != b.start {
			return a.start < b.start
		}
		return a.start == a.end && b.start != b.end
	})
}

// applyEdits returns sql with the sorted edits applied, or false when two
// edits overlap (a bug in the splicer, reported instead of guessed around).
func applyEdits(sql string, edits []edit) (string, bool) {
	var b strings.Builder
	n := len(sql)
	for _, e := range edits {
		n += len(e.text)
	}
	b.Grow(n)
	var pos int32
	for _, e := range edits {
		if e.start < pos || e.end < e.start || int(e.end) > len(sql) {
			return "", false
		}
		b.WriteString(sql[pos:e.start])
		b.WriteString(e.text)
		pos = e.end
	}
	b.WriteString(sql[pos:])
	return b.String(), true
}

// shiftAt returns how far text at offset pos of the input moves in the
// output: the net length of edits wholly before pos plus insertions at pos.
func shiftAt(edits []edit, pos int32) int32 {
	var d int32
	for _, e := range edits {
		if e.start > pos || e.start == pos && e.end != e.start {
			break
		}
		d += int32(len(e.text)) - (e.end - e.start)
	}
	return d
}

// padEdits adds a space where an edit's text would run into the text next
// to it and form one token (NULLDO), after sortEdits.
func padEdits(sql string, edits []edit) {
	for i := range edits {
		e := &edits[i]
		if e.text == "" {
			continue
		}
		var before, after byte = ' ', ' '
		switch {
		case i > 0 && edits[i-1].end == e.start && edits[i-1].text != "":
			before = edits[i-1].text[len(edits[i-1].text)-1]
		case e.start > 0:
			before = sql[e.start-1]
		}
		switch {
		case i+1 < len(edits) && edits[i+1].start == e.end && edits[i+1].text != "":
			after = edits[i+1].text[0]
		case int(e.end) < len(sql):
			after = sql[e.end]
		}
		if joins(before, e.text[0]) {
			e.text = " " + e.text
		}
		if joins(e.text[len(e.text)-1], after) {
			e.text += " "
		}
	}
}

// joins reports whether byte a followed by byte b would lex as one token
// (or as a prefixed literal).
func joins(a, b byte) bool {
	return isIdentCont(a) && (isIdentCont(b) || b == '\'' || b == '"')
}
