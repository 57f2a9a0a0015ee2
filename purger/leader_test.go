package purger

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// trashContacts inserts n contacts trashed 40 days ago, one minute apart.
func trashContacts(t *testing.T, url string, n int) {
	t.Helper()
	pgtest.Exec(t, url, `INSERT INTO contacts SELECT g, 'c', now() - interval '40 days' - g * interval '1 minute'
FROM generate_series(1, `+itoa(int64(n))+`) g`)
}

// slowDeletes makes each deleted contact cost about ms milliseconds.
func slowDeletes(t *testing.T, url string, ms int) {
	t.Helper()
	pgtest.Exec(t, url, `CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_sleep(`+itoa(int64(ms))+` / 1000.0); RETURN OLD; END $$;
CREATE TRIGGER slow BEFORE DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION slow();`)
}

// deletedOnce checks that deleted_log holds want distinct ids, each once.
func deletedOnce(t *testing.T, url string, want int64) {
	t.Helper()
	total := queryInt(t, url, `SELECT count(*) FROM deleted_log`)
	distinct := queryInt(t, url, `SELECT count(DISTINCT id) FROM deleted_log`)
	if total != want || distinct != want {
		t.Errorf("deleted %d rows (%d distinct), want %d each once", total, distinct, want)
	}
}

func TestTwoPurgersExactlyOneDeletes(t *testing.T) {
	name, url := newDB(t)
	trashContacts(t, url, 1000)
	opts := Options{DatabaseURLs: []string{url}, BatchSize: 50}
	a, b := newFixture(t, opts, contacts), newFixture(t, opts, contacts)

	var wg sync.WaitGroup
	reports := make([][]DatabaseReport, 2)
	for i, f := range []*fixture{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				rep, err := f.p.PassOnce(ctxT(t), false)
				if err != nil {
					t.Errorf("purger %d: %v", i, err)
				}
				reports[i] = append(reports[i], rep.Databases...)
			}
		}()
	}
	wg.Wait()

	deletedOnce(t, url, 1000)
	leaders := 0
	var purged [2]int64
	for i, reps := range reports {
		for _, r := range reps {
			if r.Leader != reps[0].Leader {
				t.Errorf("purger %d lost or gained the lock between passes: %+v", i, reps)
			}
			for _, tr := range r.Tables {
				purged[i] += tr.Purged
			}
		}
		if reps[0].Leader {
			leaders++
		} else if reps[0].Result != ResultSkipped || len(reps[0].Tables) != 0 {
			t.Errorf("non-leader report: %+v", reps[0])
		}
	}
	if leaders != 1 || purged[0]+purged[1] != 1000 || (purged[0] != 0 && purged[1] != 0) {
		t.Errorf("leaders %d, purged %v: want exactly one purger deleting all 1000", leaders, purged)
	}
	ga, gb := scrape(t, a.reg), scrape(t, b.reg)
	lead := sample("softdelete_purge_leader", "database", name)
	if ga[lead]+gb[lead] != 1 {
		t.Errorf("leader gauges %v and %v, want exactly one 1", ga[lead], gb[lead])
	}
	skipped := sample("softdelete_purge_runs_total", "database", name, "result", ResultSkipped)
	if ga[skipped]+gb[skipped] != 3 {
		t.Errorf("skipped runs %v + %v, want 3", ga[skipped], gb[skipped])
	}
	// Both refresh the backlog gauges, leader or not.
	for _, f := range []*fixture{a, b} {
		if _, err := f.p.PassOnce(ctxT(t), false); err != nil {
			t.Fatal(err)
		}
	}
	ga, gb = scrape(t, a.reg), scrape(t, b.reg)
	backlog := sample("softdelete_purge_backlog_rows", "database", name, "table", "public.contacts")
	for i, g := range []map[string]float64{ga, gb} {
		if v, ok := g[backlog]; !ok || v != 0 {
			t.Errorf("backlog gauge of purger %d: %v (present %v), want 0", i, v, ok)
		}
	}
}

// leaderPID is the backend holding an advisory lock in the database of url.
func leaderPID(t *testing.T, url string) int64 {
	t.Helper()
	return queryInt(t, url, `SELECT coalesce(max(pid), 0) FROM pg_locks WHERE locktype = 'advisory' AND granted
AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`)
}

// waitDeleted waits until at least n rows were deleted (committed).
func waitDeleted(t *testing.T, url string, n int64) int64 {
	t.Helper()
	var got int64
	waitUntil(t, "at least "+itoa(n)+" rows deleted", func() bool {
		got = queryInt(t, url, `SELECT count(*) FROM deleted_log`)
		return got >= n
	})
	return got
}

