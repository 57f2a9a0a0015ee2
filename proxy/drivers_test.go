package proxy

// Real drivers through the proxy: each call is made directly and through
// the proxy and the answers compared. The pgx and lib/pq subtests are here
// (their workloads in pgx_helpers_test.go and pq_helpers_test.go); psql and
// pgbench run as processes from psql_test.go and pgbench_test.go.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestDrivers runs real clients over one database (creating databases is
// slow), each call made directly and through one proxy and the answers
// compared where both routes are used.
func TestDrivers(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, dbURL,
		"create table c (id int primary key, v text, b bytea, ts timestamptz)",
		"create table e (id int constraint e_pkey primary key, n int check (n > 0))",
		"insert into e values (1, 1)",
		"create table tx (id int primary key)",
		"create table items (id int primary key, name text, price numeric(10,2), note text)")
	p := startProxy(t, Config{})
	for _, c := range []struct {
		name string
		run  func(t *testing.T, p *testProxy, dbURL string)
	}{
		{"pgx_query_modes", testPgxQueryModes},
		{"pgx_batch", testPgxBatch},
		{"pgx_pipeline", testPgxPipeline},
		{"pgx_copy", testPgxCopy},
		{"pgx_listen_notify", testPgxListenNotify},
		{"pgx_notices_and_parameter_status", testPgxNoticesAndParameterStatus},
		{"pgx_errors_keep_sqlstate", testPgxErrorsKeepSQLSTATE},
		{"pgx_cancel_by_context", testPgxCancelByContext},
		{"pgx_large_result", testPgxLargeResult},
		{"pgx_transactions", testPgxTransactions},
		{"pgx_backend_pid", testPgxBackendPID},
		{"libpq", testLibPQ},
		{"psql", testPsql},
		{"pgbench", testPgbench},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, p, dbURL) })
	}
}

// queryModes are pgx's ways of running a query: the simple protocol and
// the extended protocol with and without prepared statements.
var queryModes = []struct {
	name string
	mode pgx.QueryExecMode
}{
	{"simple", pgx.QueryExecModeSimpleProtocol},
	{"cache_statement", pgx.QueryExecModeCacheStatement},
	{"cache_describe", pgx.QueryExecModeCacheDescribe},
	{"describe_exec", pgx.QueryExecModeDescribeExec},
	{"exec", pgx.QueryExecModeExec},
}

func testPgxQueryModes(t *testing.T, p *testProxy, dbURL string) {
	for _, m := range queryModes {
		t.Run(m.name, func(t *testing.T) {
			sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
				conn := connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
				return modeWorkload(t, conn)
			})
		})
	}
}

func testPgxBatch(t *testing.T, p *testProxy, dbURL string) {
	for _, m := range queryModes {
		t.Run(m.name, func(t *testing.T) {
			sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
				conn := connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
				return batchWorkload(t, conn)
			})
		})
	}
}

func testPgxPipeline(t *testing.T, p *testProxy, dbURL string) {
	sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
		conn := connect(t, url)
		return pipelineWorkload(t, conn.PgConn())
	})
}

func testPgxCopy(t *testing.T, p *testProxy, dbURL string) {
	sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
		conn := connect(t, url)
		return copyWorkload(t, conn)
	})
}

