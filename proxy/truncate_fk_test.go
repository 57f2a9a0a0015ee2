package proxy

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// truncateFKSchema: b and c reference a (CASCADE, RESTRICT), s references
// itself, f references e, both empty, and p is partitioned with a
// partition that g references.
const truncateFKSchema = `
CREATE TABLE a (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a ON DELETE CASCADE, deleted_at timestamptz);
CREATE TABLE c (id int PRIMARY KEY, a_id int REFERENCES a ON DELETE RESTRICT, deleted_at timestamptz);
CREATE TABLE s (id int PRIMARY KEY, up int REFERENCES s, deleted_at timestamptz);
CREATE TABLE e (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE f (id int PRIMARY KEY, e_id int REFERENCES e, deleted_at timestamptz);
CREATE TABLE p (id int, region text, deleted_at timestamptz, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE p_eu PARTITION OF p FOR VALUES IN ('eu');
CREATE TABLE g (id int PRIMARY KEY, p_id int, region text, deleted_at timestamptz, FOREIGN KEY (p_id, region) REFERENCES p_eu);
INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (10, 1); INSERT INTO c VALUES (20, 2);
INSERT INTO s VALUES (1, NULL), (2, 1); INSERT INTO p VALUES (1, 'eu'); INSERT INTO g VALUES (1, 1, 'eu');
`

var truncateFKTables = []string{"a", "b", "c", "s", "e", "f", "p", "g"}

// TestSoftTruncateFollowsForeignKeys: a soft TRUNCATE through the proxy
// is refused exactly when PostgreSQL refuses TRUNCATE (a table outside the
// statement references one of its tables, rows or not, through a
// partition too), with PostgreSQL's error, and otherwise leaves the
// tables as emptied as TRUNCATE does.
func TestSoftTruncateFollowsForeignKeys(t *testing.T) {
	var tables []rewrite.Table
	for _, n := range truncateFKTables {
		tables = append(tables, rewrite.Table{Name: n, OnTruncate: rewrite.TruncateSoft})
	}
	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: tables})})
	for _, sql := range []string{
		"TRUNCATE a",              // b references it
		"TRUNCATE a, b",           // c still does
		"TRUNCATE a, b, c",        // nothing outside
		"TRUNCATE c, b, a",        // the same, the other way round
		"TRUNCATE TABLE ONLY b",   // nothing references b
		"TRUNCATE s",              // only itself
		"TRUNCATE e",              // empty, but f references it
		"TRUNCATE e, f",           // both
		"TRUNCATE p",              // its partition p_eu, which g references
		"TRUNCATE public.f, a, b", // c references a
	} {
		for _, m := range protoModes {
			t.Run(fmt.Sprintf("%s/%s", sql, m.name), func(t *testing.T) {
				want, wantLeft := truncateOutcome(t, plainTruncateDB(t), sql, m)
				got, gotLeft := truncateOutcome(t, p.URL(t, truncateFKDB(t)), sql, m)
				if got != want || gotLeft != wantLeft {
					t.Errorf("through the proxy: %s, rows left %s\nstraight on PostgreSQL: %s, rows left %s", got, gotLeft, want, wantLeft)
				}
			})
		}
	}
}

// truncateOutcome runs sql at url and says what the client saw (tag, or
// the error's code, message, detail and hint) and how many rows each
// table then shows.
func truncateOutcome(t *testing.T, url, sql string, m protoMode) (string, string) {
	t.Helper()
	ctx := testCtx(t)
	conn := connectMode(t, url, m)
	var seen string
	tag, err := conn.Exec(ctx, sql)
	var pgErr *pgconn.PgError
	switch {
	case errors.As(err, &pgErr):
		seen = fmt.Sprintf("ERROR %s %s DETAIL %s HINT %s", pgErr.Code, pgErr.Message, pgErr.Detail, pgErr.Hint)
	case err != nil:
		t.Fatalf("%s: %v", sql, err)
	default:
		seen = tag.String()
	}
	left := ""
	for _, n := range truncateFKTables {
		var c int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+n, pgx.QueryExecModeSimpleProtocol).Scan(&c); err != nil {
			t.Fatal(err)
		}
		left += fmt.Sprintf("%s=%d ", n, c)
	}
	return seen, left
}

// plainTruncateDB is a database with truncateFKSchema, no policy.
func plainTruncateDB(t *testing.T) string {
	t.Helper()
	_, db := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, db, truncateFKSchema)
	return db
}

// truncateFKDB is a database with truncateFKSchema under a policy of soft
// truncates, migrated.
func truncateFKDB(t *testing.T) string {
	t.Helper()
	db := plainTruncateDB(t)
	yaml := "tables:\n"
	for _, n := range truncateFKTables {
		yaml += "  public." + n + ": {on_truncate: soft}\n"
	}
	migrateYAML(t, db, yaml)
	return db
}