func TestLeaderKilledMidPass(t *testing.T) {
	name, url := newDB(t)
	trashContacts(t, url, 2000)
	slowDeletes(t, url, 1) // a batch of 100 takes > 100ms
	opts := Options{DatabaseURLs: []string{url}, BatchSize: 100}
	a, b := newFixture(t, opts, contacts), newFixture(t, opts, contacts)

	done := make(chan error, 1)
	go func() {
		_, err := a.p.PassOnce(ctxT(t), false)
		done <- err
	}()
	waitDeleted(t, url, 300)
	pid := leaderPID(t, url)
	if pid == 0 {
		t.Fatal("nobody holds the purge lock mid-pass")
	}
	pgtest.Exec(t, url, "SELECT pg_terminate_backend("+itoa(pid)+")")
	if err := <-done; err == nil {
		t.Fatal("the killed leader's pass reported no error")
	}
	deleted := queryInt(t, url, `SELECT count(*) FROM deleted_log`)
	if deleted%100 != 0 || deleted == 0 || deleted == 2000 {
		t.Fatalf("deleted %d rows when the leader died: want whole batches of 100, and not all", deleted)
	}
	if n := queryInt(t, url, `SELECT coalesce(sum(row_count), 0) FROM softdelete.audit`); n != deleted {
		t.Errorf("audit rows count %d, deleted %d", n, deleted)
	}

	// The other instance takes over on its next pass and finishes the work.
	rep, err := b.p.PassOnce(ctxT(t), false)
	if err != nil || !rep.Databases[0].Leader || rep.Purged() != 2000-deleted {
		t.Fatalf("take-over pass: err %v, report %+v, want %d purged", err, rep.Databases, 2000-deleted)
	}
	deletedOnce(t, url, 2000)
	// The old leader reconnects and finds the lock taken.
	rep, err = a.p.PassOnce(ctxT(t), false)
	if err != nil || rep.Databases[0].Leader || rep.Databases[0].Result != ResultSkipped {
		t.Fatalf("old leader's next pass: err %v, %+v", err, rep.Databases)
	}
	wantSamples(t, scrape(t, a.reg), map[string]float64{
		sample("softdelete_purge_runs_total", "database", name, "result", ResultError):   1,
		sample("softdelete_purge_runs_total", "database", name, "result", ResultSkipped): 1,
		sample("softdelete_purge_leader", "database", name):                              0,
	})
	wantSamples(t, scrape(t, b.reg), map[string]float64{
		sample("softdelete_purge_leader", "database", name):                                  1,
		sample("softdelete_purged_rows_total", "database", name, "table", "public.contacts"): float64(2000 - deleted),
	})
}

func TestShutdownMidPassRollsBackTheBatch(t *testing.T) {
	_, url := newDB(t)
	trashContacts(t, url, 2000)
	// No statement timeout: the blocked batch below can only end by being cancelled.
	f := newFixture(t, Options{DatabaseURLs: []string{url}, BatchSize: 100, Interval: time.Hour, StatementTimeout: 0})
	f.p.tables = append(f.p.tables, contacts)

	// After a few batches, a session holding deleted_log blocks the next one
	// (its trigger inserts there) in the middle of its DELETE.
	holder := connect(t, url)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- f.p.Run(ctx) }()
	waitDeleted(t, url, 200)
	if _, err := holder.Exec(ctxT(t), "BEGIN; LOCK TABLE deleted_log IN EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a batch to wait on the held lock", func() bool { return purgerWaitingOnLock(t, url) })
	deleted := queryInt(t, url, `SELECT count(*) FROM deleted_log`)
	cancel()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(waitDeadline):
		t.Fatalf("Run did not return %s after the cancellation, though its batch waits on a lock and can only end by being cancelled", waitDeadline)
	}
	// The lock and the session are gone, and no statement still runs.
	waitUntil(t, "the purger's session and lock to end after Run returned", func() bool {
		return leaderPID(t, url) == 0 &&
			queryInt(t, url, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'softdelete-proxy purger'`) == 0
	})
	if _, err := holder.Exec(ctxT(t), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if deleted%100 != 0 || deleted == 2000 {
		t.Fatalf("deleted %d rows before the blocked batch: want whole batches of 100", deleted)
	}
	if again := queryInt(t, url, `SELECT count(*) FROM deleted_log`); again != deleted {
		t.Errorf("the cancelled batch was not rolled back: %d rows deleted before it, %d after Run returned", deleted, again)
	}
}
