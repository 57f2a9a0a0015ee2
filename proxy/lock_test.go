package proxy

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// migrateYAML applies migrate for the policy yaml to dbURL, with a purge
// role of the test's own.
func migrateYAML(t *testing.T, dbURL, yaml string) {
	t.Helper()
	purge := pgtest.Get(t).RoleName(t, "purge")
	cfg, err := policy.Parse("policy.yaml", []byte("roles: {purge: "+purge+"}\n"+yaml))
	if err != nil {
		t.Fatal(err)
	}
	migrateConfig(t, dbURL, cfg)
}

// migrateConfig applies migrate for cfg to dbURL.
func migrateConfig(t *testing.T, dbURL string, cfg *policy.Config) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	direct := connect(t, dbURL)
	cat, err := schema.Inspect(ctx, direct, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Plan(cat, schema.Options{}).Apply(ctx, direct, 10*time.Second); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

// Through the proxy, a DELETE (rewritten to an UPDATE) that reaches a
// locked row fails whole with 55006, whatever form it takes; unlocked rows
// are trashed as before.
func TestLockThroughProxy(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, dbURL,
		"CREATE TABLE t (id int PRIMARY KEY, locked boolean NOT NULL DEFAULT false, deleted_at timestamptz)",
		"INSERT INTO t SELECT g, g = 3 FROM generate_series(1, 6) g")
	migrateYAML(t, dbURL, "tables:\n  public.t: { lock_column: locked }\n")
	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t"}}})})
	conn := connect(t, p.URL(t, dbURL))
	ctx := context.Background()
	for _, sql := range []string{
		"DELETE FROM t WHERE id = 3",
		"DELETE FROM t WHERE id BETWEEN 2 AND 4",
		"DELETE FROM t WHERE id = 3 RETURNING id",
		"WITH d AS (DELETE FROM t WHERE id > 1 RETURNING id) SELECT count(*) FROM d",
		"DELETE FROM t",
	} {
		t.Run(sql, func(t *testing.T) {
			rows, err := conn.Query(ctx, sql)
			if err == nil {
				rows.Close()
				err = rows.Err()
			}
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "55006" || !strings.Contains(pgErr.Message, "public.t") ||
				!strings.Contains(pgErr.Message, "key (id)=(3)") {
				t.Fatalf("want 55006 naming public.t and key (id)=(3), got %v", err)
			}
		})
	}
	if _, err := conn.Exec(ctx, "DELETE FROM t WHERE id IN (1, 2)", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatalf("unlocked rows: %v", err)
	}
	var live int
	if err := connect(t, dbURL).QueryRow(ctx, "SELECT count(*) FROM t WHERE deleted_at IS NULL").Scan(&live); err != nil || live != 4 {
		t.Fatalf("live rows: %d (%v), want 4", live, err)
	}
}

// A DELETE through the proxy is one audit row of its table with the keys,
// the actor and the reason the session set.
func TestAuditThroughProxy(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, dbURL, "CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz, deleted_by text)",
		"INSERT INTO t SELECT generate_series(1, 6)")
	migrateYAML(t, dbURL, "audit: {table: softdelete.audit}\ntables:\n  public.t: { deleted_by_column: deleted_by }\n")
	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t", DeletedByColumn: "deleted_by"}}})})
	conn := connect(t, p.URL(t, dbURL))
	ctx := context.Background()
	for _, sql := range []string{"SET softdelete.actor = 'app:bob'", "SET softdelete.reason = 'duplicate'", "DELETE FROM t WHERE id IN (2, 5)"} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	var got string
	err := connect(t, dbURL).QueryRow(ctx, "SELECT string_agg(action || ' ' || table_name || ' ' || keys::text || ' ' || actor || ' ' || reason, '; ') FROM softdelete.audit").Scan(&got)
	if err != nil || got != "delete public.t [2, 5] app:bob duplicate" {
		t.Fatalf("audit: %q %v", got, err)
	}
}

// Purge dates through the proxy: a DELETE fills the row's date (retention
// 30 days), a DBA moves it with an UPDATE in the trash view, a restore
// there clears it.
func TestPurgeDateThroughProxy(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, dbURL, "CREATE TABLE t (id int PRIMARY KEY, purge_at timestamptz, deleted_at timestamptz)",
		"INSERT INTO t SELECT generate_series(1, 3)")
	migrateYAML(t, dbURL, "tables:\n  public.t: { purge_at_column: purge_at, retention: 30d }\n")
	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t"}}})})
	conn := connect(t, p.URL(t, dbURL))
	direct := connect(t, dbURL)
	ctx := context.Background()
	days := func(id int) (d *float64) {
		if err := direct.QueryRow(ctx, "SELECT extract(epoch FROM purge_at - deleted_at) / 86400 FROM t WHERE id = $1", id).Scan(&d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, sql := range []string{"DELETE FROM t WHERE id IN (1, 2)", "SET softdelete.visibility = 'deleted'",
		"UPDATE t SET purge_at = deleted_at + interval '1 year' WHERE id = 2"} {
		if _, err := conn.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if d1, d2 := days(1), days(2); d1 == nil || *d1 != 30 || d2 == nil || *d2 < 364 {
		t.Fatalf("purge dates: %v %v, want 30 and a year", d1, d2)
	}
	if _, err := conn.Exec(ctx, "UPDATE t SET deleted_at = NULL WHERE id = 2", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	if d := days(2); d != nil {
		t.Fatalf("restored row keeps a purge date: %v", *d)
	}
}
