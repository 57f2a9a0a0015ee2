package rewrite

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzRewrite: Rewrite never panics, a refusal is an *Error, every changed
// output parses, text without a managed name is never changed, text the
// server lexes differently (standard_conforming_strings off, a converting
// client encoding) is never rewritten, and a template or cache hit gives
// the same answer as a cold rewrite.
func FuzzRewrite(f *testing.F) {
	for _, file := range mustGlob(f, filepath.Join("testdata", "golden", "*.txt")) {
		for _, c := range readGolden(f, file) {
			f.Add(c.in, uint8(c.session.Visibility))
		}
	}
	for _, sql := range benchCorpus(f) {
		f.Add(sql, uint8(0))
	}
	for _, seed := range []struct {
		sql  string
		mode uint8
	}{
		{`SELECT '\''; DELETE FROM contacts; --'`, 8},
		{`SELECT * FROM contacts WHERE email = 'C:\dir'`, 8 | 1},
		{`SELECT * FROM contacts WHERE email = E'C:\\dir'`, 8},
		{"SELECT E'\x95\x5c'; DELETE FROM contacts; --'", 2 << 4},
		{"SELECT * FROM contacts WHERE email = E'\u00c1\\' OR true; DELETE FROM contacts; --'", 2 << 4},
		{"SELECT E'\xa4\x5c'; DELETE FROM contacts; --'", 3 << 4},
		{"SELECT E'\x81\x30\x81\x30\x81\x5c' FROM deals", 4<<4 | 8},
		{"SELECT * FROM contacts WHERE email = '\xe9'", 5 << 4},
		{"SELECT set_config('search_path', 'x', false) FROM contacts", 0},
		{"BEGIN; DELETE FROM contacts; COMMIT AND CHAIN", 1 << 4},
		{"CREATE TEMP TABLE contacts (id int); DELETE FROM contacts", 0},
	} {
		f.Add(seed.sql, seed.mode)
	}
	p := testPolicy()
	f.Fuzz(func(t *testing.T, sql string, mode uint8) {
		s := fuzzSession(mode)
		res, err := New(Options{CacheBytes: -1}).Rewrite(sql, p, s)
		if err != nil {
			checkRefusal(t, sql, err)
			return
		}
		if !res.Changed {
			if res.SQL != sql {
				t.Fatalf("unchanged result differs from input")
			}
			return
		}
		if !p.MayTouch(sql) {
			t.Fatalf("changed without a managed name:\n%s\n%s", sql, res.SQL)
		}
		if encodingOf(s.ClientEncoding) != encUTF8 && !isASCII(sql) {
			t.Fatalf("non-ASCII text rewritten in client_encoding %s:\n%q", s.ClientEncoding, sql)
		}
		if s.NonStandardStrings && p.scan(sql, false, nil).backslash {
			t.Fatalf("text with a backslash in a plain literal rewritten with standard_conforming_strings off:\n%s", sql)
		}
		if _, err := parse(res.SQL); err != nil {
			t.Fatalf("output does not parse: %v\n in: %s\nout: %s", err, sql, res.SQL)
		}
		checkCached(t, sql, p, s, res)
	})
}

// fuzzEncodings are the client encodings the fuzzer's mode picks from.
var fuzzEncodings = [8]string{"", "UTF8", "SJIS", "BIG5", "GB18030", "LATIN1", "JOHAB", "UHC"}

// fuzzSession decodes the fuzzer's mode byte: visibility (mode % 3), the
// hard-delete right (bit 2), standard_conforming_strings off (bit 3) and a
// client encoding (bits 4-6).
func fuzzSession(mode uint8) *Session {
	return &Session{Visibility: Visibility(mode % 3), CanHardDelete: mode&4 != 0, SearchPath: "public, crm",
		NonStandardStrings: mode&8 != 0, ClientEncoding: fuzzEncodings[mode>>4&7]}
}

func checkRefusal(t *testing.T, sql string, err error) {
	var e *Error
	if !errors.As(err, &e) || e.Code == "" {
		t.Fatalf("error is not an *Error with a code: %v", err)
	}
	if strings.HasPrefix(e.Message, "softdelete-proxy failed") {
		t.Fatalf("panic during rewrite of %q: %s", sql, e.Message)
	}
}

// checkCached rewrites sql through a warm cache (exact and template).
func checkCached(t *testing.T, sql string, p *Policy, s *Session, want Result) {
	r := New(Options{})
	for i := 0; i < 2; i++ {
		got, err := r.Rewrite(sql, p, s)
		if err != nil || got.SQL != want.SQL || got.Changed != want.Changed {
			t.Fatalf("cached rewrite differs (round %d): %v\n%s\n%s", i, err, got.SQL, want.SQL)
		}
	}
	other, ok := mutateConsts(sql)
	if !ok {
		return
	}
	got, gerr := r.Rewrite(other, p, s)
	cold, cerr := New(Options{CacheBytes: -1}).Rewrite(other, p, s)
	if (gerr == nil) != (cerr == nil) || got.SQL != cold.SQL {
		t.Fatalf("template differs from cold rewrite\n in: %s\ngot: %s (%v)\nwant: %s (%v)", other, got.SQL, gerr, cold.SQL, cerr)
	}
}

func mustGlob(tb testing.TB, pattern string) []string {
	files, err := filepath.Glob(pattern)
	if err != nil || len(files) == 0 {
		tb.Fatalf("no files match %s: %v", pattern, err)
	}
	return files
}
