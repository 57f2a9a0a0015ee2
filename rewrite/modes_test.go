package rewrite

import (
	"errors"
	"strings"
	"testing"
)

// lexCase is a text, a session's lexing settings, and what must come of it:
// "refuse" (0A000), "pass" (unchanged, nothing parsed) or "rewrite".
type lexCase struct {
	sql, enc string
	nonStd   bool
	want     string
}

func runLexCases(t *testing.T, p *Policy, cases []lexCase) {
	t.Helper()
	for _, c := range cases {
		s := &Session{NonStandardStrings: c.nonStd, ClientEncoding: c.enc}
		res, err := New(Options{}).Rewrite(c.sql, p, s)
		got := "rewrite"
		var e *Error
		switch {
		case errors.As(err, &e) && e.Code == codeNotSupp:
			got = "refuse"
			if e.Hint == "" {
				t.Errorf("%q: refusal without a hint", c.sql)
			}
		case err != nil:
			got = "error " + err.Error()
		case !res.Changed && len(res.Stmts) == 0:
			got = "pass"
			if res.SQL != c.sql {
				t.Errorf("%q: passed text differs", c.sql)
			}
		}
		if got != c.want {
			t.Errorf("%q (enc %q, scs off %v): %s, want %s (%s)", c.sql, c.enc, c.nonStd, got, c.want, res.SQL)
		}
	}
}

// With standard_conforming_strings off the server reads '\” as a quote:
// the text below is a SELECT and a DELETE to it, one string literal to
// pg_query. It must not pass.
func TestNonStandardStringsAttack(t *testing.T) {
	const attack = `SELECT '\''; DELETE FROM contacts; --'`
	_, err := New(Options{}).Rewrite(attack, testPolicy(), &Session{NonStandardStrings: true})
	var e *Error
	if !errors.As(err, &e) || e.Code != codeNotSupp || !strings.Contains(e.Message, "standard_conforming_strings off") ||
		!strings.Contains(e.Hint, "standard_conforming_strings = on") || !strings.Contains(e.Hint, "E'") || e.Position != 8 {
		t.Fatalf("attack not refused as it should be: %+v", err)
	}
	runLexCases(t, testPolicy(), []lexCase{
		{attack, "", false, "pass"}, // standard strings: one literal for the server too
		{`SELECT N'\''; DELETE FROM contacts; --'`, "", true, "refuse"},
		{`SELECT '\\''; DELETE FROM contacts; --'`, "", true, "pass"}, // the server reads one literal
		{`SELECT 'a\'; SET search_path = evil; --'`, "", true, "pass"},
		{`SELECT 'a\'; SET search_path = evil; --'`, "", false, "rewrite"},
		{`SELECT 'C:\dir' AS p`, "", true, "pass"},
		{`SELECT * FROM contacts WHERE email = 'C:\dir'`, "", true, "refuse"},
		{`SELECT * FROM contacts WHERE email = 'C:\dir'`, "", false, "rewrite"},
		{`SELECT * FROM contacts WHERE email = E'C:\\dir'`, "", true, "rewrite"},
		{`SELECT * FROM contacts WHERE email = 'it''s'`, "", true, "rewrite"},
		{`BEGIN; INSERT INTO audit_log VALUES ('C:\dir'); COMMIT`, "", true, "refuse"},
		{`SELECT set_config('x.y', 'C:\', false)`, "", true, "refuse"},
		{`CREATE TABLE t (p text DEFAULT 'C:\dir')`, "", true, "pass"}, // DDL alone is never refused
		{`SELECT B'\' FROM contacts`, "", true, "rewrite"},             // bit strings have no escapes
	})
}

// In SJIS, 0x95 0x5c is one character whose second byte is a backslash to
// a byte-wise lexer: E'<0x95 0x5c>' is a complete literal to the server,
// and the DELETE after it runs. The same holds for every client-only
// encoding with ASCII trailing bytes.
func TestClientEncodingAttack(t *testing.T) {
	attack := func(char string) string { return "SELECT E'" + char + "'; DELETE FROM contacts; --'" }
	_, err := New(Options{}).Rewrite(attack("\x95\x5c"), testPolicy(), &Session{ClientEncoding: "SJIS"})
	var e *Error
	if !errors.As(err, &e) || e.Code != codeNotSupp || !strings.Contains(e.Message, "SJIS") || !strings.Contains(e.Hint, "UTF8") {
		t.Fatalf("attack not refused as it should be: %+v", err)
	}
	runLexCases(t, testPolicy(), []lexCase{
		{attack("\x95\x5c"), "sjis", false, "refuse"},
		{attack("\x95\x5c"), "SHIFT_JIS_2004", false, "refuse"},
		{attack("\xa4\x5c"), "BIG5", false, "refuse"},
		{attack("\x81\x5c"), "GBK", false, "refuse"},
		{attack("\x81\x5c"), "UHC", false, "refuse"},
		{attack("\x81\x5c"), "GB18030", false, "refuse"},
		{attack("\x84\x5c"), "JOHAB", false, "refuse"},
		{attack("\x95\x5c"), "UTF8", false, "pass"},   // not UTF8: the server rejects the text
		{attack("\x95\x5c"), "LATIN1", false, "pass"}, // two characters: the server sees one literal
		{"SELECT '\x95\x5c'; SELECT 2; --'", "SJIS", false, "pass"},
		{"SELECT * FROM contacts WHERE email = '\x95\x5c'", "SJIS", false, "refuse"},
		{"SELECT * FROM contacts WHERE email = '\x82\xa0'", "SJIS", false, "refuse"}, // pg_query reads UTF8 only
		{"SELECT * FROM contacts WHERE email = 'x'", "SJIS", false, "rewrite"},
		{"SELECT * FROM contacts WHERE email = 'x'", "LATIN1", false, "rewrite"},
		{"SELECT * FROM contacts WHERE email = '\xe9'", "LATIN1", false, "refuse"},
		{"SET application_name = '\x95\x5c'", "SJIS", false, "refuse"},
		{"INSERT INTO audit_log VALUES ('\x95\x5c')", "SJIS", false, "pass"},
		{"CREATE TABLE caf\xe9 (id int)", "LATIN1", false, "pass"}, // DDL alone is never refused
		{"SELECT E'\x95\x5c' FROM users", "SJIS", true, "pass"},
		// masked, then lexed with standard_conforming_strings off: byte-wise the
		// first would be one literal ('…\'…'), the second a DELETE (\\ then ').
		{"SELECT '\x95\x5c'; DELETE FROM contacts; --'", "SJIS", true, "refuse"},
		{"SELECT '\x95\x5c\\'; DELETE FROM contacts; --'", "SJIS", true, "pass"},
	})
}

