package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// demoBuffer is an io.Writer the demo writes to while the test reads it.
type demoBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *demoBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *demoBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// runningDemo is a demoCommand running in a goroutine.
type runningDemo struct {
	cancel         context.CancelFunc
	done           chan error
	stdout, stderr *demoBuffer
	proxyURL       string // psql line through the proxy
	directURL      string // psql line straight to PostgreSQL
	configPath     string
}

var (
	demoPsqlLine   = regexp.MustCompile(`(?m)^\s*psql (postgres://\S+)`)
	demoPolicyLine = regexp.MustCompile(`The policy .* is in (\S+)\.\n`)
)

// startDemo runs demoCommand with args plus a free --listen port and waits for its psql line.
func startDemo(t *testing.T, args ...string) *runningDemo {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &runningDemo{cancel: cancel, done: make(chan error, 1), stdout: &demoBuffer{}, stderr: &demoBuffer{}}
	args = append(args, "--listen", "127.0.0.1:"+strconv.Itoa(pgtest.FreePort(t)))
	go func() { d.done <- demoCommand(ctx, args, nil, d.stdout, d.stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-d.done:
		case <-time.After(2 * time.Minute):
			t.Error("demo still running 2 minutes after its context was cancelled")
		}
	})
	deadline := time.After(3 * time.Minute)
	for {
		if m := demoPsqlLine.FindAllStringSubmatch(d.stdout.String(), -1); len(m) == 2 {
			d.proxyURL, d.directURL = m[0][1], m[1][1]
			if p := demoPolicyLine.FindStringSubmatch(d.stdout.String()); p != nil {
				d.configPath = p[1]
			}
			return d
		}
		select {
		case err := <-d.done:
			t.Fatalf("demo returned %v before printing its psql lines\nstdout:\n%s\nstderr:\n%s", err, d.stdout, d.stderr)
		case <-deadline:
			t.Fatalf("no psql lines after 3 minutes\nstdout:\n%s\nstderr:\n%s", d.stdout, d.stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// stop cancels the demo and returns what demoCommand returned.
func (d *runningDemo) stop(t *testing.T) error {
	t.Helper()
	d.cancel()
	select {
	case err := <-d.done:
		d.done <- err // for the cleanup's wait
		return err
	case <-time.After(2 * time.Minute):
		t.Fatalf("demo still running 2 minutes after Ctrl-C\nstderr:\n%s", d.stderr)
		return nil
	}
}

func demoUniqueName(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

func demoConnect(t *testing.T, connURL string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		t.Fatalf("connect %s: %v", connURL, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func demoExec(t *testing.T, conn *pgx.Conn, sql string) pgconn.CommandTag {
	t.Helper()
	tag, err := conn.Exec(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return tag
}

func demoInts(t *testing.T, conn *pgx.Conn, sql string) []int {
	t.Helper()
	rows, err := conn.Query(context.Background(), sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return ids
}

func demoText(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	var s string
	if err := conn.QueryRow(context.Background(), sql).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func demoDatabaseGone(t *testing.T, superURL, name string) bool {
	t.Helper()
	conn := demoConnect(t, superURL)
	return demoText(t, conn, "SELECT count(*)::text FROM pg_database WHERE datname = '"+name+"'") == "0"
}

func TestDemo(t *testing.T) {
	srv := pgtest.Get(t)
	name := demoUniqueName("sdtest_demo_")
	d := startDemo(t, "--database-url", srv.URL, "--database", name)
	if !strings.HasSuffix(d.proxyURL, "/"+name) || !strings.Contains(d.directURL, srv.Addr()) {
		t.Fatalf("psql lines %q and %q: want database %s, direct to %s", d.proxyURL, d.directURL, name, srv.Addr())
	}
	proxied := demoConnect(t, d.proxyURL+"?sslmode=disable")
	direct := demoConnect(t, d.directURL+"?sslmode=disable")

	t.Run("delete", func(t *testing.T) {
		if tag := demoExec(t, proxied, "DELETE FROM contacts WHERE id = 3"); tag.String() != "DELETE 1" {
			t.Errorf("tag %q, want DELETE 1", tag)
		}
		if ids := demoInts(t, proxied, "SELECT id FROM contacts WHERE id = 3"); len(ids) != 0 {
			t.Errorf("deleted contact still visible through the proxy: %v", ids)
		}
		if got := demoText(t, direct, "SELECT (deleted_at IS NOT NULL)::text FROM contacts WHERE id = 3"); got != "true" {
			t.Errorf("row in the table: deleted_at set = %s, want true", got)
		}
	})
	t.Run("trash_and_restore", func(t *testing.T) {
		demoExec(t, proxied, "SET softdelete.visibility = 'deleted'")
		if ids := demoInts(t, proxied, "SELECT id FROM contacts ORDER BY id"); len(ids) != 1 || ids[0] != 3 {
			t.Errorf("trash view shows %v, want [3]", ids)
		}
		if tag := demoExec(t, proxied, "UPDATE contacts SET deleted_at = NULL WHERE id = 3"); tag.String() != "UPDATE 1" {
			t.Errorf("restore tag %q, want UPDATE 1", tag)
		}
		demoExec(t, proxied, "RESET softdelete.visibility")
		if ids := demoInts(t, proxied, "SELECT id FROM contacts WHERE id = 3 AND true"); len(ids) != 1 {
			t.Errorf("restored contact visible %v, want [3]", ids)
		}
	})
	t.Run("actor_and_truncate", func(t *testing.T) {
		demoExec(t, proxied, "SET softdelete.actor = 'alice'")
		demoExec(t, proxied, "SET softdelete.reason = 'duplicate deal'")
		demoExec(t, proxied, "DELETE FROM deals WHERE id = 7")
		if got := demoText(t, direct, "SELECT deleted_by || '/' || deleted_reason FROM deals WHERE id = 7"); got != "alice/duplicate deal" {
			t.Errorf("deleted_by/deleted_reason = %q", got)
		}
		_, err := proxied.Exec(context.Background(), "TRUNCATE deals")
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "0A000" {
			t.Errorf("TRUNCATE: %v, want SQLSTATE 0A000", err)
		}
	})

	if err := d.stop(t); err != nil {
		t.Errorf("demo returned %v after Ctrl-C, want nil\nstderr:\n%s", err, d.stderr)
	}
	if !demoDatabaseGone(t, srv.URL, name) {
		t.Errorf("database %s still exists after the demo stopped", name)
	}
	if _, err := os.Stat(d.configPath); d.configPath == "" || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("policy file %q still there (%v)", d.configPath, err)
	}
}

func TestDemoThrowaway(t *testing.T) {
	d := startDemo(t, "--throwaway")
	proxied := demoConnect(t, d.proxyURL+"?sslmode=disable")
	if tag := demoExec(t, proxied, "DELETE FROM customers WHERE id = 8"); tag.String() != "DELETE 1" {
		t.Errorf("tag %q, want DELETE 1", tag)
	}
	addr := strings.TrimPrefix(d.directURL, "postgres://postgres@")
	addr = addr[:strings.Index(addr, "/")]
	if err := d.stop(t); err != nil {
		t.Errorf("demo returned %v after Ctrl-C, want nil\nstderr:\n%s", err, d.stderr)
	}
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		conn.Close()
		t.Errorf("the throwaway PostgreSQL at %s still answers after the demo stopped", addr)
	}
}

func TestDemoLeavesForeignDatabase(t *testing.T) {
	srv := pgtest.Get(t)
	name, _ := srv.CreateDatabase(t)
	var stderr demoBuffer
	err := demoCommand(context.Background(), []string{"--database-url", srv.URL, "--database", name,
		"--listen", "127.0.0.1:" + strconv.Itoa(pgtest.FreePort(t))}, nil, &demoBuffer{}, &stderr)
	if err == nil || !strings.Contains(err.Error(), "did not create") {
		t.Fatalf("demo over a database it did not create: %v, want a refusal", err)
	}
	if demoDatabaseGone(t, srv.URL, name) {
		t.Fatalf("demo dropped database %s, which it did not create", name)
	}
}

func TestDemoFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--help"}, flagHelp.Error()},
		{[]string{"--listen", "127.0.0.1:0"}, "fixed port"},
		{[]string{"--database", "postgres"}, "choose a name"},
		{[]string{"extra"}, errUsage.Error()},
	} {
		err := demoCommand(context.Background(), c.args, nil, &demoBuffer{}, &demoBuffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("demo %v: %v, want %q", c.args, err, c.want)
		}
	}
}

func TestDemoReplacedDatabase(t *testing.T) {
	srv := pgtest.Get(t)
	name := demoUniqueName("sdtest_demo_")
	first := startDemo(t, "--database-url", srv.URL, "--database", name)
	second := startDemo(t, "--database-url", srv.URL, "--database", name)
	if !strings.Contains(second.stderr.String(), "dropping the database of an earlier demo") {
		t.Errorf("second demo did not say it dropped the first one's database:\n%s", second.stderr)
	}
	if err := first.stop(t); err != nil {
		t.Errorf("first demo: %v", err)
	}
	if demoDatabaseGone(t, srv.URL, name) {
		t.Fatalf("stopping the first demo dropped the second one's database")
	}
	if err := second.stop(t); err != nil {
		t.Errorf("second demo: %v", err)
	}
	if !demoDatabaseGone(t, srv.URL, name) {
		t.Errorf("database %s still exists after both demos stopped", name)
	}
}

func TestDemoCancelledDuringSetup(t *testing.T) {
	srv := pgtest.Get(t)
	name := demoUniqueName("sdtest_demo_")
	ctx, cancel := context.WithCancel(context.Background())
	stdout := &demoBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- demoCommand(ctx, []string{"--database-url", srv.URL, "--database", name,
			"--listen", "127.0.0.1:" + strconv.Itoa(pgtest.FreePort(t))}, nil, stdout, &demoBuffer{})
	}()
	// Cancel once the setup has begun (its database exists); it may be done already.
	super := demoConnect(t, srv.URL)
	exists := func() bool {
		return demoText(t, super, "SELECT count(*)::text FROM pg_database WHERE datname = '"+name+"'") == "1"
	}
	for deadline := time.Now().Add(2 * time.Minute); !exists(); time.Sleep(5 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("demo returned %v before creating its database", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("demo did not create database %s within 2 minutes", name)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("demo cancelled early returned %v, want nil", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("demo still running 2 minutes after its context was cancelled")
	}
	if !demoDatabaseGone(t, srv.URL, name) {
		t.Errorf("database %s left behind", name)
	}
}
