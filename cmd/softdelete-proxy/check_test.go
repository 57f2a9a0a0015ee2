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
)

// schemaDB makes a database whose contacts table lacks the policy's
// deleted_by column and has a plain unique constraint, and a config file
// naming contacts (with purge.database_urls pointing at it when
// withURL).
func schemaDB(t *testing.T, withURL bool) (url, config string) {
	t.Helper()
	_, url = pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, `CREATE TABLE contacts (id bigint PRIMARY KEY, email text UNIQUE, deleted_at timestamptz)`)
	purge := pgtest.Get(t).RoleName(t, "purge") // migrate creates it; roles are cluster-wide
	yaml := "roles:\n  purge: " + purge + "\ntables:\n  public.contacts: { deleted_by_column: deleted_by }\naudit:\n  table: softdelete.audit\n"
	if withURL {
		yaml += "purge:\n  database_urls: [ \"" + url + "\" ]\n"
	}
	config = filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	return url, config
}

// runCLI runs the command line and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	code = run(ctx, args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCheckCommandExitCodes(t *testing.T) {
	url, config := schemaDB(t, false)
	code, out, errOut := runCLI(t, "check", "--config", config, "--database-url", url)
	if code != 1 || !strings.Contains(out, "ERROR [column_missing] 1 finding in public.contacts") ||
		!strings.Contains(out, "ERROR [object_missing]") || !strings.Contains(out, "check --verbose") {
		t.Fatalf("check with errors, by cause: exit %d\n%s\nstderr: %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "check", "--config", config, "--database-url", url, "--verbose")
	if code != 1 || !strings.Contains(out, "ERROR [column_missing] deleted_by") ||
		!strings.Contains(out, "ERROR [audit_table_missing]") || !strings.Contains(out, "ERROR [object_missing] trigger softdelete_guard on public.contacts") ||
		!strings.Contains(errOut, " error(s) in database") {
		t.Fatalf("check with errors: exit %d\n%s\nstderr: %s", code, out, errOut)
	}
	if code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", url, "--apply"); code != 0 {
		t.Fatalf("migrate --apply: exit %d\n%s\nstderr: %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, "check", "--config", config, "--database-url", url, "--format", "json")
	var r schema.Report
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Errors != 0 {
		t.Fatalf("check after migrate: exit %d\n%s\nstderr: %s", code, out, errOut)
	}
	// what is left says who can turn the guard off: the tables' owner and
	// the superusers (the test runs as one)
	code, out, _ = runCLI(t, "check", "--config", config, "--database-url", url, "--format", "json")
	r = schema.Report{}
	if code != 0 || json.Unmarshal([]byte(out), &r) != nil || r.Errors != 0 {
		t.Fatalf("clean check: exit %d\n%s", code, out)
	}
	for _, f := range r.Findings {
		if f.Kind != schema.KindTableOwner && f.Kind != schema.KindSuperuserLogin {
			t.Errorf("left after migrate: %+v", f)
		}
	}
	// a guard turned off fails check
	pgtest.Exec(t, url, "ALTER TABLE contacts DISABLE TRIGGER softdelete_guard")
	code, out, errOut = runCLI(t, "check", "--config", config, "--database-url", url)
	if code != 1 || !strings.Contains(out, "ERROR [object_stale] 1 finding in public.contacts") ||
		!strings.Contains(out, "trigger softdelete_guard on public.contacts is stale") {
		t.Fatalf("check with the guard disabled: exit %d\n%s%s", code, out, errOut)
	}
}

func TestCheckCommandDatabaseURL(t *testing.T) {
	url, config := schemaDB(t, true)
	// the first of purge.database_urls
	if code, out, errOut := runCLI(t, "check", "--config", config); code != 1 || !strings.Contains(out, "column_missing") {
		t.Fatalf("from purge.database_urls: exit %d\n%s%s", code, out, errOut)
	}
	// $DATABASE_URL comes before the config: a wrong one proves it is used
	t.Setenv("DATABASE_URL", url+"_nonexistent")
	if code, _, errOut := runCLI(t, "check", "--config", config); code != 1 || !strings.Contains(errOut, "connecting to the database") {
		t.Fatalf("from $DATABASE_URL: exit %d, %s", code, errOut)
	}
	// --database-url comes first
	if code, out, _ := runCLI(t, "check", "--config", config, "--database-url", url); code != 1 || !strings.Contains(out, "column_missing") {
		t.Fatalf("--database-url: exit %d\n%s", code, out)
	}
}

func TestCheckCommandUsage(t *testing.T) {
	cases := map[string][]string{
		"no config":      {"check"},
		"bad format":     {"check", "--config", "x.yaml", "--format", "xml"},
		"stray argument": {"check", "--config", "x.yaml", "extra"},
		"migrate flag":   {"migrate", "--config", "x.yaml", "--aply"},
	}
	for name, args := range cases {
		if code, _, errOut := runCLI(t, args...); code != 2 || errOut == "" {
			t.Errorf("%s: exit %d, stderr %q; want 2 and a usage message", name, code, errOut)
		}
	}
	for _, cmd := range []string{"check", "migrate"} {
		if code, _, errOut := runCLI(t, "help", cmd); code != 0 || !strings.Contains(errOut, "Usage: softdelete-proxy "+cmd) {
			t.Errorf("help %s: exit %d\n%s", cmd, code, errOut)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("tables:\n  contacts: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCLI(t, "check", "--config", bad, "--database-url", "postgres://nowhere"); code != 1 ||
		!strings.Contains(errOut, "bad.yaml:2") {
		t.Errorf("invalid config: exit %d, %s", code, errOut)
	}
}
