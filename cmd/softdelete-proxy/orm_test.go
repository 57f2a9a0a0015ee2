package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestORMWorkloads runs a Django, a SQLAlchemy and a Rails (ActiveRecord)
// workload (testdata/orm) straight on PostgreSQL and through the proxy with
// every table under the policy (one pattern): foreign keys, unique fields,
// fixtures and sequence resets, delete then recreate, bulk operations,
// upserts, row locks, transactions and savepoints. Both must print the same.
// Debian's python3-django, python3-sqlalchemy, python3-psycopg2 and
// ruby-activerecord (.ci/run installs them); without them the test fails
// under CI and skips elsewhere.
func TestORMWorkloads(t *testing.T) {
	for _, w := range []struct {
		name, script, soft string
		find               func(*testing.T) string
	}{
		// the deletes were soft, and the keys they freed were taken by evicting
		{"django", "django_workload.py", "SELECT (SELECT count(*) FROM shop_book WHERE deleted_at IS NOT NULL) > 0 " +
			"AND (SELECT count(*) FROM softdelete.evicted) > 0", pythonWith("django", "psycopg2")},
		// a customer recreated evicted the trashed one and its trashed orders
		{"sqlalchemy", "sqlalchemy_workload.py", "SELECT count(*) FILTER (WHERE table_name = 'public.customer') > 0 " +
			"AND count(*) FILTER (WHERE table_name = 'public.orders' AND reason = 'it referenced an evicted row') > 0 FROM softdelete.evicted",
			pythonWith("sqlalchemy", "psycopg2")},
		// a trashed book and tagging remain; authors recreated with their ids
		// and the publisher recreated with its code (a unique key a foreign
		// key references) evicted the trashed ones
		{"rails", "rails_workload.rb", "SELECT (SELECT count(*) FROM books WHERE deleted_at IS NOT NULL) > 0 " +
			"AND (SELECT count(*) FROM taggings WHERE deleted_at IS NOT NULL) > 0 " +
			"AND (SELECT count(*) FILTER (WHERE key_name = 'primary key authors_pkey (id)') > 0 " +
			"AND count(*) FILTER (WHERE key_name = 'unique index index_publishers_on_code (code)') > 0 FROM softdelete.evicted)", findActiveRecord},
	} {
		t.Run(w.name, func(t *testing.T) {
			interpreter := w.find(t)
			_, ref := pgtest.Get(t).CreateDatabase(t)
			runWorkload(t, interpreter, w.script, "schema", ref)
			want := runWorkload(t, interpreter, w.script, "workload", ref)

			roles := "roles:\n  purge: " + pgtest.Get(t).RoleName(t, "purge") + "\n"
			tables := "  \"public.*\": {}\n"
			sp := startServe(t, nil, tables, roles)
			runWorkload(t, interpreter, w.script, "schema", sp.direct)
			config := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(config, []byte(roles+"tables:\n"+tables), 0o600); err != nil {
				t.Fatal(err)
			}
			if code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", sp.direct, "--apply"); code != 0 {
				t.Fatalf("migrate --apply: exit %d\n%s%s", code, out, errOut)
			}
			sp.reload(tables)
			if got := runWorkload(t, interpreter, w.script, "workload", sp.url); got != want {
				t.Errorf("through the proxy:\n%s\nstraight on PostgreSQL:\n%s", got, want)
			}
			requireTrue(t, sp.direct, w.soft)
		})
	}
}

// requireTrue fails unless query returns true.
func requireTrue(t *testing.T, url, query string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var ok bool
	if err := conn.QueryRow(context.Background(), query).Scan(&ok); err != nil || !ok {
		t.Fatalf("%s: %v, %v", query, ok, err)
	}
}

// pythonWith returns a finder for a python3 that imports modules.
func pythonWith(modules ...string) func(*testing.T) string {
	return func(t *testing.T) string { return findPython(t, modules...) }
}

// findPython returns a python3 that imports modules, or fails (CI) or
// skips the test.
func findPython(t *testing.T, modules ...string) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import "+strings.Join(modules, ", ")).Run() == nil {
			return p
		}
	}
	missingTool(t, "python3 with "+strings.Join(modules, ", "), "apt-get install python3-django python3-sqlalchemy python3-psycopg2")
	return ""
}

// findActiveRecord returns a ruby that requires active_record and pg, or
// fails (CI) or skips the test.
func findActiveRecord(t *testing.T) string {
	t.Helper()
	for _, r := range []string{"/usr/bin/ruby", "ruby"} {
		if exec.Command(r, "-e", `require "active_record"; require "pg"`).Run() == nil {
			return r
		}
	}
	missingTool(t, "ruby with active_record and pg", "apt-get install ruby-activerecord ruby-pg")
	return ""
}

// missingTool fails the test under CI and skips it elsewhere.
func missingTool(t *testing.T, what, install string) {
	t.Helper()
	msg := what + " is not available: " + install + " (.ci/run installs them)"
	switch os.Getenv("CI") {
	case "", "0", "false":
		t.Skip(msg + "; under CI=true this fails instead of skipping")
	}
	t.Fatal(msg)
}

// runWorkload runs interpreter testdata/orm/<script> <step> on the database at url and
// returns what it printed, failing unless it ends with "done" (workload)
// and says nothing on stderr.
func runWorkload(t *testing.T, interpreter, script, step, url string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, interpreter, filepath.Join("testdata", "orm", script), step)
	cmd.Env = append(os.Environ(), "SD_DB_NAME="+cfg.Database, "SD_DB_HOST="+cfg.Host,
		"SD_DB_PORT="+strconv.Itoa(int(cfg.Port)), "SD_DB_USER="+cfg.User, "PYTHONDONTWRITEBYTECODE=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 || (step == "workload" && !strings.HasSuffix(stdout.String(), "\ndone\n")) {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", script, step, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}
