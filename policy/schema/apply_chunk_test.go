package schema

import (
	"context"
	"strings"
	"testing"
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
	err := m.Apply(context.Background(), f.conn, 0)
	if err == nil || !strings.Contains(err.Error(), "in: ALTER TABLE chunk_missing") || !strings.Contains(err.Error(), "42P01") {
		t.Fatalf("want the failing statement named, got %v", err)
	}
	var n int
	if err := f.conn.QueryRow(context.Background(), "SELECT count(*) FROM pg_class WHERE relname LIKE 'chunk\\_%'").Scan(&n); err != nil || n != 0 {
		t.Fatalf("tables left: %d, %v", n, err)
	}
}
