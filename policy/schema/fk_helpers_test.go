package schema

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// fkSeed fills testdata/fk.sql: contacts 0-9 live, 90 trashed; children
// of each kind.
const fkSeed = `
INSERT INTO contacts (id, name) SELECT g, 'c' || g FROM generate_series(0, 9) g;
INSERT INTO contacts (id, name, deleted_at) VALUES (90, 'gone', '2000-01-01');
INSERT INTO deals (id, contact_id) VALUES (10, 1), (11, 1), (13, 2);
INSERT INTO deals (id, contact_id, deleted_at) VALUES (12, 1, '2000-01-01');
INSERT INTO deal_notes (id, deal_id) VALUES (100, 10), (101, 11);
INSERT INTO tasks (id, contact_id) VALUES (1, 1), (2, 2);
INSERT INTO tasks (id, contact_id, deleted_at) VALUES (3, 1, '2000-01-01');
INSERT INTO tags (id, contact_id) VALUES (1, 1);
INSERT INTO calls (id, contact_id) VALUES (1, 2);
INSERT INTO calls (id, contact_id, deleted_at) VALUES (2, 1, '2000-01-01');
INSERT INTO emails (id, contact_id) VALUES (1, 3);
INSERT INTO meetings (id, contact_id) VALUES (1, 4);
INSERT INTO orgs (region, id) VALUES ('eu', 1), ('eu', 2);
INSERT INTO members (id, region, org_id) VALUES (1, 'eu', 1);
INSERT INTO badges (id, region, org_id) VALUES (1, 'eu', 1), (2, NULL, NULL);
INSERT INTO folders VALUES (1, NULL), (2, 1), (3, 2), (4, NULL);
BEGIN; INSERT INTO ping VALUES (1, 1); INSERT INTO pong VALUES (1, 1); COMMIT;
INSERT INTO accounts (id, region) VALUES (1, 'eu'), (2, 'us'), (3, 'us');
INSERT INTO invoices (id, account_id, region) VALUES (1, 1, 'eu'), (2, 2, 'us');
INSERT INTO payments (id, account_id, region) VALUES (1, 3, 'us');
INSERT INTO notes (id, contact_id) VALUES (1, 5);
INSERT INTO contact_refs (id, contact_id) VALUES (1, 6);
`

// newFKEnv is testdata/fk.sql migrated and seeded.
func newFKEnv(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, "fk")
	f.apply(Options{})
	f.requireNoOp(Options{})
	if _, err := exec(f.conn, fkSeed); err != nil {
		t.Fatalf("seeding: %v", err)
	}
	return f
}

// rows runs sql as the superuser and returns its rows, one string each
// (columns joined with "|").
func (f *fixture) rows(sql string) []string {
	f.t.Helper()
	rows, err := f.conn.Query(context.Background(), sql)
	if err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			f.t.Fatal(err)
		}
		var parts []string
		for _, v := range vals {
			parts = append(parts, textOf(v))
		}
		out = append(out, strings.Join(parts, "|"))
	}
	if err := rows.Err(); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func textOf(v any) string {
	if v == nil {
		return "NULL"
	}
	switch x := v.(type) {
	case string:
		return x
	case bool:
		if x {
			return "t"
		}
		return "f"
	}
	return strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(fmtAny(v), "\n", " "), "  ", " "))
}

// pgError checks that err is SQLSTATE code with exactly message and detail
// ("" detail: not checked).
func pgError(t *testing.T, err error, code, message, detail string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Errorf("want %s %q, got %v", code, message, err)
		return
	}
	if pgErr.Code != code || pgErr.Message != message || (detail != "" && pgErr.Detail != detail) {
		t.Errorf("want %s %q (%q),\n got %s %q (%q)", code, message, detail, pgErr.Code, pgErr.Message, pgErr.Detail)
	}
}

func fmtAny(v any) string { return fmt.Sprint(v) }
