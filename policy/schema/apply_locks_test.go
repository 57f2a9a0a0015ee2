package schema

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// A migration too large for the server's lock table in one transaction
// runs in transactions sized to it, and leaves nothing to do; with
// SingleTransaction it fails whole, with PostgreSQL's 53200 and a hint that
// says what to change.
func TestApplyFitsTheLockTable(t *testing.T) {
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{Settings: map[string]string{
		"max_connections": "10", "max_locks_per_transaction": "10", "max_prepared_transactions": "0"}})
	const tables = 120
	var ddl []string // one transaction each: together they would fill the lock table too
	cfg := policy.Default()
	for i := 1; i <= tables; i++ {
		ddl = append(ddl, fmt.Sprintf("CREATE TABLE t%d (id int PRIMARY KEY, code text UNIQUE, deleted_at timestamptz)", i))
		if i%2 == 0 {
			ddl = append(ddl, fmt.Sprintf("ALTER TABLE t%d ADD COLUMN parent int REFERENCES t%d ON DELETE CASCADE", i, i-1))
		}
		cfg.Managed = append(cfg.Managed, policy.Table{Schema: "public", Name: fmt.Sprintf("t%d", i), Column: "deleted_at"})
	}
	pgtest.Exec(t, c.URL, ddl...)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	plan := func(opts Options) *Migration {
		cat, err := Inspect(ctx, conn, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return Plan(cat, opts)
	}

	_, err = plan(Options{SingleTransaction: true}).Apply(ctx, conn, 10*time.Second)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "53200" {
		t.Fatalf("one transaction for %d tables with max_locks_per_transaction 10: got %v, want 53200", tables, err)
	}
	for _, want := range []string{"max_locks_per_transaction", "nothing was changed", "without --single-transaction"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	var schemas int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_namespace WHERE nspname = 'softdelete'").Scan(&schemas); err != nil {
		t.Fatal(err)
	}
	if schemas != 0 {
		t.Error("the failed migration left schema softdelete behind")
	}

	m := plan(Options{})
	if m.BatchStatements != 40 { // 10 locks × (10 connections + 3 autovacuum + 1 + 8 workers + 10 WAL senders) / 4 / 2
		t.Errorf("statements per transaction: %d, want 40", m.BatchStatements)
	}
	committed, err := m.Apply(ctx, conn, 10*time.Second)
	if err != nil {
		t.Fatalf("batched: %v", err)
	}
	if committed != len(m.Batches()) || committed < 10 {
		t.Errorf("committed %d transactions of %d", committed, len(m.Batches()))
	}
	if left := plan(Options{}); !left.Empty() {
		t.Errorf("after the batched migration, %d step(s) are left: %s", len(left.Steps), left.Script(0))
	}
}
