package schema

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestApplyNamesTheFailingStatement: statements go in chunks, and an error
// still names the statement that failed, and nothing stays.
func TestApplyNamesTheFailingStatement(t *testing.T) {
	f := newFixture(t, "keys")
	m := &Migration{}
	for i := 0; i < applyChunk+3; i++ {
		m.add("", "", "CREATE TABLE IF NOT EXISTS chunk_ok (id int);")
	}
	m.add("", "", "ALTER TABLE chunk_missing ADD COLUMN x int;")
	m.add("", "", "CREATE TABLE chunk_after (id int);")
	_, err := m.Apply(context.Background(), f.conn, 0)
	if err == nil || !strings.Contains(err.Error(), "in: ALTER TABLE chunk_missing") || !strings.Contains(err.Error(), "42P01") {
		t.Fatalf("want the failing statement named, got %v", err)
	}
	var n int
	if err := f.conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_class WHERE relname LIKE 'chunk\\_%'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("tables left: %d, %v", n, err)
	}
}

// TestApplyStopsAtTheFailingBatch: the batches before the failing one stay
// committed, and the error says so.
func TestApplyStopsAtTheFailingBatch(t *testing.T) {
	f := newFixture(t, "keys")
	m := &Migration{BatchStatements: 2}
	m.add("", "", "CREATE TABLE batch_one (id int);", "CREATE TABLE batch_two (id int);")
	m.add("", "", "ALTER TABLE batch_missing ADD COLUMN x int;")
	m.add("", "", "CREATE TABLE batch_after (id int);")
	committed, err := m.Apply(context.Background(), f.conn, 0)
	if err == nil || committed != 1 || !strings.Contains(err.Error(), "transaction 2 of 2 was rolled back; the 1 before it are committed") {
		t.Fatalf("committed %d, err %v", committed, err)
	}
	var got []string
	rows, err := f.conn.Query(context.Background(), "SELECT relname::text FROM pg_class WHERE relname LIKE 'batch\\_%' ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	got, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || strings.Join(got, ",") != "batch_one,batch_two" {
		t.Fatalf("tables: %v, %v", got, err)
	}
}
