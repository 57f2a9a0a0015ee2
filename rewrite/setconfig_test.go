package rewrite

import (
	"strings"
	"testing"
)

// describeOne rewrites sql under the test policy and returns its only
// statement's description.
func describeOne(t *testing.T, r *Rewriter, sql string) Stmt {
	t.Helper()
	res, err := r.Rewrite(sql, testPolicy(), &Session{SearchPath: "public, crm"})
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if len(res.Stmts) != 1 {
		t.Fatalf("%s: %d statements described (was it parsed?)", sql, len(res.Stmts))
	}
	return res.Stmts[0]
}

// The plain form is followed exactly.
func TestSetConfigPlainForm(t *testing.T) {
	r := New(Options{})
	cases := []struct {
		sql  string
		want SetEffect
	}{
		{"SELECT set_config('search_path', 's2', false)", SetEffect{Name: "search_path", Value: "s2"}},
		{"select pg_catalog.set_config('softdelete.visibility', 'deleted', true)", SetEffect{Name: "softdelete.visibility", Value: "deleted", Local: true}},
		{"SELECT set_config('Search_Path'::text, 's2'::text, 'on')", SetEffect{Name: "search_path", Value: "s2", Local: true}},
		{"SELECT set_config('search_path', 's2', ' Of ')", SetEffect{Name: "search_path", Value: "s2"}},
		{"SELECT set_config('search_path', 's2', 'yes'::boolean) AS x", SetEffect{Name: "search_path", Value: "s2", Local: true}},
		{"SELECT set_config('role', 'dba', NULL)", SetEffect{Name: "role", Value: "dba"}},
		{"SELECT set_config('search_path', NULL, true)", SetEffect{Name: "search_path", Reset: true, Local: true}},
		{"SELECT set_config(CAST('client_encoding' AS varchar), E'SJIS', false)", SetEffect{Name: "client_encoding", Value: "SJIS"}},
		{"SELECT set_config('statement_timeout', '5s', false)", SetEffect{Name: "statement_timeout", Value: "5s"}},
	}
	for _, tc := range cases {
		st := describeOne(t, r, tc.sql)
		if st.Set == nil || *st.Set != tc.want || st.Unsure {
			t.Errorf("%s: Set = %+v Unsure = %v, want %+v", tc.sql, st.Set, st.Unsure, tc.want)
		}
	}
}

// Every other call that may change a tracked setting is Unsure: its effect
// depends on rows, conditions or values the proxy does not know.
func TestSetConfigAnywhereIsUnsure(t *testing.T) {
	r := New(Options{})
	unsure := []string{
		"SELECT set_config('search_path', 'evil', false) FROM users",
		"SELECT set_config('search_path', 'evil', false) FROM contacts",
		"SELECT 1 FROM users WHERE set_config('softdelete.visibility', 'all', false) IS NOT NULL",
		"SELECT set_config('search_path', 'evil', false) WHERE false",
		"SELECT set_config('search_path', 'evil', false) HAVING false",
		"SELECT set_config('search_path', 'evil', false) LIMIT 0",
		"SELECT set_config('search_path', 'a', false) UNION ALL SELECT set_config('search_path', 'b', false)",
		"SELECT set_config('search_path', 'a', false), set_config('role', 'dba', false)",
		"SELECT set_config('search_path', 'a', false), 1",
		"SELECT set_config('search_path', 'a', false)::text",
		"SELECT set_config('search_path', 'a'::char(1), false)",
		"SELECT set_config('search_path', 'a', false) FOR UPDATE",
		"SELECT DISTINCT set_config('search_path', 'a', false)",
		"VALUES (set_config('search_path', 'evil', false))",
		"WITH x AS (SELECT set_config('search_path', 'evil', false)) SELECT * FROM x",
		"SELECT * FROM (SELECT set_config('role', 'dba', false)) s",
		"SELECT (SELECT set_config('search_path', 'evil', false))",
		"SELECT coalesce(set_config('search_path', 'evil', false), '')",
		"SELECT * FROM set_config('search_path', 'evil', false)",
		"CALL p(set_config('search_path', 'evil', false))",
		"INSERT INTO audit_log SELECT length(set_config('search_path', 'evil', false))",
		"INSERT INTO contacts (email) VALUES (set_config('softdelete.actor', 'x', false))",
		"UPDATE users SET name = set_config('session_authorization', 'bob', false)",
		"DELETE FROM contacts WHERE set_config('softdelete.visibility', 'deleted', true) = 'x'",
		"SELECT set_config(name, 'x', false) FROM settings",
		"SELECT set_config('search_' || 'path', 'evil', false)",
		"SELECT set_config('search_path', current_user, false)",
		"SELECT set_config('search_path', $1, false)",
		"SELECT set_config('role', $1, false)",
		"SELECT set_config('session_authorization', current_setting('x.y'), false)",
		"SELECT set_config('search_path', 'a', $1)",
		"SELECT set_config(setting_name => 'search_path', new_value => 'evil', is_local => false)",
		`SELECT "set_config"('search_path', 'evil', false) FROM users`,
		`SELECT U&"set\005fconfig"('search_path', 'evil', false) FROM users`,
		"SELECT public.set_config('search_path', 'evil', false)",
		"SELECT set_config('standard_conforming_strings', 'off', false) FROM users",
		"SELECT set_config('client_encoding', 'SJIS', false) FROM users",
		"SELECT count(set_config('search_path', 'evil', false)) FROM users",
		"EXPLAIN ANALYZE SELECT set_config('search_path', 'evil', false) FROM users",
		"DECLARE c CURSOR FOR SELECT set_config('search_path', 'evil', false)",
		"CREATE TABLE t AS SELECT set_config('search_path', 'evil', false)",
		"PREPARE q AS SELECT set_config('search_path', 'evil', false)",
		"PREPARE q AS SELECT set_config('search_path', $1, false) FROM users",
		"UPDATE pg_settings SET setting = 'evil' WHERE name = 'search_path'",
		"update PG_CATALOG.PG_SETTINGS set setting = 'x' where name = $1",
		`WITH u AS (UPDATE "pg_settings" SET setting = 'x' RETURNING 1) SELECT 1`,
		"SET search_path FROM CURRENT",
		"SET LOCAL role FROM CURRENT",
	}
	for _, sql := range unsure {
		if st := describeOne(t, r, sql); !st.Unsure || st.Set != nil && trackedSetting(st.Set.Name) {
			t.Errorf("%s: Unsure = %v, Set = %+v; want unsure and no tracked Set", sql, st.Unsure, st.Set)
		}
	}
	sure := []string{
		"SELECT set_config('statement_timeout', v, false) FROM settings",
		"SELECT set_config('application_name', 'x', false) FROM contacts WHERE id = 1",
		"SELECT set_config('application_name', current_setting('search_path'), false) FROM users",
		"SELECT set_config('search_path', 's2', false)",
		"SET statement_timeout FROM CURRENT",
		`SELECT "SET_CONFIG"('search_path', 'x', false) FROM contacts`,
		"SELECT setting FROM pg_settings WHERE name = 'search_path'",
	}
	for _, sql := range sure {
		if st := describeOne(t, r, sql); st.Unsure {
			t.Errorf("%s: Unsure, want sure", sql)
		}
	}
}

