package purger

import (
	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"strings"
	"testing"
	"time"
)

// seed fills the schema: contacts 1-3 live, 4-6 trashed 10 days ago (inside
// 30d), 7-10 trashed 40 days ago; deals 1 live, 2 and 5 trashed 100 days ago,
// 3 trashed 100 days ago on hold, 4 trashed 50 days ago (inside 90d); notes
// 1 trashed 1000 days ago (its table keeps trash forever in this test).
const seed = `
INSERT INTO contacts SELECT g, 'c' || g, CASE WHEN g <= 3 THEN NULL
    WHEN g <= 6 THEN now() - interval '10 days' ELSE now() - interval '40 days' - g * interval '1 minute' END
    FROM generate_series(1, 10) g;
INSERT INTO deals VALUES
    (1, 'live', NULL, NULL, NULL, NULL),
    (2, 'old', now() - interval '100 days', 'alice', 'dup', NULL),
    (3, 'held', now() - interval '100 days', 'bob', 'lawsuit', true),
    (4, 'recent', now() - interval '50 days', NULL, NULL, false),
    (5, 'old2', now() - interval '101 days', NULL, NULL, false);
INSERT INTO notes VALUES (1, 4, now() - interval '1000 days');
`

func TestPurgeRespectsRetentionAndHold(t *testing.T) {
	name, url := newDB(t)
	pgtest.Exec(t, url, seed)
	forever := notes
	forever.Retention = 0
	f := newFixture(t, Options{DatabaseURLs: []string{url}}, contacts, deals, forever)

	rep, err := f.p.PassOnce(ctxT(t), false)
	if err != nil {
		t.Fatalf("PassOnce: %v\n%+v", err, rep)
	}
	if got := ids(t, url, "contacts"); got != "1,2,3,4,5,6" {
		t.Errorf("contacts left: %s, want 1..6", got)
	}
	if got := ids(t, url, "deals"); got != "1,3,4" {
		t.Errorf("deals left: %s, want 1,3,4 (live, held, inside retention)", got)
	}
	if got := ids(t, url, "notes"); got != "1" {
		t.Errorf("notes left: %s, want 1 (kept forever)", got)
	}
	if len(rep.Databases) != 1 || rep.Databases[0].Result != ResultSuccess || !rep.Databases[0].Leader {
		t.Fatalf("report: %+v", rep)
	}
	if rep.Purged() != 6 {
		t.Errorf("report purged %d, want 6", rep.Purged())
	}

	now := float64(time.Now().UnixNano()) / 1e9
	got := scrape(t, f.reg)
	wantSamples(t, got, map[string]float64{
		sample("softdelete_purge_runs_total", "database", name, "result", "success"):          1,
		sample("softdelete_purged_rows_total", "database", name, "table", "public.contacts"):  4,
		sample("softdelete_purged_rows_total", "database", name, "table", "public.deals"):     2,
		sample("softdelete_purge_leader", "database", name):                                   1,
		sample("softdelete_trash_rows", "database", name, "table", "public.contacts"):         3,
		sample("softdelete_trash_rows", "database", name, "table", "public.deals"):            2,
		sample("softdelete_trash_rows", "database", name, "table", "public.notes"):            1,
		sample("softdelete_purge_backlog_rows", "database", name, "table", "public.contacts"): 0,
		sample("softdelete_purge_backlog_rows", "database", name, "table", "public.deals"):    0,
		sample("softdelete_purge_backlog_rows", "database", name, "table", "public.notes"):    0,
		sample("softdelete_purge_duration_seconds_count"):                                     1,
		sample("softdelete_purge_batch_duration_seconds_count"):                               4, // contacts and deals: trashed rows, evicted records
	})
	if age := got[sample("softdelete_trash_oldest_age_seconds", "database", name, "table", "public.deals")]; age < (100*day).Seconds() || age > (100*day).Seconds()+60 {
		t.Errorf("oldest age of deals = %vs, want 100 days (the held row)", age)
	}
	if last := got[sample("softdelete_purge_last_success_timestamp_seconds", "database", name)]; last < now-60 || last > now+1 {
		t.Errorf("last success = %v, want about %v", last, now)
	}

	// Audit: one log line per table and one row per batch.
	lines := auditLines(f.logs, ActionPurge)
	if len(lines) != 2 {
		t.Fatalf("purge audit lines: %d, want 2", len(lines))
	}
	purger := loginOf(t, lookupDB(t, url).purger) // the actor is the purger's session user
	if c := lines[0].ContextMap(); c["table"] != "public.contacts" || c["count"] != int64(4) || c["actor"] != purger || c["database"] != name {
		t.Errorf("audit line: %v", c)
	}
	if n := queryInt(t, url, `SELECT coalesce(sum(row_count), 0) FROM softdelete.audit WHERE action = 'purge' AND actor = $1`, purger); n != 6 {
		t.Errorf("audit table purge rows sum to %d, want 6", n)
	}

	// A second pass finds nothing more and still succeeds.
	rep, err = f.p.PassOnce(ctxT(t), false)
	if err != nil || rep.Purged() != 0 {
		t.Fatalf("second pass: %v, purged %d", err, rep.Purged())
	}
}

