package proxy

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// A twin is two databases with the same schema and data, except that in the
// reference (ref) the rows a soft delete trashed are really gone, while in
// the soft one they are still there with deleted_at set. Clients talk to
// ref directly and to soft through a rewriting proxy; whatever they see
// must be the same.
type twin struct {
	ref, soft string // direct URLs
	proxied   string // soft through the proxy
	p         *testProxy
	refAdmin  *pgx.Conn
	softAdmin *pgx.Conn
}

// Managed tables of the twin: t and t2 (deleted_at). u and s2.t are not
// managed; s2.t shadows t for a search_path that puts s2 first.
var twinTables = []rewrite.Table{{Name: "t"}, {Name: "t2"}}

// twinSchema is shared by both databases. The reference has a plain unique
// index on t.val (the application's original schema); the soft database the
// partial one soft delete needs (see twinSoftIndex).
const twinSchema = `
CREATE TABLE t (id int PRIMARY KEY, grp int NOT NULL, val text, parent int, deleted_at timestamptz);
CREATE TABLE t2 (id int PRIMARY KEY, t_id int, amount int NOT NULL, deleted_at timestamptz);
CREATE TABLE u (id int PRIMARY KEY, t_id int, note text);
CREATE SCHEMA s2;
CREATE TABLE s2.t (id int PRIMARY KEY, val text);
CREATE SCHEMA made;
`

const (
	twinRefIndex  = `CREATE UNIQUE INDEX t_val_key ON t (val);`
	twinSoftIndex = `CREATE UNIQUE INDEX t_val_key ON t (val) WHERE deleted_at IS NULL;`
)

// twinSeed refills both databases (in one implicit transaction): t has ids 1..12 in a tree (parent = id/2),
// t2 references t, u references t (and a missing id 99).
const twinSeed = `
SET LOCAL synchronous_commit = off;
DELETE FROM t; DELETE FROM t2; DELETE FROM u; DELETE FROM s2.t;
DO $$ BEGIN
  IF EXISTS (SELECT FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'made') THEN
    DROP SCHEMA made CASCADE;
    CREATE SCHEMA made;
  END IF;
END $$;
INSERT INTO t (id, grp, val, parent)
  SELECT i, i % 3, 'v' || i, CASE WHEN i > 1 THEN i / 2 END FROM generate_series(1, 12) i;
INSERT INTO t2 (id, t_id, amount) VALUES (1, 1, 10), (2, 2, 20), (3, 3, 30), (4, 5, 40),
  (5, 7, 50), (6, 10, 60), (7, 11, 70), (8, 12, 80);
INSERT INTO u (id, t_id, note) VALUES (1, 1, 'n1'), (2, 3, 'n2'), (3, 5, 'n3'), (4, 8, 'n4'),
  (5, 10, 'n5'), (6, 99, 'n6');
INSERT INTO s2.t (id, val) VALUES (1, 's2-one'), (2, 's2-two');
`

// The rows trashed before each case: gone in ref, deleted_at = trashedAt in soft.
var (
	trashedT  = []int{3, 5, 10}
	trashedT2 = []int{4, 7}
)

const trashedAt = "2000-01-01 00:00:00+00"

func seedTrash(table string, ids []int, soft bool) string {
	list := strings.Trim(strings.Join(strings.Fields(fmt.Sprint(ids)), ","), "[]")
	if soft {
		return fmt.Sprintf("UPDATE %s SET deleted_at = '%s' WHERE id IN (%s);", table, trashedAt, list)
	}
	return fmt.Sprintf("DELETE FROM %s WHERE id IN (%s);", table, list)
}

// newTwin creates the two databases and a proxy managing t and t2 in soft.
func newTwin(t *testing.T) *twin {
	t.Helper()
	srv := pgtest.Get(t)
	_, ref := srv.CreateDatabase(t)
	_, soft := srv.CreateDatabase(t)
	pgtest.Exec(t, ref, twinSchema+twinRefIndex)
	pgtest.Exec(t, soft, twinSchema+twinSoftIndex)
	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: twinTables})})
	tw := &twin{ref: ref, soft: soft, proxied: p.URL(t, soft), p: p}
	tw.refAdmin = connect(t, ref)
	tw.softAdmin = connect(t, soft)
	return tw
}

