package schema

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// BenchmarkAuditCost measures what the audit of deletions (audit.table:
// softdelete_audit, a statement trigger with transition tables) costs per
// row: two identical managed tables with the guard, the audit triggers
// disabled on one, the statement the proxy sends for a DELETE of 1,000
// rows run on each alternately; and the same for an UPDATE that leaves
// the trash alone (it collects the transition tables too). ns/row-audit
// is the difference per row, audit-% the median cost.
//
//	go test ./policy/schema -run '^$' -bench BenchmarkAuditCost -benchtime 200x -count 5
func BenchmarkAuditCost(b *testing.B) {
	const rows, size = 400_000, 1000
	s := pgtest.Get(b)
	_, dbURL := s.CreateDatabase(b)
	for _, tbl := range []string{"audited", "unaudited"} {
		pgtest.Exec(b, dbURL, "CREATE TABLE "+tbl+" (id int PRIMARY KEY, name text, deleted_at timestamptz)",
			"INSERT INTO "+tbl+" SELECT g, 'c' || g FROM generate_series(1, "+strconv.Itoa(rows)+") g", "VACUUM ANALYZE "+tbl)
	}
	cfg, err := policy.Parse("bench.yaml", []byte("roles: {purge: "+s.RoleName(b, "purge")+"}\naudit: {table: softdelete.audit}\n"+
		"tables:\n  public.audited: {}\n  public.unaudited: {}\n"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	conn := migrated(b, dbURL, cfg)
	pgtest.Exec(b, dbURL, "ALTER TABLE unaudited DISABLE TRIGGER softdelete_audit", "ALTER TABLE unaudited DISABLE TRIGGER softdelete_audit_delete")
	for _, st := range []struct{ name, sql string }{
		{"trash", "UPDATE %s SET deleted_at = now() WHERE (id BETWEEN $1 AND $2) AND deleted_at IS NULL"},
		{"update", "UPDATE %s SET name = name || '' WHERE (id BETWEEN $1 AND $2) AND deleted_at IS NULL"},
	} {
		b.Run(st.name, func(b *testing.B) {
			pgtest.Exec(b, dbURL, "UPDATE audited SET deleted_at = NULL WHERE deleted_at IS NOT NULL",
				"UPDATE unaudited SET deleted_at = NULL WHERE deleted_at IS NOT NULL")
			run := func(tbl string, i int) time.Duration {
				lo := 1 + (i*size)%(rows-size)
				start := time.Now()
				tag, err := conn.Exec(ctx, fmt.Sprintf(st.sql, tbl), lo, lo+size-1)
				d := time.Since(start)
				if err != nil || tag.RowsAffected() != size {
					b.Fatalf("%s: %v %v (raise rows or lower -benchtime)", tbl, tag, err)
				}
				return d
			}
			var audited, plain time.Duration
			var costs []float64
			b.ResetTimer()
			for i := range b.N {
				var a, p time.Duration
				if i%2 == 0 {
					a, p = run("audited", i), run("unaudited", i)
				} else {
					p, a = run("unaudited", i), run("audited", i)
				}
				audited, plain = audited+a, plain+p
				costs = append(costs, 100*(a.Seconds()/p.Seconds()-1))
			}
			b.ReportMetric(float64(audited.Nanoseconds())/float64(b.N*size), "ns/op")
			b.ReportMetric(float64((audited-plain).Nanoseconds())/float64(b.N*size), "ns/row-audit")
			slices.Sort(costs)
			b.ReportMetric(costs[len(costs)/2], "audit-%")
		})
	}
}
