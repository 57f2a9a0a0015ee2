package schema

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// BenchmarkGuardStatus times the query the proxy asks each database when
// it learns what the policy means there (GuardStatusSQL, then GuardStatus)
// on a migrated schema of 1,100 tables under one pattern, each with a
// primary key, a unique constraint and a unique expression index, every
// second one with a foreign key to the one before. Each iteration also
// computes the 1,100 catalog digests alone (digest-ms/op), which ns/op
// includes.
//
//	go test ./policy/schema -run '^$' -bench BenchmarkGuardStatus -benchtime 10x -count 5
func BenchmarkGuardStatus(b *testing.B) {
	const tables = 1100
	s := pgtest.Get(b)
	_, dbURL := s.CreateDatabase(b)
	for from := 1; from <= tables; from += 100 {
		var sql strings.Builder
		for i := from; i < from+100 && i <= tables; i++ {
			fmt.Fprintf(&sql, "CREATE TABLE t%d (id int PRIMARY KEY, code text UNIQUE, name text, deleted_at timestamptz);\n", i)
			fmt.Fprintf(&sql, "CREATE UNIQUE INDEX ON t%d (lower(name));\n", i)
			if i%2 == 0 {
				fmt.Fprintf(&sql, "ALTER TABLE t%d ADD COLUMN parent int REFERENCES t%d;\n", i, i-1)
			}
		}
		pgtest.Exec(b, dbURL, sql.String())
	}
	cfg, err := policy.Parse("bench.yaml", []byte("roles: { purge: "+s.RoleName(b, "purge")+" }\ntables:\n  \"public.*\": {}\n"))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatal(err)
	}
	resolved, err := ResolvePatterns(ctx, conn, cfg)
	conn.Close(ctx)
	if err != nil || len(resolved.Managed) != tables {
		b.Fatalf("patterns: %v (%d tables)", err, len(resolved.Managed))
	}
	conn = migrated(b, dbURL, resolved)
	var oids []uint32
	if err := conn.QueryRow(ctx, "SELECT array_agg(oid) FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'").Scan(&oids); err != nil || len(oids) != tables {
		b.Fatalf("%d tables: %v", len(oids), err)
	}
	var digest float64
	b.ResetTimer()
	for range b.N {
		if ps := guardStatus(b, conn, cfg); len(ps) != 0 {
			b.Fatalf("guard status: %+v", ps)
		}
		start := time.Now()
		if _, err := conn.Exec(ctx, digestsSQL, oids); err != nil {
			b.Fatal(err)
		}
		digest += float64(time.Since(start).Microseconds()) / 1000
	}
	b.ReportMetric(digest/float64(b.N), "digest-ms/op")
}
