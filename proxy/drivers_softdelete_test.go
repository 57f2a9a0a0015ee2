package proxy

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/lib/pq"
)

// Real drivers through a rewriting proxy on managed tables: each driver
// runs the same round (SELECT, DELETE, DELETE … RETURNING, UPDATE, COPY in
// and out, a prepared DELETE, a rolled-back transaction) straight on the
// twin's reference and through the proxy on the soft database. Every tag
// and row must be the same, and the soft database must hold the
// reference's rows as its live rows, with nothing removed (checkTrash).

func TestSoftDeleteDrivers(t *testing.T) {
	tw := newTwin(t)
	for _, m := range queryModes {
		t.Run("pgx/"+m.name, func(t *testing.T) {
			tw.sameRound(t, func(t *testing.T, url string) []string {
				conn := connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
				return pgxRound(t, conn)
			})
		})
	}
	t.Run("libpq", func(t *testing.T) {
		tw.sameRound(t, func(t *testing.T, url string) []string {
			db, err := sql.Open("postgres", withParams(t, url, "sslmode", "disable"))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			db.SetMaxOpenConns(1)
			return pqRound(t, db)
		})
	})
	t.Run("psql", func(t *testing.T) {
		psql := needBinary(t, "psql")
		tw.sameRound(t, func(t *testing.T, url string) []string {
			r := runPsqlScript(t, psql, url, psqlRoundScript, map[string][]byte{"in.csv": []byte("300,1,p300\n301,2,p301\n")}, "out.csv")
			return []string{fmt.Sprint(r.Code), r.Stdout, r.Stderr, sortLines(r.Files["out.csv"])}
		})
	})
	t.Run("pgbench", func(t *testing.T) {
		testPgbenchSoftDelete(t, tw)
	})
}

// sameRound runs round straight on the reference and through the proxy on
// the soft database, from the seeded state, and compares.
func (tw *twin) sameRound(t *testing.T, round func(t *testing.T, url string) []string) {
	t.Helper()
	tw.reset(t)
	want := round(t, tw.ref)
	got := round(t, tw.proxied)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("through the proxy:\n%s\nPostgreSQL:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, p := range tw.checkTrash(t) {
		t.Error(p)
	}
}

