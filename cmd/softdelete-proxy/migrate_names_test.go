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

// namesDB is a database holding sql with tables under the policy.
func namesDB(t *testing.T, sql string, tables ...string) (url, config string) {
	t.Helper()
	_, url = pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, sql)
	yaml := "roles:\n  purge: " + pgtest.Get(t).RoleName(t, "purge") + "\ntables:\n"
	for _, name := range tables {
		yaml += "  " + name + ": {}\n"
	}
	config = filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return url, config
}

// TestMigrateLongNames: a table whose name fills 63 bytes gets its purge
// index (a truncated name would be the table's own, and CREATE INDEX IF NOT
// EXISTS would skip it).
func TestMigrateLongNames(t *testing.T) {
	long := strings.Repeat("t", 63)
	url, config := namesDB(t, `CREATE TABLE `+long+` (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE `+long[:62]+`x (id int PRIMARY KEY, deleted_at timestamptz)`, "public."+long, "public."+long[:62]+"x")
	if code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", url, "--apply"); code != 0 {
		t.Fatalf("migrate --apply: exit %d\n%s%s", code, out, errOut)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	err = conn.QueryRow(ctx, `SELECT count(DISTINCT i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE c.relname LIKE '%\_purge\_idx\_%' OR c.relname ~ '_[0-9a-f]{8}$'`).Scan(&n)
	if err != nil || n != 2 {
		t.Fatalf("purge indexes of the two long tables: %d, %v", n, err)
	}
	if code, out, _ := runCLI(t, "migrate", "--config", config, "--database-url", url); code != 0 || !strings.Contains(out, "nothing to do") {
		t.Fatalf("second migrate: exit %d\n%s", code, out)
	}
}

// TestMigrateVerifiesApplied: a statement that does nothing (its name is
// another relation's) makes --apply fail instead of reporting "applied".
func TestMigrateVerifiesApplied(t *testing.T) {
	url, config := namesDB(t, `CREATE TABLE contacts (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE contacts_deleted_at_purge_idx (id int)`, "public.contacts")
	code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", url, "--apply")
	if code != 1 || strings.Contains(out, "-- applied") || !strings.Contains(errOut, "did not take effect") ||
		!strings.Contains(errOut, "contacts_deleted_at_purge_idx") {
		t.Fatalf("migrate --apply: exit %d\n%s%s", code, out, errOut)
	}
}
