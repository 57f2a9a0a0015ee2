package proxy

// Real drivers through the proxy: each call is made directly and through
// the proxy and the answers compared. pgx and database/sql with lib/pq here;
// psql and pgbench run as processes in psql_test.go and pgbench_test.go.

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/lib/pq"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

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

func TestPgxQueryModes(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
	for _, m := range queryModes {
		t.Run(m.name, func(t *testing.T) {
			sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
				conn := connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
				return modeWorkload(t, conn)
			})
		})
	}
}

// modeWorkload runs typed parameters and results, a repeated statement (a
// cache hit the second time), DDL and DML, and returns what it saw.
func modeWorkload(t *testing.T, conn *pgx.Conn) []string {
	ctx := testCtx(t)
	var out []string
	ts := time.Date(2024, 2, 29, 12, 30, 0, 0, time.UTC)
	for range 2 {
		rows, err := conn.Query(ctx,
			`select $1::int8, $2::text, $3::numeric, $4::bytea, $5::timestamptz, $6::int4[], $7::text, $8::jsonb, $9::bool`,
			int64(-42), "héllo 'quoted' \\ text", "12345.678900", []byte{0, 1, 2, 255}, ts, []int32{1, 2, 3}, nil,
			`{"a": 1.5, "b": ["x"]}`, true)
		if err != nil {
			t.Fatal(err)
		}
		vals, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%#v", vals))
	}
	for _, sql := range []string{
		"create temp table m (id int primary key, v text)",
		"insert into m select g, md5(g::text) from generate_series(1, 50) g",
		"update m set v = upper(v) where id % 7 = 0",
		"delete from m where id > 40",
	} {
		tag, err := conn.Exec(ctx, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out = append(out, tag.String())
	}
	tag, err := conn.Exec(ctx, "insert into m values ($1, $2)", 1000, "param")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, tag.String())
	rows, _ := conn.Query(ctx, "select id::text || '=' || v from m where id > $1 order by id", 30)
	got, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return append(out, got...)
}

func TestPgxBatch(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
	for _, m := range queryModes {
		t.Run(m.name, func(t *testing.T) {
			sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
				conn := connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
				return batchWorkload(t, conn)
			})
		})
	}
}

// batchWorkload sends several hundred statements in one batch, one of
// them failing, and returns each one's outcome.
func batchWorkload(t *testing.T, conn *pgx.Conn) []string {
	ctx := testCtx(t)
	if _, err := conn.Exec(ctx, "create temp table b (id int primary key, v text)"); err != nil {
		t.Fatal(err)
	}
	const n = 300
	batch := &pgx.Batch{}
	for i := range n {
		batch.Queue("insert into b values ($1, $2)", i, fmt.Sprint("v", i))
	}
	batch.Queue("select count(*)::text || ' ' || max(id)::text from b")
	batch.Queue("update b set v = v || '!' where id < $1", 10)
	res := conn.SendBatch(ctx, batch)
	var out []string
	for range n {
		tag, err := res.Exec()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tag.String())
	}
	var summary string
	if err := res.QueryRow().Scan(&summary); err != nil {
		t.Fatal(err)
	}
	tag, err := res.Exec()
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, summary, tag.String())
	if err := res.Close(); err != nil {
		t.Fatal(err)
	}
	// A failing statement mid-batch: the rest of the batch is skipped.
	batch = &pgx.Batch{}
	batch.Queue("select 1")
	batch.Queue("insert into b values (1, 'dup')")
	batch.Queue("select 3")
	res = conn.SendBatch(ctx, batch)
	_, err1 := res.Exec()
	_, err2 := res.Exec()
	_, err3 := res.Exec()
	out = append(out, fmt.Sprint(err1 == nil, pgCode(err2), err3 != nil))
	_ = res.Close()
	var count int
	if err := conn.QueryRow(ctx, "select count(*) from b").Scan(&count); err != nil {
		t.Fatalf("connection unusable after a failed batch: %v", err)
	}
	return append(out, fmt.Sprint(count))
}