func testPgxListenNotify(t *testing.T, p *testProxy, dbURL string) {
	sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
		ctx := testCtx(t)
		listener := connect(t, url)
		if _, err := listener.Exec(ctx, `listen "chan one"`); err != nil {
			t.Fatal(err)
		}
		var out []string
		// From another connection, straight to PostgreSQL and through the proxy.
		for _, from := range []string{dbURL, p.URL(t, dbURL)} {
			notifier := connect(t, from)
			if _, err := notifier.Exec(ctx, "select pg_notify('chan one', $1)", "payload é "+strings.Repeat("p", 1000)); err != nil {
				t.Fatal(err)
			}
			// Notifications sent in a transaction arrive at commit, in order.
			tx, err := notifier.Begin(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for i := range 3 {
				if _, err := tx.Exec(ctx, fmt.Sprintf(`notify "chan one", 'tx %d'`, i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := tx.Commit(ctx); err != nil {
				t.Fatal(err)
			}
			for range 4 {
				out = append(out, waitNotification(t, listener))
			}
		}
		return out
	})
}

func testPgxNoticesAndParameterStatus(t *testing.T, p *testProxy, dbURL string) {
	sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
		ctx := testCtx(t)
		var notices []string
		url = withParams(t, url, "application_name", "start name", "options", "-c search_path=myschema,public")
		conn := connectConfig(t, url, func(c *pgx.ConnConfig) {
			c.OnNotice = func(_ *pgconn.PgConn, n *pgconn.Notice) {
				notices = append(notices, n.Severity+" "+n.Code+" "+n.Message+" | "+n.Detail+" | "+n.Hint)
			}
		})
		pc := conn.PgConn()
		out := []string{pc.ParameterStatus("application_name"), pc.ParameterStatus("server_version"),
			pc.ParameterStatus("client_encoding"), pc.ParameterStatus("integer_datetimes")}
		var searchPath string
		if err := conn.QueryRow(ctx, "show search_path").Scan(&searchPath); err != nil {
			t.Fatal(err)
		}
		out = append(out, searchPath)
		for _, sql := range []string{
			"set application_name = 'renamed'",
			"set TimeZone = 'Asia/Kathmandu'",
			`do $$ begin raise notice 'hello %', 42 using detail = 'a detail', hint = 'a hint'; raise warning 'careful'; end $$`,
			"create temp table if not exists n (id int)",
			"create temp table if not exists n (id int)",
		} {
			if _, err := conn.Exec(ctx, sql); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		}
		out = append(out, pc.ParameterStatus("application_name"), pc.ParameterStatus("TimeZone"))
		return append(out, notices...)
	})
}

func testPgxErrorsKeepSQLSTATE(t *testing.T, p *testProxy, dbURL string) {
	for _, m := range queryModes {
		t.Run(m.name, func(t *testing.T) {
			sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []pgconn.PgError {
				conn := connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
				return errorWorkload(t, conn)
			})
		})
	}
}

func testPgxCancelByContext(t *testing.T, p *testProxy, dbURL string) {
	sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
		conn := connectConfig(t, url, cancelOnContext)
		var out []string
		for _, m := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			start := time.Now()
			_, err := conn.Exec(ctx, "select pg_sleep(10)", m)
			cancel()
			if took := time.Since(start); took > 5*time.Second {
				t.Fatalf("cancel took %v", took)
			}
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "57014" {
				t.Fatalf("want SQLSTATE 57014 (query_canceled), got %v", err)
			}
			var n int
			if err := conn.QueryRow(testCtx(t), "select 7").Scan(&n); err != nil || n != 7 {
				t.Fatalf("connection unusable after cancel: %d, %v", n, err)
			}
			out = append(out, pgErr.Code+" "+pgErr.Message)
		}
		return out
	})
}

