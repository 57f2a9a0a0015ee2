package rewrite

import (
	"context"
	"fmt"
	"math/rand"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// asOfHistory is a history of two managed tables: people (no created
// column; every person exists from the start) and tasks (created_at),
// rows created and trashed at random moments of 100 days.
const asOfSchema = `
CREATE TABLE people (id int PRIMARY KEY, name text, team int, deleted_at timestamptz);
CREATE TABLE tasks (id int PRIMARY KEY, person_id int, title text, created_at timestamptz, deleted_at timestamptz);
CREATE SCHEMA past;
CREATE TABLE past.people (LIKE people);
CREATE TABLE past.tasks (LIKE tasks);`

var asOfStart = time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)

func asOfPolicy() *Policy {
	return NewPolicy(1, []Table{
		{Schema: "public", Name: "people", Column: "deleted_at"},
		{Schema: "public", Name: "tasks", Column: "deleted_at", CreatedColumn: "created_at"},
	})
}

// seedHistory fills people and tasks with a random history.
func seedHistory(t *testing.T, conn *pgx.Conn) {
	t.Helper()
	rnd := rand.New(rand.NewSource(7))
	at := func(day float64) time.Time { return asOfStart.Add(time.Duration(day * float64(24*time.Hour))) }
	var rows [][]any
	for id := 1; id <= 60; id++ {
		var del *time.Time
		if rnd.Intn(2) == 0 {
			d := at(rnd.Float64() * 100)
			del = &d
		}
		rows = append(rows, []any{id, fmt.Sprintf("p%d", id), id % 4, del})
	}
	if _, err := conn.CopyFrom(context.Background(), pgx.Identifier{"people"}, []string{"id", "name", "team", "deleted_at"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
	rows = nil
	for id := 1; id <= 300; id++ {
		created := at(rnd.Float64() * 100)
		var del *time.Time
		if rnd.Intn(3) == 0 {
			d := created.Add(time.Duration(rnd.Float64() * 30 * float64(24*time.Hour)))
			del = &d
		}
		var c any = created
		if id%25 == 0 {
			c = nil // created before the column was filled
		}
		rows = append(rows, []any{id, 1 + rnd.Intn(60), fmt.Sprintf("t%d", id), c, del})
	}
	if _, err := conn.CopyFrom(context.Background(), pgx.Identifier{"tasks"}, []string{"id", "person_id", "title", "created_at", "deleted_at"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatal(err)
	}
}

// asOfQueries are reads an application makes; each must return, under
// softdelete.as_of, what it returns over a copy of the data as it was then.
var asOfQueries = []string{
	"SELECT id, name FROM people ORDER BY id",
	"SELECT count(*) FROM tasks",
	"SELECT p.id, count(t.id) FROM people p LEFT JOIN tasks t ON t.person_id = p.id GROUP BY p.id ORDER BY p.id",
	"SELECT t.id FROM tasks t JOIN people p ON p.id = t.person_id WHERE p.team = 2 ORDER BY t.id",
	"SELECT id FROM people WHERE id NOT IN (SELECT person_id FROM tasks) ORDER BY id",
	"SELECT id FROM people p WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.person_id = p.id AND t.title LIKE 't1%') ORDER BY id",
	"SELECT coalesce(p.id, -1), coalesce(t.id, -1) FROM people p FULL JOIN tasks t ON t.person_id = p.id ORDER BY 1, 2",
	"WITH busy AS (SELECT person_id, count(*) AS n FROM tasks GROUP BY person_id) SELECT person_id, n FROM busy ORDER BY n DESC, person_id LIMIT 5",
	"SELECT team, count(*) FROM people GROUP BY team ORDER BY team",
}

func TestAsOfMatchesTheCopyOfThePast(t *testing.T) {
	_, url := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, asOfSchema)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	seedHistory(t, conn)
	p := asOfPolicy()
	for _, day := range []int{0, 10, 45, 99, 120} {
		moment := asOfStart.Add(time.Duration(day) * 24 * time.Hour).Add(12 * time.Hour)
		m := moment.Format(time.RFC3339)
		t.Run(m, func(t *testing.T) {
			// the copy: rows live at that moment, as live rows
			pgtest.Exec(t, url, "TRUNCATE past.people, past.tasks",
				"INSERT INTO past.people SELECT id, name, team, NULL FROM people WHERE deleted_at IS NULL OR deleted_at > '"+m+"'",
				"INSERT INTO past.tasks SELECT id, person_id, title, created_at, NULL FROM tasks WHERE (deleted_at IS NULL OR deleted_at > '"+m+
					"') AND (created_at IS NULL OR created_at <= '"+m+"')")
			for _, q := range asOfQueries {
				res, err := New(Options{CacheBytes: -1}).Rewrite(q, p, &Session{AsOf: true})
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				got := queryRows(t, conn, "SET search_path = public; SET softdelete.as_of = '"+m+"'", res.SQL)
				want := queryRows(t, conn, "RESET softdelete.as_of; SET search_path = past", q)
				if got != want {
					t.Errorf("%s\n rewritten: %s\n got:  %s\n want: %s", q, res.SQL, got, want)
				}
			}
			pgtest.Exec(t, url, "RESET search_path")
		})
	}
}

// queryRows runs setup, then sql, and renders its rows.
func queryRows(t *testing.T, conn *pgx.Conn, setup, sql string) string {
	t.Helper()
	ctx := context.Background()
	if _, err := conn.Exec(ctx, setup); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	var out []string
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	if !strings.Contains(sql, "ORDER BY") {
		sort.Strings(out)
	}
	return fmt.Sprintf("%d rows: %s", len(out), strings.Join(out, "; "))
}