func TestPgxPipeline(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
	sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
		conn := connect(t, url)
		return pipelineWorkload(t, conn.PgConn())
	})
}

// pipelineWorkload prepares a statement and sends 500 executions of it and
// 500 unnamed queries with no Sync until the end, then reads every result.
func pipelineWorkload(t *testing.T, pc *pgconn.PgConn) []string {
	ctx := testCtx(t)
	pl := pc.StartPipeline(ctx)
	pl.SendPrepare("twice", "select $1::int * 2", nil)
	const n = 500
	for i := range n {
		pl.SendQueryPrepared("twice", [][]byte{[]byte(fmt.Sprint(i))}, nil, nil)
		pl.SendQueryParams("select $1::text || 'x'", [][]byte{[]byte(fmt.Sprint(i))}, nil, nil, nil)
	}
	if err := pl.Sync(); err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		r, err := pl.GetResults()
		if err != nil {
			t.Fatal(err)
		}
		switch r := r.(type) {
		case nil:
			if err := pl.Close(); err != nil {
				t.Fatal(err)
			}
			if len(out) != 2*n+2 {
				t.Fatalf("got %d results, want %d", len(out), 2*n+2)
			}
			return out
		case *pgconn.StatementDescription:
			out = append(out, "prepared "+r.Name)
		case *pgconn.ResultReader:
			res := r.Read()
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			out = append(out, string(res.Rows[0][0]))
		case *pgconn.PipelineSync:
			out = append(out, "sync")
		default:
			t.Fatalf("unexpected pipeline result %T", r)
		}
	}
}

func TestPgxCopy(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, dbURL, "create table c (id int primary key, v text, b bytea, ts timestamptz)")
	p := startProxy(t, Config{})
	sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []string {
		conn := connect(t, url)
		return copyWorkload(t, conn)
	})
}

// copyWorkload loads rows with CopyFrom (binary COPY FROM STDIN) and with a
// text COPY, reads them back with COPY TO STDOUT, checks a failing COPY
// leaves the connection usable, and returns digests of what it saw.
func copyWorkload(t *testing.T, conn *pgx.Conn) []string {
	ctx := testCtx(t)
	if _, err := conn.Exec(ctx, "truncate c"); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	ts := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{"c"}, []string{"id", "v", "b", "ts"},
		pgx.CopyFromFunc(func() func() ([]any, error) {
			i := 0
			return func() ([]any, error) {
				if i == n {
					return nil, nil
				}
				i++
				return []any{i, strings.Repeat("v", i%50) + "\t\\tab", []byte{byte(i), byte(i >> 8)}, ts.Add(time.Duration(i) * time.Second)}, nil
			}
		}()))
	if err != nil {
		t.Fatal(err)
	}
	if copied != n {
		t.Fatalf("CopyFrom copied %d rows, want %d", copied, n)
	}
	text := "100001\tone\t\\\\x01\t2021-01-01 00:00:00+00\n100002\t\\N\t\\N\t\\N\n"
	tag, err := conn.PgConn().CopyFrom(ctx, strings.NewReader(text), "copy c from stdin")
	if err != nil {
		t.Fatal(err)
	}
	out := []string{fmt.Sprint(copied), tag.String()}
	var sb strings.Builder
	tag, err = conn.PgConn().CopyTo(ctx, &sb, "copy (select * from c order by id) to stdout with (format csv, header)")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(sb.String()))
	out = append(out, tag.String(), fmt.Sprint(sb.Len()), hex.EncodeToString(sum[:]))
	_, err = conn.PgConn().CopyFrom(ctx, strings.NewReader("1\tdup\t\\N\t\\N\n"), "copy c from stdin")
	out = append(out, pgCode(err))
	_, err = conn.PgConn().CopyFrom(ctx, strings.NewReader("not a number\tx\n"), "copy c (id, v) from stdin")
	out = append(out, pgCode(err))
	var count int
	if err := conn.QueryRow(ctx, "select count(*) from c").Scan(&count); err != nil {
		t.Fatalf("connection unusable after a failed COPY: %v", err)
	}
	return append(out, fmt.Sprint(count))
}

