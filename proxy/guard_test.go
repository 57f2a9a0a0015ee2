package proxy

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// With the guard migrate installs, a plain DELETE is refused, a DELETE
// through the proxy soft-deletes, and a delete forever in the trash view by
// a hard_delete member (DELETE or MERGE … THEN DELETE) passes the guard
// because the session user is a member of that role.
func TestGuardLetsHardDeleteMembersThrough(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, dbURL,
		"CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz)",
		"INSERT INTO t SELECT g FROM generate_series(1, 4) g")
	purge := pgtest.Get(t).RoleName(t, "purge") // migrate creates it; roles are cluster-wide
	cfg, err := policy.Parse("guard.yaml", []byte("roles: {hard_delete: [postgres], purge: "+purge+"}\ntables:\n  public.t: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	direct := connect(t, dbURL)
	cat, err := schema.Inspect(ctx, direct, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Plan(cat, schema.Options{Guard: true}).Apply(ctx, direct, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	var pgErr *pgconn.PgError
	if _, err := direct.Exec(ctx, "DELETE FROM t WHERE id = 1"); !errors.As(err, &pgErr) || pgErr.Code != "42501" {
		t.Fatalf("plain DELETE with the guard: %v, want 42501", err)
	}

	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t"}}, HardDelete: []string{"postgres"}})})
	conn := connect(t, p.URL(t, dbURL))
	for _, step := range []struct{ sql, tag string }{
		{"DELETE FROM t WHERE id <= 2", "DELETE 2"},
		{"SET softdelete.visibility = 'deleted'", "SET"},
		{"DELETE FROM t WHERE id = 1", "DELETE 1"},
		{"DELETE FROM t WHERE id = 3", "DELETE 0"}, // live: not in the trash view
		{"RESET softdelete.visibility", "RESET"},
		{"DELETE FROM t WHERE id = 3", "DELETE 1"},
		{"SET softdelete.visibility = 'deleted'", "SET"},
		{"MERGE INTO t USING (VALUES (3)) s(id) ON s.id = t.id WHEN MATCHED THEN DELETE", "MERGE 1"},
	} {
		tag, err := conn.Exec(ctx, step.sql)
		if err != nil || tag.String() != step.tag {
			t.Fatalf("%s: %v %v, want %s", step.sql, tag, err, step.tag)
		}
	}
	var left, trashed int
	if err := direct.QueryRow(ctx, "SELECT count(*), count(deleted_at) FROM t").Scan(&left, &trashed); err != nil {
		t.Fatal(err)
	}
	if left != 2 || trashed != 1 {
		t.Fatalf("rows left %d (trashed %d), want 2 (1): ids 1 and 3 deleted forever, id 2 in the trash", left, trashed)
	}
}
