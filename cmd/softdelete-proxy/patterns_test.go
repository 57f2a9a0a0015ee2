package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestPatterns: one pattern puts every table with the column under the
// policy; check and migrate print the tables it resolves to; the proxy
// resolves it the same way, and again after DDL creates a table.
func TestPatterns(t *testing.T) {
	roles := "roles:\n  purge: " + pgtest.Get(t).RoleName(t, "purge") + "\n"
	tables := "  \"public.*\": { with_column: true, exclude: [public.skip] }\n"
	sp := startServe(t, []string{
		"CREATE TABLE a (id int PRIMARY KEY, deleted_at timestamptz)",
		"CREATE TABLE b (id int PRIMARY KEY, deleted_at timestamptz)",
		"CREATE TABLE plain (id int)",
		"CREATE TABLE skip (id int, deleted_at timestamptz)",
		"INSERT INTO a VALUES (1, NULL), (2, now()); INSERT INTO b VALUES (1, NULL), (2, now())",
		"INSERT INTO plain VALUES (1); INSERT INTO skip VALUES (1, NULL), (2, now())",
	}, tables, roles)
	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte(roles+"tables:\n"+tables), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", sp.direct, "--apply")
	if code != 0 || !strings.Contains(errOut, "2 table(s) under the policy, 2 matched by patterns: public.a, public.b") {
		t.Fatalf("migrate --apply: exit %d\n%s%s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "check", "--config", config, "--database-url", sp.direct, "--verbose"); code != 0 || !strings.Contains(out, "== public.b") {
		t.Fatalf("check: exit %d\n%s%s", code, out, errOut)
	}
	sp.reload(tables)
	for _, q := range []string{"SELECT id FROM a", "SELECT id FROM b"} {
		if code, ids := sp.run(q); code != "" || strings.Join(ids, ",") != "1" {
			t.Fatalf("%s: %q %v, want the live row", q, code, ids)
		}
	}
	if code, ids := sp.run("SELECT id FROM skip ORDER BY id"); code != "" || strings.Join(ids, ",") != "1,2" {
		t.Fatalf("an excluded table: %q %v", code, ids)
	}
	// a table created through the proxy is under the policy at once: it
	// has no guard yet, so statements on it are refused until migrate
	// (after a SELECT of b, so that the database's policy is resolved
	// before the CREATE, which makes it resolve again)
	conn, err := pgx.Connect(context.Background(), sp.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "SELECT id FROM b"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(context.Background(), "CREATE TABLE c (id int, deleted_at timestamptz)"); err != nil {
		t.Fatalf("CREATE TABLE: %v", err)
	}
	if _, err := conn.Exec(context.Background(), "SELECT id FROM c"); err == nil || !strings.Contains(err.Error(), "55000") {
		t.Fatalf("the new table in the session that created it: %v, want 55000", err)
	}
	if code, _ := sp.run("SELECT id FROM c"); code != "55000" {
		t.Fatalf("a new table without its guard: %q, want 55000", code)
	}
	if code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", sp.direct, "--apply"); code != 0 ||
		!strings.Contains(errOut, "public.a, public.b, public.c") {
		t.Fatalf("migrate --apply: exit %d\n%s%s", code, out, errOut)
	}
	sp.reload(tables)
	if code, ids := sp.run("SELECT count(*) FROM c"); code != "" || strings.Join(ids, ",") != "0" {
		t.Fatalf("after migrate: %q %v", code, ids)
	}
}

// TestPatternsPurge: the purger resolves the patterns in each database it
// passes over.
func TestPatternsPurge(t *testing.T) {
	roles := "roles:\n  purge: " + pgtest.Get(t).RoleName(t, "purge") + "\n"
	url, _ := namesDB(t, `CREATE TABLE a (id int PRIMARY KEY, deleted_at timestamptz);
INSERT INTO a VALUES (1, NULL), (2, now() - interval '40 days')`)
	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte(roles+"tables:\n  \"public.*\": { retention: 30d }\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", url, "--apply"); code != 0 {
		t.Fatalf("migrate --apply: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut := runCLI(t, "purge", "--config", config, "--database-url", url, "--dry-run", "--format", "json")
	if code != 0 || !strings.Contains(out, "public.a") {
		t.Fatalf("purge --dry-run: exit %d\n%s%s", code, out, errOut)
	}
}

// TestPatternsRolledBackCreate: a table created in a transaction that
// rolls back leaves the policy as it was, in that session and in others:
// the database's policy, resolved again inside the transaction (with the
// new, unguarded table), is resolved again once the transaction ends.
// (Django's test migrations create tables this way, and a rollback used to
// leave the new table's name refused with 55000.) Meanwhile only the
// unguarded table is refused, and only in the session that sees it.
func TestPatternsRolledBackCreate(t *testing.T) {
	roles := "roles:\n  purge: " + pgtest.Get(t).RoleName(t, "purge") + "\n"
	tables := "  \"public.*\": {}\n"
	sp := startServe(t, []string{
		"CREATE TABLE a (id int PRIMARY KEY, deleted_at timestamptz)",
		"INSERT INTO a VALUES (1, NULL), (2, now())",
	}, tables, roles)
	config := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte(roles+"tables:\n"+tables), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", sp.direct, "--apply"); code != 0 {
		t.Fatalf("migrate --apply: exit %d\n%s%s", code, out, errOut)
	}
	sp.reload(tables)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, sp.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{"SELECT id FROM a", "BEGIN", "CREATE TABLE c (id int)"} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if _, err := conn.Exec(ctx, "SAVEPOINT s"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SELECT id FROM c"); err == nil || !strings.Contains(err.Error(), "55000") {
		t.Fatalf("with c created and unguarded: %v, want 55000", err)
	}
	if _, err := conn.Exec(ctx, "ROLLBACK TO SAVEPOINT s"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SELECT id FROM a"); err != nil { // its guard is in place
		t.Fatalf("a, with c unguarded: %v", err)
	}
	// another session does not see c: the server says so, not the proxy
	if code, _ := sp.run("SELECT id FROM c"); code != "42P01" {
		t.Fatalf("c from another session while it is uncommitted: %q, want 42P01 (undefined_table)", code)
	}
	if code, got := sp.run("SELECT id FROM a"); code != "" || strings.Join(got, ",") != "1" {
		t.Fatalf("a from another session while c is uncommitted: %q %v", code, got)
	}
	if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	var ids []int
	rows, _ := conn.Query(ctx, "SELECT id FROM a", pgx.QueryExecModeSimpleProtocol)
	ids, err = pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil || len(ids) != 1 || ids[0] != 1 {
		t.Fatalf("after the rollback, in the session: %v %v, want the live row", ids, err)
	}
	if code, got := sp.run("SELECT id FROM a"); code != "" || strings.Join(got, ",") != "1" {
		t.Fatalf("after the rollback, another session: %q %v, want the live row", code, got)
	}
}
