package purger

import (
	"context"
	"net"
	neturl "net/url"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

// BenchmarkPurge measures a purge pass over a large table: rows/s and the
// longest batch (its locks are held that long at most). By default the table
// has 500k rows with 100k trashed past retention; SOFTDELETE_BENCH_FULL=1
// runs 5M rows with 1M trashed (about 10 minutes to set up here).
// SOFTDELETE_BENCH_BATCH sets batch_size (default 1000); batch_pause is 0, so
// the figure is the purger's own speed (add batch_pause per batch for the
// wall-clock time of a real pass).
//
// The table has the guard migrate installs and the purger connects as a
// member of the purge role, as in production: rows/s and ms/longest-batch
// are that. To tell what the guard costs on a machine whose load varies,
// every iteration also runs a pass with the guard's trigger disabled, the
// two in alternating order: rows/s-unguarded and guard-%, the median cost
// per pass.
//
//	go test ./purger -run '^$' -bench BenchmarkPurge -benchtime 4x -count 5 | benchstat -
func BenchmarkPurge(b *testing.B) {
	total, trashed := 500_000, 100_000
	if os.Getenv("SOFTDELETE_BENCH_FULL") == "1" {
		total, trashed = 5_000_000, 1_000_000
	}
	batch := 1000
	if v, err := strconv.Atoi(os.Getenv("SOFTDELETE_BENCH_BATCH")); err == nil && v > 0 {
		batch = v
	}
	_, url := pgtest.Get(b).CreateDatabase(b)
	pgtest.Exec(b, url,
		`CREATE TABLE big (id bigint PRIMARY KEY, owner_id bigint, payload text, deleted_at timestamptz)`,
		// Live rows, then rows trashed inside retention (10% of the rest).
		`INSERT INTO big SELECT g, g % 1000, repeat('x', 100),
		    CASE WHEN g % 10 = 0 THEN now() - interval '1 day' END
		 FROM generate_series(1, `+strconv.Itoa(total-trashed)+`) g`,
		`CREATE INDEX ON big (deleted_at) WHERE deleted_at IS NOT NULL`,
		`CREATE INDEX ON big (owner_id)`)
	refill := `INSERT INTO big SELECT g, g % 1000, repeat('x', 100), now() - interval '40 days' - (g % 86400) * interval '1 second'
		FROM generate_series(` + strconv.Itoa(total-trashed+1) + `, ` + strconv.Itoa(total) + `) g`
	tbl := policy.Table{Schema: "public", Name: "big", Column: "deleted_at", Retention: 30 * day}
	p := New(Options{DatabaseURLs: []string{guardFor(b, url, tbl)}, BatchSize: batch, StatementTimeout: 30 * time.Second},
		[]policy.Table{tbl}, nil, nil, nil)
	defer p.Close()

	pass := func(guard bool) (time.Duration, time.Duration) {
		b.StopTimer()
		state := map[bool]string{true: "ENABLE", false: "DISABLE"}[guard]
		pgtest.Exec(b, url, refill, "VACUUM ANALYZE big", "ALTER TABLE big "+state+" TRIGGER softdelete_guard")
		b.StartTimer()
		start := time.Now()
		rep, err := p.PassOnce(context.Background(), false)
		elapsed := time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Purged() != int64(trashed) {
			b.Fatalf("purged %d rows, want %d", rep.Purged(), trashed)
		}
		return elapsed, rep.Databases[0].Tables[0].LongestBatch
	}
	var guarded, unguarded, longest time.Duration
	var costs []float64
	b.ResetTimer()
	for i := range b.N {
		var g, u, l time.Duration
		if i%2 == 0 {
			g, l = pass(true)
			u, _ = pass(false)
		} else {
			u, _ = pass(false)
			g, l = pass(true)
		}
		guarded, unguarded, longest = guarded+g, unguarded+u, max(longest, l)
		costs = append(costs, 100*(g.Seconds()/u.Seconds()-1))
	}
	n := float64(b.N) * float64(trashed)
	b.ReportMetric(n/guarded.Seconds(), "rows/s")
	b.ReportMetric(n/unguarded.Seconds(), "rows/s-unguarded")
	b.ReportMetric(median(costs), "guard-%")
	b.ReportMetric(longest.Seconds()*1000, "ms/longest-batch")
	b.ReportMetric(0, "ns/op")
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// guardFor installs the guard for tbl as migrate does, with a purge role of
// its own, and returns the URL of a login granted that role.
func guardFor(b *testing.B, url string, tbl policy.Table) string {
	s := pgtest.Get(b)
	cfg := policy.Default()
	cfg.Roles.Purge = s.RoleName(b, "purge")
	cfg.Managed = []policy.Table{tbl}
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	c, err := schema.Inspect(context.Background(), conn, cfg)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := schema.Plan(c, schema.Options{}).Apply(context.Background(), conn, 10*time.Second); err != nil {
		b.Fatal(err)
	}
	login := s.CreateRole(b, "purger", "LOGIN")
	pgtest.Exec(b, url, "GRANT "+pgx.Identifier{cfg.Roles.Purge}.Sanitize()+" TO "+pgx.Identifier{login}.Sanitize())
	cc, err := pgx.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	return (&neturl.URL{Scheme: "postgres", User: neturl.User(login), Host: net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port))),
		Path: "/" + cc.Database, RawQuery: "sslmode=disable"}).String()
}
