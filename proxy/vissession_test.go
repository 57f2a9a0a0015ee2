package proxy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// softdelete.visibility through what drivers and hand-driven clients send
// around it: failed implicit transactions, transaction chains, batches,
// and sessions in different views sharing the proxy's rewrite cache. Each
// check reads the ids of t the session sees; t has 1..6 with 2 and 4 in the
// trash, and must still hold all six rows.

// visIDs are the ids of t each visibility shows.
var visIDs = map[string][]string{"active": visLive, "deleted": visTrash, "all": visAll}

// TestVisibilityFailedImplicitTransaction: a SET followed by a failing
// statement in one implicit transaction (one Query, or one batch before
// Sync) is undone with it.
func TestVisibilityFailedImplicitTransaction(t *testing.T) {
	f := newVisFixture(t)
	f.reset(t)
	c := openWire(t, f.url(t, f.roles.bob))
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n got: %s\nwant: %s", what, strings.Join(got, " | "), strings.Join(want, " | "))
		}
	}
	check("one Query", c.query("SET softdelete.visibility = 'all'; SELECT 1/0"),
		"CommandComplete SET", "ErrorResponse 22012 division by zero", "ReadyForQuery I")
	check("SHOW after the failed Query", c.query("SHOW softdelete.visibility"),
		"RowDescription softdelete.visibility", "DataRow active", "CommandComplete SHOW", "ReadyForQuery I")
	check("ids after the failed Query", c.query("SELECT id FROM t ORDER BY id"), idRows(visLive)...)
	check("one batch", c.run(1, frames(extended("SET softdelete.visibility = 'all'"), extended("SELECT 1/0"), msgs(syncMsg))...),
		"ParseComplete", "BindComplete", "CommandComplete SET", "ParseComplete", "ErrorResponse 22012 division by zero", "ReadyForQuery I")
	check("ids after the failed batch", c.run(1, frames(extended("SELECT id FROM t ORDER BY id"), msgs(syncMsg))...),
		append([]string{"ParseComplete", "BindComplete"}, idRows(visLive)[1:]...)...)
	check("a batch and a read sent at once", c.run(2, frames(extended("SET softdelete.visibility = 'deleted'"), extended("SELECT 1/0"), msgs(syncMsg),
		extended("SELECT id FROM t ORDER BY id /* 2 */"), msgs(syncMsg))...),
		append([]string{"ParseComplete", "BindComplete", "CommandComplete SET", "ParseComplete", "ErrorResponse 22012 division by zero", "ReadyForQuery I",
			"ParseComplete", "BindComplete"}, idRows(visLive)[1:]...)...)
	check("the same batch succeeding", c.run(2, frames(extended("SET softdelete.visibility = 'deleted'"), extended("SELECT 1"), msgs(syncMsg),
		extended("SELECT id FROM t ORDER BY id /* 3 */"), msgs(syncMsg))...),
		append([]string{"ParseComplete", "BindComplete", "CommandComplete SET", "ParseComplete", "BindComplete", "DataRow 1", "CommandComplete SELECT 1", "ReadyForQuery I",
			"ParseComplete", "BindComplete"}, idRows(visTrash)[1:]...)...)
	if n := f.row(t, "SELECT count(*) FROM t"); n != "6" {
		t.Errorf("t holds %s rows, want 6", n)
	}
}

// idRows is what SELECT id FROM t ORDER BY id answers with ids.
func idRows(ids []string) []string {
	out := []string{"RowDescription id"}
	for _, id := range ids {
		out = append(out, "DataRow "+id)
	}
	return append(out, fmt.Sprintf("CommandComplete SELECT %d", len(ids)), "ReadyForQuery I")
}

// TestVisibilityRewriteCacheKey: two sessions, one in the trash view, send
// the same text through one proxy (one rewrite cache): each sees its own
// view, whichever asked first.
func TestVisibilityRewriteCacheKey(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		trash := v.session(v.f.roles.bob)
		trash.must("SET softdelete.visibility = 'deleted'", "SET")
		active := v.session(v.f.roles.bob)
		for i, first := range []*visSession{trash, active, trash} {
			sql := fmt.Sprintf("SELECT id FROM t ORDER BY id /* %s %d */", v.m.name, i)
			order := []*visSession{first, trash}
			if first == trash {
				order[1] = active
			}
			for _, s := range order {
				want := visLive
				if s == trash {
					want = visTrash
				}
				if o := s.exec(sql); strings.Join(o.Rows, ",") != strings.Join(want, ",") {
					v.errorf("%s (round %d): %v %s, want ids %v", sql, i, o, o.Msg, want)
				}
			}
		}
		trash.mustFail("DELETE FROM t WHERE id = 5", "42501")
		active.must("DELETE FROM t WHERE id = 5", "DELETE 1")
		v.value("rows of t", "SELECT count(*) FROM t", "6")
	})
}

