package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/zap/zaptest"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// servedProxy is serve running on a config file in a temp dir.
type servedProxy struct {
	t      *testing.T
	path   string
	base   string
	src    configSource
	url    string // the test database through the proxy
	direct string // the test database directly
}

// startServe runs serve with the tables (YAML lines under tables:) and
// extra top-level keys, against a fresh database made by setup.
func startServe(t *testing.T, setup []string, tables, extra string) *servedProxy {
	t.Helper()
	srv := pgtest.Get(t)
	_, dbURL := srv.CreateDatabase(t)
	pgtest.Exec(t, dbURL, setup...)
	port := pgtest.FreePort(t)
	sp := &servedProxy{t: t, path: filepath.Join(t.TempDir(), "config.yaml"), direct: dbURL,
		base: fmt.Sprintf("listen: 127.0.0.1:%d\nupstream: %s\nmetrics_listen: \"off\"\nupstream_tls: { mode: disable }\n%s", port, srv.Addr(), extra)}
	sp.write(tables)
	src, err := openConfig(sp.path, func(*policy.Config) {}, policy.NewMetrics(newRegistry()))
	if err != nil {
		t.Fatal(err)
	}
	sp.src = src
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, src, newRegistry(), zaptest.NewLogger(t)) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("proxy did not start")
		}
	}
	sp.url = strings.Replace(dbURL, srv.Addr(), addr, 1)
	return sp
}

func (sp *servedProxy) write(tables string) {
	sp.t.Helper()
	if err := os.WriteFile(sp.path, []byte(sp.base+"tables:\n"+tables), 0o600); err != nil {
		sp.t.Fatal(err)
	}
}

// reload rewrites the tables and reloads, as SIGHUP does.
func (sp *servedProxy) reload(tables string) {
	sp.t.Helper()
	sp.write(tables)
	if err := sp.src.(interface{ Reload() error }).Reload(); err != nil {
		sp.t.Fatal(err)
	}
}

// run runs sql on a new connection through the proxy, in both protocols,
// and returns the SQLSTATE of the error ("" if none) and the first column.
func (sp *servedProxy) run(sql string) (code string, rows []string) {
	sp.t.Helper()
	var codes []string
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		cfg, err := pgx.ParseConfig(sp.url)
		if err != nil {
			sp.t.Fatal(err)
		}
		cfg.DefaultQueryExecMode = mode
		conn, err := pgx.ConnectConfig(context.Background(), cfg)
		if err != nil {
			sp.t.Fatal(err)
		}
		got, err := queryColumn(conn, sql)
		conn.Close(context.Background())
		var pgErr *pgconn.PgError
		switch {
		case errors.As(err, &pgErr):
			codes = append(codes, pgErr.Code+": "+pgErr.Message)
		case err != nil:
			sp.t.Fatalf("%s: %v", sql, err)
		default:
			codes = append(codes, "")
			rows = got
		}
	}
	if codes[0] != codes[1] {
		sp.t.Fatalf("%s: simple protocol %q, extended %q", sql, codes[0], codes[1])
	}
	code, _, _ = strings.Cut(codes[0], ":")
	return code, rows
}

func queryColumn(conn *pgx.Conn, sql string) ([]string, error) {
	rs, err := conn.Query(context.Background(), sql)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rs, func(r pgx.CollectableRow) (string, error) {
		var v any
		if err := r.Scan(&v); err != nil {
			return "", err
		}
		return fmt.Sprint(v), nil
	})
}

// Without the guard the proxy refuses statements on managed tables (55000,
// naming what is missing) and lets the rest through; once migrate has run,
// a reload lets them through.
func TestUnguardedDatabaseIsRefused(t *testing.T) {
	sp := startServe(t, []string{
		"CREATE TABLE contacts (id int PRIMARY KEY, deleted_at timestamptz)",
		"INSERT INTO contacts VALUES (1, NULL), (2, now())",
		"CREATE TABLE other (id int)",
	}, "  public.contacts: {}\n", "")
	if code, _ := sp.run("SELECT id FROM contacts"); code != "55000" {
		t.Fatalf("a read of an unguarded table: %q, want 55000", code)
	}
	if code, _ := sp.run("SELECT count(*) FROM other"); code != "" {
		t.Fatalf("a table outside the policy: %q", code)
	}
	migrateDB(t, sp.direct, "tables:\n  public.contacts: {}\n")
	sp.reload("  public.contacts: {}\n")
	if code, ids := sp.run("SELECT id FROM contacts"); code != "" || strings.Join(ids, ",") != "1" {
		t.Fatalf("after migrate: %q %v, want the live row 1", code, ids)
	}
}

// require_guard: false runs without the guard.
func TestUnguardedDatabaseAllowed(t *testing.T) {
	sp := startServe(t, []string{
		"CREATE TABLE contacts (id int PRIMARY KEY, deleted_at timestamptz)",
		"INSERT INTO contacts VALUES (1, NULL), (2, now())",
	}, "  public.contacts: {}\n", "require_guard: false\n")
	if code, ids := sp.run("SELECT id FROM contacts"); code != "" || strings.Join(ids, ",") != "1" {
		t.Fatalf("%q %v, want the live row 1", code, ids)
	}
}

