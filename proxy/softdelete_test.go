package proxy

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/proxy/tracker"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// Integration tests of soft delete through the proxy: what a
// client sees through the proxy must be what it would see if trashed rows
// had really been deleted, and the rows must stay in the table.

// TestSoftDeleteShapes runs every case of shapes.txt on the twin databases
// in both protocols; shapeExpectations says where the proxy differs by
// design.
func TestSoftDeleteShapes(t *testing.T) {
	cases := loadShapeCases(t, "testdata/softdelete/shapes.txt")
	tw := newTwin(t)
	exp := newExpectations(shapeExpectations)
	refs := map[string][][]outcome{}
	refused := map[string]bool{}
	for _, m := range protoModes {
		t.Run(m.name, func(t *testing.T) {
			for i := range cases {
				c := &cases[i]
				if c.only != "" && c.only != m.name {
					continue
				}
				t.Run(c.name, func(t *testing.T) {
					var xp *expectation
					if x, ok := exp.forCase(c.name + "/" + m.name); ok {
						xp = &x
					}
					problems, ref := tw.runCase(t, c, m, xp)
					for _, p := range problems {
						t.Error(p)
					}
					if _, ok := refs[c.name]; !ok && (m.name == "simple" || c.only == m.name) {
						refs[c.name] = ref
						if xp != nil && xp.refused != nil {
							refused[fmt.Sprint(c.name, "/", xp.step)] = true
						}
					}
				})
			}
		})
	}
	exp.checkAllUsed(t)
	checkGolden(t, "testdata/softdelete/shapes.golden", goldenOf(cases, refs, func(c string, step int) string {
		if refused[fmt.Sprint(c, "/", step)] {
			return " (refused by the proxy; the reference ran a stand-in raising the same error)"
		}
		return ""
	}))
}

// TestSoftDeletePassthroughBytes checks that statements touching no managed
// table reach the server byte-for-byte as the client wrote them, and that a
// rewritten statement keeps its comments (sqlcommenter tags), as the server
// reports in pg_stat_activity.query.
func TestSoftDeletePassthroughBytes(t *testing.T) {
	tw := newTwin(t)
	tw.reset(t)
	unchanged := []string{
		"select  1 ,\t'x'   -- trailing comment",
		"SELECT note FROM u WHERE id = 1 /* t */",
		"SELECT 'DELETE FROM t' AS s, $$t$$ AS d",
		"SELECT t.id FROM u AS t WHERE t.id < 3",
		"WITH t AS (SELECT 1 AS id) SELECT id FROM t",
		"select * from s2.t",
		"SELECT \"T\".id FROM u \"T\"",
		"SHOW search_path",
		"SET application_name = 'sd test'",
		"/* leading */ UPDATE u SET note = note WHERE id = 2",
	}
	rewritten := []struct{ sql, prefix, suffix string }{
		{"/*controller='users',action='destroy'*/ DELETE FROM t WHERE id = 1", "/*controller='users',action='destroy'*/ UPDATE", ""},
		{"SELECT id FROM t WHERE id = 2 /*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/", "SELECT",
			"/*traceparent='00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'*/"},
	}
	for _, m := range protoModes {
		t.Run(m.name, func(t *testing.T) {
			ctx := testCtx(t)
			conn := connectMode(t, tw.proxied, m)
			pid := runStmt(ctx, conn, m, "SELECT pg_backend_pid()")[0].Rows[0]
			serverText := func(sql string) string {
				t.Helper()
				if outs := runStmt(ctx, conn, m, sql); outs[len(outs)-1].Code != "" {
					t.Fatalf("%s: %v", sql, outs)
				}
				return adminRows(t, tw.softAdmin, "SELECT query FROM pg_stat_activity WHERE pid = "+pid)[0]
			}
			for _, sql := range unchanged {
				if got := serverText(sql); got != sql {
					t.Errorf("the server ran\n%q\nfor the client's\n%q", got, sql)
				}
			}
			for _, c := range rewritten {
				got := serverText(c.sql)
				if !strings.HasPrefix(got, c.prefix) || !strings.HasSuffix(got, c.suffix) || !strings.Contains(got, "deleted_at") {
					t.Errorf("the server ran\n%q\nfor the client's\n%q\nwant it rewritten, starting with %q and ending with %q",
						got, c.sql, c.prefix, c.suffix)
				}
			}
		})
	}
}

