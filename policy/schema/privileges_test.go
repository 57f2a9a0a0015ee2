package schema

import (
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// The statements the proxy sends for a DELETE of a managed table, and for
// a restore in the trash view (rewrite/dml.go), and a read through its
// filter.
const (
	trashContact = "UPDATE contacts SET deleted_at = now() WHERE (id = %s) AND contacts.deleted_at IS NULL"
	trashPerson  = "UPDATE people SET deleted_at = now(), deleted_by = coalesce(nullif(current_setting('softdelete.actor', true), ''), session_user) " +
		"WHERE (id = %s) AND people.deleted_at IS NULL"
	trashDeal      = "UPDATE deals SET deleted_at = now() WHERE (id = %s) AND deals.deleted_at IS NULL"
	restoreContact = "UPDATE contacts SET deleted_at = NULL WHERE (id = %s) AND contacts.deleted_at IS NOT NULL"
	readContacts   = "SELECT id, name FROM contacts WHERE contacts.deleted_at IS NULL"
)

func sqlf(format, id string) string { return strings.ReplaceAll(format, "%s", id) }

// TestPrivilegesMeanWhatTheyMeant: trashing needs DELETE, restoring UPDATE,
// as a real DELETE and UPDATE would, with PostgreSQL's own error; the
// column grants migrate makes let a role that may delete but not update
// delete through the proxy, and a role that may read some columns read
// through the filter; check reports roles out of step until migrate runs.
func TestPrivilegesMeanWhatTheyMeant(t *testing.T) {
	e := newGuardEnv(t)
	s := pgtest.Get(t)
	updater := s.CreateRole(t, "updater", "LOGIN")
	deleter := s.CreateRole(t, "deleter", "LOGIN")
	reader := s.CreateRole(t, "reader", "LOGIN")
	id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	e.f.mustExec("GRANT SELECT, UPDATE ON contacts, people, deals TO " + id(updater))
	e.f.mustExec("GRANT DELETE, SELECT (id, name) ON contacts TO " + id(deleter))
	e.f.mustExec("GRANT DELETE, SELECT (id) ON people, deals TO " + id(deleter))
	e.f.mustExec("GRANT SELECT (id, name) ON contacts TO " + id(reader))

	// out of step: reported, and the proxy's statements fail as PostgreSQL's would not
	r := Check(e.f.inspect())
	for _, role := range []string{deleter, reader} {
		if !slices.ContainsFunc(r.Findings, func(f Finding) bool {
			return f.Severity == Error && f.Kind == KindObjectMissing && strings.HasSuffix(f.Object, " TO "+role)
		}) {
			t.Errorf("check does not report %s out of step:\n%s", role, kinds(r, Error))
		}
	}
	del, upd, rd := e.connect(deleter, ""), e.connect(updater, ""), e.connect(reader, "")
	_, err := exec(del, sqlf(trashContact, "40"))
	refused(t, err, "permission denied for table contacts")
	_, err = exec(rd, readContacts)
	refused(t, err, "permission denied for table contacts")

	e.f.apply(Options{})
	e.f.requireNoOp(Options{})
	if errs := kinds(Check(e.f.inspect()), Error); slices.ContainsFunc(errs, func(s string) bool { return strings.Contains(s, "grant") }) {
		t.Errorf("grants still reported after migrate: %q", errs)
	}

	// DELETE without UPDATE: trashes (through a partitioned table too),
	// cannot restore
	for _, stmt := range []string{sqlf(trashContact, "40"), sqlf(trashPerson, "40"), sqlf(trashDeal, "40"), "UPDATE contacts SET deleted_at = now() WHERE false"} {
		if _, err := exec(del, stmt); err != nil {
			t.Errorf("DELETE-only role: %s: %v", stmt, err)
		}
	}
	if e.count(t, "contacts WHERE id = 40 AND deleted_at IS NOT NULL")+e.count(t, "people WHERE id = 40 AND deleted_by = '"+deleter+"'")+
		e.count(t, "deals WHERE id = 40 AND deleted_at IS NOT NULL") != 3 {
		t.Error("the DELETE-only role's deletes did not trash the rows")
	}
	_, err = exec(del, sqlf(restoreContact, "40"))
	refused(t, err, "permission denied for table contacts")
	_, err = exec(del, "UPDATE contacts SET name = 'x' WHERE id = 41")
	refused(t, err, "permission denied for table contacts")

	// UPDATE without DELETE: cannot trash, through the partitioned table
	// either, may restore and update
	for _, stmt := range []string{sqlf(trashContact, "42"), sqlf(trashDeal, "42"), "UPDATE contacts SET deleted_at = now(), name = 'y' WHERE id = 43"} {
		_, err := exec(upd, stmt)
		refused(t, err, "permission denied for table")
	}
	for _, stmt := range []string{sqlf(restoreContact, "40"), "UPDATE contacts SET name = 'z' WHERE id = 42", "UPDATE contacts SET deleted_at = now() WHERE id = 150"} {
		if _, err := exec(upd, stmt); err != nil {
			t.Errorf("UPDATE-only role: %s: %v", stmt, err)
		}
	}
	if e.count(t, "contacts WHERE id IN (40, 42, 43) AND deleted_at IS NULL") != 3 {
		t.Error("the UPDATE-only role trashed a row, or did not restore one")
	}

	// SELECT of some columns: reads through the filter
	if _, err := exec(rd, readContacts); err != nil {
		t.Errorf("column-SELECT role reading through the filter: %v", err)
	}
	_, err = exec(rd, "SELECT deleted_at, id FROM contacts WHERE false")
	if err != nil {
		t.Errorf("SELECT of the granted soft-delete column: %v", err)
	}
}
