package proxy

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// reloadable is a Rewriting whose policy the test swaps, as a reload does.
type reloadable struct {
	cur     atomic.Pointer[Policy]
	version uint64
	rw      *Rewriting
}

func newReloadable(tables ...string) *reloadable {
	r := &reloadable{}
	rr := rewrite.New(rewrite.Options{})
	r.rw = &Rewriting{Rewriter: rr, Policy: func() *Policy { return r.cur.Load() }, Metrics: NewRewriteMetrics(nil, rr)}
	r.load(tables...)
	return r
}

// load makes tables (in public) the managed ones, under a new version.
func (r *reloadable) load(tables ...string) {
	r.version++
	var ts []rewrite.Table
	for _, n := range tables {
		ts = append(ts, rewrite.Table{Schema: "public", Name: n, Column: "deleted_at"})
	}
	r.cur.Store(&Policy{Rewrite: rewrite.NewPolicy(r.version, ts)})
	r.rw.Rewriter.Purge()
}

const reloadSchema = `
CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE t2 (id int PRIMARY KEY, deleted_at timestamptz);
INSERT INTO t SELECT generate_series(1, 6);
INSERT INTO t2 SELECT generate_series(1, 6);
`

const (
	unknownFactsRefusal = "softdelete-proxy does not know this session's search_path and roles (it has not been learned yet), " +
		"so it cannot rewrite a statement on soft-delete tables HINT: End the current transaction (the proxy asks the server again before the next one), or reconnect."
	refusedHint        = " HINT: Prepare the statement again (for pgx: reconnect or clear the statement cache)."
	refusedAfterReload = "softdelete-proxy cannot run prepared statement %s: it was prepared before the soft-delete policy applied to it as it does now" + refusedHint
)

// TestSoftDeletePolicyReload prepares statements, reloads the policy so
// that it manages their table (or no longer does, or rewrites them the
// same), and runs them again: a statement the reload changed is refused
// (never run as prepared, which would be a hard delete of a now managed
// table's rows); one it did not change still runs.
func TestSoftDeletePolicyReload(t *testing.T) {
	for _, start := range [][]string{{"t"}, nil} {
		name := "from a policy managing t"
		if start == nil {
			name = "from a policy managing nothing"
		}
		t.Run(name, func(t *testing.T) {
			_, db := pgtest.Get(t).CreateDatabase(t)
			pgtest.Exec(t, db, reloadSchema)
			pol := newReloadable(start...)
			p := startProxy(t, Config{Rewriting: pol.rw})
			admin := connect(t, db)
			rows := func(table string) string {
				return adminRows(t, admin, "SELECT coalesce(string_agg(id || ':' || (deleted_at IS NOT NULL), ',' ORDER BY id), '') FROM "+table)[0]
			}
			conn := connectMode(t, p.URL(t, db), protoModes[1]) // pgx's statement cache
			ctx := testCtx(t)
			c := openWire(t, p.URL(t, db))
			run := func(what string, o outcome, want string) {
				t.Helper()
				if got := strings.TrimSpace(o.String() + " " + o.Msg); got != want {
					t.Errorf("%s: %s, want %s", what, got, want)
				}
			}
			const del2 = "DELETE FROM t2 WHERE id = $1"
			run("a cached DELETE on t2 before the reload", runExtendedArgs(ctx, conn, del2, 1), "DELETE 1")
			c.run(1, &pgproto3.Query{String: "PREPARE d(int) AS DELETE FROM t2 WHERE id = $1"})
			c.run(1, &pgproto3.Parse{Name: "p", Query: "DELETE FROM t2 WHERE id = $1"}, syncMsg)
			if start != nil {
				run("a cached DELETE on t before the reload", runExtendedArgs(ctx, conn, "DELETE FROM t WHERE id = $1", 1), "DELETE 1")
			}
			pol.load("t", "t2")

			want := "ERROR 0A000 " + fmt.Sprintf(refusedAfterReload, pgxStatementName(del2))
			if start == nil {
				// The session's facts were never learned: the proxy asks now,
				// and the Bind that starts the unit cannot wait for the answer.
				want = "ERROR 0A000 " + unknownFactsRefusal
			}
			run("the cached DELETE on t2 after the reload", runExtendedArgs(ctx, conn, del2, 2), want)
			got := c.query("EXECUTE d(3)")
			want = "ErrorResponse 0A000 " + strings.TrimSuffix(fmt.Sprintf(refusedAfterReload, "d"), refusedHint)
			if len(got) != 2 || got[0] != want {
				t.Errorf("EXECUTE of a statement PREPAREd before the reload: %v, want %s", got, want)
			}
			got = c.run(1, &pgproto3.Bind{PreparedStatement: "p", Parameters: [][]byte{[]byte("4")}}, &pgproto3.Execute{}, syncMsg)
			want = "ErrorResponse 0A000 " + strings.TrimSuffix(fmt.Sprintf(refusedAfterReload, "p"), refusedHint)
			if len(got) != 2 || got[0] != want {
				t.Errorf("Bind of a statement Parsed before the reload: %v, want %s", got, want)
			}
			if start != nil {
				run("the cached DELETE on t, which the reload rewrites the same", runExtendedArgs(ctx, conn, "DELETE FROM t WHERE id = $1", 2), "DELETE 1")
			}
			run("a new text on t2", runExtendedArgs(ctx, conn, "DELETE FROM t2 WHERE id = $1 /* new */", 5), "DELETE 1")
			if got, want := rows("t2"), "2:false,3:false,4:false,5:true,6:false"; got != want {
				t.Errorf("t2 after the reload: %s, want %s (1 hard-deleted before t2 was managed, 5 trashed)", got, want)
			}

			// Back to a policy without t2: the soft-delete statement on t2
			// prepared under the last one is refused too.
			run("prepare a DELETE on t2 while it is managed", runExtendedArgs(ctx, conn, "DELETE FROM t2 WHERE id = $1 /* new */", 6), "DELETE 1")
			pol.load("t")
			run("the soft DELETE on t2 after t2 left the policy", runExtendedArgs(ctx, conn, "DELETE FROM t2 WHERE id = $1 /* new */", 2),
				"ERROR 0A000 "+fmt.Sprintf(refusedAfterReload, pgxStatementName("DELETE FROM t2 WHERE id = $1 /* new */")))
			if got, want := rows("t2"), "2:false,3:false,4:false,5:true,6:true"; got != want {
				t.Errorf("t2 at the end: %s, want %s", got, want)
			}
			if start != nil {
				if got, want := rows("t"), "1:true,2:true,3:false,4:false,5:false,6:false"; got != want {
					t.Errorf("t at the end: %s, want %s", got, want)
				}
			}
		})
	}
}

// runExtendedArgs runs sql with arguments through pgx.Conn.Query.
func runExtendedArgs(ctx context.Context, conn *pgx.Conn, sql string, args ...any) outcome {
	rows, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return errOutcome(err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return errOutcome(err)
	}
	return outcome{Tag: rows.CommandTag().String()}
}