// The masked view keeps every offset and hides exactly the trailing bytes
// PostgreSQL's pg_encoding_mblen counts.
func TestEncodingMask(t *testing.T) {
	cases := []struct{ enc, in, want string }{
		{"SJIS", "a\x95\x5cb\xb1c\x82\xa0", "a\x95\x80b\xb1c\x82\x80"}, // 0xb1: one-byte kana
		{"BIG5", "\xa4\x5c'", "\xa4\x80'"},
		{"GB18030", "\x81\x30\x81\x30'\x81\x5c'", "\x81\x80\x80\x80'\x81\x80'"},
		{"JOHAB", "\x8f\x5c\x5c'\x8e\x5c'\x84\x5c", "\x8f\x80\x80'\x8e\x80'\x84\x80"},
		{"SJIS", "abc", "abc"},
		{"SJIS", "x\x95", "x\x95"}, // a lead byte at the end: the server rejects it
	}
	for _, c := range cases {
		enc := encodingOf(c.enc)
		if got := enc.mask(c.in); got != c.want {
			t.Errorf("%s mask(%q) = %q, want %q", c.enc, c.in, got, c.want)
		}
		if enc.asciiTrail(c.in) != (c.in != c.want) {
			t.Errorf("%s asciiTrail(%q) = %v", c.enc, c.in, !(c.in != c.want))
		}
	}
	for name, want := range map[string]encoding{"": encUTF8, "UTF8": encUTF8, "SQL_ASCII": encUTF8, "utf8": encUTF8,
		"LATIN1": encOther, "EUC_JP": encOther, "WIN1252": encOther, "SJIS": encSJIS, "SHIFT_JIS_2004": encSJIS,
		"BIG5": encBIG5, "GBK": encBIG5, "UHC": encBIG5, "GB18030": encGB18030, "JOHAB": encJOHAB} {
		if got := encodingOf(name); got != want {
			t.Errorf("encodingOf(%q) = %d, want %d", name, got, want)
		}
	}
}

// A policy with non-ASCII names is known in UTF8 only: in another client
// encoding the proxy cannot match them, and refuses what names a managed
// table rather than let a name slip by.
func TestNonASCIIPolicyNames(t *testing.T) {
	p := NewPolicy(1, []Table{
		{Schema: "public", Name: "contacts", Column: "deleted_at"},
		{Schema: "ventes", Name: "factures", Column: "supprimé_le"},
	})
	runLexCases(t, p, []lexCase{
		{"SELECT * FROM contacts", "LATIN1", false, "refuse"},
		{"SELECT * FROM contacts", "UTF8", false, "rewrite"},
		{"SELECT * FROM contacts", "", false, "rewrite"},
		{"SET search_path = ventes", "LATIN1", false, "rewrite"}, // described, nothing to match
		{"SELECT 1", "LATIN1", false, "pass"},
	})
}

// The lexing settings are part of the cache key: a rewrite cached under one
// must not be served under another, where the server reads the text
// otherwise.
func TestCacheKeyedByLexing(t *testing.T) {
	p := testPolicy()
	cases := []struct {
		sql        string
		safe, risk Session
	}{
		// standard strings: a SELECT and a DELETE; with them off, one SELECT
		// whose literal runs to the end.
		{`SELECT * FROM contacts WHERE email = '\' OR true; DELETE FROM contacts; --'`,
			Session{}, Session{NonStandardStrings: true}},
		// In UTF8 "Á\\" is a letter and an escape (one SELECT); in SJIS its
		// bytes c3 81 5c are a kana and a character holding the 0x5c, and
		// the literal ends at the next quote.
		{"SELECT * FROM contacts WHERE email = E'\u00c1\\' OR true; DELETE FROM contacts; --'",
			Session{ClientEncoding: "UTF8"}, Session{ClientEncoding: "SJIS"}},
		{"SELECT * FROM contacts WHERE email = 'x'", Session{ClientEncoding: "UTF8"}, Session{ClientEncoding: "UTF8"}},
	}
	for _, c := range cases {
		r := New(Options{})
		first, ferr := r.Rewrite(c.sql, p, &c.safe)
		second, serr := r.Rewrite(c.sql, p, &c.risk)
		cold, cerr := New(Options{CacheBytes: -1}).Rewrite(c.sql, p, &c.risk)
		if (serr == nil) != (cerr == nil) || second.SQL != cold.SQL {
			t.Errorf("%q: cached answer under %+v differs from a cold one: %v / %v\n%s\n%s", c.sql, c.risk, serr, cerr, second.SQL, cold.SQL)
		}
		if c.safe == c.risk && (!second.CacheHit || ferr != nil || first.SQL != second.SQL) {
			t.Errorf("%q: same session not served from the cache", c.sql)
		}
	}
}
