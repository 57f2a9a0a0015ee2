package proxy

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestSoak is the proxy's load test: workers open hundreds of sessions
// through a rewriting proxy to a throwaway cluster and run reads, soft
// deletes, transactions with SETs, batches, cancels and abrupt client
// kills, while the policy is reloaded and the cluster is restarted under
// them. Afterwards no goroutine, file descriptor or backend is left
// behind, no session ever saw a trashed row, and no row of the managed
// table was removed. It runs a few seconds; SOFTDELETE_SOAK=<duration>
// (make soak) runs it longer, restarting the cluster every quarter.
func TestSoak(t *testing.T) {
	dur, restarts := 4*time.Second, 1
	if v := os.Getenv("SOFTDELETE_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("SOFTDELETE_SOAK=%q: %v", v, err)
		}
		dur, restarts = d, 3
	}
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{Settings: map[string]string{"max_connections": "150", "fsync": "off"}})
	pgtest.Exec(t, c.URL, `CREATE TABLE t (id int PRIMARY KEY, val text, deleted_at timestamptz);
		CREATE TABLE t2 (id int PRIMARY KEY, deleted_at timestamptz);
		INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 2000) g;
		INSERT INTO t2 SELECT generate_series(1, 2000);`)
	pol := newReloadable("t")
	core, logs := observer.New(zapcore.ErrorLevel)
	p := startProxy(t, Config{Upstream: c.Addr(), Rewriting: pol.rw, Logger: zap.New(core)})
	url := fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable&connect_timeout=5", p.Addr)

	s := &soak{url: url, t: t}
	s.round(context.Background(), rand.New(rand.NewSource(1))) // warm up pools and the cancel path
	waitFor(t, func() bool { return p.Sessions() == 0 })
	g0, fd0 := runtime.NumGoroutine(), openFDs(t)

	// The load runs for dur and, on a slow or busy machine, on until it
	// has done enough to judge (minSessions sessions, and statements
	// answered after the last restart), but never past maxDur: the
	// assertions below then fail saying what was missing.
	const minSessions = 200
	maxDur := 10*dur + time.Minute
	start := time.Now()
	ctx, stop := context.WithTimeout(context.Background(), maxDur)
	defer stop()
	enough := func() bool {
		return time.Since(start) >= dur && s.sessions.Load() >= minSessions &&
			s.restarts.Load() == int64(restarts) && s.okAfterRestart.Load() > 0
	}
	var wg sync.WaitGroup
	for w := 0; w < 40; w++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			r := rand.New(rand.NewSource(seed))
			for ctx.Err() == nil {
				if enough() {
					stop()
					break
				}
				s.round(ctx, r)
			}
		}(int64(w))
	}
	wg.Add(1)
	go func() { // reloads: t2 enters and leaves the policy
		defer wg.Done()
		for i := 0; ctx.Err() == nil; i++ {
			if i%2 == 0 {
				pol.load("t", "t2")
			} else {
				pol.load("t")
			}
			select {
			case <-ctx.Done():
			case <-time.After(150 * time.Millisecond):
			}
		}
	}()
	for i := 1; i <= restarts; i++ {
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(start.Add(dur * time.Duration(i) / time.Duration(restarts+1)))):
		}
		if ctx.Err() != nil {
			break
		}
		if out, err := c.PgCtl(context.Background(), "restart", "-m", "fast", "-w"); err != nil {
			t.Fatalf("restarting the cluster: %v\n%s", err, out)
		}
		s.restarts.Add(1)
	}
	<-ctx.Done()
	wg.Wait()
	pol.load("t")

	t.Logf("%d sessions, %d statements answered, %d failed, %d clients killed, %d restarts",
		s.sessions.Load(), s.ok.Load(), s.failed.Load(), s.killed.Load(), s.restarts.Load())
	for _, e := range s.problems() {
		t.Error(e)
	}
	if s.sessions.Load() < minSessions {
		t.Errorf("only %d sessions ran in %v: the proxy could not take the load", s.sessions.Load(), maxDur)
	}
	if s.okAfterRestart.Load() == 0 {
		t.Error("no statement succeeded after the cluster restarted")
	}
	waitFor(t, func() bool { return p.Sessions() == 0 })
	checkNoLeaks(t, g0, fd0)
	admin := connect(t, c.URL)
	deadline := time.Now().Add(20 * time.Second)
	for {
		n := adminRows(t, admin, "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")[0]
		if n == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s backends still connected 20s after the last session closed", n)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n := adminRows(t, admin, "SELECT count(*) FROM t")[0]; n != "2000" {
		t.Errorf("t holds %s rows, want all 2000: a row of the managed table was deleted for good", n)
	}
	for _, e := range logs.All() {
		if !strings.Contains(e.Message, "lost track") {
			continue
		}
		t.Errorf("the proxy logged %s: %s %v", e.Level, e.Message, e.ContextMap())
	}
}

