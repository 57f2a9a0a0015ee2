package proxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap/zaptest"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// serveWith starts a proxy with cfg whose shutdown the test drives itself.
func serveWith(t *testing.T, cfg Config) (*Server, string, chan error) {
	t.Helper()
	if cfg.Upstream == "" {
		cfg.Upstream = pgtest.Get(t).Addr()
	}
	cfg.UpstreamTLS.Mode = SSLDisable
	if cfg.Logger == nil {
		cfg.Logger = zaptest.NewLogger(t)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(cfg)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	return srv, ln.Addr().String(), done
}

// shutdownWithin starts Shutdown with a context of timeout and returns its
// result, failing the test if it has not returned within bound (a hang).
func shutdownWithin(t *testing.T, srv *Server, timeout, bound time.Duration, whileWaiting func()) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	res := make(chan error, 1)
	go func() { res <- srv.Shutdown(ctx) }()
	if whileWaiting != nil {
		whileWaiting()
	}
	select {
	case err := <-res:
		return err
	case <-time.After(bound):
		t.Fatalf("Shutdown has not returned %v after it began (%d sessions left)", bound, srv.Sessions())
		return nil
	}
}

// expectAdminShutdown reads until the proxy's FATAL 57P01 and the close.
func expectAdminShutdown(t *testing.T, c *wireConn, who string) {
	t.Helper()
	_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		m, err := c.fe.Receive()
		if err != nil {
			t.Errorf("%s: the connection ended without FATAL 57P01: %v", who, err)
			return
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			if e.Severity != "FATAL" || e.Code != codeAdminShutdown {
				t.Errorf("%s: %s %s %s, want FATAL 57P01", who, e.Severity, e.Code, e.Message)
			}
			break
		}
	}
	if _, err := c.conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !isNormalClose(err) {
		t.Errorf("%s: after FATAL 57P01 the connection is still open: %v", who, err)
	}
}

// TestShutdownClosesSessionsThatNeverRanAQuery: sessions that only logged
// in are idle, even while the answer to the proxy's own probe is still on
// its way: Shutdown closes them at once (when that answer comes), without
// waiting for its deadline.
func TestShutdownClosesSessionsThatNeverRanAQuery(t *testing.T) {
	_, db := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, db, "CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz)")
	dial := &tapDialer{holdAt: 1} // hold what the server sends after its first ReadyForQuery: the probe's answer
	srv, addr, served := serveWith(t, Config{Dial: dial.dial, Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t"}}})})
	url := withHost(t, db, addr)
	var clients []*wireConn
	for i := 0; i < 5; i++ {
		clients = append(clients, openWire(t, url))
	}
	err := shutdownWithin(t, srv, 30*time.Second, 10*time.Second, func() {
		for _, c := range dial.all() {
			c.release()
		}
	})
	if err != nil {
		t.Errorf("Shutdown = %v: it waited for its deadline", err)
	}
	for i, c := range clients {
		expectAdminShutdown(t, c, fmt.Sprintf("session %d", i+1))
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve: %v", err)
	}
}

// TestShutdownWithClientsThatStoppedReading: 15 clients LISTEN and then
// never read, until the proxy is stuck writing their notifications (their
// backends wait in ClientWrite); 15 others are idle. Shutdown closes all of
// them at once, concurrently: every session is gone before the context of
// Shutdown is done, and the idle ones are told why.
func TestShutdownWithClientsThatStoppedReading(t *testing.T) {
	_, db := pgtest.Get(t).CreateDatabase(t)
	srv, addr, _ := serveWith(t, Config{})
	url := withHost(t, db, addr)
	admin := connect(t, db)
	var pids []string
	for i := 0; i < 15; i++ {
		c := openWire(t, url)
		_ = c.conn.(*net.TCPConn).SetReadBuffer(4096)
		c.query("LISTEN stalled")
		pids = append(pids, fmt.Sprint(c.pid))
	}
	var idle []*wireConn
	for i := 0; i < 15; i++ {
		idle = append(idle, openWire(t, url))
	}
	inClientWrite := "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'ClientWrite' AND pid IN (" + joinComma(pids) + ")"
	deadline := time.Now().Add(60 * time.Second)
	for n := 0; adminRows(t, admin, inClientWrite)[0] != "15"; n++ {
		if time.Now().After(deadline) {
			t.Fatalf("after %d rounds of notifications only %s of 15 listeners' backends wait in ClientWrite", n, adminRows(t, admin, inClientWrite)[0])
		}
		pgtest.Exec(t, db, fmt.Sprintf("SELECT pg_notify('stalled', %d || repeat('x', 7900) || g) FROM generate_series(1, 100) g", n))
	}
	// One second: closing the 30 one after the other, each allowed the 100 ms
	// a FATAL may take to write, would not fit in it.
	err := shutdownWithin(t, srv, time.Second, 20*time.Second, nil)
	if err != nil {
		t.Errorf("Shutdown = %v: sessions were still open when its context was done", err)
	}
	if n := srv.Sessions(); n != 0 {
		t.Errorf("%d sessions left after Shutdown", n)
	}
	for i, c := range idle {
		expectAdminShutdown(t, c, fmt.Sprintf("idle session %d", i+1))
	}
}

func joinComma(items []string) string {
	out := ""
	for i, s := range items {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}
