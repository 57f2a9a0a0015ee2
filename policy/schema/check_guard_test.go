package schema

import (
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestCheckGuard: what check says of the guard's reach on guard.sql, as
// migrate left it: the partitions and children it manages, the unmanaged
// parent of events_2024, and row-level security, exact or not.
func TestCheckGuard(t *testing.T) {
	e := newGuardEnv(t)
	r := Check(e.f.inspect())
	want := map[string][]string{
		"public.deals": {"public.deals_eu", "public.deals_us", "public.deals_us_low"},
		"public.docs":  {"public.docs_2024"},
	}
	for table, kids := range want {
		if got := r.Children[table]; !slices.Equal(got, kids) {
			t.Errorf("children of %s: %q, want %q", table, got, kids)
		}
	}
	has := func(r *Report, sev Severity, kind, table, object, text string) bool {
		return slices.ContainsFunc(r.Findings, func(f Finding) bool {
			return f.Severity == sev && f.Kind == kind && f.Table == table && f.Object == object && strings.Contains(f.Message, text)
		})
	}
	for _, w := range []struct {
		sev                       Severity
		kind, table, object, text string
	}{
		{Error, KindUnmanagedParent, "public.events_2024", "public.events", "reads of public.events show the trashed rows"},
		{Error, KindFKChild, "public.people", "people_org_id_fkey", "ON DELETE CASCADE to public.orgs (not managed)"},
		{Warning, KindTableOwner, "", "role postgres", "public.contacts, public.deals"},
		{Warning, KindSuperuserLogin, "", "postgres", "session_replication_role"},
	} {
		if !has(r, w.sev, w.kind, w.table, w.object, w.text) {
			t.Errorf("no %s %s on %s %q", w.sev, w.kind, w.table, w.object)
		}
	}
	if errs := kinds(r, Error); len(errs) != 2 {
		t.Errorf("errors: %q, want only the unmanaged parent and the cascade from it", errs)
	}

	// row-level security: FOR ALL without its own WITH CHECK, not reading
	// deleted_at, is exact; the rest is reported
	e.f.mustExec(`ALTER TABLE contacts ENABLE ROW LEVEL SECURITY;
CREATE POLICY mine ON contacts USING (name <> 'secret');
ALTER TABLE deals_eu ENABLE ROW LEVEL SECURITY;`)
	r = Check(e.f.inspect())
	if slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Kind == KindRowSecurity }) {
		t.Errorf("exact row-level security reported: %q", kinds(r, Error))
	}
	e.f.mustExec(`CREATE POLICY del ON contacts FOR DELETE USING (id > 10);
CREATE POLICY live ON deals_eu USING (deleted_at IS NULL);
CREATE POLICY chk ON people USING (true) WITH CHECK (org_id > 0);
ALTER TABLE people ENABLE ROW LEVEL SECURITY;`)
	r = Check(e.f.inspect())
	for table, text := range map[string]string{
		"public.contacts": "policy del is FOR DELETE", "public.deals_eu": "policy live reads a column soft delete writes",
		"public.people": "policy chk has a WITH CHECK of its own",
	} {
		owner := table
		if table == "public.deals_eu" {
			owner = "public.deals"
		}
		if !has(r, Error, KindRowSecurity, owner, table, text) {
			t.Errorf("row-level security of %s not reported (%q)", table, text)
		}
	}

	// a roles.hard_delete role that does not exist
	e.f.cfg.Roles.HardDelete = append(e.f.cfg.Roles.HardDelete, "sdtest_nobody_here")
	if r := Check(e.f.inspect()); !has(r, Warning, KindRoleMissing, "", "role sdtest_nobody_here", "does not exist") {
		t.Errorf("missing hard_delete role not reported")
	}
}

// TestCheckGuardNewPartition: a partition created after migrate gets the
// row trigger by cloning, but not the guard's statement triggers; a
// trigger disabled on one partition turns the guard off there. check fails
// on each, and migrate puts them right.
func TestCheckGuardNewPartition(t *testing.T) {
	e := newGuardEnv(t)
	e.f.mustExec(`CREATE TABLE deals_apac PARTITION OF deals FOR VALUES IN ('apac');
ALTER TABLE deals_eu DISABLE TRIGGER softdelete_guard;
ALTER TABLE deals_us DISABLE TRIGGER softdelete_privilege;
CREATE TABLE docs_2025 () INHERITS (docs)`)
	got := kinds(Check(e.f.inspect()), Error)
	for _, want := range []string{
		"object_missing trigger softdelete_guard on public.deals_apac",
		"object_missing trigger softdelete_truncate on public.deals_apac",
		"object_stale trigger softdelete_guard on public.deals_eu",
		"object_missing trigger clone softdelete_privilege on public.deals_us",
		"object_missing trigger softdelete_guard on public.docs_2025",
		"object_missing trigger softdelete_privilege on public.docs_2025",
		"object_missing trigger softdelete_truncate on public.docs_2025",
	} {
		if !slices.Contains(got, want) {
			t.Errorf("check does not report %q:\n%q", want, got)
		}
	}
	e.f.apply(Options{})
	e.f.requireNoOp(Options{})
	if errs := kinds(Check(e.f.inspect()), Error); len(errs) != 2 { // the unmanaged parent of events_2024, the cascade from orgs to people
		t.Errorf("errors after migrate: %q", errs)
	}
	e.f.mustExec("INSERT INTO deals VALUES (500, 'apac', NULL), (501, 'eu', NULL); INSERT INTO docs_2025 VALUES (502, NULL);" +
		"GRANT ALL ON deals_apac, docs_2025 TO " + pgx.Identifier{e.appRole}.Sanitize())
	for _, sql := range []string{"TRUNCATE deals_apac", "DELETE FROM deals WHERE id = 501", "DELETE FROM docs_2025"} {
		_, err := exec(e.app, sql)
		refused(t, err, "public.")
	}
	if e.count(t, "deals WHERE id IN (500, 501)")+e.count(t, "docs WHERE id = 502") != 3 {
		t.Error("rows of the new partition, or of the re-enabled one, are gone")
	}
}
