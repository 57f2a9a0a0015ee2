package proxy

import (
	"context"
	"runtime"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// The relay benchmarks run the same client calls straight to PostgreSQL
// ("direct") and through a proxy started in this process ("proxy"). The
// difference between the two is the proxy's cost. ReportAllocs counts every
// allocation of the process, so the proxy's allocations per operation are
// proxy minus direct. bench/proxy.sh measures the same against a separate
// proxy process with pgbench.

// benchModes are the pgx query modes the benchmarks cover: the simple
// protocol (literal SQL) and cached prepared statements (Bind/Execute only).
var benchModes = []struct {
	name string
	mode pgx.QueryExecMode
}{
	{"simple", pgx.QueryExecModeSimpleProtocol},
	{"prepared", pgx.QueryExecModeCacheStatement},
}

// startBenchProxy starts a proxy that does not log, so logging never
// shows in the figures.
func startBenchProxy(b *testing.B) *testProxy {
	b.Helper()
	return startProxy(b, Config{Logger: zap.NewNop()})
}

// BenchmarkRelaySelect1 is one round trip of `select 1` per operation: the
// relay's latency overhead for the smallest query.
func BenchmarkRelaySelect1(b *testing.B) {
	_, dbURL := pgtest.Get(b).CreateDatabase(b)
	p := startBenchProxy(b)
	for _, m := range benchModes {
		for _, r := range routes(b, p, dbURL) {
			conn := connect(b, r.url)
			b.Run(m.name+"/"+r.name, func(b *testing.B) {
				ctx := context.Background()
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					var n int
					if err := conn.QueryRow(ctx, "select 1", m.mode).Scan(&n); err != nil || n != 1 {
						b.Fatalf("select 1: %d, %v", n, err)
					}
				}
			})
		}
	}
}

// BenchmarkRelayLargeResult reads 10,000 rows of 100 bytes per operation:
// the relay's throughput for result sets (see MB/s).
func BenchmarkRelayLargeResult(b *testing.B) {
	const rows, width = 10000, 100
	_, dbURL := pgtest.Get(b).CreateDatabase(b)
	pgtest.Exec(b, dbURL,
		"CREATE TABLE big (payload text NOT NULL)",
		"INSERT INTO big SELECT repeat(md5(i::text), 4)::char(100) FROM generate_series(1, 10000) i",
		"VACUUM ANALYZE big")
	p := startBenchProxy(b)
	for _, r := range routes(b, p, dbURL) {
		conn := connect(b, r.url)
		b.Run(r.name, func(b *testing.B) {
			ctx := context.Background()
			b.ReportAllocs()
			b.SetBytes(rows * width)
			for i := 0; i < b.N; i++ {
				if got := readAll(ctx, b, conn, "select payload from big"); got != rows*width {
					b.Fatalf("read %d bytes, want %d", got, rows*width)
				}
			}
		})
	}
}

// readAll runs sql and returns the bytes of its first column over all rows.
func readAll(ctx context.Context, b *testing.B, conn *pgx.Conn, sql string) int {
	rows, err := conn.Query(ctx, sql)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n += len(rows.RawValues()[0])
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkRelayPointSelectParallel is pgbench's select-only script over 8
// connections at once: a primary-key lookup in a 100,000-row accounts
// table. It is the load to profile the relay under:
//
//	go test ./proxy -run '^$' -bench 'PointSelectParallel/prepared/proxy' -cpuprofile cpu.prof
func BenchmarkRelayPointSelectParallel(b *testing.B) {
	const clients, accounts = 8, 100000
	_, dbURL := pgtest.Get(b).CreateDatabase(b)
	pgtest.Exec(b, dbURL,
		"CREATE TABLE accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))",
		"INSERT INTO accounts SELECT i, 1, 0, '' FROM generate_series(1, 100000) i",
		"VACUUM ANALYZE accounts")
	p := startBenchProxy(b)
	for _, m := range benchModes {
		for _, r := range routes(b, p, dbURL) {
			pool := make(chan *pgx.Conn, clients)
			for i := 0; i < clients; i++ {
				pool <- connect(b, r.url)
			}
			b.Run(m.name+"/"+r.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetParallelism((clients + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
				b.RunParallel(func(pb *testing.PB) {
					conn := <-pool
					defer func() { pool <- conn }()
					pointSelects(b, pb, conn, m.mode, accounts)
				})
			})
		}
	}
}

// pointSelects runs the select-only query on conn until pb says stop.
func pointSelects(b *testing.B, pb *testing.PB, conn *pgx.Conn, mode pgx.QueryExecMode, accounts int) {
	ctx := context.Background()
	aid := 0
	for pb.Next() {
		aid = aid*7919%accounts + 1
		var balance int
		err := conn.QueryRow(ctx, "SELECT abalance FROM accounts WHERE aid = $1", mode, aid).Scan(&balance)
		if err != nil {
			b.Error(err)
			return
		}
	}
}
