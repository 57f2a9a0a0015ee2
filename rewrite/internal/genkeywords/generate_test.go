package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The committed rewrite/keywords_gen.go is what the generator makes now
// from the pg_query_go of go.mod: after a pg_query_go upgrade, run
// go generate ./rewrite/.
func TestKeywordsGenUpToDate(t *testing.T) {
	src, err := readSource()
	if err != nil {
		t.Fatal(err)
	}
	want, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "keywords_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("rewrite/keywords_gen.go is not what genkeywords makes now; run go generate ./rewrite/\n%s", firstDiff(string(got), string(want)))
	}
}

// The categories PostgreSQL quotes, and only them, are listed.
func TestQuotedKeywordsCategories(t *testing.T) {
	var list strings.Builder
	for _, kw := range []string{"abort ABORT_P UNRESERVED_KEYWORD", "all ALL RESERVED_KEYWORD",
		"between BETWEEN COL_NAME_KEYWORD", "cross CROSS TYPE_FUNC_NAME_KEYWORD"} {
		f := strings.Fields(kw)
		list.WriteString(`PG_KEYWORD("` + f[0] + `", ` + f[1] + `, ` + f[2] + ", BARE_LABEL)\n")
	}
	for i := 0; i < 400; i++ {
		list.WriteString(`PG_KEYWORD("x", X, UNRESERVED_KEYWORD, AS_LABEL)` + "\n")
	}
	got, err := quotedKeywords([]byte(list.String()))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "all,between,cross" {
		t.Errorf("quoted %v, want all, between, cross", got)
	}
	if _, err := quotedKeywords([]byte(`PG_KEYWORD("odd", ODD, NEW_KEYWORD, BARE_LABEL)`)); err == nil {
		t.Error("an unknown category was accepted")
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n committed: " + x + "\n generated: " + y
		}
	}
	return ""
}
