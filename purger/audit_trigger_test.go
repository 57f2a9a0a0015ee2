package purger

import (
	"strings"
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// auditRows renders the audit table: action, table, count, keys, actor,
// reason, db_user is the session user (t: yes).
func auditRows(t *testing.T, url string) []string {
	t.Helper()
	conn := connect(t, url)
	rows, err := conn.Query(ctxT(t), `SELECT action || ' ' || table_name || ' ' || row_count || ' ' || coalesce(keys::text, '-') || ' ' ||
		actor || ' ' || coalesce(reason, '-') FROM softdelete.audit ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// Every change of the trash is one audit row per statement and table with
// the rows' keys, whoever makes it: a soft delete as the proxy sends it
// (actor and reason from softdelete.actor and softdelete.reason), a
// restore, a forget, an empty (one row per batch) and a purge.
func TestAuditOfDeletions(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, `INSERT INTO contacts (id, name) SELECT g, 'c' || g FROM generate_series(1, 9) g;
INSERT INTO deals (id, title) SELECT g, 'd' || g FROM generate_series(1, 3) g;`)
	pgtest.Exec(t, url, `BEGIN; SET LOCAL softdelete.actor = 'app-bob'; SET LOCAL softdelete.reason = 'cleanup';
UPDATE contacts SET deleted_at = now() WHERE id <= 6 AND deleted_at IS NULL;
WITH d AS (UPDATE deals SET deleted_at = now(), deleted_by = 'x' WHERE id IN (1, 2) RETURNING id)
UPDATE contacts SET deleted_at = now() WHERE id IN (SELECT id + 6 FROM d); COMMIT;`)
	pgtest.Exec(t, url, "UPDATE contacts SET name = 'renamed' WHERE id = 9") // no change of the trash: no row
	pgtest.Exec(t, url, "UPDATE contacts SET deleted_at = now() - interval '40 days' WHERE id IN (7, 8)")
	tr, _ := newTrash(t, url, "dba-alice")
	if _, err := tr.Restore(ctxT(t), "contacts", Selector{IDs: []string{"1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.Forget(ctxT(t), "contacts", Selector{IDs: []string{"2"}}); err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, Options{DatabaseURLs: []string{url}}, contacts)
	if rep, err := f.p.PassOnce(ctxT(t), false); err != nil || rep.Purged() != 2 {
		t.Fatalf("pass: %d %v", rep.Purged(), err)
	}
	if _, err := tr.Empty(ctxT(t), "contacts"); err != nil {
		t.Fatal(err)
	}
	got := auditRows(t, url)
	want := []string{
		"delete public.contacts 6 [1, 2, 3, 4, 5, 6] app-bob cleanup",
		"delete public.deals 2 [1, 2] app-bob cleanup",
		"delete public.contacts 2 [7, 8] app-bob cleanup",
		"restore public.contacts 1 [1] dba-alice -",
		"forget public.contacts 1 [2] dba-alice -",
	}
	if len(got) < len(want)+2 {
		t.Fatalf("audit rows:\n%s", join(got))
	}
	for i, w := range want {
		if got[i] != w {
			t.Errorf("audit row %d: %q, want %q", i, got[i], w)
		}
	}
	rest := join(got[len(want):])
	for _, w := range []string{"purge public.contacts 2 [7, 8]", "empty public.contacts 2 [3, 4] dba-alice", "empty public.contacts 2 [5, 6] dba-alice"} {
		if !contains(rest, w) {
			t.Errorf("no audit row %q in\n%s", w, rest)
		}
	}
	if n := queryInt(t, url, "SELECT count(*) FROM softdelete.audit WHERE db_user IS NULL OR db_user = ''"); n != 0 {
		t.Errorf("%d audit rows without db_user", n)
	}
}

func join(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// A table whose name needs quotes gets one audit row per batch, written
// by the trigger (the purger does not write a second one).
func TestAuditOfAQuotedTable(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, `CREATE SCHEMA "Crm"; CREATE TABLE "Crm"."Odd Name" (id bigint PRIMARY KEY, deleted_at timestamptz);
INSERT INTO "Crm"."Odd Name" SELECT g, now() - interval '40 days' FROM generate_series(1, 3) g;`)
	odd := contacts
	odd.Schema, odd.Name = "Crm", "Odd Name"
	f := newFixture(t, Options{DatabaseURLs: []string{url}}, odd)
	if rep, err := f.p.PassOnce(ctxT(t), false); err != nil || rep.Purged() != 3 {
		t.Fatalf("pass: %d %v", rep.Purged(), err)
	}
	got := join(auditRows(t, url))
	if got != "purge Crm.Odd Name 3 [1, 2, 3] "+loginOf(t, lookupDB(t, url).purger)+" -\n" {
		t.Fatalf("audit rows:\n%s", got)
	}
}
