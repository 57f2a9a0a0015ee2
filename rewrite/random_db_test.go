package rewrite

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// randomSchema: three managed tables and one plain table with colliding
// keys, some rows trashed.
const randomSchema = `
CREATE TABLE r1 (id int PRIMARY KEY, k int, v int, deleted_at timestamptz);
CREATE TABLE r2 (id int PRIMARY KEY, k int, v int, deleted_at timestamptz);
CREATE TABLE r3 (id int PRIMARY KEY, k int, v int, deleted_at timestamptz);
CREATE TABLE r4 (id int PRIMARY KEY, k int, v int);
INSERT INTO r1 SELECT g, g % 4, g % 3, CASE WHEN g % 3 = 0 THEN now() END FROM generate_series(1, 9) g;
INSERT INTO r2 SELECT g, g % 5, g % 2, CASE WHEN g % 2 = 0 THEN now() END FROM generate_series(1, 8) g;
INSERT INTO r3 SELECT g, g % 3, g % 4, CASE WHEN g % 4 = 1 THEN now() END FROM generate_series(1, 7) g;
INSERT INTO r4 SELECT g, g % 4, g FROM generate_series(1, 6) g;
`

func randomPolicy() *Policy {
	var tables []Table
	for _, n := range []string{"r1", "r2", "r3"} {
		tables = append(tables, Table{Schema: "public", Name: n, Column: "deleted_at"})
	}
	return NewPolicy(1, tables)
}

// queryGen builds random reads over r1..r4: join trees of every join type,
// subqueries, CTEs and set operations.
type queryGen struct {
	rnd     *rand.Rand
	aliases []string // visible in the current FROM
	n       int      // alias counter
}

func (g *queryGen) table() string { return fmt.Sprintf("r%d", 1+g.rnd.Intn(4)) }

func (g *queryGen) alias() string {
	g.n++
	a := fmt.Sprintf("a%d", g.n)
	g.aliases = append(g.aliases, a)
	return a
}

// fromItem returns a FROM item of the given depth.
func (g *queryGen) fromItem(depth int) string {
	if depth <= 0 || g.rnd.Intn(3) == 0 {
		if g.rnd.Intn(5) == 0 {
			a := g.alias()
			return fmt.Sprintf("(SELECT id, k, v FROM %s x WHERE x.v < %d) %s", g.table(), 1+g.rnd.Intn(3), a)
		}
		return g.table() + " " + g.alias()
	}
	left := g.fromItem(depth - 1)
	right := g.fromItem(depth - 1)
	types := []string{"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN", "CROSS JOIN"}
	jt := types[g.rnd.Intn(len(types))]
	item := left + " " + jt + " " + right
	switch {
	case jt == "CROSS JOIN":
	case g.rnd.Intn(4) == 0 && !strings.Contains(left, "JOIN") && !strings.Contains(right, "JOIN"):
		return "(" + item + " USING (k))"
	default:
		item += " ON " + g.cond()
	}
	if g.rnd.Intn(3) == 0 {
		return "(" + item + ")"
	}
	return item
}

func (g *queryGen) col() string {
	return g.aliases[g.rnd.Intn(len(g.aliases))] + "." + []string{"k", "v", "id"}[g.rnd.Intn(3)]
}

func (g *queryGen) cond() string {
	switch g.rnd.Intn(6) {
	case 0:
		return g.col() + " = " + g.col() + " OR " + g.col() + " IS NULL"
	case 1:
		return fmt.Sprintf("EXISTS (SELECT 1 FROM %s e WHERE e.k = %s)", g.table(), g.col())
	case 2:
		return fmt.Sprintf("%s IN (SELECT s.k FROM %s s)", g.col(), g.table())
	}
	return g.col() + " = " + g.col()
}

// query returns a random SELECT with a deterministic projection.
func (g *queryGen) query() string {
	g.aliases, g.n = nil, 0
	from := g.fromItem(1 + g.rnd.Intn(3))
	var cols []string
	for _, a := range g.aliases {
		cols = append(cols, a+".id")
	}
	q := "SELECT " + strings.Join(cols, ", ")
	if g.rnd.Intn(4) == 0 {
		q += fmt.Sprintf(", (SELECT count(*) FROM %s c WHERE c.k = %s)", g.table(), g.col())
	}
	q += " FROM " + from
	var conds []string
	if g.rnd.Intn(2) == 0 {
		conds = append(conds, g.cond())
	}
	with := g.rnd.Intn(5) == 0
	if with {
		conds = append(conds, "EXISTS (SELECT 1 FROM w WHERE w.k = "+g.col()+")")
	}
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	if with {
		q = "WITH w AS (SELECT k FROM " + g.table() + " WHERE v > 0) " + q
	}
	if g.rnd.Intn(6) == 0 {
		q += fmt.Sprintf(" UNION ALL SELECT %s FROM %s", strings.TrimSuffix(strings.Repeat("id, ", len(cols)), ", "), g.table())
	}
	return q
}

// TestRandomReadsOnPostgres compares, for random reads, the rewritten
// query over live and trashed rows with the original query once the
// trashed rows are really deleted.
func TestRandomReadsOnPostgres(t *testing.T) {
	_, url := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, randomSchema)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	pc := conn.PgConn()
	p := randomPolicy()
	g := &queryGen{rnd: rand.New(rand.NewSource(1))}
	checked := 0
	for i := 0; i < 300; i++ {
		q := g.query()
		res, err := New(Options{CacheBytes: -1}).Rewrite(q, p, nil)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		got, err := runStatement(ctx, pc, res)
		if err != nil {
			if _, orig := runStatement(ctx, pc, Result{SQL: q}); orig != nil {
				continue // the generator wrote something the server refuses anyway
			}
			t.Fatalf("the server rejects the output: %v\n in: %s\nout: %s", err, q, res.SQL)
		}
		if err := execAll(ctx, pc, "BEGIN; DELETE FROM r1 WHERE deleted_at IS NOT NULL; "+
			"DELETE FROM r2 WHERE deleted_at IS NOT NULL; DELETE FROM r3 WHERE deleted_at IS NOT NULL"); err != nil {
			t.Fatal(err)
		}
		want, err := runStatement(ctx, pc, Result{SQL: q})
		if rerr := execAll(ctx, pc, "ROLLBACK"); rerr != nil {
			t.Fatal(rerr)
		}
		if err != nil {
			t.Fatalf("original: %v\n%s", err, q)
		}
		checked++
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("rows differ\n in: %s\nout: %s\ngot:  %q\nwant: %q", q, res.SQL, got, want)
		}
	}
	if checked < 200 {
		t.Errorf("only %d of 300 random reads were valid SQL", checked)
	}
}
