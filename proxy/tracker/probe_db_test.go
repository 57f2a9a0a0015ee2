package tracker

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testProbeOnServer runs the probe on PostgreSQL: one row of probeColumns
// text columns, the session's own temporary relations named pg_temp, other
// sessions' left out, roles through GRANT chains only.
func testProbeOnServer(t *testing.T) {
	srv := pgtest.Get(t)
	_, url := srv.CreateDatabase(t)
	ctx := context.Background()
	other, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, sql := range []string{
		"CREATE TABLE contacts (id int, deleted_at timestamptz)",
		"CREATE SCHEMA other", "CREATE VIEW other.contacts AS SELECT 1",
		"CREATE TEMP TABLE contacts (id int)",
	} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := other.Exec(ctx, "CREATE TEMP TABLE contacts (x int)"); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.Query(ctx, probeQuery([]string{"pg_read_all_data", "no_such_role"}, []string{"contacts"}), pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		t.Fatal(err)
	}
	all, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]any, error) { return r.Values() })
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || len(all[0]) != probeColumns {
		t.Fatalf("probe answered %d rows of %v, want 1 row of %d columns", len(all), all, probeColumns)
	}
	row := all[0]
	rels, _ := row[colRelations].(string)
	for _, want := range []string{"public\x1fcontacts", "other\x1fcontacts", "pg_temp\x1fcontacts"} {
		if !strings.Contains(rels, want) {
			t.Errorf("relations %q lack %q", rels, want)
		}
	}
	if n := strings.Count(rels, "pg_temp"); n != 1 {
		t.Errorf("relations %q: want only this session's temporary table", rels)
	}
	if row[colRoles] != "" {
		t.Errorf("a superuser is not a member of pg_read_all_data by GRANT, got roles %q", row[colRoles])
	}
	if row[colSearchPath] != `"$user", public` || row[colRole] != "none" {
		t.Errorf("settings %v", row)
	}
}