// TestSoftDeleteBatch sends pgx batches (pipelined in the extended
// protocol) of deletes and compares every item's tag with the reference.
func TestSoftDeleteBatch(t *testing.T) {
	tw := newTwin(t)
	items := []struct {
		sql  string
		args []any
	}{
		{"DELETE FROM t WHERE id = 1", nil},
		{"DELETE FROM t WHERE grp = $1", []any{2}},
		{"DELETE FROM t WHERE id = $1", []any{3}},
		{"DELETE FROM t2 WHERE t_id = $1", []any{2}},
		{"UPDATE t SET val = val || '!' WHERE id = $1", []any{4}},
		{"DELETE FROM t WHERE id IN ($1, $2) RETURNING id", []any{4, 6}},
		{"DELETE FROM u WHERE id = $1", []any{6}},
		{"SELECT count(*) FROM t", nil},
	}
	batch := func(t *testing.T, url string, m protoMode) []string {
		conn := connectMode(t, url, m)
		b := &pgx.Batch{}
		for _, it := range items {
			b.Queue(it.sql, it.args...)
		}
		br := conn.SendBatch(testCtx(t), b)
		var tags []string
		for range items {
			tag, err := br.Exec()
			if err != nil {
				tags = append(tags, "ERROR "+codeOf(err))
				continue
			}
			tags = append(tags, tag.String())
		}
		if err := br.Close(); err != nil {
			t.Fatalf("closing the batch: %v", err)
		}
		return tags
	}
	for _, m := range protoModes {
		t.Run(m.name, func(t *testing.T) {
			tw.reset(t)
			want := batch(t, tw.ref, m)
			got := batch(t, tw.proxied, m)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("batch tags through the proxy:\n got: %v\nwant: %v", got, want)
			}
			for _, p := range tw.checkTrash(t) {
				t.Error(p)
			}
		})
	}
}

// TestSoftDeleteTruncate covers on_truncate deny (the default), soft and
// hard, and that a refusal aborts the transaction like a server error.
func TestSoftDeleteTruncate(t *testing.T) {
	for _, mode := range []rewrite.TruncateMode{rewrite.TruncateDeny, rewrite.TruncateSoft, rewrite.TruncateHard} {
		_, dbURL := pgtest.Get(t).CreateDatabase(t)
		pgtest.Exec(t, dbURL, twinSchema+twinSoftIndex, "CREATE SCHEMA softdelete", // the soft TRUNCATE's check, which migrate installs
			"CREATE FUNCTION softdelete."+rewrite.TruncateCheckName+"("+rewrite.TruncateCheckArgs+") "+rewrite.TruncateCheckHeader+
				" AS $$"+rewrite.TruncateCheckBody+"$$")
		p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t", OnTruncate: mode}}})})
		admin := connect(t, dbURL)
		for _, m := range protoModes {
			t.Run(fmt.Sprintf("%s/%s", truncateName(mode), m.name), func(t *testing.T) {
				ctx := testCtx(t)
				pgtest.Exec(t, dbURL, twinSeed+seedTrash("t", trashedT, true))
				conn := connectMode(t, p.URL(t, dbURL), m)
				outs := runStmt(ctx, conn, m, "TRUNCATE t")
				rows := func(where string) string {
					return adminRows(t, admin, "SELECT count(*) FROM t WHERE "+where)[0]
				}
				switch mode {
				case rewrite.TruncateDeny:
					checkRefusal(t, conn, outs, "0A000", "TRUNCATE t", "on_truncate", "public.t")
					if n := rows("deleted_at IS NULL"); n != "9" {
						t.Errorf("%s live rows after a refused TRUNCATE, want 9", n)
					}
					checkAbortsTransaction(t, conn, m, "TRUNCATE t", "0A000")
					if got := runStmt(ctx, conn, m, "TRUNCATE u")[0]; got.Tag != "TRUNCATE TABLE" {
						t.Errorf("TRUNCATE of an unmanaged table: %v", got)
					}
				case rewrite.TruncateSoft:
					if len(outs) != 1 || outs[0].Tag != "TRUNCATE TABLE" {
						t.Errorf("TRUNCATE t answered %v, want TRUNCATE TABLE", outs)
					}
					if n := rows("true"); n != "12" {
						t.Errorf("%s rows left after a soft TRUNCATE, want all 12", n)
					}
					if n := rows("deleted_at IS NULL"); n != "0" {
						t.Errorf("%s live rows after a soft TRUNCATE, want 0", n)
					}
					if n := rows("deleted_at = '" + trashedAt + "'"); n != "3" {
						t.Errorf("%s rows kept their earlier deletion time, want 3", n)
					}
					if got := runStmt(ctx, conn, m, "SELECT count(*) FROM t")[0]; !reflect.DeepEqual(got.Rows, []string{"0"}) {
						t.Errorf("SELECT count(*) after a soft TRUNCATE: %v", got)
					}
				case rewrite.TruncateHard:
					if len(outs) != 1 || outs[0].Tag != "TRUNCATE TABLE" {
						t.Errorf("TRUNCATE t answered %v, want TRUNCATE TABLE", outs)
					}
					if n := rows("true"); n != "0" {
						t.Errorf("%s rows left after a hard TRUNCATE, want 0", n)
					}
				}
			})
		}
	}
}

