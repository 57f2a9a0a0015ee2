package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// readyzDeadline bounds each wait for /readyz to reach the state a test expects.
const readyzDeadline = 30 * time.Second

// serveReadyz starts the HTTP endpoints with the real probe against addr and
// returns the /readyz URL.
func serveReadyz(t *testing.T, addr string) string {
	t.Helper()
	listen := fmt.Sprintf("127.0.0.1:%d", pgtest.FreePort(t))
	srv, err := startHTTP(listen, newRegistry(), pgPing(addr, pingTimeout), zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { shutdownHTTP(srv) })
	return "http://" + listen + "/readyz"
}

// getReadyz returns /readyz's status and body.
func getReadyz(t *testing.T, url string) (int, string) {
	t.Helper()
	client := http.Client{Timeout: pingTimeout + 30*time.Second}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// awaitReadyz polls /readyz until it answers code with a body containing want,
// and fails with the last answer after readyzDeadline.
func awaitReadyz(t *testing.T, url string, code int, want string) {
	t.Helper()
	var gotCode int
	var body string
	for deadline := time.Now().Add(readyzDeadline); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		gotCode, body = getReadyz(t, url)
		if gotCode == code && strings.Contains(body, want) {
			return
		}
	}
	t.Fatalf("/readyz did not answer %d %q within %s; last answer %d %q", code, want, readyzDeadline, gotCode, body)
}

// /readyz follows the server through its states: up, frozen (SIGSTOP), a smart
// shutdown waiting for a session, stopped.
func TestReadyzFollowsServerStates(t *testing.T) {
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{})
	url := serveReadyz(t, c.Addr())
	awaitReadyz(t, url, 200, "ok")

	t.Run("frozen postmaster", func(t *testing.T) {
		pid, err := c.PostmasterPID()
		if err != nil {
			t.Fatal(err)
		}
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil {
			t.Fatal(err)
		}
		cont := func() { _ = syscall.Kill(pid, syscall.SIGCONT) }
		t.Cleanup(cont)
		// The body proves the probe's own deadline ended the wait; the
		// client's timeout only guards against a hang.
		code, body := getReadyz(t, url)
		if want := "did not answer a startup message within " + pingTimeout.String(); code != 503 || !strings.Contains(body, want) {
			t.Errorf("frozen postmaster: /readyz %d %q, want 503 saying %q", code, body, want)
		}
		cont()
		awaitReadyz(t, url, 200, "ok")
	})

	t.Run("smart shutdown waiting for a session", func(t *testing.T) {
		ctx := context.Background()
		session, err := pgx.Connect(ctx, c.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer session.Close(ctx)
		if out, err := c.PgCtl(ctx, "stop", "-m", "smart", "-W"); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		awaitReadyz(t, url, 503, "is shutting down (SQLSTATE 57P03)")
		if err := session.Ping(ctx); err != nil {
			t.Fatalf("the open session should still work during a smart shutdown: %v", err)
		}
		session.Close(ctx)
		awaitReadyz(t, url, 503, "cannot be reached")
	})
}

// A standby that is not open for reads (hot_standby = off) refuses with 57P03.
func TestReadyzStandbyWithoutHotStandby(t *testing.T) {
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{Standby: true, Settings: map[string]string{"hot_standby": "off"}})
	url := serveReadyz(t, c.Addr())
	awaitReadyz(t, url, 503, "(SQLSTATE 57P03)")
	code, body := getReadyz(t, url)
	if code != 503 || !strings.Contains(body, "does not accept connections now") {
		t.Errorf("standby: /readyz %d %q", code, body)
	}
}

// Errors other than 57P03 mean the server takes connections: ready.
func TestReadyzReadyDespiteAuthErrors(t *testing.T) {
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{
		HBA: []string{"host all all 127.0.0.1/32 reject"}, // every TCP login fails with 28000
	})
	url := serveReadyz(t, c.Addr())
	awaitReadyz(t, url, 200, "ok")
}
