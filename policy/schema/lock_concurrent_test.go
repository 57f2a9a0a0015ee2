package schema

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// connectFixture opens another session on f's database.
func (f *fixture) connectFixture(t *testing.T) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, f.url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// waitBlocked waits until the backend pid waits for a lock (another
// transaction holds the row), failing after 30 seconds.
func (f *fixture) waitBlocked(t *testing.T, pid uint32) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var waiting bool
		err := f.conn.QueryRow(context.Background(),
			"SELECT coalesce(wait_event_type = 'Lock', false) FROM pg_stat_activity WHERE pid = $1", pid).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("backend %d never waited for the row lock", pid)
}

// whileHeld runs first in an open transaction of one session, then second
// in another session, which waits for the first's row lock; then commits
// the first and returns second's error.
func (f *fixture) whileHeld(t *testing.T, first, second string) error {
	t.Helper()
	ctx := context.Background()
	a, b := f.connectFixture(t), f.connectFixture(t)
	tx, err := a.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(ctx, first); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := exec(b, second); done <- err }()
	f.waitBlocked(t, b.PgConn().PID())
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return <-done
}

func TestLockConcurrent(t *testing.T) {
	f := newLockFixture(t)
	live := func(ids string) int {
		var n int
		if err := f.conn.QueryRow(context.Background(), "SELECT count(*) FROM contacts WHERE deleted_at IS NULL AND id IN ("+ids+")").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	t.Run("locked while the delete waits", func(t *testing.T) {
		err := f.whileHeld(t, "UPDATE contacts SET locked = true WHERE id = 5",
			"UPDATE contacts SET deleted_at = now() WHERE id IN (4, 5, 6)")
		lockRefused(t, err, "key (id)=(5)")
		if n := live("4, 5, 6"); n != 3 {
			t.Errorf("%d of 3 rows live after the refusal", n)
		}
	})
	t.Run("unlocked while the delete waits", func(t *testing.T) {
		err := f.whileHeld(t, "UPDATE contacts SET locked = false WHERE id = 50",
			"UPDATE contacts SET deleted_at = now() WHERE id = 50")
		if err != nil || live("50") != 0 {
			t.Fatalf("trash after unlock: %v (live: %d)", err, live("50"))
		}
	})
	t.Run("locked after it was trashed", func(t *testing.T) {
		err := f.whileHeld(t, "UPDATE contacts SET deleted_at = now() WHERE id = 61",
			"UPDATE contacts SET locked = true WHERE id = 61")
		if err != nil || live("61") != 0 {
			t.Fatalf("lock of a trashed row: %v", err)
		}
		lockRefused(t, f.exec("DELETE FROM contacts WHERE id = 61"), "key (id)=(61)")
	})
	t.Run("many deleters", func(t *testing.T) {
		// Eight sessions at once: four reach a locked row (ids 70, 80, 90
		// and 30 lock at 10 and 0 mod 10), four do not.
		ranges := []string{"71 AND 80", "81 AND 90", "21 AND 30", "31 AND 40", "62 AND 69", "72 AND 79", "82 AND 89", "92 AND 99"}
		errs := make([]error, len(ranges))
		conns := make([]*pgx.Conn, len(ranges))
		for i := range conns {
			conns[i] = f.connectFixture(t)
		}
		var wg sync.WaitGroup
		for i, r := range ranges {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = exec(conns[i], "UPDATE contacts SET deleted_at = now() WHERE deleted_at IS NULL AND id BETWEEN "+r)
			}()
		}
		wg.Wait()
		for i, r := range ranges {
			switch {
			case i < 4:
				lockRefused(t, errs[i])
			case errs[i] != nil:
				t.Errorf("ids %s: %v", r, errs[i])
			}
		}
		if n := live("71, 81, 21, 31, 39"); n != 5 {
			t.Errorf("%d of 5 rows of the refused statements live", n)
		}
		if n := live(fmt.Sprint("62, 69, 72, 79, 82, 89, 92, 99")); n != 0 {
			t.Errorf("%d rows of the allowed statements still live", n)
		}
	})
}
