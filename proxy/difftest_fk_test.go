package proxy

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// The foreign-key mode of the differential test: a seeded workload of
// inserts, key updates, deletes and reads over tables joined by foreign
// keys of every action runs on a reference database directly (real
// deletes, PostgreSQL's own referential actions) and on a soft database,
// migrated, through the proxy (soft deletes, the soft referential actions
// migrate installs). Every statement's command tag, rows, SQLSTATE,
// message and DETAIL must match, and at the end the live rows of the soft
// database must be the reference's rows. Same flags as
// TestSoftDeleteDifferential (seeds, steps).

// fkTwinSchema is shared by both databases (the soft one adds, by migrate,
// nothing a query here reads).
const fkTwinSchema = `
CREATE TABLE p (id int PRIMARY KEY, grp int NOT NULL, deleted_at timestamptz);
CREATE TABLE c_cascade (id int PRIMARY KEY, p_id int REFERENCES p ON DELETE CASCADE, deleted_at timestamptz);
CREATE TABLE c_null (id int PRIMARY KEY, p_id int REFERENCES p ON DELETE SET NULL, deleted_at timestamptz);
-- the default is a parent the workload never deletes: when a delete both
-- sets a default to a missing parent and breaks another key, the error
-- names another key than PostgreSQL's (docs/foreign-keys.md)
CREATE TABLE c_default (id int PRIMARY KEY, p_id int DEFAULT 0 REFERENCES p ON DELETE SET DEFAULT, deleted_at timestamptz);
CREATE TABLE c_restrict (id int PRIMARY KEY, p_id int REFERENCES p ON DELETE RESTRICT, deleted_at timestamptz);
CREATE TABLE c_noaction (id int PRIMARY KEY, p_id int REFERENCES p, deleted_at timestamptz);
CREATE TABLE c_deferred (id int PRIMARY KEY, p_id int REFERENCES p DEFERRABLE INITIALLY DEFERRED, deleted_at timestamptz);
CREATE TABLE gc (id int PRIMARY KEY, c_id int REFERENCES c_cascade ON DELETE CASCADE, deleted_at timestamptz);
CREATE TABLE tree (id int PRIMARY KEY, parent int REFERENCES tree ON DELETE CASCADE, deleted_at timestamptz);
CREATE TABLE pair (region int, id int, deleted_at timestamptz, PRIMARY KEY (region, id));
CREATE TABLE pair_child (id int PRIMARY KEY, region int, pair_id int, deleted_at timestamptz,
    FOREIGN KEY (region, pair_id) REFERENCES pair ON DELETE SET NULL (pair_id));
INSERT INTO p SELECT g, g % 4 FROM generate_series(1, 24) g;
INSERT INTO p VALUES (0, 9);
INSERT INTO c_cascade SELECT g, 1 + g % 24 FROM generate_series(1, 30) g;
INSERT INTO c_null SELECT g, 1 + (g * 5) % 24 FROM generate_series(1, 20) g;
INSERT INTO c_default SELECT g, 2 + (g * 7) % 23 FROM generate_series(1, 10) g;
INSERT INTO c_restrict SELECT g, 12 + g FROM generate_series(1, 6) g;
INSERT INTO c_noaction SELECT g, 16 + g FROM generate_series(1, 4) g;
INSERT INTO c_deferred SELECT g, 20 + g FROM generate_series(1, 3) g;
INSERT INTO gc SELECT g, 1 + g % 30 FROM generate_series(1, 40) g;
INSERT INTO tree SELECT g, CASE WHEN g > 1 THEN g / 2 END FROM generate_series(1, 31) g;
INSERT INTO pair SELECT g % 3, g FROM generate_series(1, 9) g;
INSERT INTO pair_child SELECT g, g % 3, g FROM generate_series(1, 9) g;
`

// fkTables are the managed tables with the columns compared.
var fkTables = []struct{ name, cols string }{
	{"p", "id, grp"}, {"c_cascade", "id, p_id"}, {"c_null", "id, p_id"}, {"c_default", "id, p_id"},
	{"c_restrict", "id, p_id"}, {"c_noaction", "id, p_id"}, {"c_deferred", "id, p_id"}, {"gc", "id, c_id"},
	{"tree", "id, parent"}, {"pair", "region, id"}, {"pair_child", "id, region, pair_id"},
}

