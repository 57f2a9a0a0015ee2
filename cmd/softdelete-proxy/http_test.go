package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// /metrics, /healthz and /readyz answer; pprof only when SOFTDELETE_PPROF is set.
func TestHTTPEndpoints(t *testing.T) {
	for _, pprofOn := range []bool{false, true} {
		if pprofOn {
			t.Setenv("SOFTDELETE_PPROF", "1")
		}
		addr := fmt.Sprintf("127.0.0.1:%d", pgtest.FreePort(t))
		ready := func(context.Context) error { return nil }
		srv, err := startHTTP(addr, newRegistry(), ready, zap.NewNop())
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"/metrics": 200, "/healthz": 200, "/readyz": 200, "/debug/pprof/": 404}
		if pprofOn {
			want["/debug/pprof/"] = 200
		}
		for path, code := range want {
			resp, err := http.Get("http://" + addr + path)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != code {
				t.Errorf("pprof=%v GET %s: %d, want %d", pprofOn, path, resp.StatusCode, code)
			}
		}
		shutdownHTTP(srv)
	}
}