// reset puts both databases back to the seeded state.
func (tw *twin) reset(t testing.TB) {
	t.Helper()
	ctx := testCtx(t)
	for _, side := range []struct {
		conn *pgx.Conn
		soft bool
	}{{tw.refAdmin, false}, {tw.softAdmin, true}} {
		sql := twinSeed + seedTrash("t", trashedT, side.soft) + seedTrash("t2", trashedT2, side.soft)
		if _, err := side.conn.PgConn().Exec(ctx, sql).ReadAll(); err != nil {
			t.Fatalf("resetting the twin: %v", err)
		}
	}
}

// adminRows runs sql on an admin connection and returns the rows as text.
func adminRows(t testing.TB, conn *pgx.Conn, sql string) []string {
	t.Helper()
	outs := runSimple(testCtx(t), conn.PgConn(), sql)
	if len(outs) != 1 || outs[0].Code != "" {
		t.Fatalf("%s: %v", sql, outs)
	}
	return outs[0].Rows
}

// checkTrash verifies, straight on both databases, that the soft one holds
// exactly the reference's rows as live rows, that no row was removed from
// it, and that rows trashed before the case kept their timestamp.
func (tw *twin) checkTrash(t testing.TB) []string {
	t.Helper()
	var problems []string
	errorf := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	for _, tc := range []struct{ table, cols string }{
		{"t", "id, grp, val, parent"}, {"t2", "id, t_id, amount"},
	} {
		want := adminRows(t, tw.refAdmin, fmt.Sprintf("SELECT %s FROM %s ORDER BY id", tc.cols, tc.table))
		got := adminRows(t, tw.softAdmin, fmt.Sprintf("SELECT %s FROM %s WHERE deleted_at IS NULL ORDER BY id", tc.cols, tc.table))
		if !reflect.DeepEqual(got, want) {
			errorf("live rows of %s in the soft database differ from the reference:\n got: %v\nwant: %v", tc.table, got, want)
		}
	}
	if got := adminRows(t, tw.softAdmin, "SELECT count(*) FROM t WHERE id BETWEEN 1 AND 12"); got[0] != "12" {
		errorf("the soft database holds %s of the 12 seeded rows of t: a row was physically deleted", got[0])
	}
	if got := adminRows(t, tw.softAdmin, "SELECT count(*) FROM t2 WHERE id BETWEEN 1 AND 8"); got[0] != "8" {
		errorf("the soft database holds %s of the 8 seeded rows of t2: a row was physically deleted", got[0])
	}
	got := adminRows(t, tw.softAdmin, "SELECT string_agg(id::text, ',' ORDER BY id) FROM t WHERE deleted_at = '"+trashedAt+"'")
	if got[0] != "3,5,10" {
		errorf("rows of t trashed before the case with their original timestamp: %s, want 3,5,10", got[0])
	}
	got = adminRows(t, tw.softAdmin, "SELECT count(*) FROM t WHERE deleted_at IS NOT NULL AND deleted_at < now() - interval '1 hour' AND deleted_at <> '"+trashedAt+"'")
	if got[0] != "0" {
		errorf("%s rows of t were trashed with a timestamp other than now()", got[0])
	}
	for _, table := range []string{"u", "s2.t"} {
		want := adminRows(t, tw.refAdmin, "SELECT * FROM "+table+" ORDER BY id")
		got := adminRows(t, tw.softAdmin, "SELECT * FROM "+table+" ORDER BY id")
		if !reflect.DeepEqual(got, want) {
			errorf("unmanaged %s differs:\n got: %v\nwant: %v", table, got, want)
		}
	}
	return problems
}
