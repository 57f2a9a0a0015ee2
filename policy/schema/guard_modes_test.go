package schema

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// TestGuardUpgradesTheMarkedGuard: a database guarded by the row trigger
// older versions installed (softdelete.guard_hard_delete(), trusting
// softdelete.purging and softdelete.hard_delete) is migrated to the guard:
// the old trigger and its clones on partitions go, the old function too,
// and a second migrate has nothing to do.
func TestGuardUpgradesTheMarkedGuard(t *testing.T) {
	e := newGuardEnv(t)
	e.f.mustExec(`DROP TRIGGER softdelete_guard ON contacts; DROP TRIGGER softdelete_guard ON deals;
DROP TRIGGER softdelete_guard ON deals_eu; DROP TRIGGER softdelete_guard ON deals_us; DROP TRIGGER softdelete_guard ON deals_us_low;
CREATE FUNCTION softdelete.guard_hard_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('softdelete.purging', true) = 'on' OR current_setting('softdelete.hard_delete', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'hard delete refused' USING ERRCODE = '42501';
END $$;
CREATE TRIGGER softdelete_guard BEFORE DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();
CREATE TRIGGER softdelete_guard BEFORE DELETE ON deals FOR EACH ROW EXECUTE FUNCTION softdelete.guard_hard_delete();`)
	got := kinds(Check(e.f.inspect()), Error)
	for _, want := range []string{"object_stale trigger softdelete_guard on public.contacts", "object_stale trigger softdelete_guard on public.deals",
		"object_missing trigger softdelete_guard on public.deals_eu", "object_unexpected function softdelete.guard_hard_delete()"} {
		if !slices.Contains(got, want) {
			t.Errorf("check does not report %q: %q", want, got)
		}
	}
	e.f.apply(Options{})
	e.f.requireNoOp(Options{})
	var n int
	if err := e.f.conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_trigger WHERE tgname = 'softdelete_guard' AND tgparentid <> 0`).Scan(&n); err != nil || n != 0 {
		t.Errorf("clones of the old row trigger left: %d %v", n, err)
	}
	_, err := exec(e.app, "SET softdelete.purging = on; DELETE FROM deals_eu WHERE id = 110")
	refused(t, err, "hard delete of a trashed row of public.deals_eu refused")
	if n, err := exec(e.purger, "DELETE FROM deals WHERE id = 110"); err != nil || n != 1 {
		t.Errorf("the purger after the upgrade: %d %v", n, err)
	}
}

// TestGuardRowByRowWithForeignPartitions: a DELETE that reaches a foreign
// table through its parent cannot collect a transition table, so a tree
// with a foreign partition is guarded row by row (and check says what the
// guard cannot do for the foreign table).
func TestGuardRowByRowWithForeignPartitions(t *testing.T) {
	e := newGuardEnv(t)
	e.f.mustExec(`CREATE FOREIGN DATA WRAPPER sdtest_nowhere; CREATE SERVER sdtest_nowhere FOREIGN DATA WRAPPER sdtest_nowhere;
CREATE FOREIGN TABLE deals_far PARTITION OF deals FOR VALUES IN ('far') SERVER sdtest_nowhere`)
	r := Check(e.f.inspect())
	if !slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Kind == KindForeignPartition && f.Object == "public.deals_far" }) {
		t.Errorf("no foreign_partition warning: %q", kinds(r, Warning))
	}
	m := e.f.plan(Options{})
	script := m.Script(0)
	for _, want := range []string{"DROP TRIGGER IF EXISTS softdelete_guard ON public.deals;",
		"CREATE OR REPLACE TRIGGER softdelete_guard_row BEFORE DELETE ON public.deals FOR EACH ROW"} {
		if !strings.Contains(script, want) {
			t.Errorf("plan lacks %q:\n%s", want, script)
		}
	}
	e.f.apply(Options{})
	e.f.requireNoOp(Options{})
	_, err := exec(e.app, "DELETE FROM deals WHERE region = 'eu' AND id = 50")
	refused(t, err, "hard delete of a live row of public.deals_eu refused")
	_, err = exec(e.app, "DELETE FROM deals WHERE region = 'eu' AND id = 150")
	refused(t, err, "hard delete of a trashed row of public.deals_eu refused")
	if n, err := exec(e.purger, "DELETE FROM deals WHERE region = 'eu' AND id = 150"); err != nil || n != 1 {
		t.Errorf("the purger, row by row: %d %v", n, err)
	}
	if n, err := exec(e.app, "UPDATE deals SET region = 'us' WHERE region = 'eu' AND id = 52"); err == nil || n != 0 {
		t.Errorf("row by row, a partition move is a DELETE the guard refuses: %d %v", n, err)
	}
}
