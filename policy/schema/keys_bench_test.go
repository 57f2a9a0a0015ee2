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

// BenchmarkKeysInsert measures what softdelete_keys costs an INSERT of
// 5,000 rows into a table with a primary key and a unique constraint (two
// watched keys, no trashed row holding them): each iteration inserts with
// the trigger and with it disabled, in alternating order, so the machine's
// load falls on both. ns/op is per row with the trigger, keys-% the median
// cost.
//
//	go test ./policy/schema -run '^$' -bench BenchmarkKeysInsert -benchtime 10x -count 5 | benchstat -
func BenchmarkKeysInsert(b *testing.B) {
	const chunk = 5_000
	s := pgtest.Get(b)
	_, dbURL := s.CreateDatabase(b)
	pgtest.Exec(b, dbURL, `CREATE TABLE contacts (id int PRIMARY KEY, email text UNIQUE, deleted_at timestamptz)`)
	cfg := policy.Default()
	cfg.Roles.Purge = s.RoleName(b, "purge")
	cfg.Managed = []policy.Table{{Schema: "public", Name: "contacts", Column: "deleted_at", OnKeyConflict: modeEvict}}
	ctx := context.Background()
	conn := migrated(b, dbURL, cfg)
	var with, without time.Duration
	var costs []float64
	run := func(i int, keys bool) time.Duration {
		b.StopTimer()
		state := map[bool]string{true: "ENABLE", false: "DISABLE"}[keys]
		pgtest.Exec(b, dbURL, "ALTER TABLE contacts DISABLE TRIGGER USER; SET session_replication_role = replica; DELETE FROM contacts; RESET session_replication_role",
			"ALTER TABLE contacts ENABLE TRIGGER USER; ALTER TABLE contacts "+state+" TRIGGER softdelete_keys")
		b.StartTimer()
		start := time.Now()
		tag, err := conn.Exec(ctx, "INSERT INTO contacts (id, email) SELECT g, 'c' || g FROM generate_series($1::int, $1::int + "+strconv.Itoa(chunk-1)+") g", i*chunk)
		d := time.Since(start)
		if err != nil || tag.RowsAffected() != chunk {
			b.Fatalf("insert: %v %v", tag, err)
		}
		return d
	}
	b.ResetTimer()
	for i := range b.N {
		var k, n time.Duration
		if i%2 == 0 {
			k, n = run(i, true), run(i, false)
		} else {
			n, k = run(i, false), run(i, true)
		}
		with, without = with+k, without+n
		costs = append(costs, 100*(k.Seconds()/n.Seconds()-1))
	}
	b.ReportMetric(float64(with.Nanoseconds())/float64(b.N*chunk), "ns/op")
	b.ReportMetric(float64(without.Nanoseconds())/float64(b.N*chunk), "ns/row-without")
	slices.Sort(costs)
	b.ReportMetric(costs[len(costs)/2], "keys-%")
}
