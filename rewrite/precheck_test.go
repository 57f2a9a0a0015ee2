package rewrite

import (
	"strings"
	"testing"
)

func TestMayTouch(t *testing.T) {
	p := testPolicy()
	long := strings.Repeat("x", 70)
	pLong := NewPolicy(1, []Table{{Schema: "public", Name: long[:63], Column: "deleted_at"}})
	cases := []struct {
		sql  string
		want bool
	}{
		{"SELECT * FROM contacts", true},
		{"select * from CONTACTS", true},
		{`SELECT * FROM "contacts"`, true},
		{`SELECT * FROM "Contacts"`, false},
		{`SELECT * FROM "Mixed Case"`, true},
		{`SELECT * FROM mixed case`, false},
		{"SELECT 'contacts'", false},
		{"SELECT E'it''s contacts\\' ' FROM users", false},
		{"SELECT 1 -- contacts", false},
		{"SELECT /* nested /* contacts */ still comment */ 1", false},
		{"SELECT $$contacts$$", false},
		{"SELECT $tag$ contacts $tag$", false},
		{"SELECT $1::contacts", true},
		{"SELECT a.contacts FROM users a", true},
		{"SELECT contacts_id FROM users", false},
		{`SELECT U&"c\006Fntacts" FROM users`, true}, // not decoded: assumed to match
		{"SELECT * FROM public.orders", true},
		{"SELECT 'unterminated contacts", false},
		{"", false},
	}
	for _, c := range cases {
		if got := p.MayTouch(c.sql); got != c.want {
			t.Errorf("MayTouch(%q) = %v, want %v", c.sql, got, c.want)
		}
	}
	if !pLong.MayTouch("SELECT * FROM " + long) {
		t.Error("identifiers longer than 63 bytes are truncated like PostgreSQL does")
	}
	if (*Policy)(nil).MayTouch("SELECT * FROM contacts") {
		t.Error("a nil policy touches nothing")
	}
}

func TestMayTouchDoesNotAllocate(t *testing.T) {
	p := testPolicy()
	sql := `SELECT "C"."id", c.email FROM CONTACTS c JOIN deals d ON d.contact_id = c.id WHERE c.x = 'y' -- z`
	if n := testing.AllocsPerRun(100, func() { p.MayTouch(sql) }); n != 0 {
		t.Fatalf("MayTouch allocates %v times", n)
	}
}

func TestTrackedVerbs(t *testing.T) {
	p := testPolicy()
	for sql, want := range map[string]bool{
		"SET search_path = x":            true,
		"select 1; reset all":            true,
		"/* c */ Prepare q AS SELECT 1":  true,
		"EXECUTE q":                      true,
		"deallocate all":                 true,
		"DISCARD ALL":                    true,
		"SHOW softdelete.visibility":     true,
		"COMMIT AND CHAIN":               true,
		"end":                            true,
		"ABORT":                          true,
		"begin; select 1":                true,
		"START TRANSACTION":              true,
		"UPDATE users SET a = 1":         false,
		"SELECT 'set'":                   false,
		"SELECT 1 AS begin, 2 AS commit": false,
		"SELECT x FROM t WHERE end = 1":  false,
		"CREATE FUNCTION f() SET x = 1 ": true, // CREATE may change the catalog
		"begin":                          true,
		"start transaction":              true,
		"select 1; commit":               true,
		"END":                            true,
		"abort":                          true,
		"ROLLBACK PREPARED 'x'":          true,
		"COMMIT PREPARED 'x'":            true,
		"PREPARE TRANSACTION 'x'":        true,
		"drop table x":                   true,
		"ALTER SCHEMA a RENAME TO b":     true,
		"IMPORT FOREIGN SCHEMA s FROM SERVER f INTO public": true,
		"DO $$ BEGIN END $$":                         true,
		"SELECT set_config('a', 'b', false)":         true,
		`SELECT "set_config"('a', 'b', false)`:       true,
		`SELECT U&"set\005fconfig"('a', 'b', false)`: true,
		`SELECT "SET_CONFIG"('a', 'b', false)`:       false,
	} {
		if f := p.scan(sql, true, nil); (f.tracked || f.catalog) != want {
			t.Errorf("tracked(%q) = %v, want %v", sql, !want, want)
		}
	}
}

