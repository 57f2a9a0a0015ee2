package rewrite

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// upsertSchema has plain (non-partial) unique constraints and an index: a
// trashed row keeps holding its key in them.
const upsertSchema = `
CREATE TABLE accounts (
    id bigint CONSTRAINT accounts_pkey PRIMARY KEY,
    email text CONSTRAINT accounts_email_key UNIQUE,
    handle text,
    name text,
    deleted_at timestamptz);
CREATE UNIQUE INDEX accounts_handle_idx ON accounts (lower(handle));
INSERT INTO accounts VALUES
    (1, 'live@x', 'Live', 'live', NULL),
    (2, 'gone@x', 'Gone', 'trashed', '2020-01-02 03:04:05+00');`

// ON CONFLICT … DO UPDATE never reaches a trashed row, whichever way the
// arbiter is named, while it still updates a live one.
func TestUpsertNeverTouchesTrashedRow(t *testing.T) {
	_, url := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, upsertSchema)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	pc := conn.PgConn()
	p := NewPolicy(1, []Table{{Schema: "public", Name: "accounts", Column: "deleted_at"}})
	const trashedRow = `SELECT row_to_json(a)::text FROM accounts a WHERE id = 2`
	const liveRow = `SELECT name FROM accounts WHERE id = 1`
	for _, c := range []struct{ name, sql, live string }{
		{"columns", `INSERT INTO accounts (id, email, name) VALUES (3, 'gone@x', 'new') ON CONFLICT (email) DO UPDATE SET name = excluded.name, deleted_at = NULL`, ""},
		{"constraint", `INSERT INTO accounts (id, email, name) VALUES (3, 'gone@x', 'new') ON CONFLICT ON CONSTRAINT accounts_email_key DO UPDATE SET name = excluded.name, deleted_at = NULL`, ""},
		{"primary key constraint", `INSERT INTO accounts (id, email, name) VALUES (2, 'new@x', 'new') ON CONFLICT ON CONSTRAINT accounts_pkey DO UPDATE SET name = excluded.name`, ""},
		{"primary key columns", `INSERT INTO accounts (id, email, name) VALUES (2, 'new@x', 'new') ON CONFLICT (id) DO UPDATE SET name = excluded.name`, ""},
		{"expression index", `INSERT INTO accounts (id, handle, name) VALUES (3, 'GONE', 'new') ON CONFLICT ((lower(handle))) DO UPDATE SET name = excluded.name`, ""},
		{"alias and own WHERE", `INSERT INTO accounts AS a (id, email, name) VALUES (3, 'gone@x', 'new') ON CONFLICT (email) DO UPDATE SET name = 'x' WHERE a.name <> 'nobody' OR a.id = 2`, ""},
		{"both rows", `INSERT INTO accounts (id, email, name) VALUES (3, 'gone@x', 'new'), (4, 'live@x', 'updated') ON CONFLICT (email) DO UPDATE SET name = excluded.name`, "updated"},
		{"live row", `INSERT INTO accounts (id, email, name) VALUES (3, 'live@x', 'updated') ON CONFLICT ON CONSTRAINT accounts_email_key DO UPDATE SET name = excluded.name`, "updated"},
	} {
		t.Run(c.name, func(t *testing.T) {
			res, err := New(Options{CacheBytes: -1}).Rewrite(c.sql, p, &Session{})
			if err != nil {
				t.Fatalf("rewrite: %v", err)
			}
			if err := execAll(ctx, pc, "BEGIN"); err != nil {
				t.Fatal(err)
			}
			defer rollback(ctx, t, pc)
			before, err := runStatement(ctx, pc, Result{SQL: trashedRow})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := runStatement(ctx, pc, res); err != nil {
				t.Fatalf("the server rejects the rewrite: %v\n%s", err, res.SQL)
			}
			after, _ := runStatement(ctx, pc, Result{SQL: trashedRow})
			if before[1] != after[1] {
				t.Errorf("the upsert reached the trashed row\n out: %s\nbefore: %s\n after: %s", res.SQL, before[1], after[1])
			}
			want := c.live
			if want == "" {
				want = "live"
			}
			if got, _ := runStatement(ctx, pc, Result{SQL: liveRow}); got[1] != want {
				t.Errorf("live row's name %q, want %q\n out: %s", got[1], want, res.SQL)
			}
		})
	}
}
