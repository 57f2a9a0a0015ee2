package schema

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// newFKFixture is testdata/fk.sql migrated.
func newFKFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t, "fk")
	f.apply(Options{})
	f.requireNoOp(Options{})
	return f
}

func TestFKMigrate(t *testing.T) {
	f := newFixture(t, "fk")
	golden(t, "migrate_fk.sql", f.anon(f.plan(Options{}).Script(lockTimeout)))
	f.apply(Options{})
	f.requireNoOp(Options{})
	_, text := f.report(FormatText)
	golden(t, "fk.txt", text)
}

// TestFKCascade: trashing a contact trashes its live deals and their notes
// with the same time, who and operation; the command tag counts the
// contact only; restoring it restores exactly those rows.
func TestFKCascade(t *testing.T) {
	f := newFKEnv(t)
	n, err := exec(f.conn, "UPDATE contacts SET deleted_at = '2020-01-01', deleted_by = 'ann' WHERE id = 1")
	if err != nil || n != 1 {
		t.Fatalf("trash: %d rows, %v", n, err)
	}
	op := f.rows("SELECT deleted_op FROM contacts WHERE id = 1")[0]
	if op == "NULL" {
		t.Fatal("the trashed contact has no delete operation")
	}
	got := f.rows("SELECT id, deleted_at IS NOT NULL, coalesce(deleted_by, '-'), deleted_op = " + op + " FROM deals ORDER BY id")
	want := []string{"10|t|ann|t", "11|t|ann|t", "12|t|-|NULL", "13|f|-|NULL"} // 12 was born trashed: no operation
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("deals after trashing contact 1: %v, want %v", got, want)
	}
	if got := f.rows("SELECT id FROM deal_notes WHERE deleted_op = " + op + " ORDER BY id"); strings.Join(got, ",") != "100,101" {
		t.Errorf("deal notes trashed by the operation: %v, want 100,101", got)
	}
	if _, err := exec(f.conn, "UPDATE deals SET deleted_at = NULL WHERE id = 10"); err != nil {
		pgError(t, err, "23503", `insert or update on table "deals" violates foreign key constraint "deals_contact_id_fkey"`,
			`Key (contact_id)=(1) is not present in table "contacts".`)
	} else {
		t.Error("restoring a deal of a trashed contact succeeded")
	}
	if _, err := exec(f.conn, "UPDATE contacts SET deleted_at = NULL, deleted_by = NULL WHERE id = 1"); err != nil {
		t.Fatal(err)
	}
	got = f.rows("SELECT id, deleted_at IS NOT NULL, coalesce(deleted_by, '-'), coalesce(deleted_op::text, '-') FROM deals ORDER BY id")
	want = []string{"10|f|-|-", "11|f|-|-", "12|t|-|-", "13|f|-|-"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("deals after restoring contact 1: %v, want %v", got, want)
	}
	if got := f.rows("SELECT count(*) FROM deal_notes WHERE deleted_at IS NULL"); got[0] != "2" {
		t.Errorf("live deal notes after the restore: %v, want 2", got)
	}
}

