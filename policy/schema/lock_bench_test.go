package schema

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// BenchmarkLockCheck measures what the lock (softdelete_lock) costs the
// statement the proxy sends for a DELETE: two identical managed tables
// with the guard, one with a lock_column, trashed alternately (1 row, then
// 1,000 rows a statement), none of the rows locked. ns/op is per
// statement on the locked table; lock-% the median cost over the other.
//
//	go test ./policy/schema -run '^$' -bench BenchmarkLockCheck -benchtime 2000x -count 5
func BenchmarkLockCheck(b *testing.B) {
	const rows = 400_000
	s := pgtest.Get(b)
	_, dbURL := s.CreateDatabase(b)
	for _, tbl := range []string{"with_lock", "without_lock"} {
		pgtest.Exec(b, dbURL, "CREATE TABLE "+tbl+" (id int PRIMARY KEY, name text, locked boolean NOT NULL DEFAULT false, deleted_at timestamptz)",
			"INSERT INTO "+tbl+" SELECT g, 'c' || g FROM generate_series(1, "+strconv.Itoa(rows)+") g", "VACUUM ANALYZE "+tbl)
	}
	cfg, err := policy.Parse("bench.yaml", []byte("roles: {purge: "+s.RoleName(b, "purge")+"}\ntables:\n"+
		"  public.with_lock: { lock_column: locked }\n  public.without_lock: {}\n"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	conn := migrated(b, dbURL, cfg)
	for _, size := range []int{1, 1000} {
		b.Run(strconv.Itoa(size)+"-rows", func(b *testing.B) {
			pgtest.Exec(b, dbURL, "UPDATE with_lock SET deleted_at = NULL WHERE deleted_at IS NOT NULL",
				"UPDATE without_lock SET deleted_at = NULL WHERE deleted_at IS NOT NULL")
			trash := func(tbl string, i int) time.Duration {
				lo := 1 + (i*size)%(rows-size)
				start := time.Now()
				tag, err := conn.Exec(ctx, "UPDATE "+tbl+" SET deleted_at = now() WHERE (id BETWEEN $1 AND $2) AND deleted_at IS NULL", lo, lo+size-1)
				d := time.Since(start)
				if err != nil || tag.RowsAffected() != int64(size) {
					b.Fatalf("%s: %v %v (raise rows or lower -benchtime)", tbl, tag, err)
				}
				return d
			}
			var locked, plain time.Duration
			var costs []float64
			b.ResetTimer()
			for i := range b.N {
				var l, p time.Duration
				if i%2 == 0 {
					l, p = trash("with_lock", i), trash("without_lock", i)
				} else {
					p, l = trash("without_lock", i), trash("with_lock", i)
				}
				locked, plain = locked+l, plain+p
				costs = append(costs, 100*(l.Seconds()/p.Seconds()-1))
			}
			b.ReportMetric(float64(locked.Nanoseconds())/float64(b.N), "ns/op")
			b.ReportMetric(float64(plain.Nanoseconds())/float64(b.N), "ns/op-without-lock")
			b.ReportMetric(float64((locked-plain).Nanoseconds())/float64(b.N*size), "ns/row-lock")
			slices.Sort(costs)
			b.ReportMetric(costs[len(costs)/2], "lock-%")
		})
	}
}
