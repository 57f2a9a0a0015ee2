package purger

import (
	"context"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

func TestPurgePartitionedTableByTableoidAndCtid(t *testing.T) {
	// The same ctids exist in both partitions; only the old rows of p0 are
	// past retention. A ctid-only delete would hit p1's rows too.
	_, url := newDB(t)
	pgtest.Exec(t, url, `
CREATE TABLE events (id bigint, k int, deleted_at timestamptz, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
CREATE TABLE events_0 PARTITION OF events FOR VALUES IN (0);
CREATE TABLE events_1 PARTITION OF events FOR VALUES IN (1);
CREATE INDEX ON events (deleted_at) WHERE deleted_at IS NOT NULL;
INSERT INTO events SELECT g, 0, now() - interval '40 days' FROM generate_series(1, 10) g;
INSERT INTO events SELECT g, 1, now() - interval '1 day' FROM generate_series(1, 10) g;`)
	if queryInt(t, url, `SELECT count(*) FROM events_0 a JOIN events_1 b ON a.ctid = b.ctid`) == 0 {
		t.Fatal("test setup: the partitions share no ctid")
	}
	tbl := policy.Table{Schema: "public", Name: "events", Column: "deleted_at", Retention: 30 * day}
	f := newFixture(t, Options{DatabaseURLs: []string{url}, BatchSize: 3}, tbl)
	rep, err := f.p.PassOnce(ctxT(t), false)
	if err != nil || rep.Purged() != 10 {
		t.Fatalf("purged %d, %v; want 10", rep.Purged(), err)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM events_1`); n != 10 {
		t.Errorf("events_1 has %d rows, want all 10 (inside retention)", n)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM events_0`); n != 0 {
		t.Errorf("events_0 has %d rows, want 0", n)
	}
}

func TestRunRepeatsEveryInterval(t *testing.T) {
	name, url := newDB(t)
	f := newFixture(t, Options{DatabaseURLs: []string{url}, Interval: 150 * time.Millisecond}, contacts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- f.p.Run(ctx) }()
	successes := sample("softdelete_purge_runs_total", "database", name, "result", ResultSuccess)
	runs := func() float64 { return scrape(t, f.reg)[successes] }
	// Passes repeat: count them by their metric.
	waitUntil(t, "two successful passes", func() bool { return runs() >= 2 })
	// A row already old enough that arrives between passes is picked up by
	// a later one.
	before := runs()
	trashContacts(t, url, 5)
	waitUntil(t, "a later pass to purge the rows trashed between passes", func() bool {
		return queryInt(t, url, `SELECT count(*) FROM contacts`) == 0
	})
	// the pass that purged them counts its success when it ends (after the
	// evicted records and the gauges)
	waitUntil(t, "the pass that purged them to end", func() bool { return runs() > before })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	got := scrape(t, f.reg)
	if after := got[successes]; after <= before {
		t.Errorf("successful runs %v before the rows arrived and %v after they were purged: want a later pass", before, after)
	}
	if v := got[sample("softdelete_purge_leader", "database", name)]; v != 0 {
		t.Errorf("leader gauge %v after Run returned, want 0 (the lock is released)", v)
	}
}

func TestReconfigureKeepsTheLock(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, seed)
	f := newFixture(t, Options{DatabaseURLs: []string{url}}, contacts)
	if _, err := f.p.PassOnce(ctxT(t), false); err != nil {
		t.Fatal(err)
	}
	pid := leaderPID(t, url)
	f.p.Reconfigure(Options{DatabaseURLs: []string{purgerURL(t, url)}, AuditTable: "softdelete.audit"}, []policy.Table{contacts, deals})
	rep, err := f.p.PassOnce(ctxT(t), false)
	if err != nil || rep.Purged() != 2 || len(rep.Databases[0].Tables) != 2 {
		t.Fatalf("after Reconfigure: %v, %+v; want deals purged too", err, rep.Databases)
	}
	if got := leaderPID(t, url); got != pid {
		t.Errorf("the lock moved from backend %d to %d: the connection was not kept", pid, got)
	}
	f.p.Reconfigure(Options{}, nil)
	if _, err := f.p.PassOnce(ctxT(t), false); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the lock of a database no longer configured to be released", func() bool {
		return leaderPID(t, url) == 0
	})
}
