package proxy

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

const fkProxySchema = `
CREATE TABLE contacts (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE deals (id int PRIMARY KEY, contact_id int REFERENCES contacts ON DELETE CASCADE, deleted_at timestamptz);
CREATE TABLE calls (id int PRIMARY KEY, contact_id int REFERENCES contacts ON DELETE RESTRICT, deleted_at timestamptz);
INSERT INTO contacts SELECT g FROM generate_series(1, 5) g;
INSERT INTO deals VALUES (10, 1), (11, 1), (12, 2);
INSERT INTO calls VALUES (20, 3);
`

// TestForeignKeysThroughProxy: in both protocols, a DELETE through the
// proxy reads DELETE 1 and trashes the children its key cascades to; a
// RESTRICT key refuses it with PostgreSQL's error; a child of a deleted
// row cannot be inserted; restoring the parent in the trash view brings
// its children back.
func TestForeignKeysThroughProxy(t *testing.T) {
	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "contacts"}, {Name: "deals"}, {Name: "calls"}}})})
	for _, m := range protoModes {
		t.Run(m.name, func(t *testing.T) {
			db := fkProxyDB(t)
			conn := connectMode(t, p.URL(t, db), m)
			ctx := testCtx(t)
			steps := []struct{ sql, tag, code, msg, detail string }{
				{sql: "DELETE FROM contacts WHERE id = 1", tag: "DELETE 1"},
				{sql: "SELECT id FROM deals WHERE contact_id = 1", tag: "SELECT 0"},
				{sql: "DELETE FROM contacts WHERE id = 3", code: "23503",
					msg:    `update or delete on table "contacts" violates foreign key constraint "calls_contact_id_fkey" on table "calls"`,
					detail: `Key (id)=(3) is still referenced from table "calls".`},
				{sql: "INSERT INTO deals VALUES (13, 1)", code: "23503",
					msg:    `insert or update on table "deals" violates foreign key constraint "deals_contact_id_fkey"`,
					detail: `Key (contact_id)=(1) is not present in table "contacts".`},
				{sql: "MERGE INTO contacts c USING (VALUES (2)) v(id) ON c.id = v.id WHEN MATCHED THEN DELETE", tag: "MERGE 1"},
				{sql: "SELECT id FROM deals", tag: "SELECT 0"},
				{sql: "SET softdelete.visibility = 'deleted'", tag: "SET"},
				{sql: "UPDATE contacts SET deleted_at = NULL WHERE id = 1", tag: "UPDATE 1"},
				{sql: "RESET softdelete.visibility", tag: "RESET"},
				{sql: "SELECT id FROM deals WHERE contact_id = 1", tag: "SELECT 2"},
			}
			for _, s := range steps {
				tag, err := conn.Exec(ctx, s.sql)
				var pgErr *pgconn.PgError
				switch {
				case s.code == "" && (err != nil || tag.String() != s.tag):
					t.Errorf("%s: %v %v, want %s", s.sql, tag, err, s.tag)
				case s.code != "" && (!errors.As(err, &pgErr) || pgErr.Code != s.code || pgErr.Message != s.msg || pgErr.Detail != s.detail):
					t.Errorf("%s: %v, want %s %s (%s)", s.sql, err, s.code, s.msg, s.detail)
				}
			}
		})
	}
}

// fkProxyDB is a database with fkProxySchema, migrated.
func fkProxyDB(t *testing.T) string {
	t.Helper()
	_, db := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, db, fkProxySchema)
	migrateYAML(t, db, "tables:\n  public.contacts: {}\n  public.deals: {}\n  public.calls: {}\n")
	return db
}