// TestFKActions: SET NULL, SET DEFAULT and SET NULL (col) change live
// children only; a table outside the policy is changed too.
func TestFKActions(t *testing.T) {
	f := newFKEnv(t)
	for _, sql := range []string{"UPDATE contacts SET deleted_at = now() WHERE id IN (1, 6)",
		"UPDATE orgs SET deleted_at = now() WHERE id = 1"} {
		if _, err := exec(f.conn, sql); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	checks := map[string]string{
		"SELECT id, coalesce(contact_id::text, '-') FROM tasks ORDER BY id":          "1|- 2|2 3|1",
		"SELECT id, contact_id FROM tags":                                            "1|0",
		"SELECT region, coalesce(org_id::text, '-') FROM members":                    "eu|-",
		"SELECT coalesce(contact_id::text, '-') FROM contact_refs":                   "-",
		"SELECT id, deleted_at IS NOT NULL FROM badges ORDER BY id":                  "1|t 2|f",
		"SELECT count(*) FROM calls WHERE contact_id = 1 AND deleted_at IS NOT NULL": "1",
	}
	for sql, want := range checks {
		if got := strings.Join(f.rows(sql), " "); got != want {
			t.Errorf("%s: %s, want %s", sql, got, want)
		}
	}
}

const stillReferenced = `update or delete on table "contacts" violates foreign key constraint "%s" on table "%s"`

// TestFKRestrict: RESTRICT and NO ACTION refuse trashing a referenced row
// with PostgreSQL's error, at the end of the statement; a deferred NO
// ACTION at COMMIT or SET CONSTRAINTS … IMMEDIATE, unless the child went
// too.
func TestFKRestrict(t *testing.T) {
	f := newFKEnv(t)
	cases := []struct{ name, sql, fk, table, detail string }{
		{"restrict", "UPDATE contacts SET deleted_at = now() WHERE id = 2", "calls_contact_id_fkey", "calls", "Key (id)=(2) is still referenced from table \"calls\"."},
		{"no action", "UPDATE contacts SET deleted_at = now() WHERE id = 3", "emails_contact_id_fkey", "emails", "Key (id)=(3) is still referenced from table \"emails\"."},
		{"deferred at commit", "BEGIN; UPDATE contacts SET deleted_at = now() WHERE id = 4; COMMIT", "meetings_contact_id_fkey", "meetings",
			"Key (id)=(4) is still referenced from table \"meetings\"."},
		{"set constraints", "BEGIN; UPDATE contacts SET deleted_at = now() WHERE id = 4; SET CONSTRAINTS ALL IMMEDIATE; ROLLBACK", "meetings_contact_id_fkey",
			"meetings", "Key (id)=(4) is still referenced from table \"meetings\"."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := exec(f.conn, tc.sql)
			pgError(t, err, "23503", fmt.Sprintf(stillReferenced, tc.fk, tc.table), tc.detail)
			var pgErr *pgconn.PgError
			if errors.As(err, &pgErr) && (pgErr.TableName != tc.table || pgErr.ConstraintName != tc.fk || pgErr.SchemaName != "public") {
				t.Errorf("error fields: %s.%s %s", pgErr.SchemaName, pgErr.TableName, pgErr.ConstraintName)
			}
		})
	}
	for _, ok := range []string{
		"BEGIN; UPDATE contacts SET deleted_at = now() WHERE id = 4; UPDATE meetings SET deleted_at = now() WHERE contact_id = 4; COMMIT",
		"WITH e AS (UPDATE emails SET deleted_at = now() WHERE contact_id = 3) UPDATE contacts SET deleted_at = now() WHERE id = 3",
		"BEGIN; UPDATE contacts SET deleted_at = now() WHERE id = 9; UPDATE contacts SET deleted_at = NULL WHERE id = 9; COMMIT",
	} {
		if _, err := exec(f.conn, ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	// RESTRICT is not deferred: trashing the child later in the
	// transaction is too late.
	_, err := exec(f.conn, "BEGIN; UPDATE contacts SET deleted_at = now() WHERE id = 2; UPDATE calls SET deleted_at = now() WHERE contact_id = 2; COMMIT")
	pgError(t, err, "23503", fmt.Sprintf(stillReferenced, "calls_contact_id_fkey", "calls"), "")
}

var keyValues = regexp.MustCompile(`=\([^)]*\)`)

// TestFKRealMessages compares the soft errors with PostgreSQL's own for
// the same rows really deleted or missing (the real DELETE fails in its
// referential trigger before the guard's statement check).
func TestFKRealMessages(t *testing.T) {
	f := newFKEnv(t)
	pairs := []struct{ real, soft string }{
		{"DELETE FROM contacts WHERE id = 2", "UPDATE contacts SET deleted_at = now() WHERE id = 2"},
		{"DELETE FROM accounts WHERE id = 3", "UPDATE accounts SET deleted_at = now() WHERE id = 3"},
		{"INSERT INTO payments VALUES (9, 99, 'us')", "INSERT INTO payments VALUES (9, 2, 'us')"},
		{"INSERT INTO deals (id, contact_id) VALUES (50, 99)", "INSERT INTO deals (id, contact_id) VALUES (50, 90)"},
	}
	if _, err := exec(f.conn, "UPDATE accounts SET deleted_at = now() WHERE id = 2; UPDATE contacts SET deleted_at = now() WHERE id = 99"); err != nil {
		t.Fatal(err)
	}
	for _, p := range pairs {
		_, realErr := exec(f.conn, p.real)
		_, softErr := exec(f.conn, p.soft)
		var r, s *pgconn.PgError
		if !errors.As(realErr, &r) || !errors.As(softErr, &s) {
			t.Errorf("%s: %v; %s: %v", p.real, realErr, p.soft, softErr)
			continue
		}
		norm := keyValues
		if r.Code != s.Code || r.Message != s.Message || norm.ReplaceAllString(r.Detail, "=(…)") != norm.ReplaceAllString(s.Detail, "=(…)") ||
			r.TableName != s.TableName || r.ConstraintName != s.ConstraintName || r.SchemaName != s.SchemaName {
			t.Errorf("%s\n real: %s %s | %s (%s.%s %s)\n soft: %s %s | %s (%s.%s %s)", p.soft,
				r.Code, r.Message, r.Detail, r.SchemaName, r.TableName, r.ConstraintName,
				s.Code, s.Message, s.Detail, s.SchemaName, s.TableName, s.ConstraintName)
		}
	}
}
