package main

import (
	"context"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// A client that connects by socket directory (host=/dir port=N, as libpq
// derives dir/.s.PGSQL.N) reaches PostgreSQL through the proxy, and a
// stale socket file left by a crash does not stop the proxy.
func TestUnixSocketListener(t *testing.T) {
	dir, err := os.MkdirTemp("/tmp", "sdsock") // short: socket paths are limited to 107 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	stale, err := net.Listen("unix", filepath.Join(dir, ".s.PGSQL.7"))
	if err != nil {
		t.Fatal(err)
	}
	stale.(*net.UnixListener).SetUnlinkOnClose(false)
	stale.Close() // the file stays, as after a crash
	again, err := listenUnix(dir, "127.0.0.1:7")
	if err != nil {
		t.Fatalf("over a stale socket file: %v", err)
	}
	again.Close()
	sp := startServe(t, []string{"CREATE TABLE contacts (id int, deleted_at timestamptz)", "INSERT INTO contacts VALUES (1, NULL), (2, now())"},
		"  public.contacts: {}\n", "require_guard: false\nunix_socket_dir: "+dir+"\n")
	u, err := url.Parse(sp.url)
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(u.Host)
	q := u.Query()
	q.Set("host", dir)
	q.Set("port", port)
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(context.Background(), u.String())
	if err != nil {
		t.Fatalf("connect through %s/.s.PGSQL.%s: %v", dir, port, err)
	}
	defer conn.Close(context.Background())
	if !strings.HasPrefix(conn.PgConn().Conn().RemoteAddr().String(), dir) {
		t.Fatalf("connected to %s, not the socket", conn.PgConn().Conn().RemoteAddr())
	}
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT count(*) FROM contacts").Scan(&n); err != nil || n != 1 {
		t.Fatalf("count through the socket = %d, %v; want the live row only", n, err)
	}
	if _, err := listenUnix(dir, "127.0.0.1:"+port); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a second proxy on the same socket: %v, want in use", err)
	}
}
