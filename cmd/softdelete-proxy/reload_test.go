package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap/zaptest"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// Reloading the policy under concurrent traffic fails no statement, and a
// managed table stays managed across every swap: its rows are soft-deleted
// whichever version of the policy a statement ran under.
func TestReloadUnderConcurrentTraffic(t *testing.T) {
	srv := pgtest.Get(t)
	_, dbURL := srv.CreateDatabase(t)
	pgtest.Exec(t, dbURL,
		"CREATE TABLE contacts (id int PRIMARY KEY, deleted_at timestamptz)",
		"CREATE TABLE notes (id int PRIMARY KEY, deleted_at timestamptz)",
		"INSERT INTO contacts SELECT g FROM generate_series(1, 400) g",
		"INSERT INTO notes SELECT g FROM generate_series(1, 400) g")
	migrateDB(t, dbURL, "tables:\n  public.contacts: {}\n  public.notes: {}\n")
	port := pgtest.FreePort(t)
	path := filepath.Join(t.TempDir(), "config.yaml")
	base := fmt.Sprintf("listen: 127.0.0.1:%d\nupstream: %s\nmetrics_listen: \"off\"\nupstream_tls: { mode: disable }\ntables:\n  public.contacts: {}\n", port, srv.Addr())
	write := func(extra string) {
		if err := os.WriteFile(path, []byte(base+extra), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	reg := newRegistry()
	pm := policy.NewMetrics(reg)
	src, err := openConfig(path, func(*policy.Config) {}, pm)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- serve(ctx, src, reg, zaptest.NewLogger(t)) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("proxy did not start")
		}
		time.Sleep(20 * time.Millisecond)
	}
	proxyURL := strings.Replace(dbURL, srv.Addr(), addr, 1)

	var stop atomic.Bool
	var statements atomic.Int64
	errs := make(chan error, 8)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			conn, err := pgx.Connect(context.Background(), proxyURL)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close(context.Background())
			for i := 0; !stop.Load(); i++ {
				id := w*100 + i%100 + 1
				for _, sql := range []string{
					fmt.Sprintf("DELETE FROM contacts WHERE id = %d", id),
					"SELECT count(*) FROM contacts",
					fmt.Sprintf("DELETE FROM notes WHERE id = %d AND false", id),
					"SELECT count(*) FROM notes",
				} {
					if _, err := conn.Exec(context.Background(), sql); err != nil {
						errs <- fmt.Errorf("%s: %w", sql, err)
						return
					}
					statements.Add(1)
				}
			}
		}(w)
	}
	// statementsAfter waits until the workers ran n more statements, so each
	// reload lands among statements in flight; it fails if they stall.
	statementsAfter := func(what string, n int64) {
		t.Helper()
		from := statements.Load()
		for deadline := time.Now().Add(30 * time.Second); statements.Load() < from+n; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("statements stalled %s: %d in 30s, want %d", what, statements.Load()-from, n)
			}
		}
	}
	const reloads = 20
	for i := 0; i < reloads; i++ {
		if i%2 == 0 {
			write("  public.notes: { retention: 7d }\n")
		} else {
			write("")
		}
		if err := src.(fileSource).Reload(); err != nil {
			t.Fatalf("reload %d: %v", i, err)
		}
		statementsAfter(fmt.Sprintf("after reload %d", i), 8)
	}
	write("  public.notes: { retention: 7 days }\n") // invalid: keeps the last good policy
	if err := src.(fileSource).Reload(); err == nil {
		t.Fatal("an invalid file was accepted")
	}
	statementsAfter("after the refused reload", 8)
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("statement failed during reloads: %v", err)
	}
	if statements.Load() < 8*(reloads+1) {
		t.Fatalf("only %d statements ran during the reloads", statements.Load())
	}
	var rows, trashed int
	direct, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer direct.Close(context.Background())
	if err := direct.QueryRow(context.Background(), "SELECT count(*), count(deleted_at) FROM contacts").Scan(&rows, &trashed); err != nil {
		t.Fatal(err)
	}
	if rows != 400 || trashed == 0 {
		t.Fatalf("contacts: %d rows (%d trashed); want all 400 kept, some trashed", rows, trashed)
	}
	if got := testutil.ToFloat64(pm.Reloads.WithLabelValues("success")); got != reloads {
		t.Errorf("reloads success = %v, want %d", got, reloads)
	}
	if got := testutil.ToFloat64(pm.Reloads.WithLabelValues("failure")); got != 1 {
		t.Errorf("reloads failure = %v, want 1", got)
	}
	if v := src.Current().Version; v != reloads+1 {
		t.Errorf("policy version %d, want %d", v, reloads+1)
	}
}