// soak is the shared state of TestSoak's workers.
type soak struct {
	url string
	t   *testing.T

	sessions, ok, failed, killed, restarts, okAfterRestart atomic.Int64

	mu   sync.Mutex
	errs []string
}

func (s *soak) problem(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.errs) < 20 {
		s.errs = append(s.errs, fmt.Sprintf(format, args...))
	}
}

func (s *soak) problems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.errs...)
}

var soakModes = []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec}

// round is one session: connect, a few actions, close (or be killed).
func (s *soak) round(ctx context.Context, r *rand.Rand) {
	cfg, err := pgx.ParseConfig(s.url)
	if err != nil {
		s.problem("%v", err)
		return
	}
	cfg.DefaultQueryExecMode = soakModes[r.Intn(len(soakModes))]
	cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, cfg)
	if err != nil {
		s.failed.Add(1) // the cluster may be restarting
		return
	}
	s.sessions.Add(1)
	defer conn.Close(context.Background())
	for i := 0; i < 1+r.Intn(6); i++ {
		if !s.action(cctx, conn, r) {
			return
		}
	}
}

// action runs one random action and reports whether the session goes on.
func (s *soak) action(ctx context.Context, conn *pgx.Conn, r *rand.Rand) bool {
	id := 1 + r.Intn(2000)
	var err error
	switch r.Intn(8) {
	case 0, 1: // no trashed row is ever shown
		var n int
		err = conn.QueryRow(ctx, "SELECT count(*) FROM t WHERE deleted_at IS NOT NULL AND id > $1", id%100).Scan(&n)
		if err == nil && n != 0 {
			s.problem("a read through the proxy saw %d trashed rows", n)
		}
	case 2:
		_, err = conn.Exec(ctx, "DELETE FROM t WHERE id = $1", id)
	case 3:
		_, err = conn.Exec(ctx, "DELETE FROM t2 WHERE id = $1", id)
	case 4: // a transaction with SETs, rolled back or committed
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		b.Queue("SET LOCAL softdelete.visibility = 'all'")
		b.Queue("SELECT count(*) FROM t WHERE id < $1", id)
		b.Queue("SET search_path = public")
		b.Queue([]string{"ROLLBACK", "COMMIT"}[r.Intn(2)])
		err = conn.SendBatch(ctx, b).Close()
	case 5: // cancelled by its context
		qctx, cancel := context.WithTimeout(ctx, time.Duration(1+r.Intn(20))*time.Millisecond)
		_, err = conn.Exec(qctx, "SELECT pg_sleep(0.2)")
		cancel()
		if err != nil {
			return false // pgx closes a connection whose context ended
		}
	case 6: // killed: the client's socket closes in the middle of a query
		delay := time.Duration(r.Intn(5)) * time.Millisecond
		go func() {
			time.Sleep(delay)
			conn.PgConn().Conn().Close()
		}()
		_, _ = conn.Exec(ctx, "SELECT pg_sleep(0.05), count(*) FROM t")
		s.killed.Add(1)
		return false
	case 7:
		var n int
		err = conn.QueryRow(ctx, "SELECT count(*) FROM t2 WHERE deleted_at IS NOT NULL").Scan(&n)
	}
	if err != nil {
		s.failed.Add(1)
		return !conn.IsClosed() && !errors.Is(err, context.DeadlineExceeded)
	}
	s.ok.Add(1)
	if s.restarts.Load() > 0 {
		s.okAfterRestart.Add(1)
	}
	return true
}

// checkNoLeaks waits (bounded) for the goroutines and file descriptors to
// come back to what they were.
func checkNoLeaks(t *testing.T, g0, fd0 int) {
	t.Helper()
	var g1, fd1 int
	deadline := time.Now().Add(15 * time.Second)
	for {
		runtime.GC()
		g1, fd1 = runtime.NumGoroutine(), openFDs(t)
		if (g1 <= g0+3 && fd1 <= fd0+3) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if g1 > g0+3 || fd1 > fd0+3 {
		buf := make([]byte, 1<<20)
		t.Fatalf("goroutines %d -> %d, file descriptors %d -> %d\n%s", g0, g1, fd0, fd1, buf[:runtime.Stack(buf, true)])
	}
}
