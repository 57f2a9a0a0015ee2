package schema

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// guardStatus runs GuardStatusSQL as the proxy would (simple protocol,
// text results) and parses it.
func (e *guardEnv) guardStatus(t *testing.T) []GuardProblem {
	t.Helper()
	return guardStatus(t, e.f.conn, e.f.cfg)
}

func guardStatus(t testing.TB, conn *pgx.Conn, cfg *policy.Config) []GuardProblem {
	t.Helper()
	results, err := conn.PgConn().Exec(context.Background(), GuardStatusSQL(cfg)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for _, r := range results[0].Rows {
		row := make([]string, len(r))
		for i, v := range r {
			row[i] = string(v)
		}
		rows = append(rows, row)
	}
	ps, err := GuardStatus(cfg, rows)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// TestGuardStatusLongNames: a trigger's name with its table's
// ("softdelete_guard on public.model_inheritance_regress_parkinglot4a") is
// longer than a PostgreSQL name (63 bytes). The status query must not cut
// it, or the guard of such a table reads as missing, and of two tables
// that share the first 63 bytes (parkinglot, parkinglot4a, as Django's
// tests name them) one reads the other's fingerprint and looks stale.
func TestGuardStatusLongNames(t *testing.T) {
	cfg, err := policy.Parse("long.yaml", []byte("tables:\n  \"public.*\": {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Roles.Purge = pgtest.Get(t).RoleName(t, "purger")
	_, url := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, `CREATE TABLE model_inheritance_regress_parkinglot (id int PRIMARY KEY);
CREATE TABLE model_inheritance_regress_parkinglot4a (id int PRIMARY KEY);
CREATE TABLE model_inheritance_regress_parkinglot4b (id int PRIMARY KEY);
CREATE TABLE a_table_whose_name_has_exactly_sixty_three_bytes_in_it_0123456 (id int);
CREATE TABLE short (id int)`)
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	resolved, err := ResolvePatterns(context.Background(), conn, cfg)
	if err != nil || len(resolved.Managed) != 5 {
		t.Fatalf("patterns take %d tables (%v), want 5", len(resolved.Managed), err)
	}
	migrated(t, url, resolved)
	// the proxy asks with the patterns unresolved
	if ps := guardStatus(t, conn, cfg); len(ps) != 0 {
		t.Errorf("after migrate: %d tables reported: %+v", len(ps), ps)
	}
	// and it still reports a missing trigger on such a table
	if _, err := conn.Exec(context.Background(), "DROP TRIGGER softdelete_truncate ON model_inheritance_regress_parkinglot4a"); err != nil {
		t.Fatal(err)
	}
	ps := guardStatus(t, conn, cfg)
	want := "trigger softdelete_truncate on public.model_inheritance_regress_parkinglot4a: missing"
	if len(ps) != 1 || ps[0].Table.Name != "model_inheritance_regress_parkinglot4a" || !slices.Equal(ps[0].Objects, []string{want}) {
		t.Errorf("after DROP TRIGGER: %+v, want only %q", ps, want)
	}
}

// TestGuardStatus: after migrate the guard is in place everywhere; each
// kind of drift check reports is reported against its policy table, and a
// change of the policy's roles makes the functions stale for every table.
func TestGuardStatus(t *testing.T) {
	e := newGuardEnv(t)
	if ps := e.guardStatus(t); len(ps) != 0 {
		t.Fatalf("after migrate: %+v", ps)
	}
	e.f.mustExec(`CREATE TABLE deals_apac PARTITION OF deals FOR VALUES IN ('apac');
ALTER TABLE docs_2024 DISABLE TRIGGER softdelete_guard;
ALTER TABLE deals_eu DISABLE TRIGGER softdelete_privilege;
DROP TRIGGER softdelete_truncate ON contacts`)
	got := map[string][]string{}
	for _, p := range e.guardStatus(t) {
		got[p.Table.String()] = p.Objects
	}
	want := map[string][]string{
		"public.contacts": {"trigger softdelete_truncate on public.contacts: missing"},
		"public.deals": {"trigger softdelete_guard on public.deals_apac: missing", "trigger softdelete_truncate on public.deals_apac: missing",
			"trigger clone softdelete_privilege on public.deals_eu: missing"},
		"public.docs": {"trigger softdelete_guard on public.docs_2024: stale (it is disabled (ALTER TABLE … DISABLE TRIGGER))"},
	}
	for table, objs := range want {
		if !slices.Equal(got[table], objs) {
			t.Errorf("%s:\n got %q\nwant %q", table, got[table], objs)
		}
	}
	if len(got) != len(want) {
		t.Errorf("problems on %d tables, want %d: %q", len(got), len(want), got)
	}
	// check says the same
	errs := kinds(Check(e.f.inspect()), Error)
	for _, objs := range want {
		for _, o := range objs {
			name := o[:strings.Index(o, ":")]
			if !slices.ContainsFunc(errs, func(s string) bool { return strings.HasSuffix(s, " "+name) }) {
				t.Errorf("check does not report %s: %q", name, errs)
			}
		}
	}
	e.f.apply(Options{})
	if ps := e.guardStatus(t); len(ps) != 0 {
		t.Fatalf("after a second migrate: %+v", ps)
	}
	e.f.cfg.Roles.HardDelete = nil // the installed functions are another policy's now
	ps := e.guardStatus(t)
	if len(ps) != len(e.f.cfg.Managed) || !strings.Contains(strings.Join(ps[0].Objects, "\n"), "function softdelete.may_hard_delete(): stale") {
		t.Errorf("after a change of roles: %+v", ps)
	}
}

// TestGuardStatusBadRows: rows that GuardStatusSQL cannot have produced
// are an error, never a panic.
func TestGuardStatusBadRows(t *testing.T) {
	cfg := &policy.Config{Managed: []policy.Table{{Schema: "public", Name: "t", Column: "deleted_at"}}}
	for _, rows := range [][][]string{
		{{"table", "1", "public.t", "1", "r", "", "", ""}},
		{{"table", "-1", "public.t", "1", "r", "", "", ""}},
		{{"descendant", "7", "public.c", "2", "r", "f", "public.t", "1"}},
		{{"what", "", "", "", "", "", "", ""}},
		{{"server", "150000"}},
	} {
		if _, err := GuardStatus(cfg, rows); err == nil {
			t.Errorf("%q: no error", rows)
		}
	}
	if _, err := GuardStatus(cfg, nil); err != nil {
		t.Errorf("no rows: %v", err)
	}
}

// FuzzGuardStatus: whatever rows come back (a server of another version,
// a proxy bug), GuardStatus and ParseInheritanceRows return an answer or
// an error, never a panic. Rows are lines of tab-separated columns.
func FuzzGuardStatus(f *testing.F) {
	f.Add("server\t\t150004\tapp\t\t\t\t\ntable\t0\tpublic.t\t16384\tr\t\t\t\ndescendant\t0\tpublic.t_1\t16390\tr\tt\tpublic.t\t1")
	f.Add("installed\ttrigger\tpublic.t\tsoftdelete_guard on public.t\tsoftdelete-proxy 0123456789ab\t\tf\t")
	f.Add("role\t0\tsoftdelete_purger\tsoftdelete_purger\tt\t\t\t\nquote\t\tdeleted_at\tdeleted_at\t\t\t\t")
	cfg := &policy.Config{Managed: []policy.Table{{Schema: "public", Name: "t", Column: "deleted_at", OnTruncate: "deny"}},
		Roles: policy.Roles{Purge: "softdelete_purger", HardDelete: []string{"dba"}}}
	f.Fuzz(func(t *testing.T, text string) {
		var rows [][]string
		for _, line := range strings.Split(text, "\n") {
			rows = append(rows, strings.Split(line, "\t"))
		}
		_, _ = GuardStatus(cfg, rows)
		_, _ = ParseInheritanceRows(rows)
	})
}
