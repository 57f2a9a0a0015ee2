package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMigrateCommand(t *testing.T) {
	url, config := schemaDB(t, false)
	base := []string{"migrate", "--config", config, "--database-url", url}

	// printing changes nothing
	code, script, errOut := runCLI(t, base...)
	if code != 0 || !strings.Contains(script, "ADD COLUMN IF NOT EXISTS deleted_by text;") ||
		!strings.Contains(script, "CREATE TABLE IF NOT EXISTS") || !strings.Contains(script, "CONCURRENTLY") {
		t.Fatalf("migrate: exit %d\n%s%s", code, script, errOut)
	}
	if code, again, _ := runCLI(t, base...); code != 0 || again != script {
		t.Fatalf("printing changed the database:\n%s", again)
	}

	all := append(base, "--apply", "--unique", "--guard")
	if code, out, errOut := runCLI(t, all...); code != 0 || !strings.Contains(out, "-- applied:") || !strings.Contains(errOut, "--guard is no longer needed") {
		t.Fatalf("migrate --apply: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ := runCLI(t, all...)
	if code != 0 || !strings.Contains(out, "nothing to do") || strings.Contains(out, "-- applied") {
		t.Fatalf("second migrate --apply is not a no-op: exit %d\n%s", code, out)
	}

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "INSERT INTO contacts (id, email) VALUES (1, 'a@x')"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "DELETE FROM contacts"); err == nil || !strings.Contains(err.Error(), "42501") {
		t.Fatalf("hard delete with the guard: %v", err)
	}
	if _, err := conn.Exec(ctx, "UPDATE contacts SET deleted_at = now(); INSERT INTO contacts (id, email) VALUES (2, 'a@x')"); err != nil {
		t.Fatalf("re-insert of a trashed key after --unique: %v", err)
	}
}

func TestMigrateCommandRollsBack(t *testing.T) {
	url, config := schemaDB(t, false)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	// Hold a lock that the ALTER TABLE waits for: with --lock-timeout it
	// gives up, and nothing of the migration remains (one transaction).
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "LOCK TABLE contacts IN ACCESS SHARE MODE"); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := runCLI(t, "migrate", "--config", config, "--database-url", url, "--apply", "--lock-timeout", "200ms")
	if code != 1 || !strings.Contains(errOut, "55P03") || !strings.Contains(errOut, "rolled back") {
		t.Fatalf("migrate under a lock: exit %d, %s", code, errOut)
	}
	_ = tx.Rollback(ctx)
	var audit *string
	if err := conn.QueryRow(ctx, "SELECT to_regclass('softdelete.audit')::text").Scan(&audit); err != nil || audit != nil {
		t.Fatalf("the audit table was created by a failed migration: %v %v", audit, err)
	}
}
