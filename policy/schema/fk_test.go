package schema

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
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

const notPresent = `insert or update on table "deals" violates foreign key constraint "deals_contact_id_fkey"`

// TestFKChildChecks: every way a row referencing a trashed contact can
// arrive fails as PostgreSQL would fail it for a missing one; NULL keys,
// trashed children and a parent restored before a deferred check pass.
func TestFKChildChecks(t *testing.T) {
	f := newFKEnv(t)
	detail := `Key (contact_id)=(90) is not present in table "contacts".`
	for _, sql := range []string{
		"INSERT INTO deals (id, contact_id) VALUES (50, 90)",
		"UPDATE deals SET contact_id = 90 WHERE id = 13",
		"INSERT INTO deals (id, contact_id) VALUES (13, 2) ON CONFLICT (id) DO UPDATE SET contact_id = 90",
		"MERGE INTO deals d USING (VALUES (51, 90)) v(id, c) ON d.id = v.id WHEN NOT MATCHED THEN INSERT (id, contact_id) VALUES (v.id, v.c)",
		"MERGE INTO deals d USING (VALUES (13, 90)) v(id, c) ON d.id = v.id WHEN MATCHED THEN UPDATE SET contact_id = v.c",
	} {
		_, err := exec(f.conn, sql)
		pgError(t, err, "23503", notPresent, detail)
	}
	_, err := f.conn.PgConn().CopyFrom(context.Background(), strings.NewReader("52\t90\n"), "COPY deals (id, contact_id) FROM STDIN")
	pgError(t, err, "23503", notPresent, detail)
	_, err = exec(f.conn, "INSERT INTO badges (id, region, org_id) VALUES (9, 'eu', NULL)") // MATCH FULL: PostgreSQL's own
	pgError(t, err, "23503", `insert or update on table "badges" violates foreign key constraint "badges_region_org_id_fkey"`, "")
	_, err = exec(f.conn, "UPDATE orgs SET deleted_at = now() WHERE id = 2; INSERT INTO members VALUES (9, 'eu', 2)")
	pgError(t, err, "23503", `insert or update on table "members" violates foreign key constraint "members_region_org_id_fkey"`,
		`Key (region, org_id)=(eu, 2) is not present in table "orgs".`)
	for _, ok := range []string{
		"INSERT INTO deals (id, contact_id) VALUES (53, NULL)",
		"INSERT INTO deals (id, contact_id, deleted_at) VALUES (54, 90, now())",
		"INSERT INTO members VALUES (10, NULL, 2)", // MATCH SIMPLE: a NULL column skips the check
		"UPDATE deals SET deleted_at = now() WHERE id = 13; UPDATE deals SET contact_id = 90 WHERE id = 13",
		"BEGIN; INSERT INTO meetings VALUES (9, 90); UPDATE contacts SET deleted_at = NULL WHERE id = 90; COMMIT",
		"BEGIN; INSERT INTO meetings VALUES (10, 8); UPDATE meetings SET contact_id = 7 WHERE id = 10; UPDATE contacts SET deleted_at = now() WHERE id = 8; COMMIT",
	} {
		if _, err := exec(f.conn, ok); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	_, err = exec(f.conn, "BEGIN; INSERT INTO meetings VALUES (11, 8); SELECT 1; COMMIT")
	pgError(t, err, "23503", `insert or update on table "meetings" violates foreign key constraint "meetings_contact_id_fkey"`, "")
	// as PostgreSQL orders deferred checks: the parent's first
	_, err = exec(f.conn, "BEGIN; UPDATE contacts SET deleted_at = now() WHERE id = 9; INSERT INTO meetings VALUES (12, 9); COMMIT")
	pgError(t, err, "23503", `update or delete on table "contacts" violates foreign key constraint "meetings_contact_id_fkey" on table "meetings"`, "")
}

// TestFKShapes: a self-reference and a cycle cascade and restore without
// looping; a partitioned parent cascades from its partitions; a child
// outside the policy stops a cascade with 0A000.
func TestFKShapes(t *testing.T) {
	f := newFKEnv(t)
	steps := []struct{ sql, check, want string }{
		{"UPDATE folders SET deleted_at = now() WHERE id = 1", "SELECT string_agg(id::text, ',' ORDER BY id) FROM folders WHERE deleted_at IS NOT NULL", "1,2,3"},
		{"UPDATE folders SET deleted_at = NULL WHERE id = 1", "SELECT count(*) FROM folders WHERE deleted_at IS NOT NULL", "0"},
		{"UPDATE ping SET deleted_at = now() WHERE id = 1", "SELECT count(*) FROM pong WHERE deleted_at IS NOT NULL", "1"},
		{"UPDATE ping SET deleted_at = NULL WHERE id = 1", "SELECT count(*) FROM pong WHERE deleted_at IS NULL", "1"},
		{"UPDATE accounts SET deleted_at = now() WHERE id = 1", "SELECT deleted_at IS NOT NULL FROM invoices WHERE id = 1", "t"},
		{"UPDATE accounts_us SET deleted_at = now() WHERE id = 2", "SELECT deleted_at IS NOT NULL FROM invoices WHERE id = 2", "t"},
		{"UPDATE accounts SET deleted_at = NULL WHERE id = 1", "SELECT deleted_at IS NULL FROM invoices WHERE id = 1", "t"},
	}
	for _, s := range steps {
		if _, err := exec(f.conn, s.sql); err != nil {
			t.Fatalf("%s: %v", s.sql, err)
		}
		if got := strings.Join(f.rows(s.check), " "); got != s.want {
			t.Errorf("after %s: %s = %s, want %s", s.sql, s.check, got, s.want)
		}
	}
	_, err := exec(f.conn, "UPDATE contacts SET deleted_at = now() WHERE id = 5")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "0A000" || !strings.Contains(pgErr.Message, "public.notes is not managed") {
		t.Errorf("trashing a contact with a note outside the policy: %v, want 0A000 naming public.notes", err)
	}
	if _, err := exec(f.conn, "UPDATE contacts SET deleted_at = now() WHERE id = 8"); err != nil {
		t.Errorf("a contact without notes: %v", err)
	}
}

// TestFKDrift: check fails when a key was added, dropped or changed after
// migrate, and migrate puts it right. (The cases build on each other: the
// key re-created by "changed" is the newest into contacts, so the ranks in
// trigger names after it move.)
func TestFKDrift(t *testing.T) {
	f := newFKFixture(t)
	cases := []struct{ name, sql, want string }{
		{"changed", "ALTER TABLE tasks DROP CONSTRAINT tasks_contact_id_fkey; ALTER TABLE tasks ADD CONSTRAINT tasks_contact_id_fkey " +
			"FOREIGN KEY (contact_id) REFERENCES contacts ON DELETE RESTRICT", "object_stale function softdelete."},
		{"added", "ALTER TABLE calls ADD CONSTRAINT calls_other_fkey FOREIGN KEY (id) REFERENCES contacts",
			`object_missing trigger softdelete_fk_08_calls_other_fkey_trash on public.contacts`},
		{"dropped", "ALTER TABLE emails DROP CONSTRAINT emails_contact_id_fkey",
			`object_unexpected trigger softdelete_fk_03_emails_contact_id_fkey_trash on public.contacts`},
		{"disabled", "ALTER TABLE deals DISABLE TRIGGER softdelete_fk_00_deals_contact_id_fkey_ins",
			"object_stale trigger softdelete_fk_00_deals_contact_id_fkey_ins on public.deals"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.mustExec(tc.sql)
			errs := kinds(Check(f.inspect()), Error)
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.HasPrefix(e, tc.want) }) {
				t.Errorf("check does not report %q:\n%q", tc.want, errs)
			}
			f.apply(Options{})
			f.requireNoOp(Options{})
		})
	}
}

