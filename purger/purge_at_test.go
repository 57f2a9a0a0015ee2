package purger

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// dated has its own purge dates (purge_at), a hold and a lock column.
var dated = policy.Table{Schema: "public", Name: "dated", Column: "deleted_at", HoldColumn: "legal_hold",
	LockColumn: "locked", PurgeAtColumn: "purge_at", Retention: 30 * day}

const datedSchema = `CREATE TABLE dated (id bigint PRIMARY KEY, legal_hold boolean NOT NULL DEFAULT false,
    locked boolean NOT NULL DEFAULT false, purge_at timestamptz, deleted_at timestamptz);
INSERT INTO dated (id) SELECT generate_series(1, 8);`

// purgeAt reads the purge dates of ids, as days from deleted_at.
func purgeDays(t *testing.T, url string, id int) int64 {
	t.Helper()
	return queryInt(t, url, "SELECT extract(day FROM purge_at - deleted_at)::int8 FROM dated WHERE id = $1", id)
}

func TestPurgeDatesAcrossARetentionChange(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, datedSchema)
	tr := trashFor(t, url, dated)
	// trashed 20 days ago under a 30-day retention: due in 10 days
	pgtest.Exec(t, url, "UPDATE dated SET deleted_at = now() - interval '20 days' WHERE id IN (1, 2)")
	if d := purgeDays(t, url, 1); d != 30 {
		t.Fatalf("purge date of row 1: deleted_at + %d days, want 30", d)
	}
	// the retention becomes 10 days: rows trashed now get 10, rows 1 and 2 keep 30
	shorter := dated
	shorter.Retention = 10 * day
	tr = trashFor(t, url, shorter)
	pgtest.Exec(t, url, "UPDATE dated SET deleted_at = now() - interval '20 days' WHERE id IN (3, 4, 5, 6)",
		"UPDATE dated SET locked = true WHERE id = 5", "UPDATE dated SET legal_hold = true WHERE id = 6")
	if d1, d3 := purgeDays(t, url, 1), purgeDays(t, url, 3); d1 != 30 || d3 != 10 {
		t.Fatalf("after the change: row 1 +%dd (want 30), row 3 +%dd (want 10)", d1, d3)
	}
	// a statement that sets its own date keeps it
	pgtest.Exec(t, url, "UPDATE dated SET deleted_at = now() - interval '20 days', purge_at = now() + interval '1 year' WHERE id = 7")
	if d := purgeDays(t, url, 7); d < 380 {
		t.Fatalf("row 7's own purge date was replaced: +%dd", d)
	}
	states := map[string]string{}
	rows, err := tr.List(ctxT(t), "dated", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		states[r.Key] = r.State
	}
	want := map[string]string{"1": StateTrashed, "2": StateTrashed, "3": StatePending, "4": StatePending,
		"5": StateLocked, "6": StateHeld, "7": StateTrashed}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("row %s: state %q, want %q", k, states[k], v)
		}
	}
	if pending, err := tr.List(ctxT(t), "dated", ListOptions{State: StatePending}); err != nil || len(pending) != 2 {
		t.Errorf("--state 'pending purge': %v %+v", err, pending)
	}
	if _, err := tr.List(ctxT(t), "dated", ListOptions{State: "gone"}); !errors.Is(err, ErrBadSelector) {
		t.Errorf("unknown state: %v", err)
	}
	stats, err := tr.Stats(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range stats {
		if s.Table == "public.dated" && (s.Trashed != 7 || s.PendingPurge != 2 || s.Held != 1 || s.Locked != 1) {
			t.Errorf("stats: %+v", s)
		}
	}

	// the purger follows the dates: rows 3 and 4 go, 1 and 2 wait
	f := newFixture(t, Options{DatabaseURLs: []string{url}}, shorter)
	if rep, err := f.p.PassOnce(ctxT(t), false); err != nil || rep.Purged() != 2 {
		t.Fatalf("pass: purged %d, %v; want 2 (rows 3 and 4)", rep.Purged(), err)
	}
	// a DBA moves row 1's date into the past and row 2's to never
	if n, err := tr.KeepUntil(ctxT(t), "dated", Selector{IDs: []string{"1"}}, time.Now().Add(-time.Minute)); err != nil || n != 1 {
		t.Fatalf("keep-until: %d %v", n, err)
	}
	if n, err := tr.KeepUntil(ctxT(t), "dated", Selector{IDs: []string{"2", "8"}}, time.Time{}); err != nil || n != 1 {
		t.Fatalf("keep-until never (row 8 is live): %d %v", n, err)
	}
	if rep, err := f.p.PassOnce(ctxT(t), false); err != nil || rep.Purged() != 1 {
		t.Fatalf("pass after keep-until: purged %d, %v; want 1 (row 1)", rep.Purged(), err)
	}
	left := queryInt(t, url, "SELECT count(*) FROM dated WHERE id IN (1, 2, 3, 4)")
	if left != 1 {
		t.Fatalf("%d of rows 1-4 left, want 1 (row 2)", left)
	}
	rows, _ = tr.List(ctxT(t), "dated", ListOptions{})
	for _, r := range rows {
		if r.Key == "2" && r.PurgeAt != nil {
			t.Errorf("row 2 kept forever shows a purge date %v", r.PurgeAt)
		}
	}
	// a restore clears the date
	if _, err := tr.Restore(ctxT(t), "dated", Selector{IDs: []string{"2"}}); err != nil {
		t.Fatal(err)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM dated WHERE id = 2 AND purge_at IS NULL AND deleted_at IS NULL"); n != 1 {
		t.Fatalf("restored row 2 keeps its purge date")
	}
	tr = trashFor(t, url, shorter, contacts)
	if _, err := tr.KeepUntil(ctxT(t), "contacts", Selector{IDs: []string{"1"}}, time.Now()); err == nil ||
		!strings.Contains(err.Error(), "purge_at_column") {
		t.Fatalf("keep-until without a purge date column: %v", err)
	}
}