func TestSoftDeleteDifferentialFK(t *testing.T) {
	seeds, steps := difftestConfig(t)
	var managed []rewrite.Table
	yaml := "tables:\n"
	for _, tb := range fkTables {
		managed = append(managed, rewrite.Table{Name: tb.name})
		yaml += "  public." + tb.name + ": {}\n"
	}
	cfg, err := policy.Parse("fk.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	cfg.Roles.Purge = pgtest.Get(t).RoleName(t, "purge")
	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: managed})})
	var total int
	for _, seed := range seeds {
		for _, m := range protoModes {
			t.Run(fmt.Sprintf("seed=%d/%s", seed, m.name), func(t *testing.T) {
				ref, soft := newFKTwin(t, cfg)
				if msg := fkDifftest(t, ref, soft, p.URL(t, soft), seed, steps, m); msg != "" {
					total++
					t.Errorf("%s\nreplay: SOFTDELETE_DIFFTEST_SEED=%d SOFTDELETE_DIFFTEST_STEPS=%d go test ./proxy/ -run 'TestSoftDeleteDifferentialFK/seed=%d/%s'",
						msg, seed, steps, seed, m.name)
				}
			})
		}
	}
	t.Logf("foreign-key mode: %d seeds x 2 protocols x %d statements, %d differing runs", len(seeds), steps, total)
}

// newFKTwin creates the reference and the soft database, the soft one
// migrated for cfg.
func newFKTwin(t *testing.T, cfg *policy.Config) (ref, soft string) {
	t.Helper()
	srv := pgtest.Get(t)
	_, ref = srv.CreateDatabase(t)
	_, soft = srv.CreateDatabase(t)
	pgtest.Exec(t, ref, fkTwinSchema)
	pgtest.Exec(t, soft, fkTwinSchema)
	migrateConfig(t, soft, cfg)
	return ref, soft
}

// fkOutcome is what must match: tag, sorted rows, and the whole error.
type fkOutcome struct {
	Tag, Code, Msg, Detail string
	Rows                   []string
}

func (o fkOutcome) String() string {
	if o.Code != "" {
		return fmt.Sprintf("ERROR %s %s (%s)", o.Code, o.Msg, o.Detail)
	}
	return fmt.Sprintf("%s [%s]", o.Tag, strings.Join(o.Rows, "; "))
}

func fkRun(ctx context.Context, conn *pgx.Conn, st genStmt) fkOutcome {
	rows, err := conn.Query(ctx, st.sql, st.args...)
	var o fkOutcome
	if err == nil {
		for rows.Next() {
			vals, verr := rows.Values()
			if verr != nil {
				break
			}
			o.Rows = append(o.Rows, joinValues(vals))
		}
		rows.Close()
		err = rows.Err()
		o.Tag = rows.CommandTag().String()
	}
	if err != nil {
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			return fkOutcome{Code: "client", Msg: err.Error()}
		}
		return fkOutcome{Code: pgErr.Code, Msg: pgErr.Message, Detail: pgErr.Detail}
	}
	sort.Strings(o.Rows)
	return o
}

