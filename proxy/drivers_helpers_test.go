package proxy

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// route is one way of reaching a database: straight to PostgreSQL or
// through a proxy. Driver tests make the same calls over both and compare.
type route struct {
	name string
	url  string
}

// routes returns the direct route to dbURL and the route through p.
func routes(t testing.TB, p *testProxy, dbURL string) []route {
	t.Helper()
	return []route{{"direct", dbURL}, {"proxy", p.URL(t, dbURL)}}
}

// sameOverRoutes runs f over each route and fails unless every route gives
// what the direct one gave. It returns the direct result.
func sameOverRoutes[T any](t *testing.T, rs []route, f func(t *testing.T, url string) T) T {
	t.Helper()
	var want T
	for i, r := range rs {
		var got T
		t.Run(r.name, func(t *testing.T) { got = f(t, r.url) })
		if t.Failed() {
			return want
		}
		if i == 0 {
			want = got
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s differs from %s:\n got: %s\nwant: %s", r.name, rs[0].name, clip(got), clip(want))
		}
	}
	return want
}

// clip formats v for a failure message, cut to a readable length.
func clip(v any) string {
	s := fmt.Sprintf("%+v", v)
	if len(s) > 2000 {
		s = s[:2000] + fmt.Sprintf("… (%d bytes)", len(s))
	}
	return s
}

// connectConfig connects with pgx after edit has adjusted the parsed config.
func connectConfig(t testing.TB, connString string, edit func(*pgx.ConnConfig)) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		t.Fatalf("parse %s: %v", connString, err)
	}
	if edit != nil {
		edit(cfg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect %s: %v", connString, err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// cancelOnContext makes pgx answer a cancelled context with a
// CancelRequest (and only much later a socket deadline), as libpq does.
func cancelOnContext(cfg *pgx.ConnConfig) {
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 5 * time.Second}
	}
}

// testCtx is a context bounded well below the test timeout.
func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// withParams returns connString (a URL) with query parameters set.
func withParams(t testing.TB, connString string, kv ...string) string {
	t.Helper()
	u, err := url.Parse(connString)
	if err != nil {
		t.Fatalf("bad URL %q: %v", connString, err)
	}
	q := u.Query()
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // libpq and pgx read '+' literally
	return u.String()
}

// needBinary finds a client program or fails the test saying how to get it.
func needBinary(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is required by this test but not in PATH: %v\n"+
			"Install PostgreSQL's client programs (Debian: apt-get install postgresql-client for psql, "+
			"postgresql for pgbench; .ci/run does this).", name, err)
	}
	return path
}

// pgCode returns the SQLSTATE of err, or "" if it carries none.
func pgCode(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}