// Partitions and inheritance children of a managed table are managed: read
// directly, they show live rows only; an unmanaged parent of managed ones
// is refused.
func TestPartitionsAndChildrenAreManaged(t *testing.T) {
	setup := []string{
		"CREATE TABLE events (id int, at date, deleted_at timestamptz) PARTITION BY RANGE (at)",
		"CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
		"INSERT INTO events VALUES (1, '2026-03-01', NULL), (2, '2026-04-01', now())",
		"CREATE TABLE docs (id int, deleted_at timestamptz)",
		"CREATE TABLE memos () INHERITS (docs)",
		"INSERT INTO memos VALUES (3, NULL), (4, now())",
		"CREATE TABLE logs (id int, deleted_at timestamptz) PARTITION BY LIST (id)",
		"CREATE TABLE logs_1 PARTITION OF logs FOR VALUES IN (1)",
	}
	tables := "  public.events: {}\n  public.docs: {}\n  public.logs_1: {}\n"
	sp := startServe(t, setup, tables, "")
	migrateDB(t, sp.direct, "tables:\n"+tables)
	sp.reload(tables)
	for sql, want := range map[string]string{
		"SELECT id FROM events_2026": "1",
		"SELECT id FROM events":      "1",
		"SELECT id FROM memos":       "3",
		"SELECT id FROM ONLY docs":   "",
		"SELECT id FROM docs":        "3",
	} {
		if code, ids := sp.run(sql); code != "" || strings.Join(ids, ",") != want {
			t.Errorf("%s: %q %v, want [%s]", sql, code, ids, want)
		}
	}
	if code, _ := sp.run("SELECT id FROM logs"); code != "0A000" {
		t.Errorf("a read of an unmanaged parent of a managed partition: %q, want 0A000", code)
	}
	if code, _ := sp.run("DELETE FROM memos WHERE id = 3"); code != "" {
		t.Fatalf("delete from a child: %q", code)
	}
	var deleted *time.Time
	conn, err := pgx.Connect(context.Background(), sp.direct)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), "SELECT deleted_at FROM memos WHERE id = 3").Scan(&deleted); err != nil || deleted == nil {
		t.Fatalf("the child's row must be trashed, not deleted: %v %v", deleted, err)
	}
}

// A foreign key added through the proxy after migrate ran makes the guard
// stale (its objects do not follow it yet): the proxy refuses the tables
// it links, at once, until migrate has run again, and only those, schema
// statements that run nothing aside; then a delete cascades as the new
// key says.
func TestForeignKeyAddedAfterMigrate(t *testing.T) {
	tables := "  public.contacts: {}\n  public.notes: {}\n  public.tags: {}\n"
	sp := startServe(t, []string{
		"CREATE TABLE tags (id int PRIMARY KEY, deleted_at timestamptz)",
		"INSERT INTO tags VALUES (7, NULL)",
		"CREATE TABLE contacts (id int PRIMARY KEY, deleted_at timestamptz)",
		"CREATE TABLE notes (id int PRIMARY KEY, contact_id int, deleted_at timestamptz)",
		"INSERT INTO contacts VALUES (1, NULL), (2, NULL)",
		"INSERT INTO notes VALUES (10, 1, NULL), (20, 2, NULL)",
	}, tables, "")
	migrateDB(t, sp.direct, "tables:\n"+tables)
	sp.reload(tables)
	if code, _ := sp.run("SELECT id FROM notes"); code != "" {
		t.Fatalf("after migrate: %q", code)
	}
	conn, err := pgx.Connect(context.Background(), sp.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), "ALTER TABLE notes ADD FOREIGN KEY (contact_id) REFERENCES contacts ON DELETE CASCADE"); err != nil {
		t.Fatal(err)
	}
	_, err = conn.Exec(context.Background(), "DELETE FROM contacts WHERE id = 1")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55000" || !strings.Contains(pgErr.Message, "changed since migrate last ran") {
		t.Fatalf("a delete before migrate follows the new key: %v, want 55000 saying the keys changed", err)
	}
	// the schema statements of a migration still run (they move no row)
	for _, ddl := range []string{"CREATE INDEX ON notes (contact_id)", "ALTER TABLE notes ADD COLUMN extra int DEFAULT 0",
		"ALTER TABLE notes ALTER COLUMN extra DROP DEFAULT"} {
		if _, err := conn.Exec(context.Background(), ddl); err != nil {
			t.Fatalf("%s while the guard is stale: %v", ddl, err)
		}
	}
	for _, sql := range []string{"ALTER TABLE notes ADD COLUMN later int DEFAULT pg_backend_pid()", "CREATE INDEX ON notes (id); SELECT id FROM notes"} {
		if _, err := conn.Exec(context.Background(), sql); err == nil || !strings.Contains(err.Error(), "55000") {
			t.Fatalf("%s while the guard is stale: %v, want 55000", sql, err)
		}
	}
	if strings.Contains(pgErr.Message, "public.tags") {
		t.Errorf("the refusal names a table whose guard is current: %s", pgErr.Message)
	}
	if code, ids := sp.run("SELECT id FROM tags"); code != "" || strings.Join(ids, ",") != "7" {
		t.Fatalf("a table the new key does not touch: %q %v, want it served", code, ids)
	}
	migrateDB(t, sp.direct, "tables:\n"+tables)
	sp.reload(tables)
	if code, _ := sp.run("DELETE FROM contacts WHERE id = 1"); code != "" {
		t.Fatalf("after migrate: %q", code)
	}
	if code, ids := sp.run("SELECT id FROM notes"); code != "" || strings.Join(ids, ",") != "20" {
		t.Fatalf("the note of contact 1 must be trashed with it: %q %v", code, ids)
	}
}
