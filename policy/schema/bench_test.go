package schema

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// BenchmarkTrash measures what the guard's softdelete_privilege trigger
// costs an UPDATE that trashes rows (the statement the proxy sends for a
// DELETE: 5,000 rows a statement) and one that restores them, and that an
// UPDATE that does not touch the soft-delete column pays nothing, as the
// application's role (ordinary grants). Every iteration runs each
// statement with the guard and with its triggers disabled, in alternating
// order, so the machine's load falls on both: ns/op is per row with the
// guard, guard-% the median cost.
//
//	go test ./policy/schema -run '^$' -bench BenchmarkTrash -benchtime 20x -count 5 | benchstat -
func BenchmarkTrash(b *testing.B) {
	const rows, chunk = 200_000, 5_000
	s := pgtest.Get(b)
	_, dbURL := s.CreateDatabase(b)
	pgtest.Exec(b, dbURL, `CREATE TABLE contacts (id int PRIMARY KEY, name text, deleted_at timestamptz);
INSERT INTO contacts SELECT g, 'c' || g, NULL FROM generate_series(1, `+strconv.Itoa(rows)+`) g`, "VACUUM ANALYZE contacts")
	cfg := policy.Default()
	cfg.Roles.Purge = s.RoleName(b, "purge")
	cfg.Managed = []policy.Table{{Schema: "public", Name: "contacts", Column: "deleted_at"}}
	ctx := context.Background()
	migrated(b, dbURL, cfg)
	app := s.CreateRole(b, "app", "LOGIN")
	pgtest.Exec(b, dbURL, "GRANT SELECT, INSERT, UPDATE, DELETE ON contacts TO "+pgx.Identifier{app}.Sanitize())
	u, _ := url.Parse(dbURL)
	u.User = url.User(app)
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)

	for _, st := range []struct{ name, sql string }{
		{"trash", "UPDATE contacts SET deleted_at = now() WHERE (id BETWEEN $1 AND $2) AND contacts.deleted_at IS NULL"},
		{"restore", "UPDATE contacts SET deleted_at = NULL WHERE (id BETWEEN $1 AND $2) AND contacts.deleted_at IS NOT NULL"},
		{"update", "UPDATE contacts SET name = name || '' WHERE (id BETWEEN $1 AND $2) AND contacts.deleted_at IS NULL"},
	} {
		b.Run(st.name, func(b *testing.B) {
			var guarded, unguarded time.Duration
			var costs []float64
			run := func(i int, guard bool) time.Duration {
				b.StopTimer()
				lo := 1 + (i*chunk)%(rows-chunk)
				state := map[bool]string{true: "ENABLE", false: "DISABLE"}[guard]
				// set up the rows the statement changes: live, or trashed for a restore
				prep := "UPDATE contacts SET deleted_at = NULL WHERE deleted_at IS NOT NULL"
				if st.name == "restore" {
					prep = "UPDATE contacts SET deleted_at = now() WHERE id BETWEEN " + strconv.Itoa(lo) + " AND " + strconv.Itoa(lo+chunk-1)
				}
				pgtest.Exec(b, dbURL, "ALTER TABLE contacts DISABLE TRIGGER USER", prep, "ALTER TABLE contacts "+state+" TRIGGER USER")
				b.StartTimer()
				start := time.Now()
				tag, err := conn.Exec(ctx, st.sql, lo, lo+chunk-1)
				d := time.Since(start)
				if err != nil || tag.RowsAffected() != chunk {
					b.Fatalf("%s: %v %v", st.name, tag, err)
				}
				return d
			}
			b.ResetTimer()
			for i := range b.N {
				var g, u time.Duration
				if i%2 == 0 {
					g, u = run(i, true), run(i, false)
				} else {
					u, g = run(i, false), run(i, true)
				}
				guarded, unguarded = guarded+g, unguarded+u
				costs = append(costs, 100*(g.Seconds()/u.Seconds()-1))
			}
			b.ReportMetric(float64(guarded.Nanoseconds())/float64(b.N*chunk), "ns/op")
			b.ReportMetric(float64(unguarded.Nanoseconds())/float64(b.N*chunk), "ns/row-unguarded")
			slices.Sort(costs)
			b.ReportMetric(costs[len(costs)/2], "guard-%")
		})
	}
}