func TestPgxListenNotify(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
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

// waitNotification waits (a bounded time) for the next notification.
func waitNotification(t *testing.T, conn *pgx.Conn) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := conn.WaitForNotification(ctx)
	if err != nil {
		t.Fatalf("no notification arrived: %v", err)
	}
	return n.Channel + ": " + n.Payload
}

func TestPgxNoticesAndParameterStatus(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
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

func TestPgxErrorsKeepSQLSTATE(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, dbURL, "create table e (id int constraint e_pkey primary key, n int check (n > 0))", "insert into e values (1, 1)")
	p := startProxy(t, Config{})
	for _, m := range queryModes {
		t.Run(m.name, func(t *testing.T) {
			sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) []pgconn.PgError {
				conn := connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
				return errorWorkload(t, conn)
			})
		})
	}
}

// errorWorkload provokes errors of several kinds and returns them whole.
func errorWorkload(t *testing.T, conn *pgx.Conn) []pgconn.PgError {
	ctx := testCtx(t)
	cases := []struct{ sql, code string }{
		{"select 1/0", "22012"},
		{"insert into e values (1, 5)", "23505"},
		{"insert into e values (2, -1)", "23514"},
		{"select * from missing_table", "42P01"},
		{"selec 1", "42601"},
		{"select 'x'::int", "22P02"},
		{`do $$ begin raise exception using errcode = 'P0042', message = 'custom', hint = 'h'; end $$`, "P0042"},
	}
	var out []pgconn.PgError
	for _, c := range cases {
		_, err := conn.Exec(ctx, c.sql)
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			t.Fatalf("%s: want a PgError, got %v", c.sql, err)
		}
		if pgErr.Code != c.code {
			t.Errorf("%s: SQLSTATE %s (%s), want %s", c.sql, pgErr.Code, pgErr.Message, c.code)
		}
		out = append(out, *pgErr)
	}
	if err := conn.Ping(ctx); err != nil {
		t.Fatalf("connection unusable after errors: %v", err)
	}
	return out
}