// TestVisibilityTransactionChains: COMMIT AND CHAIN keeps a SET and goes
// on in a new transaction; ROLLBACK AND CHAIN undoes it; SET LOCAL ends
// with its transaction either way; ABORT is ROLLBACK.
func TestVisibilityTransactionChains(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob)
		steps := []struct{ sql, tag, view string }{
			{"BEGIN", "BEGIN", "active"},
			{"SET softdelete.visibility = 'deleted'", "SET", "deleted"},
			{"COMMIT AND CHAIN", "COMMIT", "deleted"},
			{"SET softdelete.visibility = 'all'", "SET", "all"},
			{"ROLLBACK AND CHAIN", "ROLLBACK", "deleted"},
			{"SET LOCAL softdelete.visibility = 'all'", "SET", "all"},
			{"COMMIT AND CHAIN", "COMMIT", "deleted"},
			{"SET softdelete.visibility = 'active'", "SET", "active"},
			{"SELECT 1/0", "", "active"},
			{"ROLLBACK AND CHAIN", "ROLLBACK", "deleted"},
			{"SET softdelete.visibility = 'all'", "SET", "all"},
			{"ABORT", "ROLLBACK", "deleted"},
			{"START TRANSACTION", "START TRANSACTION", "deleted"},
			{"SET softdelete.visibility = 'all'", "SET", "all"},
			{"END", "COMMIT", "all"},
			{"RESET softdelete.visibility", "RESET", "active"},
		}
		for _, st := range steps {
			if st.tag == "" {
				s.mustFail(st.sql, "22012")
				continue
			}
			s.must(st.sql, st.tag)
			if s.conn.PgConn().TxStatus() == 'E' {
				continue
			}
			s.shows("after "+st.sql, st.view)
			s.sees("after "+st.sql, visIDs[st.view])
		}
		v.value("rows of t", "SELECT count(*) FROM t", "6")
	})
}

// TestVisibilityBatch sends a pgx Batch of a SET of softdelete.visibility
// and reads, in every query mode. Where the protocol lets the proxy follow
// the server (the SET runs before the later statements are parsed) they
// run under the new view; statements pgx prepared before the SET ran keep
// the view they were prepared under (prepared statements keep their
// visibility); the simple protocol sends the batch as one query string,
// which is refused whole.
func TestVisibilityBatch(t *testing.T) {
	f := newVisFixture(t)
	for _, m := range queryModes {
		t.Run(m.name, func(t *testing.T) {
			f.reset(t)
			conn := connectConfig(t, f.url(t, f.roles.bob), func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
			b := &pgx.Batch{}
			b.Queue("SET softdelete.visibility = 'deleted'")
			b.Queue("SELECT id FROM t ORDER BY id")
			b.Queue("SELECT sum(id) FROM t WHERE id <= $1", 4)
			b.Queue("RESET softdelete.visibility")
			b.Queue("SELECT id FROM t WHERE id > 1 ORDER BY id")
			br := conn.SendBatch(testCtx(t), b)
			var got []string
			for range b.QueuedQueries {
				rows, err := br.Query()
				if err != nil {
					got = append(got, "ERROR "+codeOf(err))
					continue
				}
				var vals []string
				for rows.Next() {
					v, _ := rows.Values()
					vals = append(vals, fmt.Sprint(v...))
				}
				rows.Close()
				if err := rows.Err(); err != nil {
					got = append(got, "ERROR "+codeOf(err))
					continue
				}
				got = append(got, strings.TrimSpace(rows.CommandTag().String()+" "+strings.Join(vals, ",")))
			}
			_ = br.Close()
			want := map[string]string{
				"simple":          "ERROR 0A000|ERROR 0A000|ERROR 0A000|ERROR 0A000|ERROR 0A000",
				"cache_statement": "SET|SELECT 4 1,3,5,6|SELECT 1 4|RESET|SELECT 3 3,5,6",
			}[m.name]
			if want == "" {
				want = "SET|SELECT 2 2,4|SELECT 1 6|RESET|SELECT 3 3,5,6"
			}
			if strings.Join(got, "|") != want {
				t.Errorf("batch through the proxy:\n got: %s\nwant: %s", strings.Join(got, "|"), want)
			}
			var view string
			if err := conn.QueryRow(testCtx(t), "SHOW softdelete.visibility").Scan(&view); err != nil || view != "active" {
				t.Errorf("after the batch: SHOW softdelete.visibility = %q (%v), want active", view, err)
			}
			if n := f.row(t, "SELECT count(*) FROM t"); n != "6" {
				t.Errorf("t holds %s rows, want 6", n)
			}
		})
	}
}

// TestSessionAuthorizationThenCachedStatement: after SET SESSION
// AUTHORIZATION the proxy asks the server again who the session is; when
// the next unit starts with a Bind (pgx's statement cache) its question
// must still go out ahead of it, or the Bind's replies would be taken for
// the answer and the client would wait forever.
func TestSessionAuthorizationThenCachedStatement(t *testing.T) {
	f := newVisFixture(t)
	f.reset(t)
	m := protoModes[1]
	conn := connectMode(t, f.url(t, ""), m)
	ctx := testCtx(t)
	const del = "DELETE FROM t WHERE id = $1"
	for i, step := range []struct {
		sql  string
		args []any
		want string
	}{
		{del, []any{1}, "DELETE 1"},
		{"SET SESSION AUTHORIZATION " + pgx.Identifier{f.roles.bob}.Sanitize(), nil, "SET"},
		{del, []any{3}, "DELETE 1"},
		{"SELECT current_user", nil, "SELECT 1"},
		{"RESET SESSION AUTHORIZATION", nil, "RESET"},
		{del, []any{5}, "DELETE 1"},
	} {
		var o outcome
		if step.args == nil {
			o = runSimple(ctx, conn.PgConn(), step.sql)[0]
		} else {
			o = runExtendedArgs(ctx, conn, step.sql, step.args...)
		}
		if got := strings.TrimSpace(o.String() + " " + o.Msg); !strings.HasPrefix(got, step.want) {
			t.Fatalf("step %d, %s: %s, want %s", i+1, step.sql, got, step.want)
		}
	}
	if got := f.row(t, "SELECT string_agg(id || ':' || (deleted_at IS NOT NULL), ',' ORDER BY id) FROM t"); got != "1:true,2:true,3:true,4:true,5:true,6:false" {
		t.Errorf("t: %s, want 1, 3 and 5 trashed (2 and 4 were), nothing removed", got)
	}
}