// TestFKPrivileges: as PostgreSQL's own actions, the cascade runs as the
// tables' owner: a role that may trash a contact needs no privilege on
// its deals; one that may not trash it gets permission denied.
func TestFKPrivileges(t *testing.T) {
	f := newFKEnv(t)
	role := pgtest.Get(t).CreateRole(t, "fkapp", "LOGIN")
	f.mustExec("GRANT SELECT, UPDATE, DELETE ON contacts TO " + pgx.Identifier{role}.Sanitize())
	f.apply(Options{}) // the column grants soft delete needs
	e := &guardEnv{f: f}
	app := e.connect(role, "")
	if _, err := exec(app, "UPDATE contacts SET deleted_at = now() WHERE id = 1"); err != nil {
		t.Fatalf("trashing a contact with deals, without privileges on deals: %v", err)
	}
	if got := f.rows("SELECT count(*) FROM deals WHERE contact_id = 1 AND deleted_at IS NULL"); got[0] != "0" {
		t.Errorf("%s live deals of the trashed contact", got[0])
	}
	f.mustExec("REVOKE DELETE ON contacts FROM " + pgx.Identifier{role}.Sanitize())
	_, err := exec(app, "UPDATE contacts SET deleted_at = now() WHERE id = 8")
	pgError(t, err, "42501", "permission denied for table contacts", "")
}

// TestFKOperationColumnType: a deleted_op column of another type is an
// error check reports, with the fix.
func TestFKOperationColumnType(t *testing.T) {
	f := newFixture(t, "fk")
	f.mustExec("ALTER TABLE folders ADD COLUMN deleted_op text")
	r := Check(f.inspect())
	if !slices.ContainsFunc(r.Findings, func(fd Finding) bool {
		return fd.Kind == KindColumnType && fd.Table == "public.folders" && strings.Contains(fd.Message, "must be bigint")
	}) {
		t.Errorf("no column_type finding for folders.deleted_op text: %q", kinds(r, Error))
	}
}