func fkDifftest(t *testing.T, ref, soft, proxied string, seed int64, steps int, m protoMode) string {
	ctx := testCtx(t)
	refConn, softConn := connectMode(t, ref, m), connectMode(t, proxied, m)
	w := &fkWorkload{r: rand.New(rand.NewSource(seed)), next: 1000}
	var history []string
	for i := 0; i <= steps; i++ {
		st := w.statement()
		if i == steps {
			if !w.inTx {
				break
			}
			st = genStmt{sql: "ROLLBACK"}
		}
		history = append(history, fmt.Sprintf("%d: %s %v", i, st.sql, st.args))
		want, got := fkRun(ctx, refConn, st), fkRun(ctx, softConn, st)
		if !reflect.DeepEqual(got, want) {
			return fmt.Sprintf("seed %d, %s protocol, statement %d differs:\n%s %v\n   got: %s\n  want: %s\nstatements before it:\n%s",
				seed, m.name, i, st.sql, st.args, got, want, strings.Join(lastN(history[:len(history)-1], 15), "\n"))
		}
	}
	refAdmin, softAdmin := connect(t, ref), connect(t, soft)
	var problems []string
	for _, tb := range fkTables {
		want := adminRows(t, refAdmin, fmt.Sprintf("SELECT %s FROM %s ORDER BY %s", tb.cols, tb.name, tb.cols))
		got := adminRows(t, softAdmin, fmt.Sprintf("SELECT %s FROM %s WHERE deleted_at IS NULL ORDER BY %s", tb.cols, tb.name, tb.cols))
		if !reflect.DeepEqual(got, want) {
			problems = append(problems, fmt.Sprintf("live rows of %s differ:\n got: %v\nwant: %v", tb.name, got, want))
		}
	}
	if len(problems) > 0 {
		return fmt.Sprintf("seed %d, %s protocol, after %d statements:\n%s", seed, m.name, steps, strings.Join(problems, "\n"))
	}
	return ""
}

// fkWorkload generates the foreign-key mode's statements.
type fkWorkload struct {
	r     *rand.Rand
	next  int
	inTx  bool
	txLen int
}

func (w *fkWorkload) fresh() int { w.next++; return w.next }

// key is an id that often exists (seeded 1..40, or inserted) and
// sometimes does not.
func (w *fkWorkload) key() int {
	if w.next > 1000 && w.r.Intn(3) == 0 {
		return 1001 + w.r.Intn(w.next-1000)
	}
	return 1 + w.r.Intn(42)
}

var fkChildren = []string{"c_cascade", "c_null", "c_default", "c_restrict", "c_noaction", "c_deferred"}

func (w *fkWorkload) child() string { return fkChildren[w.r.Intn(len(fkChildren))] }

func (w *fkWorkload) statement() genStmt {
	if w.inTx {
		w.txLen--
		if w.txLen <= 0 {
			w.inTx = false
			if w.r.Intn(3) == 0 {
				return genStmt{sql: "ROLLBACK"}
			}
			return genStmt{sql: "COMMIT"}
		}
		if w.r.Intn(10) == 0 {
			return genStmt{sql: "SET CONSTRAINTS ALL IMMEDIATE"}
		}
	} else if w.r.Intn(8) == 0 {
		w.inTx, w.txLen = true, 2+w.r.Intn(6)
		return genStmt{sql: "BEGIN"}
	}
	switch n := w.r.Intn(10); {
	case n < 4:
		return w.write()
	case n < 7:
		return w.del()
	}
	return w.read()
}

