package purger

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// evict trashes the rows of table with the given ids and inserts new live
// rows with the same ids (values: the rest of the row after the id), so
// that the keys trigger evicts the trashed ones into softdelete.evicted;
// then it backdates their records by age (a PostgreSQL interval).
func evict(t *testing.T, url, table, ids, values, age string) {
	t.Helper()
	pgtest.Exec(t, url, "UPDATE "+table+" SET deleted_at = now() WHERE id IN ("+ids+")",
		"INSERT INTO "+table+" SELECT g, "+values+" FROM unnest(ARRAY["+ids+"]::bigint[]) g",
		"UPDATE softdelete.evicted SET at = now() - interval '"+age+"' WHERE table_name = 'public."+table+
			"' AND (content ->> 'id')::bigint IN ("+ids+") AND at > now() - interval '1 minute'")
}

// evictedLeft lists the records left, "table id" each, in order.
func evictedLeft(t *testing.T, url string) string {
	t.Helper()
	var s string
	if err := connect(t, url).QueryRow(ctxT(t), `SELECT coalesce(string_agg(table_name || ' ' || coalesce(content ->> 'id', '-'), ','
ORDER BY table_name, (content ->> 'id')::bigint), '') FROM softdelete.evicted`).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPurgeEvictedRecords: the purger, connected as a login granted the
// purge role and nothing else, deletes the records of evicted rows once
// their table's retention has passed, in batches, table by table (with
// the table's partitions), keeping the records of held rows, of tables
// that keep their trash forever and of tables outside the policy, and
// counts them in softdelete_purged_evicted_rows_total.
func TestPurgeEvictedRecords(t *testing.T) {
	name, url := newDB(t)
	pgtest.Exec(t, url, `
CREATE TABLE events (id bigint, k int, deleted_at timestamptz, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE TABLE events_0 PARTITION OF events FOR VALUES IN (0);
CREATE TABLE events_1 PARTITION OF events FOR VALUES IN (1);
INSERT INTO contacts SELECT g, 'old', NULL FROM generate_series(1, 7) g;
INSERT INTO deals VALUES (2, 'old', NULL, NULL, NULL, NULL), (3, 'held', NULL, NULL, NULL, true), (4, 'recent', NULL, NULL, NULL, NULL);
INSERT INTO notes VALUES (1, NULL, NULL);`)
	forever := notes
	forever.Retention = 0
	events := policy.Table{Schema: "public", Name: "events", Column: "deleted_at", Retention: 30 * day}
	f := newFixture(t, Options{DatabaseURLs: []string{url}, BatchSize: 2}, contacts, deals, forever, events)

	evict(t, url, "contacts", "1, 2, 3, 4, 5", "'new', NULL", "40 days") // past 30d
	evict(t, url, "contacts", "6, 7", "'new', NULL", "10 days")
	evict(t, url, "deals", "2, 3", "'new', NULL, NULL, NULL, NULL", "100 days") // past 90d; 3 was on hold
	evict(t, url, "deals", "4", "'new', NULL, NULL, NULL, NULL", "50 days")
	evict(t, url, "notes", "1", "NULL, NULL", "1000 days") // kept forever
	pgtest.Exec(t, url, `INSERT INTO events VALUES (1, 0, now()), (2, 1, now());
INSERT INTO events VALUES (1, 0, NULL), (2, 1, NULL);
UPDATE softdelete.evicted SET at = now() - interval '40 days' WHERE table_name LIKE 'public.events_%';
INSERT INTO softdelete.evicted (at, table_name, key_name, reason, content)
VALUES (now() - interval '1000 days', 'public.gone', 'k', 'a new row took its key', '{"id": 1}')`)
	before := "public.contacts 1,public.contacts 2,public.contacts 3,public.contacts 4,public.contacts 5,public.contacts 6," +
		"public.contacts 7,public.deals 2,public.deals 3,public.deals 4,public.events_0 1,public.events_1 2,public.gone 1,public.notes 1"
	if got := evictedLeft(t, url); got != before {
		t.Fatalf("test setup: records %s,\nwant %s", got, before)
	}

	dry, err := f.p.PassOnce(ctxT(t), true)
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if got := evictedLeft(t, url); got != before {
		t.Errorf("the dry run deleted records: %s", got)
	}
	rep, err := f.p.PassOnce(ctxT(t), false)
	if err != nil {
		t.Fatalf("PassOnce: %v\n%+v", err, rep)
	}
	if got, want := evictedLeft(t, url), "public.contacts 6,public.contacts 7,public.deals 3,public.deals 4,public.gone 1,public.notes 1"; got != want {
		t.Errorf("records left: %s,\nwant %s", got, want)
	}
	for _, r := range []Report{dry, rep} {
		got := map[string]int64{}
		for _, tr := range r.Databases[0].Tables {
			got[tr.Table] = tr.Evicted
		}
		if got["public.contacts"] != 5 || got["public.deals"] != 1 || got["public.notes"] != 0 || got["public.events"] != 2 {
			t.Errorf("report (dry run %v): evicted %v, want contacts 5, deals 1, events 2", r.DryRun, got)
		}
	}
	if ids(t, url, "contacts") != "1,2,3,4,5,6,7" {
		t.Errorf("contacts: %s: the live rows that took the keys must stay", ids(t, url, "contacts"))
	}
	wantSamples(t, scrape(t, f.reg), map[string]float64{
		sample("softdelete_purged_evicted_rows_total", "database", name, "table", "public.contacts"): 5,
		sample("softdelete_purged_evicted_rows_total", "database", name, "table", "public.deals"):    1,
		sample("softdelete_purged_evicted_rows_total", "database", name, "table", "public.events"):   2,
		sample("softdelete_purge_runs_total", "database", name, "result", "success"):                 1,
	})
	lines := auditLines(f.logs, ActionPurgeEvicted)
	if len(lines) != 3 || lines[0].ContextMap()["table"] != "public.contacts" || lines[0].ContextMap()["count"] != int64(5) {
		t.Errorf("purge-evicted audit lines: %v", lines)
	}
	if rep, err = f.p.PassOnce(ctxT(t), false); err != nil || rep.Databases[0].Tables[0].Evicted != 0 {
		t.Errorf("second pass: %v, %+v", err, rep)
	}
}

// TestPurgeEvictedNeedsTheGrant: without the privileges migrate gives the
// purge role on softdelete.evicted (a database migrated by an earlier
// version), the table's purge fails and says so, and the other tables go on.
func TestPurgeEvictedNeedsTheGrant(t *testing.T) {
	name, url := newDB(t)
	f := newFixture(t, Options{DatabaseURLs: []string{url}}, contacts, deals)
	pgtest.Exec(t, url, "REVOKE ALL ON softdelete.evicted FROM "+pgx.Identifier{lookupDB(t, url).purgeRole}.Sanitize())
	rep, err := f.p.PassOnce(ctxT(t), false)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.Contains(err.Error(), "evicted records of public.contacts") {
		t.Fatalf("want 42501 for the evicted records, got %v", err)
	}
	if got := scrape(t, f.reg)[sample("softdelete_purge_table_errors_total", "database", name, "table", "public.contacts")]; got != 1 {
		t.Errorf("table errors of contacts: %v, want 1", got)
	}
	if tables := rep.Databases[0].Tables; len(tables) != 2 || tables[0].Error == "" || tables[1].Error == "" {
		t.Errorf("the pass did not try every table: %+v", rep)
	}
}

// TestEvictedNames: a table's records are those of the table and its
// partitions, but not of a partition the policy manages itself.
func TestEvictedNames(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, `CREATE SCHEMA "Odd";
CREATE TABLE "Odd"."Docs" (id bigint, k int, deleted_at timestamptz) PARTITION BY LIST (k);
CREATE TABLE "Odd"."Docs 0" PARTITION OF "Odd"."Docs" FOR VALUES IN (0) PARTITION BY LIST (id);
CREATE TABLE "Odd".docs_00 PARTITION OF "Odd"."Docs 0" FOR VALUES IN (0);
CREATE TABLE "Odd".docs_1 PARTITION OF "Odd"."Docs" FOR VALUES IN (1) PARTITION BY LIST (id);
CREATE TABLE "Odd".docs_10 PARTITION OF "Odd".docs_1 FOR VALUES IN (0);`)
	docs := policy.Table{Schema: "Odd", Name: "Docs", Column: "deleted_at"}
	own := policy.Table{Schema: "Odd", Name: "docs_1", Column: "deleted_at"}
	conn := connect(t, url)
	for _, c := range []struct {
		t      policy.Table
		others []policy.Table
		want   string
	}{
		{docs, nil, `"Odd"."Docs 0","Odd"."Docs","Odd".docs_00,"Odd".docs_1,"Odd".docs_10`},
		{docs, []policy.Table{docs, own}, `"Odd"."Docs 0","Odd"."Docs","Odd".docs_00`},
		{own, []policy.Table{docs, own}, `"Odd".docs_1,"Odd".docs_10`},
		{policy.Table{Schema: "Odd", Name: "Gone"}, nil, `"Odd"."Gone"`},
	} {
		got, err := evictedNames(ctxT(t), conn, c.t, c.others)
		sort.Strings(got)
		if err != nil || strings.Join(got, ",") != c.want {
			t.Errorf("%s with %d others: %q, %v; want %s", c.t.Name, len(c.others), got, err, c.want)
		}
	}
	// the names are those the keys trigger records (regclass under the
	// search_path of its functions)
	var rc string
	if err := conn.QueryRow(ctxT(t), `SELECT set_config('search_path', 'pg_catalog, pg_temp', true),
'"Odd"."Docs 0"'::regclass::text`).Scan(nil, &rc); err != nil || rc != `"Odd"."Docs 0"` {
		t.Errorf("regclass prints %q, %v", rc, err)
	}
}
