package proxy

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap/zaptest"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// serveOwn starts a proxy whose shutdown the test drives itself.
func serveOwn(t *testing.T) (*Server, string, chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Config{Upstream: pgtest.Get(t).Addr(), UpstreamTLS: UpstreamTLS{Mode: SSLDisable}, Logger: zaptest.NewLogger(t)})
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	return srv, ln.Addr().String(), done
}

func TestShutdownClosesIdleSessionsAndWaitsForTransactions(t *testing.T) {
	srv, addr, served := serveOwn(t)
	url := "postgres://postgres@" + addr + "/postgres?sslmode=disable"
	idle := connect(t, url)
	busy := connect(t, url)
	ctx := context.Background()
	if _, err := busy.Exec(ctx, "begin"); err != nil {
		t.Fatal(err)
	}
	shut := make(chan error, 1)
	go func() {
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		shut <- srv.Shutdown(sctx)
	}()
	// The idle session is closed with 57P01 right away.
	waitFor(t, func() bool { return srv.Sessions() == 1 })
	err := idle.Ping(ctx)
	if err == nil {
		t.Fatal("idle session still usable after shutdown began")
	}
	// New connections are refused.
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Fatal("proxy still accepting during shutdown")
	}
	// The transaction runs to its end, then the session is closed.
	var n int
	if err := busy.QueryRow(ctx, "select 7").Scan(&n); err != nil || n != 7 {
		t.Fatalf("in-transaction query during shutdown: %v", err)
	}
	if _, err := busy.Exec(ctx, "commit"); err != nil {
		t.Fatalf("commit during shutdown: %v", err)
	}
	select {
	case err := <-shut:
		if err != nil {
			t.Fatalf("Shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Shutdown did not return after the last transaction ended")
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
}

func TestShutdownTimeoutCutsOffLongTransactions(t *testing.T) {
	srv, addr, served := serveOwn(t)
	c := dialRaw(t, addr)
	c.startup("postgres")
	c.send(&pgproto3.Query{String: "begin"})
	c.until(func(m pgproto3.BackendMessage) bool { _, ok := m.(*pgproto3.ReadyForQuery); return ok })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want deadline exceeded", err)
	}
	c.expectFatal(codeAdminShutdown)
	<-served
}

func openFDs(t *testing.T) int {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatalf("cannot count file descriptors: %v", err)
	}
	return len(entries)
}

// Sessions of every ending leave no goroutine or file descriptor behind.
func TestNoLeaksPerSession(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
	url := p.URL(t, dbURL)
	ctx := context.Background()
	round := func() {
		conn := connect(t, url)
		if _, err := conn.Exec(ctx, "select pg_sleep(0)"); err != nil {
			t.Fatal(err)
		}
		conn.Close(ctx)
		raw := dialRaw(t, p.Addr) // vanishes mid-message
		raw.startup("postgres")
		raw.write([]byte{'Q', 0, 0, 1, 0})
		raw.conn.Close()
		bad := dialRaw(t, p.Addr) // bad startup: closed without a word, as PostgreSQL does
		bad.write(startupPacket(3, 0))
		bad.expectClosed()
		bad.conn.Close()
		odd := dialRaw(t, p.Addr) // unsupported protocol: the server's FATAL, relayed
		odd.write(startupPacket(8, 2<<16))
		_, _ = io.ReadAll(odd.conn)
		odd.conn.Close()
		// a pgconn cancelled mid-query
		qctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		pc, err := pgconn.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = pc.Exec(qctx, "select pg_sleep(5)").ReadAll()
		cancel()
		pc.Close(ctx)
	}
	round() // warm up pools, loggers, the cancel path
	waitFor(t, func() bool { return p.Sessions() == 0 })
	runtime.GC()
	g0, fd0 := runtime.NumGoroutine(), openFDs(t)
	for i := 0; i < 20; i++ {
		round()
	}
	waitFor(t, func() bool { return p.Sessions() == 0 })
	var g1, fd1 int
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC()
		g1, fd1 = runtime.NumGoroutine(), openFDs(t)
		if (g1 <= g0+2 && fd1 <= fd0+2) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if g1 > g0+2 || fd1 > fd0+2 {
		buf := make([]byte, 1<<20)
		t.Fatalf("after 20 rounds: goroutines %d -> %d, fds %d -> %d\n%s", g0, g1, fd0, fd1, buf[:runtime.Stack(buf, true)])
	}
	if got := testutil.ToFloat64(p.cfg.Metrics.ClientConnections); got != 0 {
		t.Fatalf("client_connections gauge = %v after all sessions closed", got)
	}
}

// A CancelRequest with a wrong secret is dropped silently and cancels nothing.
func TestCancelWithWrongSecretIsIgnored(t *testing.T) {
	p := startProxy(t, Config{})
	c := dialRaw(t, p.Addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "postgres", "database": "postgres"}})
	var key pgproto3.BackendKeyData
	c.until(func(m pgproto3.BackendMessage) bool {
		if k, ok := m.(*pgproto3.BackendKeyData); ok {
			key = pgproto3.BackendKeyData{ProcessID: k.ProcessID, SecretKey: append([]byte(nil), k.SecretKey...)}
		}
		_, done := m.(*pgproto3.ReadyForQuery)
		return done
	})
	admin := connect(t, pgtest.Get(t).URL)
	c.send(&pgproto3.Query{String: "select pg_sleep(0.5)"})
	waitRunning(t, admin, key.ProcessID, "select pg_sleep(0.5)")
	wrong := append([]byte(nil), key.SecretKey...)
	wrong[0] ^= 0xff
	cc := dialRaw(t, p.Addr)
	cc.send(&pgproto3.CancelRequest{ProcessID: key.ProcessID, SecretKey: wrong})
	cc.expectClosed()
	c.until(func(m pgproto3.BackendMessage) bool { _, ok := m.(*pgproto3.ReadyForQuery); return ok })
	if got := testutil.ToFloat64(p.cfg.Metrics.CancelRequests.WithLabelValues("unknown_key")); got != 1 {
		t.Fatalf("cancel unknown_key = %v, want 1", got)
	}
	// The right key cancels.
	c.send(&pgproto3.Query{String: "select pg_sleep(10)"})
	waitRunning(t, admin, key.ProcessID, "select pg_sleep(10)")
	cc2 := dialRaw(t, p.Addr)
	cc2.send(&pgproto3.CancelRequest{ProcessID: key.ProcessID, SecretKey: key.SecretKey})
	cc2.expectClosed()
	var code string
	for code == "" {
		m, err := c.fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			code = e.Code
		}
	}
	if code != "57014" {
		t.Fatalf("cancel with the right key: got %s, want 57014", code)
	}
}

// waitRunning waits until pg_stat_activity shows the backend pid running
// query, failing after 10 seconds.
func waitRunning(t *testing.T, admin *pgx.Conn, pid uint32, query string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var state, running string
		err := admin.QueryRow(context.Background(), "SELECT coalesce(state, ''), coalesce(query, '') FROM pg_stat_activity WHERE pid = $1", int32(pid)).
			Scan(&state, &running)
		if err == nil && state == "active" && running == query {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("backend %d has not shown %q running within 10s (state %q, query %q, %v)", pid, query, state, running, err)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
