package rewrite

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestGoldenOnPostgres runs every golden output (the input when it is
// unchanged) against a real PostgreSQL holding testdata/schema.sql, each in
// a transaction that is rolled back: the rewrites must be valid SQL for
// the server, not just for the parser. For reads it also checks the
// promise itself: the rewritten query over live and trashed rows returns
// what the original returns once the trashed rows are really deleted.
func TestGoldenOnPostgres(t *testing.T) {
	_, url := pgtest.Get(t).CreateDatabase(t)
	schema, err := os.ReadFile("testdata/schema.sql")
	if err != nil {
		t.Fatal(err)
	}
	pgtest.Exec(t, url, string(schema), "CREATE SCHEMA softdelete",
		"CREATE FUNCTION softdelete."+TruncateCheckName+"("+TruncateCheckArgs+") "+TruncateCheckHeader+" AS $$"+TruncateCheckBody+"$$")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	pc := conn.PgConn()
	pg17 := pc.ParameterStatus("server_version") >= "17"
	p := testPolicy()
	for _, file := range goldenFiles(t) {
		for _, c := range readGolden(t, file) {
			if skip := dbSkip(c, pg17); skip != "" || strings.HasPrefix(c.out, "ERROR") {
				continue
			}
			t.Run(c.name, func(t *testing.T) {
				runOnPostgres(ctx, t, pc, p, c)
			})
		}
	}
}

// dbSkip returns why a case cannot run on the server, or "".
func dbSkip(c goldenCase, pg17 bool) string {
	for _, o := range c.opts {
		switch {
		case strings.HasPrefix(o, "@ db: skip"):
			return o
		case o == "@ db: pg17" && !pg17:
			return "needs PostgreSQL 17"
		}
	}
	return ""
}

func runOnPostgres(ctx context.Context, t *testing.T, pc *pgconn.PgConn, p *Policy, c goldenCase) {
	s := c.session
	res, err := New(Options{CacheBytes: -1}).Rewrite(c.in, p, &s)
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"BEGIN", "SET LOCAL search_path TO " + pathList(s)}
	var setup []string
	for _, o := range c.opts {
		if q, ok := strings.CutPrefix(o, "@ db-setup: "); ok {
			setup = append(setup, q)
		}
	}
	defer rollback(ctx, t, pc)
	if err := execAll(ctx, pc, append(base, setup...)...); err != nil {
		t.Fatalf("setup: %v", err)
	}
	got, err := runStatement(ctx, pc, res)
	if err != nil {
		t.Fatalf("the server rejects the output: %v\n%s", err, res.SQL)
	}
	if !res.Changed || s.Visibility != VisibilityActive || !comparable(res.Stmts) || hasOpt(c, "@ db: nodiff") {
		return
	}
	got = append(got, liveRows(ctx, t, pc, p, true)...)
	if err := execAll(ctx, pc, "ROLLBACK", "DEALLOCATE ALL"); err != nil {
		t.Fatal(err)
	}
	if err := execAll(ctx, pc, append(append(base, hardDeleteTrash(p)...), setup...)...); err != nil {
		t.Fatal(err)
	}
	want, err := runStatement(ctx, pc, Result{SQL: c.in})
	if err != nil {
		t.Fatalf("original on really-deleted data: %v", err)
	}
	want = append(want, liveRows(ctx, t, pc, p, false)...)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("rewrite differs from the original over really-deleted rows\n  in: %s\n out: %s\n got: %q\nwant: %q", c.in, res.SQL, got, want)
	}
}

func hasOpt(c goldenCase, opt string) bool {
	for _, o := range c.opts {
		if strings.HasPrefix(o, opt) {
			return true
		}
	}
	return false
}

// comparable reports statements whose rows, row counts and effects must be
// the same as the original's once trashed rows are really deleted.
func comparable(stmts []Stmt) bool {
	for _, s := range stmts {
		switch s.Kind {
		case "select", "delete", "update", "insert", "merge":
		default:
			return false
		}
	}
	return len(stmts) > 0
}

// liveRows lists the ids of the rows each managed table shows: those not
// trashed (soft) or all that are left (after real deletes).
func liveRows(ctx context.Context, t *testing.T, pc *pgconn.PgConn, p *Policy, soft bool) []string {
	var out []string
	for _, tb := range p.Tables {
		// ids from sequences differ between the two runs: new rows count as 0
		q := fmt.Sprintf("SELECT '%s', CASE WHEN id > 100 THEN 0 ELSE id END FROM %s", tb.Name, tableName(&tb))
		if soft {
			q += " WHERE " + quoteIdent(tb.Column) + " IS NULL"
		}
		rows, err := runStatement(ctx, pc, Result{SQL: q})
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		out = append(out, rows...)
	}
	return out
}

// pathList is the session's search_path as SET syntax.
func pathList(s Session) string {
	var q []string
	for _, n := range searchPath(s.SearchPath, s.User) {
		q = append(q, quoteIdent(n))
	}
	if len(q) == 0 {
		return "''"
	}
	return strings.Join(q, ", ")
}

// hardDeleteTrash turns the database into the one the application was
// written for: trashed rows really deleted, unique indexes without the
// soft-delete predicate.
func hardDeleteTrash(p *Policy) []string {
	out := []string{
		"CREATE UNIQUE INDEX contacts_email_plain ON public.contacts (email)",
		"CREATE UNIQUE INDEX contacts_lower_email_plain ON public.contacts (lower(email)) WHERE email <> ''",
	}
	for _, t := range p.Tables {
		out = append(out, fmt.Sprintf("DELETE FROM %s WHERE %s IS NOT NULL", tableName(&t), quoteIdent(t.Column)))
	}
	return out
}

// runStatement runs a result the way a client would and returns its rows,
// sorted (row order is not part of the promise unless ORDER BY says so).
func runStatement(ctx context.Context, pc *pgconn.PgConn, res Result) ([]string, error) {
	sql := res.SQL
	upper := strings.ToUpper(strings.TrimSpace(sql))
	switch {
	case strings.HasPrefix(upper, "COPY") && strings.Contains(upper, "TO STDOUT"):
		_, err := pc.CopyTo(ctx, io.Discard, sql)
		return nil, err
	case strings.HasPrefix(upper, "COPY") && strings.Contains(upper, "FROM STDIN"):
		_, err := pc.CopyFrom(ctx, strings.NewReader(""), sql)
		return nil, err
	case strings.Contains(sql, "$1") && !strings.HasPrefix(upper, "PREPARE"):
		sql = "PREPARE golden_stmt AS " + sql
	}
	results, err := pc.Exec(ctx, sql).ReadAll()
	if err != nil {
		return nil, err
	}
	var rows []string
	for _, r := range results {
		rows = append(rows, fmt.Sprintf("(%d rows)", r.CommandTag.RowsAffected()))
		for _, row := range r.Rows {
			var f []string
			for _, v := range row {
				f = append(f, string(v))
			}
			rows = append(rows, strings.Join(f, "|"))
		}
	}
	sort.Strings(rows)
	return rows, nil
}

func execAll(ctx context.Context, pc *pgconn.PgConn, sql ...string) error {
	for _, q := range sql {
		if _, err := pc.Exec(ctx, q).ReadAll(); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// rollback undoes a case, including its prepared statements.
func rollback(ctx context.Context, t *testing.T, pc *pgconn.PgConn) {
	if err := execAll(ctx, pc, "ROLLBACK", "DEALLOCATE ALL"); err != nil {
		t.Errorf("rollback: %v", err)
	}
}