// A template shares one parse between statements that differ in their
// literals; the name of set_config is a literal, so a template must never
// carry an untracked name's sureness over to a tracked one.
func TestSetConfigNameIsNotTemplated(t *testing.T) {
	r := New(Options{})
	p := testPolicy()
	s := &Session{}
	first := "SELECT set_config('statement_timeout', email, false) FROM contacts WHERE id = 1"
	second := strings.Replace(first, "statement_timeout", "search_path", 1)
	for _, sql := range []string{first, second} {
		res, err := r.Rewrite(sql, p, s)
		if err != nil {
			t.Fatal(err)
		}
		want := sql == second
		if len(res.Stmts) != 1 || res.Stmts[0].Unsure != want {
			t.Errorf("%s: %+v, want Unsure %v", sql, res.Stmts, want)
		}
	}
}

// SET forms of the settings that change current_user and the lexing.
func TestSetEffectTracked(t *testing.T) {
	r := New(Options{})
	cases := []struct {
		sql  string
		want SetEffect
	}{
		{"SET ROLE dba", SetEffect{Name: "role", Value: "dba"}},
		{`SET LOCAL ROLE "Dba"`, SetEffect{Name: "role", Value: "Dba", Local: true}},
		{"SET ROLE NONE", SetEffect{Name: "role", Value: "none"}},
		{"RESET ROLE", SetEffect{Name: "role", Reset: true}},
		{"SET SESSION AUTHORIZATION 'bob'", SetEffect{Name: "session_authorization", Value: "bob"}},
		{"SET SESSION AUTHORIZATION DEFAULT", SetEffect{Name: "session_authorization", Reset: true}},
		{"SET NAMES 'SJIS'", SetEffect{Name: "client_encoding", Value: "SJIS"}},
		{"SET client_encoding TO DEFAULT", SetEffect{Name: "client_encoding", Reset: true}},
		{"SET standard_conforming_strings = off", SetEffect{Name: "standard_conforming_strings", Value: "off"}},
		{"set local standard_conforming_strings to on", SetEffect{Name: "standard_conforming_strings", Value: "on", Local: true}},
	}
	for _, tc := range cases {
		st := describeOne(t, r, tc.sql)
		if st.Set == nil || *st.Set != tc.want || st.Unsure {
			t.Errorf("%s: Set = %+v Unsure = %v, want %+v", tc.sql, st.Set, st.Unsure, tc.want)
		}
	}
}

func TestParseBool(t *testing.T) {
	for in, want := range map[string]int{ // 1 true, 0 false, -1 invalid
		"t": 1, "TRUE": 1, "tru": 1, "y": 1, "yes": 1, "on": 1, "1": 1, " on\n": 1,
		"f": 0, "fa": 0, "false": 0, "n": 0, "no": 0, "of": 0, "off": 0, "0": 0,
		"o": -1, "": -1, "truex": -1, "onn": -1, "2": -1, "01": -1, "yess": -1,
	} {
		v, ok := parseBool(in)
		got := -1
		if ok && v {
			got = 1
		} else if ok {
			got = 0
		}
		if got != want {
			t.Errorf("parseBool(%q) = %d, want %d", in, got, want)
		}
	}
}