// pgxRound is the round with pgx.
func pgxRound(t *testing.T, conn *pgx.Conn) []string {
	ctx := testCtx(t)
	var out []string
	exec := func(sql string, args ...any) {
		t.Helper()
		tag, err := conn.Exec(ctx, sql, args...)
		out = append(out, fmt.Sprintf("%s: %s %s", sql, tag, pgCode(err)))
	}
	query := func(sql string, args ...any) {
		t.Helper()
		rows, err := conn.Query(ctx, sql, args...)
		if err != nil {
			out = append(out, sql+": "+codeOf(err))
			return
		}
		var lines []string
		for rows.Next() {
			v, err := rows.Values()
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, joinValues(v))
		}
		rows.Close()
		sort.Strings(lines)
		out = append(out, fmt.Sprintf("%s: %s %s [%s]", sql, rows.CommandTag(), pgCode(rows.Err()), strings.Join(lines, "; ")))
	}
	query("SELECT id, val FROM t WHERE grp = $1", 1)
	exec("DELETE FROM t WHERE id = $1", 1)
	exec("DELETE FROM t WHERE id = $1", 3) // in the trash
	query("DELETE FROM t WHERE grp = $1 RETURNING id, val", 2)
	exec("UPDATE t SET val = val || '!' WHERE id < $1", 8)
	n, err := conn.CopyFrom(ctx, pgx.Identifier{"t"}, []string{"id", "grp", "val"},
		pgx.CopyFromRows([][]any{{200, 1, "c200"}, {201, 0, "c201"}, {202, 1, "c202"}}))
	out = append(out, fmt.Sprintf("CopyFrom: %d %s", n, pgCode(err)))
	var buf bytes.Buffer
	tag, err := conn.PgConn().CopyTo(ctx, &buf, "COPY t (id, val) TO STDOUT")
	out = append(out, fmt.Sprintf("COPY TO: %s %s\n%s", tag, pgCode(err), sortLines(buf.String())))
	if _, err := conn.Prepare(ctx, "del", "DELETE FROM t WHERE id = $1 OR parent = $1"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{200, 5, 6} {
		exec("del", id)
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	exec("DELETE FROM t2 WHERE amount > $1", 40)
	query("SELECT id FROM t2")
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	query("SELECT t.id, t2.amount FROM t JOIN t2 ON t2.t_id = t.id")
	query("SELECT count(*) FROM t LEFT JOIN u ON u.t_id = t.id WHERE u.id IS NULL")
	return out
}

// pqRound is the round with lib/pq (database/sql, one connection).
func pqRound(t *testing.T, db *sql.DB) []string {
	var out []string
	exec := func(text string, args ...any) {
		t.Helper()
		res, err := db.Exec(text, args...)
		n := int64(-1)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		out = append(out, fmt.Sprintf("%s: %d %v", text, n, pqCode(err)))
	}
	query := func(text string, args ...any) {
		t.Helper()
		rows, err := db.Query(text, args...)
		if err != nil {
			out = append(out, fmt.Sprintf("%s: %v", text, pqCode(err)))
			return
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			parts := make([]string, len(vals))
			for i, v := range vals {
				parts[i] = "∅"
				if v.Valid {
					parts[i] = v.String
				}
			}
			lines = append(lines, strings.Join(parts, "|"))
		}
		sort.Strings(lines)
		out = append(out, fmt.Sprintf("%s: %v [%s]", text, pqCode(rows.Err()), strings.Join(lines, "; ")))
	}
	query("SELECT id, val FROM t WHERE grp = $1", 1)
	exec("DELETE FROM t WHERE id = $1", 1)
	exec("DELETE FROM t WHERE id = 3")
	query("DELETE FROM t WHERE grp = $1 RETURNING id, val", 2)
	exec("UPDATE t SET val = val || '!' WHERE id < $1", 8)
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare(pq.CopyIn("t", "id", "grp", "val"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{200, 201, 202} {
		if _, err := stmt.Exec(id, id%2, fmt.Sprint("c", id)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := stmt.Exec()
	if err != nil {
		t.Fatal(err)
	}
	copied, _ := res.RowsAffected()
	if err := stmt.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	out = append(out, fmt.Sprint("CopyIn: ", copied))
	del, err := db.Prepare("DELETE FROM t WHERE id = $1 OR parent = $1")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{200, 5, 6} {
		res, err := del.Exec(id)
		n := int64(-1)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		out = append(out, fmt.Sprintf("prepared delete %d: %d %v", id, n, pqCode(err)))
	}
	del.Close()
	tx, err = db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec("DELETE FROM t2 WHERE amount > $1", 40); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	exec("DELETE FROM t WHERE id = 1/0")
	query("SELECT t.id, t2.amount FROM t JOIN t2 ON t2.t_id = t.id")
	query("SELECT id, val FROM t")
	return out
}

func pqCode(err error) string {
	if err == nil {
		return ""
	}
	if e, ok := err.(*pq.Error); ok {
		return string(e.Code) + " " + e.Message
	}
	return "client: " + err.Error()
}

// psqlRoundScript is the round with psql: \copy in both directions, a
// prepared statement, a transaction, and several statements in one string.
const psqlRoundScript = `SELECT id, val FROM t WHERE grp = 1 ORDER BY id;
DELETE FROM t WHERE id = 1;
DELETE FROM t WHERE id = 3;
DELETE FROM t WHERE grp = 2 RETURNING id, val;
UPDATE t SET val = val || '!' WHERE id < 8;
\copy t (id, grp, val) from 'in.csv' with (format csv)
\copy t (id, val) to 'out.csv' with (format csv)
PREPARE del(int) AS DELETE FROM t WHERE id = $1 OR parent = $1;
EXECUTE del(300);
EXECUTE del(5);
BEGIN;
DELETE FROM t2 WHERE amount > 40;
SELECT count(*) FROM t2;
ROLLBACK;
DELETE FROM t WHERE id = 6 \; SELECT count(*) FROM t \; DELETE FROM t2 WHERE t_id = 6;
SELECT t.id, t2.amount FROM t JOIN t2 ON t2.t_id = t.id ORDER BY 1, 2;
`

// pgbenchSoftDeleteScript deletes and reads random rows of the managed
// tables and fails the transaction if a trashed row (3, 5, 10 of t) is
// ever seen. With --random-seed, each client draws the same ids on both
// databases, and deletes and increments commute, so the final state does
// not depend on how the clients interleave.
const pgbenchSoftDeleteScript = `\set id random(1, 14)
\set g random(0, 3)
DELETE FROM t WHERE id = :id;
SELECT count(*) AS trashed_shown FROM t WHERE id IN (3, 5, 10) \gset
\if :trashed_shown > 0
SELECT 1/0;
\endif
UPDATE t2 SET amount = amount + 1 WHERE t_id = :id;
SELECT count(*) FROM t WHERE grp = :g;
DELETE FROM t2 WHERE t_id = :id AND amount > 60;
`

// testPgbenchSoftDelete runs the script with each protocol straight on the
// reference and through the proxy on the soft database, and compares the
// resulting states.
func testPgbenchSoftDelete(t *testing.T, tw *twin) {
	pgbench := needBinary(t, "pgbench")
	dir := t.TempDir()
	script := filepath.Join(dir, "softdelete.sql")
	if err := os.WriteFile(script, []byte(pgbenchSoftDeleteScript), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"simple", "extended", "prepared"} {
		t.Run(mode, func(t *testing.T) {
			tw.reset(t)
			for _, url := range []string{tw.ref, tw.proxied} {
				out := runPgbench(t, pgbench, "-n", "-M", mode, "-f", script, "-c", "3", "-j", "1", "-t", "8",
					"--random-seed=7", withParams(t, url, "options", "-c synchronous_commit=off"))
				checkProcessed(t, out, 24)
			}
			for _, p := range tw.checkTrash(t) {
				t.Error(p)
			}
			ctx := context.Background()
			var deleted int
			if err := tw.refAdmin.QueryRow(ctx, "SELECT 12 - count(*) FROM t").Scan(&deleted); err != nil || deleted <= 3 {
				t.Errorf("the script deleted %d rows of t (%v): want more than the 3 trashed before", deleted-3, err)
			}
		})
	}
}
