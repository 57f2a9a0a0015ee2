package schema

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./policy/schema -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// fixture is a fresh database holding testdata/<name>.sql, with the policy
// of testdata/<name>.yaml.
type fixture struct {
	t    *testing.T
	url  string
	db   string
	cfg  *policy.Config
	conn *pgx.Conn
}

func newFixture(t *testing.T, name string) *fixture {
	t.Helper()
	cfg, err := policy.Load(filepath.Join("testdata", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Roles.Purge = pgtest.Get(t).RoleName(t, "purger") // roles are cluster-wide
	return newFixtureConfig(t, name, cfg)
}

// newFixtureConfig is a fresh database holding testdata/<name>.sql, with
// the policy cfg.
func newFixtureConfig(t *testing.T, name string, cfg *policy.Config) *fixture {
	t.Helper()
	db, url := pgtest.Get(t).CreateDatabase(t)
	sql, err := os.ReadFile(filepath.Join("testdata", name+".sql"))
	if err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, url, string(sql))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return &fixture{t: t, url: url, db: db, cfg: cfg, conn: conn}
}

func (f *fixture) inspect() *Catalog {
	f.t.Helper()
	c, err := Inspect(context.Background(), f.conn, f.cfg)
	if err != nil {
		f.t.Fatalf("Inspect: %v", err)
	}
	// The server's superusers are the test machine's: golden files see
	// the one that runs the tests, as postgres.
	c.SuperLogins = []string{"postgres"}
	if me := f.conn.Config().User; me != "postgres" {
		for _, t := range c.Tables {
			if t.Owner == c.Q(me) {
				t.Owner = "postgres"
			}
		}
	}
	return c
}

// anon replaces the random database and purge role names for golden
// files, and the version fingerprints (which the role name changes).
func (f *fixture) anon(s string) string {
	s = strings.NewReplacer(f.db, "app", f.cfg.Roles.Purge, policy.DefaultPurgeRole).Replace(s)
	return fingerprints.ReplaceAllString(s, "${1}<fingerprint>")
}

var fingerprints = regexp.MustCompile(`(softdelete-proxy |version |needs )[0-9a-f]{12}\b`)

func (f *fixture) report(format string) (*Report, string) {
	f.t.Helper()
	r := Check(f.inspect())
	var b bytes.Buffer
	if err := WriteReport(&b, r, format); err != nil {
		f.t.Fatal(err)
	}
	return r, f.anon(b.String())
}

func (f *fixture) exec(sql string, args ...any) error {
	_, err := f.conn.Exec(context.Background(), sql, args...)
	return err
}

func (f *fixture) mustExec(sql string, args ...any) {
	f.t.Helper()
	if err := f.exec(sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func TestAuditTableDDL(t *testing.T) {
	golden(t, "audit_ddl.sql", AuditTableDDL("softdelete.audit"))
}