func truncateName(m rewrite.TruncateMode) string {
	return [...]string{"deny", "soft", "hard"}[m]
}

// checkRefusal checks that outs is one refusal with SQLSTATE code, that
// sending sql again is refused with a message, detail or hint mentioning
// every one of wants, and that the connection still works.
func checkRefusal(t *testing.T, conn *pgx.Conn, outs []outcome, code, sql string, wants ...string) {
	t.Helper()
	if len(outs) != 1 || outs[0].Code != code {
		t.Fatalf("got %v, want a refusal with SQLSTATE %s", outs, code)
	}
	_, err := conn.Exec(testCtx(t), sql)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("%s again: %v, want an ErrorResponse", sql, err)
	}
	text := pgErr.Message + " " + pgErr.Detail + " " + pgErr.Hint
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("refusal %q does not mention %q", text, want)
		}
	}
	if _, err := conn.Exec(testCtx(t), "SELECT 1"); err != nil {
		t.Errorf("the connection is unusable after a refusal: %v", err)
	}
}

// checkAbortsTransaction runs BEGIN; refused; SELECT 1; ROLLBACK and
// checks the refusal failed the transaction as a server error would.
func checkAbortsTransaction(t *testing.T, conn *pgx.Conn, m protoMode, refused, code string) {
	t.Helper()
	ctx := testCtx(t)
	var got []string
	for _, sql := range []string{"BEGIN", "DELETE FROM t WHERE id = 1", refused, "SELECT 1", "ROLLBACK"} {
		got = append(got, runStmt(ctx, conn, m, sql)[0].String())
	}
	want := []string{"BEGIN", "DELETE 1", "ERROR " + code, "ERROR 25P02", "ROLLBACK"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("a refusal inside a transaction:\n got: %v\nwant: %v", got, want)
	}
	if got := runStmt(ctx, conn, m, "SELECT count(*) FROM t WHERE id = 1")[0].Rows; !reflect.DeepEqual(got, []string{"1"}) {
		t.Errorf("the delete before the refusal was not rolled back: %v", got)
	}
}

// TestSoftDeleteRefusalInPipeline queues a refused statement between two
// deletes in one batch: the refusal comes back in its place and nothing
// of the batch is kept.
func TestSoftDeleteRefusalInPipeline(t *testing.T) {
	tw := newTwin(t)
	for _, m := range protoModes {
		t.Run(m.name, func(t *testing.T) {
			tw.reset(t)
			conn := connectMode(t, tw.proxied, m)
			b := &pgx.Batch{}
			b.Queue("DELETE FROM t WHERE id = 1")
			b.Queue("TRUNCATE t")
			b.Queue("DELETE FROM t WHERE id = 2")
			br := conn.SendBatch(testCtx(t), b)
			var codes []string
			for i := 0; i < 3; i++ {
				_, err := br.Exec()
				codes = append(codes, pgCode(err))
			}
			_ = br.Close()
			first := ""
			for _, c := range codes {
				if c != "" {
					first = c
					break
				}
			}
			if first != "0A000" || codes[2] == "" && codes[1] != "" {
				t.Errorf("batch item errors %q: want the refusal (0A000) first and nothing after it to succeed", codes)
			}
			if got := adminRows(t, tw.softAdmin, "SELECT count(*) FROM t WHERE deleted_at IS NULL"); got[0] != "9" {
				t.Errorf("%s live rows after the failed batch, want 9 (nothing kept)", got[0])
			}
			if _, err := conn.Exec(testCtx(t), "SELECT 1"); err != nil {
				t.Errorf("the connection is unusable after the batch: %v", err)
			}
		})
	}
}

