package proxy

import (
	"context"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap/zaptest"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testProxy is a proxy started on 127.0.0.1:0 for one test.
type testProxy struct {
	*Server
	Addr string
	Reg  *prometheus.Registry
}

// startProxy starts a proxy with cfg (Upstream defaults to the test server)
// and shuts it down when the test ends.
func startProxy(t testing.TB, cfg Config) *testProxy {
	t.Helper()
	if cfg.Upstream == "" {
		cfg.Upstream = pgtest.Get(t).Addr()
	}
	if cfg.UpstreamTLS.Mode == "" {
		cfg.UpstreamTLS.Mode = SSLDisable
	}
	reg := prometheus.NewRegistry()
	if cfg.Metrics == nil {
		cfg.Metrics = NewMetrics(reg)
	}
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
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
	})
	return &testProxy{Server: srv, Addr: ln.Addr().String(), Reg: reg}
}

// URL rewrites a database URL to go through the proxy instead.
func (p *testProxy) URL(t testing.TB, dbURL string) string {
	t.Helper()
	return withHost(t, dbURL, p.Addr)
}

// withHost returns dbURL with its host:port replaced by addr (and a unix
// socket "host" query parameter dropped).
func withHost(t testing.TB, dbURL, addr string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatalf("bad database URL %q: %v", dbURL, err)
	}
	u.Host = addr
	q := u.Query()
	q.Del("host")
	q.Del("port")
	u.RawQuery = q.Encode()
	return u.String()
}
