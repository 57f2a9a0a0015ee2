package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

// TestSeveralDatabases: entries scoped to databases, and check and migrate
// over several databases in one run.
func TestSeveralDatabases(t *testing.T) {
	srv := pgtest.Get(t)
	nameA, urlA := srv.CreateDatabase(t)
	nameB, urlB := srv.CreateDatabase(t)
	for _, u := range []string{urlA, urlB} {
		pgtest.Exec(t, u, "CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz); CREATE TABLE u (id int PRIMARY KEY, deleted_at timestamptz)")
	}
	yaml := "roles:\n  purge: " + srv.RoleName(t, "purge") + "\ntables:\n  public.t: { databases: [" + nameA + "] }\n" +
		"  \"public.*\": { databases: [" + nameB + "] }\npurge:\n  database_urls: [\"" + urlA + "\", \"" + urlB + "\"]\n"
	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "migrate", "--config", config, "--all-databases", "--apply"); code != 0 ||
		strings.Count(out, "-- applied:") != 2 {
		t.Fatalf("migrate --all-databases --apply: exit %d\n%s%s", code, out, errOut)
	}
	guarded := func(url string) string {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		var s string
		if err := conn.QueryRow(context.Background(), `SELECT string_agg(tgrelid::regclass::text, ',' ORDER BY 1)
FROM pg_trigger WHERE tgname = 'softdelete_guard'`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if a, b := guarded(urlA), guarded(urlB); a != "t" || b != "t,u" {
		t.Fatalf("guarded tables: %s in %s, %s in %s", a, nameA, b, nameB)
	}
	code, out, errOut := runCLI(t, "check", "--config", config, "--database-url", urlA, "--database-url", urlB)
	if code != 0 || !strings.Contains(out, "database "+nameA+": 1 managed table(s)") || !strings.Contains(out, "database "+nameB+": 2 managed table(s)") {
		t.Fatalf("check of two databases: exit %d\n%s%s", code, out, errOut)
	}
	// one database failing fails the run, and the other is still checked
	pgtest.Exec(t, urlB, "DROP TRIGGER softdelete_guard ON u")
	if code, out, _ := runCLI(t, "check", "--config", config, "--all-databases"); code != 1 || !strings.Contains(out, "database "+nameA) {
		t.Fatalf("check with one database failing: exit %d\n%s", code, out)
	}
}

// TestResolverInDatabase: the proxy keeps, in each database, the tables
// scoped to it and their guard problems.
func TestResolverInDatabase(t *testing.T) {
	cfg, err := policy.Parse("d.yaml", []byte("tables:\n  public.a: { databases: [one] }\n  public.b: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	problems := []schema.GuardProblem{{Table: cfg.Managed[0].QualifiedName()}, {Table: cfg.Managed[1].QualifiedName()}}
	for db, want := range map[string]int{"one": 2, "two": 1} {
		got, left := inDatabase(db, cfg, problems)
		if len(got.Managed) != want || len(left) != want {
			t.Errorf("%s: %d tables, %d problems; want %d", db, len(got.Managed), len(left), want)
		}
	}
}