// TestSoftDeleteDatabaseSearchPath checks that the session probe learns a
// search_path set with ALTER DATABASE: with s2 alone on the path, t is s2.t
// and must not be rewritten.
func TestSoftDeleteDatabaseSearchPath(t *testing.T) {
	tw := newTwin(t)
	tw.reset(t)
	for _, u := range []string{tw.ref, tw.soft} {
		pgtest.Exec(t, u, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET search_path = s2', current_database()); END $$")
	}
	c := &shapeCase{steps: []string{"SELECT * FROM t", "DELETE FROM t WHERE id = 1", "SELECT * FROM public.t ORDER BY id", "DELETE FROM public.t WHERE id = 2"}}
	for _, m := range protoModes {
		t.Run(m.name, func(t *testing.T) {
			problems, _ := tw.runCase(t, c, m, nil)
			for _, p := range problems {
				t.Error(p)
			}
		})
	}
}

// TestSoftDeletePsql runs a psql script against the reference directly
// and the soft database through the proxy: the output must be the same.
func TestSoftDeletePsql(t *testing.T) {
	psql := needBinary(t, "psql")
	tw := newTwin(t)
	tw.reset(t)
	want := runPsqlScript(t, psql, tw.ref, softDeletePsqlScript, nil, "out.csv")
	got := runPsqlScript(t, psql, tw.proxied, softDeletePsqlScript, nil, "out.csv")
	if want.Code != 0 {
		t.Fatalf("psql on the reference exited %d:\n%s", want.Code, want.Stderr)
	}
	if got.Stdout != want.Stdout || got.Stderr != want.Stderr || got.Code != want.Code {
		t.Errorf("psql through the proxy (exit %d):\n%s\n%s\nwant (exit %d):\n%s\n%s",
			got.Code, got.Stdout, got.Stderr, want.Code, want.Stdout, want.Stderr)
	}
	if sortLines(got.Files["out.csv"]) != sortLines(want.Files["out.csv"]) {
		t.Errorf("\\copy t to a file through the proxy:\n%s\nwant:\n%s", got.Files["out.csv"], want.Files["out.csv"])
	}
	for _, p := range tw.checkTrash(t) {
		t.Error(p)
	}
}

const softDeletePsqlScript = `SELECT * FROM t ORDER BY id;
DELETE FROM t WHERE grp = 1;
DELETE FROM t WHERE id = 3 RETURNING id, val;
DELETE FROM t WHERE id IN (2, 4) RETURNING id, val;
SELECT u.id, t.val FROM u LEFT JOIN t ON t.id = u.t_id ORDER BY u.id;
BEGIN;
DELETE FROM t2 WHERE amount > 50;
SELECT count(*) FROM t2;
ROLLBACK;
DELETE FROM t2 WHERE amount > 60 \; DELETE FROM t2 WHERE amount < 20 \; SELECT count(*) FROM t2;
PREPARE d(int) AS DELETE FROM t WHERE id = $1;
EXECUTE d(6);
EXECUTE d(6);
\copy t (id, val) to 'out.csv' with (format csv)
SELECT count(*) AS n FROM t \gset
\echo live rows: :n
WITH RECURSIVE r AS (SELECT id FROM t WHERE id = 1 UNION ALL SELECT t.id FROM t JOIN r ON t.parent = r.id) SELECT id FROM r ORDER BY id;
`

func sortLines(s string) string {
	lines := strings.Split(s, "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestSoftDeleteUnparsable sends statements the parser rejects: naming a
// managed table they are refused with the parser's error (42601) and
// nothing is deleted; the proxy's internal sentinel never reaches the
// client.
func TestSoftDeleteUnparsable(t *testing.T) {
	tw := newTwin(t)
	tw.reset(t)
	bad := []string{
		"DELETE FROM t WHERE id = = 1",
		"DELETE FROM t WHERE (id = 1",
		"DELETE FROM t WHERE id = 1 ORDER BY",
		"DELETE t WHERE id = 1",
		"DELETE FROM public.t WHERE id IN (1,",
		"SELECT * FROM t WHERE",
	}
	for _, m := range protoModes {
		t.Run(m.name, func(t *testing.T) {
			conn := connectMode(t, tw.proxied, m)
			for _, sql := range bad {
				_, err := conn.Exec(testCtx(t), sql)
				var pgErr *pgconn.PgError
				if !errors.As(err, &pgErr) || pgErr.Code != "42601" {
					t.Errorf("%s: %v, want a 42601 refusal", sql, err)
					continue
				}
				if strings.Contains(pgErr.Message+pgErr.Detail+pgErr.Hint, tracker.RefusedSentinel) {
					t.Errorf("%s: the refusal shows the proxy's sentinel: %q", sql, pgErr.Message)
				}
				if !strings.Contains(pgErr.Message, "syntax error") {
					t.Errorf("%s: refusal %q does not carry the parser's error", sql, pgErr.Message)
				}
			}
			if got := adminRows(t, tw.softAdmin, "SELECT count(*) FROM t WHERE deleted_at IS NULL"); got[0] != "9" {
				t.Errorf("%s live rows after refused deletes, want 9", got[0])
			}
		})
	}
}