func TestPgxCancelByContext(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
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

func TestPgxLargeResult(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
	const rows = 200000
	for _, m := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		t.Run(m.String(), func(t *testing.T) {
			ctx := testCtx(t)
			conn := connectConfig(t, p.URL(t, dbURL), func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m })
			res, err := conn.Query(ctx, "select g, 'row ' || g || ' ' || repeat('x', 20) from generate_series(1, $1::int) g", rows)
			if err != nil {
				t.Fatal(err)
			}
			i, size := 0, 0
			for res.Next() {
				var g int
				var s string
				if err := res.Scan(&g, &s); err != nil {
					t.Fatal(err)
				}
				i++
				if g != i || s != fmt.Sprintf("row %d %s", i, strings.Repeat("x", 20)) {
					t.Fatalf("row %d is %d %q", i, g, s)
				}
				size += len(s)
			}
			if err := res.Err(); err != nil {
				t.Fatal(err)
			}
			if i != rows || size < 5<<20 {
				t.Fatalf("got %d rows (%d bytes of text), want %d rows and several MB", i, size, rows)
			}
			// One 16 MB value each way.
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
}

func TestPgxTransactions(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, dbURL, "create table tx (id int primary key)")
	p := startProxy(t, Config{})
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
		mustExec(t, tx, "insert into tx values (1)")
		mustExec(t, tx, "savepoint s")
		_, err = tx.Exec(ctx, "insert into tx values (1)")
		out = append(out, pgCode(err))
		status("failed")
		_, err = tx.Exec(ctx, "select 1")
		out = append(out, pgCode(err))
		mustExec(t, tx, "rollback to savepoint s")
		status("recovered")
		mustExec(t, tx, "insert into tx values (2)")
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

func mustExec(t *testing.T, tx pgx.Tx, sql string) {
	t.Helper()
	if _, err := tx.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func TestLibPQ(t *testing.T) {
	_, dbURL := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, dbURL, "create table items (id int primary key, name text, price numeric(10,2), note text)")
	p := startProxy(t, Config{})
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

// pqCopyIn loads n rows with pq.CopyIn inside a transaction.
func pqCopyIn(t *testing.T, db *sql.DB, n int) string {
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare(pq.CopyIn("items", "id", "name", "price", "note"))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		var note any
		if i%3 == 0 {
			note = fmt.Sprintf("tab\there, newline\nhere, backslash \\ %d", i)
		}
		if _, err := stmt.Exec(i, fmt.Sprint("item ", i), fmt.Sprintf("%d.%02d", i, i%100), note); err != nil {
			t.Fatal(err)
		}
	}
	res, err := stmt.Exec()
	if err != nil {
		t.Fatal(err)
	}
	if err := stmt.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	copied, _ := res.RowsAffected()
	var count int
	var sum, digest string
	err = db.QueryRow("select count(*), sum(price)::text, md5(string_agg(id || name || coalesce(note, '-'), ',' order by id)) from items").
		Scan(&count, &sum, &digest)
	if err != nil {
		t.Fatal(err)
	}
	if count != n {
		t.Fatalf("CopyIn loaded %d rows, want %d", count, n)
	}
	return fmt.Sprint(copied, count, sum, digest)
}

// pqPrepared runs a prepared statement several times and a query with
// NULLs and many rows.
func pqPrepared(t *testing.T, db *sql.DB) []string {
	ps, err := db.Prepare("select name, price::text, note from items where id = $1")
	if err != nil {
		t.Fatal(err)
	}
	defer ps.Close()
	var out []string
	for _, id := range []int{1, 3, 77, 5000} {
		var name, price string
		var note sql.NullString
		if err := ps.QueryRow(id).Scan(&name, &price, &note); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(name, price, note))
	}
	rows, err := db.Query("select id, name from items where id % $1 = 0 order by id", 500)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(id, name))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pqTransactions commits one transaction and rolls another back.
func pqTransactions(t *testing.T, db *sql.DB) []string {
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("delete from items where id > 100"); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	tx, err = db.BeginTx(context.Background(), &sql.TxOptions{Isolation: sql.LevelRepeatableRead})
	if err != nil {
		t.Fatal(err)
	}
	res, err := tx.Exec("update items set note = 'updated' where id <= $1", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	updated, _ := res.RowsAffected()
	var count, notes int
	if err := db.QueryRow("select count(*), count(*) filter (where note = 'updated') from items").Scan(&count, &notes); err != nil {
		t.Fatal(err)
	}
	return []string{fmt.Sprint(updated, count, notes)}
}

// pqErrorsAndCancel checks that SQLSTATEs reach lib/pq and that its
// context cancellation (a CancelRequest on a new connection) works.
func pqErrorsAndCancel(t *testing.T, db *sql.DB) []string {
	var out []string
	for _, q := range []string{"insert into items (id) values (1)", "select 1/0", "select nope"} {
		_, err := db.Exec(q)
		var pqErr *pq.Error
		if !errors.As(err, &pqErr) {
			t.Fatalf("%s: want a *pq.Error, got %v", q, err)
		}
		out = append(out, string(pqErr.Code)+" "+pqErr.Message)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := db.ExecContext(ctx, "select pg_sleep(10)")
	if took := time.Since(start); took > 5*time.Second {
		t.Fatalf("cancel took %v", took)
	}
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "57014" {
		t.Fatalf("want SQLSTATE 57014 (query_canceled), got %v", err)
	}
	// lib/pq discards a connection whose query was cancelled; the pool
	// opens another.
	var n int
	if err := db.QueryRow("select 5").Scan(&n); err != nil || n != 5 {
		t.Fatalf("pool unusable after cancel: %d, %v", n, err)
	}
	return append(out, fmt.Sprint("cancelled: ", err))
}

func pqMustExec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
