package proxy

// Workloads the pgx tests in drivers_test.go run over each route.

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

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

// batchWorkload sends several hundred statements in one batch, then a
// batch with one of them failing, and returns each one's outcome.
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

// txExec runs sql in tx, failing the test on error.
func txExec(t *testing.T, tx pgx.Tx, sql string) {
	t.Helper()
	if _, err := tx.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
