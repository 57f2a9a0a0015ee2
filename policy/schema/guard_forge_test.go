package schema

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestGuardIgnoresSettings: the settings the guard once trusted open
// nothing, however they are set.
func TestGuardIgnoresSettings(t *testing.T) {
	e := newGuardEnv(t)
	forged := e.connect(e.appRole, "-c softdelete.hard_delete=on -c softdelete.purging=on")
	var on string
	if err := forged.QueryRow(context.Background(), "SHOW softdelete.purging").Scan(&on); err != nil || on != "on" {
		t.Fatalf("the startup option did not take: %q %v", on, err)
	}
	cases := []struct {
		name string
		conn *pgx.Conn
		sql  string
	}{
		{"SET", e.app, "SET softdelete.purging = on; SET softdelete.hard_delete = on; DELETE FROM contacts WHERE id = %d"},
		{"SET LOCAL", e.app, "BEGIN; SET LOCAL softdelete.purging = 'on'; DELETE FROM contacts WHERE id = %d; COMMIT"},
		{"set_config in a DO block", e.app, "DO $$ BEGIN PERFORM set_config('softdelete.hard_delete', 'on', true); " +
			"PERFORM set_config('softdelete.purging', 'on', true); DELETE FROM contacts WHERE id = %d; END $$"},
		{"set_config in the statement", e.app, "DELETE FROM contacts WHERE id = %d AND set_config('softdelete.hard_delete', 'on', true) = 'on'"},
		{"startup options", forged, "DELETE FROM contacts WHERE id = %d"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, id := range []int{10 + i, 110 + i} { // a live row, a trashed row
				_, err := exec(tc.conn, fmt.Sprintf(tc.sql, id))
				refused(t, err, "hard delete of a")
				if e.count(t, fmt.Sprintf("contacts WHERE id = %d", id)) != 1 {
					t.Errorf("row %d deleted", id)
				}
			}
		})
	}
}

// TestGuardSessionUserDecides: SET ROLE to a hard_delete role needs
// membership (PostgreSQL refuses it otherwise), and then changes nothing:
// the guard asks about session_user, so a member may delete trashed rows
// whatever role it has set, and a superuser's SET ROLE or SECURITY DEFINER
// function does not make it a member.
func TestGuardSessionUserDecides(t *testing.T) {
	e := newGuardEnv(t)
	dba := pgx.Identifier{e.dbaRole}.Sanitize()
	_, err := exec(e.app, "SET ROLE "+dba)
	refused(t, err, "permission denied to set role")
	_, err = exec(e.app, "SET SESSION AUTHORIZATION "+pgx.Identifier{e.dbaLogin}.Sanitize())
	refused(t, err, "permission denied to set session authorization")

	// a member, with its hard_delete role set, then back to itself
	if n, err := exec(e.dba, "SET ROLE "+dba+"; DELETE FROM contacts WHERE id = 120; RESET ROLE"); err != nil || n != 1 {
		t.Errorf("member with SET ROLE to the hard_delete role: %d %v", n, err)
	}
	// the superuser setting the role of a member stays the superuser
	_, err = exec(e.f.conn, "SET ROLE "+dba+"; DELETE FROM contacts WHERE id = 121")
	refused(t, err, "hard delete of a trashed row of public.contacts refused: session user postgres")
	if _, err := exec(e.f.conn, "RESET ROLE"); err != nil {
		t.Fatal(err)
	}
	// the slow path (SET ROLE active) still finds a member by its GRANTs,
	// and still refuses a live row
	if n, err := exec(e.purger, "SET ROLE "+pgx.Identifier{e.purgeRole}.Sanitize()+"; DELETE FROM contacts WHERE id = 122; RESET ROLE"); err != nil || n != 1 {
		t.Errorf("purger with SET ROLE to the purge role: %d %v", n, err)
	}
	_, err = exec(e.dba, "SET ROLE "+dba+"; DELETE FROM contacts WHERE id = 22")
	refused(t, err, "live row")
	if e.count(t, "contacts WHERE id IN (121, 22)") != 2 {
		t.Error("a refused row is gone")
	}
}

// TestGuardMovingAPartitionKey: PostgreSQL runs an UPDATE that moves a row
// to another partition as a DELETE and an INSERT, but fires no DELETE
// statement trigger for it: the row moves, as it would without soft
// delete.
func TestGuardMovingAPartitionKey(t *testing.T) {
	e := newGuardEnv(t)
	if n, err := exec(e.app, "UPDATE deals SET region = 'us' WHERE id = 30"); err != nil || n != 1 {
		t.Fatalf("moving a live row to another partition: %d %v", n, err)
	}
	if e.count(t, "deals_us WHERE id = 30 AND region = 'us'") != 1 {
		t.Error("the row did not move")
	}
	if n, err := exec(e.app, "UPDATE deals SET id = 32 WHERE id = 31"); err != nil || n != 1 {
		t.Errorf("an UPDATE within one partition: %d %v", n, err)
	}
}
