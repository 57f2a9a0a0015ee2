package proxy

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// A shadow dropped, created or renamed through the proxy changes what an
// unqualified name means; the proxy learns it again before the next
// statement, so a DELETE of the managed table after the DROP of its shadow
// is a soft delete, in both protocols and within one transaction too.
func TestShadowChangesAreFollowed(t *testing.T) {
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol, pgx.QueryExecModeCacheStatement} {
		t.Run(mode.String(), func(t *testing.T) {
			_, db := pgtest.Get(t).CreateDatabase(t)
			pgtest.Exec(t, db, "CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz)",
				"INSERT INTO t SELECT generate_series(1, 5)", "CREATE SCHEMA s2", "CREATE TABLE s2.t (id int)",
				"INSERT INTO s2.t VALUES (1)")
			p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t"}}})})
			cfg, err := pgx.ParseConfig(p.URL(t, db))
			if err != nil {
				t.Fatal(err)
			}
			cfg.DefaultQueryExecMode = mode
			cfg.RuntimeParams["search_path"] = "s2, public"
			conn, err := pgx.ConnectConfig(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close(context.Background())
			ctx := context.Background()
			for _, sql := range []string{
				"DELETE FROM t WHERE id = 1", // the shadow's row, for good: it is not managed
				"DROP TABLE s2.t",
				"DELETE FROM t WHERE id = 2", // now public.t: trashed
				"BEGIN", "CREATE TEMP TABLE t (id int)", "DELETE FROM t", "DROP TABLE t", "DELETE FROM t WHERE id = 3", "COMMIT",
			} {
				if _, err := conn.Exec(ctx, sql); err != nil {
					t.Fatalf("%s: %v", sql, err)
				}
			}
			rows := adminRows(t, connect(t, db), "SELECT id::text || ':' || (deleted_at IS NOT NULL)::text FROM public.t ORDER BY id")
			if want := "[1:false 2:true 3:true 4:false 5:false]"; fmtList(rows) != want {
				t.Fatalf("public.t is %v, want %s (no row removed, 2 and 3 trashed)", rows, want)
			}
		})
	}
}

func fmtList(rows []string) string {
	out := "["
	for i, r := range rows {
		if i > 0 {
			out += " "
		}
		out += r
	}
	return out + "]"
}
