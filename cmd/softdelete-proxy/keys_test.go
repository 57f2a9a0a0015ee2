package main

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestKeysThroughTheProxy: delete then recreate, as an ORM does, through
// the proxy: the DELETE trashes the row and the INSERT of the same keys
// evicts it; the sequence reset from the live rows works too.
func TestKeysThroughTheProxy(t *testing.T) {
	roles := "roles:\n  purge: " + pgtest.Get(t).RoleName(t, "purge") + "\n"
	tables := "  \"public.*\": {}\n"
	sp := startServe(t, []string{
		"CREATE TABLE author (id serial PRIMARY KEY, email text UNIQUE, deleted_at timestamptz)",
		"CREATE TABLE book (id serial PRIMARY KEY, author_id int REFERENCES author ON DELETE CASCADE, title text, deleted_at timestamptz)",
	}, tables, roles)
	migrateDB(t, sp.direct, roles+"tables:\n  public.author: {}\n  public.book: {}\n")
	sp.reload(tables)
	conn, err := pgx.Connect(context.Background(), sp.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, sql := range []string{
		"INSERT INTO author (id, email) VALUES (1, 'a@x')",
		"INSERT INTO book (id, author_id, title) VALUES (1, 1, 't')",
		"UPDATE book SET deleted_at = now()",
		"DELETE FROM author WHERE id = 1",
		"INSERT INTO author (id, email) VALUES (1, 'a@x')",
		"INSERT INTO book (id, author_id, title) VALUES (1, 1, 'again')",
		`SELECT setval(pg_get_serial_sequence('"author"','id'), coalesce(max("id"), 1), max("id") IS NOT null) FROM "author"`,
		"INSERT INTO author (email) VALUES ('b@x')",
	} {
		if _, err := conn.Exec(context.Background(), sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if code, rows := sp.run("SELECT title FROM book"); code != "" || strings.Join(rows, ",") != "again" {
		t.Fatalf("books: %q %v", code, rows)
	}
	if code, rows := sp.run("SELECT email FROM author ORDER BY id"); code != "" || strings.Join(rows, ",") != "a@x,b@x" {
		t.Fatalf("authors: %q %v", code, rows)
	}
}