func testPgxLargeResult(t *testing.T, p *testProxy, dbURL string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn := connect(t, p.URL(t, dbURL))
	const rows = 200000
	sql := "select g, 'row ' || g || ' ' || repeat('x', 20) from generate_series(1, %s) g"
	t.Run("simple", func(t *testing.T) {
		mrr := conn.PgConn().Exec(ctx, fmt.Sprintf(sql, fmt.Sprint(rows)))
		if !mrr.NextResult() {
			t.Fatalf("no result: %v", mrr.Close())
		}
		checkLargeResult(t, mrr.ResultReader(), rows)
		if err := mrr.Close(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("extended", func(t *testing.T) {
		rr := conn.PgConn().ExecParams(ctx, fmt.Sprintf(sql, "$1::int"), [][]byte{[]byte(fmt.Sprint(rows))}, nil, nil, nil)
		checkLargeResult(t, rr, rows)
	})
	t.Run("16MB_value_each_way", func(t *testing.T) {
		big := strings.Repeat("0123456789abcdef", 1<<20)
		var echoed string
		if err := conn.QueryRow(ctx, "select $1::text", big).Scan(&echoed); err != nil {
			t.Fatal(err)
		}
		if echoed != big {
			t.Fatalf("a 16 MB value came back as %d bytes", len(echoed))
		}
	})
}

// checkLargeResult reads the rows of TestPgxLargeResult's query and checks
// each one, and that they add up to several megabytes.
func checkLargeResult(t *testing.T, rr *pgconn.ResultReader, rows int) {
	t.Helper()
	n, size := 0, 0
	var want []byte
	pad := []byte(" " + strings.Repeat("x", 20))
	for rr.NextRow() {
		n++
		v := rr.Values()
		want = append(strconv.AppendInt(append(want[:0], "row "...), int64(n), 10), pad...)
		if string(v[0]) != strconv.Itoa(n) || !bytes.Equal(v[1], want) {
			t.Fatalf("row %d is %q %q", n, v[0], v[1])
		}
		size += len(v[0]) + len(v[1])
	}
	tag, err := rr.Close()
	if err != nil {
		t.Fatal(err)
	}
	if n != rows || tag.RowsAffected() != int64(rows) || size < 5<<20 {
		t.Fatalf("got %d rows (%d bytes, tag %q), want %d rows and several MB", n, size, tag, rows)
	}
}

func testPgxTransactions(t *testing.T, p *testProxy, dbURL string) {
	sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
		ctx := testCtx(t)
		conn := connect(t, url)
		pgtest.Exec(t, dbURL, "truncate tx")
		var out []string
		status := func(what string) { out = append(out, fmt.Sprintf("%s %c", what, conn.PgConn().TxStatus())) }
		status("idle")
		tx, err := conn.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		status("begun")
		txExec(t, tx, "insert into tx values (1)")
		txExec(t, tx, "savepoint s")
		_, err = tx.Exec(ctx, "insert into tx values (1)")
		out = append(out, pgCode(err))
		status("failed")
		_, err = tx.Exec(ctx, "select 1")
		out = append(out, pgCode(err))
		txExec(t, tx, "rollback to savepoint s")
		status("recovered")
		txExec(t, tx, "insert into tx values (2)")
		if err := tx.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		status("committed")
		tx, err = conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable, AccessMode: pgx.ReadOnly})
		if err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(ctx, "insert into tx values (3)")
		out = append(out, pgCode(err))
		if err := tx.Rollback(ctx); err != nil {
			t.Fatal(err)
		}
		status("rolled back")
		var ids string
		if err := conn.QueryRow(ctx, "select string_agg(id::text, ',' order by id) from tx").Scan(&ids); err != nil {
			t.Fatal(err)
		}
		return append(out, ids)
	})
}

func testLibPQ(t *testing.T, p *testProxy, dbURL string) {
	sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
		db, err := sql.Open("postgres", withParams(t, url, "sslmode", "disable"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.SetMaxOpenConns(2)
		pqMustExec(t, db, "truncate items")
		out := []string{pqCopyIn(t, db, 5000)}
		out = append(out, pqPrepared(t, db)...)
		out = append(out, pqTransactions(t, db)...)
		return append(out, pqErrorsAndCancel(t, db)...)
	})
}

// testPgxBackendPID checks that the process id a client is given is the
// one the server reports elsewhere: pg_backend_pid() and the sender of a
// notification the session sent itself. Listeners commonly skip their own
// notifications by comparing that pid with their connection's.
func testPgxBackendPID(t *testing.T, p *testProxy, dbURL string) {
	for _, r := range routes(t, p, dbURL) {
		t.Run(r.name, func(t *testing.T) {
			ctx := testCtx(t)
			conn := connect(t, r.url)
			var backendPID uint32
			if err := conn.QueryRow(ctx, "select pg_backend_pid()").Scan(&backendPID); err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Exec(ctx, "listen self; notify self, 'me'"); err != nil {
				t.Fatal(err)
			}
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			n, err := conn.WaitForNotification(wctx)
			if err != nil {
				t.Fatal(err)
			}
			if given := conn.PgConn().PID(); backendPID != given || n.PID != given {
				t.Errorf("the connection was given pid %d, but pg_backend_pid() is %d and its own notification came from %d",
					given, backendPID, n.PID)
			}
		})
	}
}
