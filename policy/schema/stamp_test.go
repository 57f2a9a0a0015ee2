package schema

import (
	"slices"
	"sort"
	"strings"
	"testing"
)

// TestStampFollowsKeysAndForeignKeys: a key or foreign key of a managed
// table added, dropped or changed after migrate makes the table's guard
// stale, for the proxy (GuardStatus) and for check, until migrate runs
// again; changes that leave keys and foreign keys alone do not, whatever
// the session's search_path.
func TestStampFollowsKeysAndForeignKeys(t *testing.T) {
	e := newGuardEnv(t)
	e.f.mustExec("CREATE TABLE notes (id int, contact_id int)")
	for _, c := range []struct {
		what, ddl string
		stale     []string
	}{
		{"a foreign key into a managed table", "ALTER TABLE notes ADD FOREIGN KEY (contact_id) REFERENCES contacts ON DELETE CASCADE", []string{"public.contacts"}},
		{"a unique index", "CREATE UNIQUE INDEX contacts_name_key ON contacts (name)", []string{"public.contacts"}},
		{"a foreign key between managed tables", "ALTER TABLE people ADD COLUMN contact_id int REFERENCES contacts", []string{"public.contacts", "public.people"}},
		{"a foreign key's action", "ALTER TABLE people DROP CONSTRAINT people_org_id_fkey, ADD CONSTRAINT people_org_id_fkey FOREIGN KEY (org_id) REFERENCES orgs ON DELETE SET NULL", []string{"public.people"}},
		{"a foreign key made deferrable", "ALTER TABLE people ALTER CONSTRAINT people_org_id_fkey DEFERRABLE INITIALLY DEFERRED", []string{"public.people"}},
		{"a referencing table renamed", "ALTER TABLE notes RENAME TO memos", []string{"public.contacts"}},
		{"a referencing column renamed", "ALTER TABLE memos RENAME COLUMN contact_id TO owner_id", []string{"public.contacts"}},
		{"an exclusion constraint", "ALTER TABLE scratch ADD CONSTRAINT scratch_one EXCLUDE USING btree (id WITH =)", []string{"public.scratch"}},
		{"a key dropped with its foreign keys", "ALTER TABLE contacts DROP CONSTRAINT contacts_pkey CASCADE", []string{"public.contacts", "public.people"}},
		{"nothing about keys", `ALTER TABLE contacts ADD COLUMN note text; CREATE INDEX ON contacts (note); COMMENT ON TABLE contacts IS 'x';
			CLUSTER people USING people_pkey; ALTER TABLE contacts ALTER COLUMN name SET STATISTICS 500; GRANT SELECT (name) ON contacts TO PUBLIC;
			REINDEX TABLE people; ANALYZE people; ALTER TABLE people REPLICA IDENTITY USING INDEX people_pkey`, nil},
		{"a key rebuilt concurrently", "REINDEX TABLE CONCURRENTLY people", nil},
		{"another search_path", "SET search_path = ''", nil},
	} {
		e.f.mustExec(c.ddl)
		var got []string
		for _, p := range e.guardStatus(t) {
			got = append(got, p.Table.String())
			if !strings.Contains(strings.Join(p.Objects, "\n"), "changed since migrate last ran") {
				t.Errorf("%s: %s: %q does not say its keys or foreign keys changed", c.what, p.Table, p.Objects)
			}
		}
		sort.Strings(got)
		if !slices.Equal(got, c.stale) {
			t.Errorf("%s: the proxy sees %q stale, want %q", c.what, got, c.stale)
		}
		var checked []string
		for _, fd := range Check(e.f.inspect()).Findings {
			if fd.Kind == KindObjectStale && strings.Contains(fd.Message, "changed since migrate last ran") {
				checked = append(checked, fd.Table)
			}
		}
		sort.Strings(checked)
		if !slices.Equal(checked, c.stale) {
			t.Errorf("%s: check reports %q, want %q", c.what, checked, c.stale)
		}
		if len(c.stale) > 0 {
			e.f.apply(Options{})
			e.f.requireNoOp(Options{})
		}
		if ps := e.guardStatus(t); len(ps) != 0 {
			t.Fatalf("%s: after migrate: %+v", c.what, ps)
		}
	}
}
