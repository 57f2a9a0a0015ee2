package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
	"github.com/softdelete-proxy/softdelete-proxy/purger"
)

// cliDB makes a database with two managed tables, a few trashed rows, the
// audit table, and a config file naming it.
func cliDB(t *testing.T) (url, config string) {
	t.Helper()
	_, url = pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, `
CREATE TABLE contacts (id bigint PRIMARY KEY, name text, deleted_at timestamptz);
CREATE TABLE deals (id bigint PRIMARY KEY, deleted_at timestamptz, legal_hold boolean);
INSERT INTO contacts SELECT g, 'c', CASE WHEN g <= 3 THEN NULL WHEN g <= 6 THEN now() - interval '10 days'
    ELSE now() - interval '40 days' END FROM generate_series(1, 10) g;
INSERT INTO deals VALUES (1, now() - interval '100 days', true), (2, now() - interval '100 days', false);`,
		schema.AuditTableDDL("softdelete.audit"))
	config = filepath.Join(t.TempDir(), "config.yaml")
	purge := pgtest.Get(t).RoleName(t, "purge") // roles are cluster-wide
	yaml := "roles:\n  purge: " + purge + "\ntables:\n  public.contacts: {}\n  public.deals: { hold_column: legal_hold }\n" +
		"purge:\n  database_urls: [ \"" + url + "\" ]\naudit:\n  table: softdelete.audit\n"
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return url, config
}

func cliCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func TestPurgeCommand(t *testing.T) {
	_, config := cliDB(t)
	var out, errOut bytes.Buffer
	if err := purgeCommand(cliCtx(t), []string{"--config", config, "--dry-run", "--format", "json"}, &out, &errOut); err != nil {
		t.Fatalf("purge --dry-run: %v\n%s", err, errOut.String())
	}
	var rep purger.Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil || !rep.DryRun || rep.Purged() != 5 {
		t.Fatalf("dry run report %s: %v, want 5 rows (4 contacts, deal 2)", out.String(), err)
	}
	out.Reset()
	if err := purgeCommand(cliCtx(t), []string{"--config", config}, &out, &errOut); err != nil {
		t.Fatalf("purge: %v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "success") || strings.Count(errOut.String(), `"msg":"audit"`) != 2 {
		t.Errorf("purge printed:\n%s\nstderr:\n%s", out.String(), errOut.String())
	}
	if err := purgeCommand(cliCtx(t), []string{"--dry-run"}, &out, &errOut); err == nil {
		t.Error("purge without --config succeeded")
	}
}

func TestTrashCommands(t *testing.T) {
	_, config := cliDB(t)
	run := func(stdin string, args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		err := trashCommand(cliCtx(t), append(args, "--config", config), strings.NewReader(stdin), &out, &errOut)
		return out.String(), errOut.String(), err
	}
	out, _, err := run("", "stats")
	if err != nil || !strings.Contains(out, "public.contacts") || !strings.Contains(out, "7") {
		t.Fatalf("stats: %v\n%s", err, out)
	}
	out, _, err = run("", "list", "contacts", "--older-than", "20d", "--format", "json")
	var rows []purger.TrashedRow
	if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 4 {
		t.Fatalf("list: %v\n%s", err, out)
	}
	out, stderr, err := run("", "restore", "contacts", "--id", "4", "--actor", "alice")
	if err != nil || !strings.Contains(out, "restored 1 rows") || !strings.Contains(stderr, `"actor":"alice"`) {
		t.Fatalf("restore: %v\n%s\n%s", err, out, stderr)
	}
	if out, _, err = run("", "forget", "contacts", "--where", "id = 5"); err != nil || !strings.Contains(out, "deleted forever 1 rows") {
		t.Fatalf("forget: %v\n%s", err, out)
	}
	if _, _, err = run("", "forget", "contacts", "--where", "true) OR (true"); err == nil {
		t.Fatal("forget accepted a where clause leaving its parentheses")
	}
	if _, _, err = run("no\n", "empty", "deals"); err == nil {
		t.Fatal("empty went on without confirmation")
	}
	if out, _, err = run("yes\n", "empty", "deals"); err != nil || !strings.Contains(out, "deleted forever 1 rows") {
		t.Fatalf("empty (held deal 1 kept): %v\n%s", err, out)
	}
	if _, _, err = run("", "bogus"); err == nil {
		t.Fatal("unknown subcommand accepted")
	}
	if _, _, err = run("", "list"); err == nil {
		t.Fatal("list without a table accepted")
	}
}

// TestTrashForgetNeedsThePurgeRole: with the guard installed, forget and
// empty as a user outside the purge and hard_delete roles (here the
// superuser) fail, and the error says which role to grant.
func TestTrashForgetNeedsThePurgeRole(t *testing.T) {
	url, config := cliDB(t)
	if code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", url, "--apply"); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	for _, args := range [][]string{{"forget", "contacts", "--id", "7"}, {"empty", "contacts", "--yes"}} {
		var out, errOut bytes.Buffer
		err := trashCommand(cliCtx(t), append(args, "--config", config), strings.NewReader(""), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "42501") || !strings.Contains(err.Error(), "run it as a member of role sdtest_purge_") {
			t.Errorf("trash %s as a non-member: %v", args[0], err)
		}
	}
}