func TestPurgeBatchesChildrenFirst(t *testing.T) {
	_, url := newDB(t)
	// 10 deals and 25 notes (many per deal) all trashed long ago; the notes
	// reference the deals, so deals can only go after their notes.
	pgtest.Exec(t, url, `
INSERT INTO deals SELECT g, 'd', now() - interval '200 days' FROM generate_series(1, 10) g;
INSERT INTO notes SELECT g, 1 + g % 10, now() - interval '200 days' FROM generate_series(1, 25) g;`)
	// Config order parent first: the purger must reorder.
	f := newFixture(t, Options{DatabaseURLs: []string{url}, BatchSize: 4}, deals, notes)
	rep, err := f.p.PassOnce(ctxT(t), false)
	if err != nil {
		t.Fatalf("PassOnce: %v", err)
	}
	tables := rep.Databases[0].Tables
	if len(tables) != 2 || tables[0].Table != "public.notes" || tables[1].Table != "public.deals" {
		t.Fatalf("order: %+v, want notes then deals", tables)
	}
	// 25 rows by 4: 7 batches (the last short); 10 by 4: 3 batches.
	if tables[0].Purged != 25 || tables[0].Batches != 7 || tables[1].Purged != 10 || tables[1].Batches != 3 {
		t.Errorf("tables: %+v", tables)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM softdelete.audit WHERE action = 'purge'`); n != 10 {
		t.Errorf("audit rows: %d, want one per non-empty batch (10)", n)
	}
	if n := queryInt(t, url, `SELECT max(row_count) FROM softdelete.audit`); n != 4 {
		t.Errorf("largest batch: %d rows, want 4", n)
	}
}

func TestPurgeTableFailureDoesNotStopOthers(t *testing.T) {
	name, url := newDB(t)
	pgtest.Exec(t, url, seed)
	broken := contacts
	broken.Name, broken.Column = "contacts", "no_such_column"
	f := newFixture(t, Options{DatabaseURLs: []string{url}}, broken, deals)
	rep, err := f.p.PassOnce(ctxT(t), false)
	if err == nil || !strings.Contains(err.Error(), "no_such_column") {
		t.Fatalf("PassOnce error = %v, want one naming the bad column", err)
	}
	if got := ids(t, url, "deals"); got != "1,3,4" {
		t.Errorf("deals left: %s, want 1,3,4: the other table must still be purged", got)
	}
	if rep.Databases[0].Result != ResultError || rep.Databases[0].Tables[0].Error == "" {
		t.Errorf("report: %+v", rep.Databases[0])
	}
	wantSamples(t, scrape(t, f.reg), map[string]float64{
		sample("softdelete_purge_runs_total", "database", name, "result", "error"):                  1,
		sample("softdelete_purge_table_errors_total", "database", name, "table", "public.contacts"): 1,
		sample("softdelete_purged_rows_total", "database", name, "table", "public.deals"):           2,
	})
	if len(f.logs.FilterMessage("purging table failed; going on with the others").All()) != 1 {
		t.Errorf("no error logged for the failing table")
	}
}

func TestDryRunDeletesNothing(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, seed)
	f := newFixture(t, Options{DatabaseURLs: []string{url}}, contacts, deals, notes)
	rep, err := f.p.PassOnce(ctxT(t), true)
	if err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM deleted_log`); n != 0 {
		t.Fatalf("dry run deleted %d rows", n)
	}
	if !rep.DryRun || rep.Databases[0].Result != "dry_run" || rep.Databases[0].Leader {
		t.Errorf("report: %+v", rep.Databases[0])
	}
	want := map[string]int64{"public.contacts": 4, "public.deals": 2, "public.notes": 1}
	for _, tr := range rep.Databases[0].Tables {
		if tr.Purged != want[tr.Table] {
			t.Errorf("%s: would purge %d, want %d", tr.Table, tr.Purged, want[tr.Table])
		}
	}
	if n := queryInt(t, url, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'`); n != 0 {
		t.Errorf("a dry run took the purge lock")
	}
	if got := scrape(t, f.reg); got[sample("softdelete_purge_runs_total", "database", rep.Databases[0].Database, "result", "success")] != 0 {
		t.Errorf("a dry run counted as a purge run")
	}
}

// ids lists the ids left in a table, in order, comma separated.
func ids(t *testing.T, url, table string) string {
	t.Helper()
	conn := connect(t, url)
	var s string
	if err := conn.QueryRow(ctxT(t), "SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM "+table).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}
