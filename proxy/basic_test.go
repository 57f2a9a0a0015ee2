package proxy

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func TestRelaySimpleQuery(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
	conn := connect(t, p.URL(t, dbURL))
	var n int
	var db string
	if err := conn.QueryRow(context.Background(), "select 41 + $1::int, current_database()", 1).Scan(&n, &db); err != nil {
		t.Fatal(err)
	}
	if n != 42 {
		t.Fatalf("got %d, want 42", n)
	}
	want := conn.Config().Database
	if db != want {
		t.Fatalf("current_database() = %q, want %q", db, want)
	}
}

func TestUpstreamUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	p := startProxy(t, Config{Upstream: dead, ConnectTimeout: 2 * time.Second})
	_, err = pgx.Connect(context.Background(), "postgres://postgres@"+p.Addr+"/postgres?sslmode=disable")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("want a PgError, got %v", err)
	}
	if pgErr.Code != "08006" || !strings.Contains(pgErr.Message, dead) {
		t.Fatalf("want 08006 naming %s, got %s: %s", dead, pgErr.Code, pgErr.Message)
	}
}
