package pgcluster_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgcluster"
)

func TestFind(t *testing.T) {
	dir, err := pgcluster.Find()
	if err != nil {
		t.Fatalf("Find: %v (install PostgreSQL, e.g. apt-get install postgresql)", err)
	}
	for _, prog := range []string{"initdb", "pg_ctl"} {
		if _, err := os.Stat(filepath.Join(dir, prog)); err != nil {
			t.Errorf("%s: %v", prog, err)
		}
	}
}

func TestStartStop(t *testing.T) {
	t.Parallel()
	c, err := pgcluster.Start(context.Background(), pgcluster.Options{
		Settings: map[string]string{"application_name": "pgcluster test"},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	for _, u := range []string{c.URL, "postgres://postgres@" + c.Addr() + "/postgres?sslmode=disable"} {
		if got := query(t, u, "SHOW application_name"); got != "pgcluster test" {
			t.Errorf("%s: application_name = %q", u, got)
		}
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if _, err := os.Stat(c.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cluster dir %s still there (%v)", c.Dir, err)
	}
	if conn, err := net.DialTimeout("tcp", c.Addr(), time.Second); err == nil {
		conn.Close()
		t.Errorf("something still listens on %s", c.Addr())
	}
	if err := c.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
}

func TestStartCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err == nil {
		t.Fatal("Start with a cancelled context succeeded")
	}
	m := regexp.MustCompile(`cluster in (\S+) \(now removed\)`).FindStringSubmatch(err.Error())
	if m == nil {
		t.Fatalf("error names no cluster dir: %v", err)
	}
	if _, err := os.Stat(m[1]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("dir %s still there (%v)", m[1], err)
	}
}

func query(t *testing.T, connURL, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		t.Fatalf("connect %s: %v", connURL, err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}