func TestTokenize(t *testing.T) {
	sql := `SELECT a::int, 'x''y', E'\'', $1, $q$ body $q$, 1.5e3, x<=-1, (CASE WHEN b THEN 1 END) FROM t -- c`
	var got []string
	for _, tk := range tokenize(sql) {
		got = append(got, sql[tk.start:tk.end]+"@"+string(rune('0'+tk.depth)))
	}
	want := "SELECT@0 a@0 ::@0 int@0 ,@0 'x''y'@0 ,@0 E'\\''@0 ,@0 $1@0 ,@0 $q$ body $q$@0 ,@0 1.5e3@0 ,@0 " +
		"x@0 <=@0 -@0 1@0 ,@0 (@0 CASE@1 WHEN@2 b@2 THEN@2 1@2 END@1 )@0 FROM@0 t@0"
	if strings.Join(got, " ") != want {
		t.Errorf("tokens\n got: %s\nwant: %s", strings.Join(got, " "), want)
	}
}

func TestNormalize(t *testing.T) {
	cases := []struct {
		sql, key string
		ok       bool
	}{
		{"SELECT * FROM t WHERE id = 42 AND name = 'bob'", "SELECT * FROM t WHERE id = \x00i AND name = \x00s", true},
		{"SELECT * FROM t WHERE x > -1.5", "SELECT * FROM t WHERE x > -\x00n", true},
		{"SELECT * FROM t LIMIT 10", "SELECT * FROM t LIMIT \x00i", true},
		{"SELECT * FROM t", "", false},
		{"SELECT E'a' FROM t", "", false},
		{"SELECT 'a\\b' FROM t", "", false},
		{"SELECT $$a$$ FROM t", "", false},
		{"SELECT 0x1F FROM t", "", false},
		{"SELECT 1_000 FROM t", "", false},
		{"SELECT B'101' FROM t", "", false},
		{"SELECT 'a'\n'b' FROM t", "", false},
	}
	for _, c := range cases {
		key, _, ok := normalize(c.sql)
		if ok != c.ok || key != c.key {
			t.Errorf("normalize(%q) = %q, %v; want %q, %v", c.sql, key, ok, c.key, c.ok)
		}
	}
}

func TestSearchPath(t *testing.T) {
	cases := map[string][]string{
		``:                         {"pg_temp", "pg_catalog", "alice", "public"},
		`"$user", public`:          {"pg_temp", "pg_catalog", "alice", "public"},
		`crm, "My Schema", PUBLIC`: {"pg_temp", "pg_catalog", "crm", "My Schema", "public"},
		`pg_catalog, pg_temp, crm`: {"pg_catalog", "pg_temp", "crm"},
		`crm, pg_temp`:             {"pg_catalog", "crm", "pg_temp"},
		`crm, PG_CATALOG`:          {"pg_temp", "crm", "pg_catalog"},
		`"a""b" , c`:               {"pg_temp", "pg_catalog", `a"b`, "c"},
		`$user`:                    {"pg_temp", "pg_catalog", "alice"},
		`"a,b"`:                    {"pg_temp", "pg_catalog", "a,b"},
	}
	for raw, want := range cases {
		if got := searchPath(raw, "alice"); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("searchPath(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"contacts": "contacts", "Contacts": `"Contacts"`, "order": `"order"`, "name": "name",
		`a"b`: `"a""b"`, "$user": `"$user"`, "a b": `"a b"`, "_x1": "_x1", "1x": `"1x"`,
	} {
		if got := quoteIdent(in); got != want {
			t.Errorf("quoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}
