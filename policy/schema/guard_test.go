package schema

import (
	"fmt"
	"testing"
)

// These tests are the guard's specification: with the objects migrate
// installs, every server-side path that tries to delete a live row of a
// managed table for good fails, as the application role, and trashed rows
// go only when the session user is a member of the purge role or of a
// roles.hard_delete role. Live rows have ids 1-99, trashed 100-199; each
// case uses its own id.

// deletePaths are statements an application can send that delete the row
// with id %[1]d (%[2]d in docs_2024 and its kin) on the server.
var deletePaths = []struct {
	name, sql, table, check string // check: the table and predicate that must still find the row
}{
	{"plain DELETE", "DELETE FROM contacts WHERE id = %[1]d", "public.contacts", "contacts WHERE id = %[1]d"},
	{"DELETE RETURNING in a CTE", "WITH d AS (DELETE FROM contacts WHERE id = %[1]d RETURNING id) SELECT * FROM d", "public.contacts", "contacts WHERE id = %[1]d"},
	{"prepared", "PREPARE p%[1]d AS DELETE FROM contacts WHERE id = $1; EXECUTE p%[1]d(%[1]d)", "public.contacts", "contacts WHERE id = %[1]d"},
	{"cursor", "BEGIN; DECLARE c%[1]d CURSOR FOR SELECT * FROM contacts WHERE id = %[1]d FOR UPDATE; FETCH c%[1]d; " +
		"DELETE FROM contacts WHERE CURRENT OF c%[1]d; COMMIT", "public.contacts", "contacts WHERE id = %[1]d"},
	{"MERGE", "MERGE INTO contacts c USING (VALUES (%[1]d)) v(id) ON c.id = v.id WHEN MATCHED THEN DELETE", "public.contacts", "contacts WHERE id = %[1]d"},
	{"DO block", "DO $$ BEGIN DELETE FROM contacts WHERE id = %[1]d; END $$", "public.contacts", "contacts WHERE id = %[1]d"},
	{"SQL function", "SELECT delete_sql(%[1]d)", "public.contacts", "contacts WHERE id = %[1]d"},
	{"PL/pgSQL function", "SELECT delete_plpgsql(%[1]d)", "public.contacts", "contacts WHERE id = %[1]d"},
	{"procedure", "CALL delete_proc(%[1]d)", "public.contacts", "contacts WHERE id = %[1]d"},
	{"SECURITY DEFINER function of a superuser", "SELECT delete_definer(%[1]d)", "public.contacts", "contacts WHERE id = %[1]d"},
	{"trigger on another table", "INSERT INTO delete_requests VALUES (%[1]d)", "public.contacts", "contacts WHERE id = %[1]d"},
	{"rule", "INSERT INTO bin VALUES (%[1]d)", "public.contacts", "contacts WHERE id = %[1]d"},
	{"writable view", "DELETE FROM contacts_view WHERE id = %[1]d", "public.contacts", "contacts WHERE id = %[1]d"},
	{"unmanaged parent's ON DELETE CASCADE", "DELETE FROM orgs WHERE id = %[1]d", "public.people", "people WHERE id = %[1]d"},
	{"partitioned parent", "DELETE FROM deals WHERE id = %[1]d", "public.deals", "deals WHERE id = %[1]d"},
	{"partition", "DELETE FROM deals_eu WHERE id = %[1]d", "public.deals_eu", "deals WHERE id = %[1]d"},
	{"partition of a partition", "DELETE FROM deals_us_low WHERE id = %[1]d + 1", "public.deals_us_low", "deals WHERE id = %[1]d + 1"},
	{"inheritance parent", "DELETE FROM docs WHERE id = %[2]d", "public.docs", "docs_2024 WHERE id = %[2]d"},
	{"inheritance child", "DELETE FROM docs_2024 WHERE id = %[2]d", "public.docs_2024", "docs_2024 WHERE id = %[2]d"},
	{"unmanaged inheritance parent", "DELETE FROM events WHERE id = %[1]d", "public.events_2024", "events_2024 WHERE id = %[1]d"},
}

// TestGuardRefusesLiveRows: no path deletes a live row, whoever asks.
func TestGuardRefusesLiveRows(t *testing.T) {
	e := newGuardEnv(t)
	for i, p := range deletePaths {
		for _, who := range e.everyone() {
			t.Run(p.name+"/"+who.name, func(t *testing.T) {
				id := 2 + 2*i // even: deals_eu
				_, err := exec(who.conn, fmt.Sprintf(p.sql, id, id+1000))
				refused(t, err, "hard delete of a live row of "+p.table+" refused")
				if n := e.count(t, fmt.Sprintf(p.check, id, id+1000)); n != 1 {
					t.Errorf("the row is gone (%d left)", n)
				}
			})
		}
	}
}

// TestGuardTrashedRows: trashed rows are deleted by members of the purge
// role and of a hard_delete role, and refused to anyone else, the
// superuser included.
func TestGuardTrashedRows(t *testing.T) {
	e := newGuardEnv(t)
	for i, p := range deletePaths {
		id := 100 + 2*i
		t.Run(p.name, func(t *testing.T) {
			for _, who := range e.everyone()[0:2] { // app, superuser
				_, err := exec(who.conn, fmt.Sprintf(p.sql, id, id+1000))
				refused(t, err, "hard delete of a trashed row of "+p.table+" refused")
				if n := e.count(t, fmt.Sprintf(p.check, id, id+1000)); n != 1 {
					t.Errorf("%s deleted the trashed row", who.name)
				}
			}
			allowed := e.everyone()[2+i%2] // the purger or a hard_delete member
			if _, err := exec(allowed.conn, fmt.Sprintf(p.sql, id, id+1000)); err != nil {
				t.Errorf("%s: %v", allowed.name, err)
			}
			if n := e.count(t, fmt.Sprintf(p.check, id, id+1000)); n != 0 {
				t.Errorf("%s: the trashed row is still there", allowed.name)
			}
		})
	}
	// a hard_delete member, and the purger deleting trashed and live rows at once
	if n, err := exec(e.dba, "DELETE FROM contacts WHERE id = 150"); err != nil || n != 1 {
		t.Errorf("hard_delete member: %d %v", n, err)
	}
	_, err := exec(e.purger, "DELETE FROM contacts WHERE id IN (151, 1)")
	refused(t, err, "live row of public.contacts")
	if e.count(t, "contacts WHERE id IN (151, 1)") != 2 {
		t.Error("a statement that reached a live row deleted something")
	}
}