func (w *fkWorkload) write() genStmt {
	fs := []func() genStmt{
		func() genStmt {
			return genStmt{sql: "INSERT INTO p VALUES ($1, $2)", args: []any{w.fresh(), w.r.Intn(4)}}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("INSERT INTO %s (id, p_id) VALUES ($1, $2)", w.child()), args: []any{w.fresh(), w.key()}}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("INSERT INTO %s (id, p_id) VALUES (%d, %d), (%d, NULL)", w.child(), w.fresh(), w.key(), w.fresh())}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("UPDATE %s SET p_id = $1 WHERE id = $2", w.child()), args: []any{w.key(), w.key()}}
		},
		// Inserts use fresh keys: a key that meets a trashed row is a
		// matter of unique keys (docs/foreign-keys.md), not of this test.
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("INSERT INTO %s (id, p_id) VALUES (%d, %d) ON CONFLICT (id) DO UPDATE SET p_id = excluded.p_id RETURNING id, p_id",
				w.child(), w.fresh(), w.key())}
		},
		func() genStmt {
			c := w.child()
			return genStmt{sql: fmt.Sprintf("INSERT INTO %[1]s (id, p_id) SELECT id, %[2]d FROM %[1]s WHERE id = (SELECT min(id) FROM %[1]s) "+
				"ON CONFLICT (id) DO UPDATE SET p_id = excluded.p_id RETURNING id, p_id", c, w.key())}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("MERGE INTO %s c USING (VALUES (%d, %d)) v(id, p) ON c.id = v.id "+
				"WHEN MATCHED THEN UPDATE SET p_id = v.p WHEN NOT MATCHED THEN INSERT (id, p_id) VALUES (v.id, v.p)", w.child(), w.fresh(), w.key())}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("MERGE INTO %s c USING (VALUES (%d, %d)) v(id, p) ON c.id = v.id WHEN MATCHED THEN UPDATE SET p_id = v.p",
				w.child(), w.key(), w.key())}
		},
		func() genStmt { return genStmt{sql: "INSERT INTO gc VALUES ($1, $2)", args: []any{w.fresh(), w.key()}} },
		func() genStmt {
			return genStmt{sql: "INSERT INTO tree VALUES ($1, $2)", args: []any{w.fresh(), w.key()}}
		},
		func() genStmt {
			return genStmt{sql: "UPDATE tree SET parent = $1 WHERE id = $2", args: []any{w.key(), w.key()}}
		},
		func() genStmt {
			return genStmt{sql: "INSERT INTO pair_child VALUES ($1, $2, $3)", args: []any{w.fresh(), w.r.Intn(3), 1 + w.r.Intn(10)}}
		},
		func() genStmt {
			return genStmt{sql: "INSERT INTO pair VALUES ($1, $2)", args: []any{w.r.Intn(3), w.fresh()}}
		},
	}
	return fs[w.r.Intn(len(fs))]()
}

func (w *fkWorkload) del() genStmt {
	fs := []func() genStmt{
		func() genStmt { return genStmt{sql: "DELETE FROM p WHERE id = $1", args: []any{w.key()}} },
		func() genStmt { return genStmt{sql: fmt.Sprintf("DELETE FROM p WHERE id = %d", w.key())} },
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM p WHERE grp = %d AND id %% %d = 0 RETURNING id", w.r.Intn(4), 2+w.r.Intn(4))}
		},
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("DELETE FROM %s WHERE p_id = $1", w.child()), args: []any{w.key()}}
		},
		func() genStmt { return genStmt{sql: fmt.Sprintf("DELETE FROM %s WHERE id = %d", w.child(), w.key())} },
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("WITH d AS (DELETE FROM c_restrict WHERE p_id = %d RETURNING p_id) DELETE FROM p WHERE id IN (SELECT p_id FROM d)", w.key())}
		},
		func() genStmt { return genStmt{sql: "DELETE FROM tree WHERE id = $1", args: []any{w.key()}} },
		func() genStmt { return genStmt{sql: fmt.Sprintf("DELETE FROM gc WHERE c_id = %d", w.key())} },
		func() genStmt { return genStmt{sql: fmt.Sprintf("DELETE FROM pair WHERE id = %d", 1+w.r.Intn(12))} },
		func() genStmt {
			return genStmt{sql: fmt.Sprintf("MERGE INTO p USING (VALUES (%d)) v(id) ON p.id = v.id WHEN MATCHED THEN DELETE", w.key())}
		},
	}
	return fs[w.r.Intn(len(fs))]()
}

func (w *fkWorkload) read() genStmt {
	fs := []func() genStmt{
		func() genStmt { return genStmt{sql: fmt.Sprintf("SELECT id, p_id FROM %s", w.child())} },
		func() genStmt { return genStmt{sql: "SELECT id, grp FROM p"} },
		func() genStmt { return genStmt{sql: "SELECT c.id, p.id FROM c_cascade c JOIN p ON p.id = c.p_id"} },
		func() genStmt {
			return genStmt{sql: "SELECT g.id, c.id FROM gc g LEFT JOIN c_cascade c ON c.id = g.c_id"}
		},
		func() genStmt { return genStmt{sql: "SELECT id, parent FROM tree"} },
		func() genStmt { return genStmt{sql: "SELECT id, region, pair_id FROM pair_child"} },
		func() genStmt {
			return genStmt{sql: "SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM c_cascade), (SELECT count(*) FROM gc), (SELECT count(*) FROM tree)"}
		},
	}
	return fs[w.r.Intn(len(fs))]()
}
