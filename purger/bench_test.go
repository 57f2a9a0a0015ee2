package purger

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// BenchmarkPurge measures a purge pass over a large table: rows/s and the
// longest batch (its locks are held that long at most). By default the table
// has 500k rows with 100k trashed past retention; SOFTDELETE_BENCH_FULL=1
// runs the 5M rows with 1M trashed (about 10 minutes to set up here).
// SOFTDELETE_BENCH_BATCH sets batch_size (default 1000); batch_pause is 0, so
// the figure is the purger's own speed (add batch_pause per batch for the
// wall-clock time of a real pass).
//
//	go test ./purger -run '^$' -bench BenchmarkPurge -benchtime 1x
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
	p := New(Options{DatabaseURLs: []string{url}, BatchSize: batch, StatementTimeout: 30 * time.Second}, []policy.Table{tbl}, nil, nil, nil)
	defer p.Close()

	var purged int64
	var elapsed, longest time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		pgtest.Exec(b, url, refill, "VACUUM ANALYZE big")
		b.StartTimer()
		start := time.Now()
		rep, err := p.PassOnce(context.Background(), false)
		elapsed += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Purged() != int64(trashed) {
			b.Fatalf("purged %d rows, want %d", rep.Purged(), trashed)
		}
		purged += rep.Purged()
		longest = max(longest, rep.Databases[0].Tables[0].LongestBatch)
	}
	b.ReportMetric(float64(purged)/elapsed.Seconds(), "rows/s")
	b.ReportMetric(longest.Seconds()*1000, "ms/longest-batch")
	b.ReportMetric(0, "ns/op")
}
