package proxy

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// pgx's own test suite (its root package and pgconn: batches, pipelines,
// prepared statements, COPY, cancellation, 65,536-parameter statements,
// timeouts between Parse and Describe …) passes through the proxy as it
// passes directly. The suite is the one of the pgx version this module
// uses, copied out of the module cache and run against a database with
// the setup its testsetup/postgresql_setup.sql asks for (the parts that
// need no extra users).
func TestPgxOwnSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: pgx's own suite takes about a minute")
	}
	src := goList(t, "-m", "-f", "{{.Dir}}", "github.com/jackc/pgx/v5")
	dir := filepath.Join(t.TempDir(), "pgx")
	if out, err := exec.Command("cp", "-r", src, dir).CombinedOutput(); err != nil {
		t.Fatalf("copying pgx's sources: %v\n%s", err, out)
	}
	if out, err := exec.Command("chmod", "-R", "u+w", dir).CombinedOutput(); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	_, db := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, db, "CREATE EXTENSION hstore", "CREATE EXTENSION ltree", "CREATE DOMAIN uint64 AS numeric(20,0)")
	p := startProxy(t, Config{Logger: zap.NewNop()}) // the suite opens thousands of sessions
	through := p.URL(t, db)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-count=1", ".", "./pgconn")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "PGX_TEST_DATABASE="+through, "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgx's suite through the proxy failed: %v\n%s", err, failures(string(out)))
	}
	if strings.Count(string(out), "\nok ") < 1 || !strings.Contains(string(out), "pgconn") {
		t.Fatalf("pgx's suite did not run: %s", out)
	}
}

func goList(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("go", append([]string{"list"}, args...)...).Output()
	if err != nil {
		t.Fatalf("go list %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

// failures keeps the lines that say what failed.
func failures(out string) string {
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "--- FAIL") || strings.HasPrefix(l, "FAIL") || strings.Contains(l, "_test.go:") || strings.HasPrefix(l, "panic") {
			keep = append(keep, l)
		}
	}
	if len(keep) > 200 {
		keep = keep[:200]
	}
	return strings.Join(keep, "\n")
}
