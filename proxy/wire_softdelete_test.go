package proxy

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Hand-driven protocol sequences on the twin: each runs straight on the
// reference and through the proxy on the soft database; every reply must
// be the same (so a DELETE's tag reads DELETE n, a discarded frame gets no
// answer, a SET that failed is not followed), and the trash invariant
// (checkTrash) must hold after. wire.golden records the reference's
// replies, so a reader sees what PostgreSQL does with each sequence.

// wireCase is one sequence: run drives a fresh session and returns its
// replies, one exchange per element.
type wireCase struct {
	name    string
	options string // startup options ("-c search_path=s2,public")
	run     func(c *wireConn) [][]string
}

// syncMsg is a Sync frame.
var syncMsg = &pgproto3.Sync{}

// queries runs each text as its own Query.
func queries(sqls ...string) func(c *wireConn) [][]string {
	return func(c *wireConn) [][]string {
		var out [][]string
		for _, sql := range sqls {
			out = append(out, c.query(sql))
		}
		return out
	}
}

// extendedEach runs each text as its own extended batch (Parse, Bind,
// Execute, Sync).
func extendedEach(sqls ...string) func(c *wireConn) [][]string {
	return func(c *wireConn) [][]string {
		var out [][]string
		for _, sql := range sqls {
			out = append(out, c.run(1, frames(extended(sql), msgs(syncMsg))...))
		}
		return out
	}
}

// then chains sequences on one session.
func then(parts ...func(c *wireConn) [][]string) func(c *wireConn) [][]string {
	return func(c *wireConn) [][]string {
		var out [][]string
		for _, p := range parts {
			out = append(out, p(c)...)
		}
		return out
	}
}

// exchange sends fs in one write and reads up to the n-th ReadyForQuery.
func exchange(n int, fs ...[]pgproto3.FrontendMessage) func(c *wireConn) [][]string {
	return func(c *wireConn) [][]string { return [][]string{c.run(n, frames(fs...)...)} }
}

var liveIDs = queries("SELECT id FROM t ORDER BY id", "SELECT id FROM t2 ORDER BY id", "SELECT id FROM s2.t ORDER BY id")

var wireCases = []wireCase{
	// EmptyQueryResponse ends its Execute: the DELETE after it maps its own tag.
	{name: "empty query then delete (extended)", run: then(
		exchange(1, extended(""), extended("DELETE FROM t WHERE id = 1"), msgs(syncMsg)),
		exchange(1, extended(";"), extended("DELETE FROM t WHERE id = 2"), extended(""), msgs(syncMsg)), liveIDs)},
	{name: "empty query then delete (simple)", run: then(
		queries("", "DELETE FROM t WHERE id = 1", ";", "DELETE FROM t WHERE id = 2; ;", ";DELETE FROM t WHERE id = 4"), liveIDs)},
	// PortalSuspended ends its Execute: the DELETE after it maps its tag, and
	// the portal's later rows are still filtered.
	{name: "portal run with a row limit, then a delete", run: then(
		exchange(1, msgs(
			&pgproto3.Parse{Name: "s", Query: "SELECT id, val FROM t ORDER BY id"},
			&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "s"},
			&pgproto3.Execute{Portal: "p", MaxRows: 2}),
			extended("DELETE FROM t WHERE id = 1"),
			msgs(&pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Execute{Portal: "p", MaxRows: 3}),
			extended("DELETE FROM t WHERE id = 2"),
			msgs(&pgproto3.Execute{Portal: "p"}, syncMsg)),
		queries("BEGIN"),
		exchange(1, msgs(&pgproto3.Bind{DestinationPortal: "q", PreparedStatement: "s"}, &pgproto3.Execute{Portal: "q", MaxRows: 1}, syncMsg)),
		exchange(1, extended("DELETE FROM t WHERE id = 4"), msgs(&pgproto3.Execute{Portal: "q", MaxRows: 2}, syncMsg)),
		queries("COMMIT"), liveIDs)},
	// After an error the server discards every frame up to Sync, a Query
	// too: nothing answers it, and it deletes nothing.
	{name: "error in a batch, then a Query before the Sync", run: then(
		exchange(1, extended("SELECT 1/0"), msgs(&pgproto3.Query{String: "DELETE FROM t WHERE id = 1"}),
			extended("DELETE FROM t WHERE id = 2"), msgs(syncMsg)),
		queries("DELETE FROM t WHERE id = 4"), liveIDs)},
	// Without an error a Query in the middle of a batch runs, commits what
	// came before it and answers with its own ReadyForQuery.
	{name: "a Query before the Sync", run: then(
		exchange(2, extended("DELETE FROM t WHERE id = 1"), msgs(&pgproto3.Query{String: "DELETE FROM t WHERE id = 2; SELECT count(*) FROM t"}),
			extended("DELETE FROM t WHERE id = 4"), msgs(syncMsg)),
		liveIDs)},
	// libpq's COPY in the extended protocol: Execute and Sync, then the
	// data, CopyDone and another Sync; the server ignores the Sync sent
	// during the COPY, so one ReadyForQuery answers both.
	{name: "extended COPY FROM STDIN (libpq's order)", run: then(
		func(c *wireConn) [][]string {
			c.send(&pgproto3.Parse{Query: "COPY t (id, grp, val) FROM STDIN"}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'},
				&pgproto3.Execute{}, syncMsg)
			first := c.readUntil("CopyInResponse")
			c.send(&pgproto3.CopyData{Data: []byte("100\t1\tc100\n101\t2\tc101\n")}, &pgproto3.CopyDone{}, syncMsg)
			return [][]string{append(first, c.readUntilReady(1)...)}
		},
		queries("DELETE FROM t WHERE id = 100", "DELETE FROM t WHERE id = 1"), liveIDs)},
	{name: "extended COPY FROM STDIN, all frames at once", run: then(
		exchange(1, extended("COPY t (id, grp, val) FROM STDIN"), msgs(syncMsg,
			&pgproto3.CopyData{Data: []byte("100\t1\tc100\n")}, &pgproto3.CopyDone{}, syncMsg)),
		exchange(1, extended("DELETE FROM t WHERE id = 100"), msgs(syncMsg)), liveIDs)},
	{name: "extended COPY FROM STDIN ended by CopyFail", run: then(
		exchange(1, extended("COPY t (id, grp, val) FROM STDIN"), msgs(syncMsg,
			&pgproto3.CopyData{Data: []byte("100\t1\tc100\n")}, &pgproto3.CopyFail{Message: "client gave up"}, syncMsg)),
		exchange(1, extended("DELETE FROM t WHERE id = 1"), msgs(syncMsg)), liveIDs)},
	{name: "extended COPY TO STDOUT", run: then(
		exchange(1, extended("COPY t (id, val) TO STDOUT"), msgs(syncMsg)),
		exchange(1, extended("COPY (SELECT id FROM t WHERE grp = 1) TO STDOUT"), extended("DELETE FROM t WHERE id = 1"), msgs(syncMsg)))},
	// A Parse that fails leaves a named statement as it was: the old one
	// still runs, with its tag mapped. A failed Parse of the unnamed one has
	// dropped the old one first.
	{name: "re-Parse of a named statement that fails", run: then(
		exchange(1, msgs(&pgproto3.Parse{Name: "d", Query: "DELETE FROM t WHERE id = $1"}, syncMsg)),
		exchange(1, msgs(&pgproto3.Parse{Name: "d", Query: "SELECT 1"}, syncMsg)),
		exchange(1, msgs(&pgproto3.Parse{Name: "d", Query: "SELECT * FROM t WHERE"}, syncMsg)),
		exchange(1, msgs(&pgproto3.Bind{PreparedStatement: "d", Parameters: [][]byte{[]byte("1")}}, &pgproto3.Execute{}, syncMsg)),
		exchange(1, msgs(&pgproto3.Close{ObjectType: 'S', Name: "d"}, &pgproto3.Parse{Name: "d", Query: "SELECT 1/"}, syncMsg)),
		exchange(1, msgs(&pgproto3.Bind{PreparedStatement: "d", Parameters: [][]byte{[]byte("2")}}, &pgproto3.Execute{}, syncMsg)),
		exchange(1, msgs(&pgproto3.Parse{Query: "DELETE FROM t WHERE id = $1"}, syncMsg)),
		exchange(1, msgs(&pgproto3.Parse{Query: "DELETE FROM t WHERE"}, syncMsg)),
		exchange(1, msgs(&pgproto3.Bind{Parameters: [][]byte{[]byte("4")}}, &pgproto3.Execute{}, syncMsg)),
		liveIDs)},
	// PREPARE and DEALLOCATE are not transactional: a statement prepared in
	// a rolled-back transaction survives, and so does one whose DEALLOCATE
	// failed in an aborted transaction.
	{name: "PREPARE and DEALLOCATE around aborted transactions (simple)", run: then(
		queries("BEGIN", "PREPARE d(int) AS DELETE FROM t WHERE id = $1", "ROLLBACK", "EXECUTE d(1)",
			"BEGIN", "SELECT 1/0", "DEALLOCATE d", "ROLLBACK", "EXECUTE d(2)",
			"BEGIN; SELECT 1/0; DEALLOCATE d", "ROLLBACK", "EXECUTE d(4)",
			"BEGIN", "DEALLOCATE d", "ROLLBACK", "EXECUTE d(6)"), liveIDs)},
	{name: "PREPARE and DEALLOCATE around aborted transactions (extended)", run: then(
		extendedEach("BEGIN", "PREPARE d(int) AS DELETE FROM t WHERE id = $1", "ROLLBACK", "EXECUTE d(1)",
			"BEGIN", "SELECT 1/0", "DEALLOCATE d", "ROLLBACK", "EXECUTE d(2)"),
		exchange(1, extended("BEGIN"), msgs(&pgproto3.Parse{Name: "p", Query: "DELETE FROM t WHERE id = $1"}, syncMsg)),
		exchange(1, extended("SELECT 1/0"), msgs(syncMsg)),
		exchange(1, msgs(&pgproto3.Close{ObjectType: 'S', Name: "p"}, &pgproto3.Parse{Name: "q", Query: "DELETE FROM t WHERE id = 4"}, syncMsg)),
		extendedEach("ROLLBACK"),
		exchange(1, msgs(&pgproto3.Bind{PreparedStatement: "p", Parameters: [][]byte{[]byte("6")}}, &pgproto3.Execute{}, syncMsg)),
		exchange(1, msgs(&pgproto3.Bind{PreparedStatement: "q"}, &pgproto3.Execute{}, syncMsg)),
		liveIDs)},
	// COMMIT AND CHAIN keeps a transaction's SETs and starts another;
	// ROLLBACK AND CHAIN undoes them. s2.t shadows t while s2 is first.
	{name: "COMMIT AND CHAIN and ROLLBACK AND CHAIN with SETs (simple)", run: then(
		queries("BEGIN", "SET search_path = s2, public", "COMMIT AND CHAIN", "DELETE FROM t WHERE id = 1",
			"SET search_path = public", "ROLLBACK AND CHAIN", "DELETE FROM t WHERE id = 2",
			"SET LOCAL search_path = public", "DELETE FROM t WHERE id = 4", "COMMIT AND CHAIN", "DELETE FROM t WHERE id = 6",
			"SELECT 1/0", "ROLLBACK AND CHAIN", "SET search_path = public", "COMMIT AND CHAIN", "DELETE FROM t WHERE id = 7",
			"COMMIT", "SHOW search_path", "RESET search_path"), liveIDs)},
	{name: "COMMIT AND CHAIN and ROLLBACK AND CHAIN with SETs (extended)", run: then(
		extendedEach("BEGIN", "SET search_path = s2, public", "COMMIT AND CHAIN", "DELETE FROM t WHERE id = 1",
			"SET search_path = public", "ROLLBACK AND CHAIN", "DELETE FROM t WHERE id = 2",
			"SET LOCAL search_path = public", "DELETE FROM t WHERE id = 4", "COMMIT AND CHAIN", "DELETE FROM t WHERE id = 6",
			"SELECT 1/0", "ROLLBACK AND CHAIN", "SET search_path = public", "COMMIT AND CHAIN", "DELETE FROM t WHERE id = 7",
			"COMMIT", "SHOW search_path"),
		exchange(1, extended("BEGIN"), extended("SET search_path = s2, public"), extended("COMMIT AND CHAIN"),
			extended("DELETE FROM t WHERE id = 8"), extended("ROLLBACK"), msgs(syncMsg)),
		exchange(1, extended("DELETE FROM t WHERE id = 9"), extended("RESET search_path"), extended("DELETE FROM t WHERE id = 11"), msgs(syncMsg)),
		liveIDs)},
	// ABORT is ROLLBACK; END is COMMIT.
	{name: "ABORT and END", run: then(
		queries("BEGIN", "SET search_path = s2, public", "ABORT", "DELETE FROM t WHERE id = 1",
			"START TRANSACTION", "SET search_path = s2, public", "END", "DELETE FROM t WHERE id = 2", "RESET search_path"),
		extendedEach("BEGIN", "SET search_path = s2, public", "ABORT", "DELETE FROM t WHERE id = 4"),
		liveIDs)},
	// Within one batch the server reads the frames after a ROLLBACK (AND
	// CHAIN) under the settings it restored.
	{name: "ROLLBACK AND CHAIN in a batch", run: then(
		exchange(1, extended("BEGIN"), extended("SET search_path = s2, public"), extended("ROLLBACK AND CHAIN"),
			extended("DELETE FROM t WHERE id = 1"), extended("COMMIT"), msgs(syncMsg)),
		exchange(1, extended("BEGIN"), extended("SET search_path = s2, public"), extended("ROLLBACK"),
			extended("DELETE FROM t WHERE id = 2"), msgs(syncMsg)),
		exchange(1, extended("BEGIN"), extended("SET search_path = s2, public"), extended("COMMIT AND CHAIN"),
			extended("DELETE FROM t WHERE id = 1"), extended("ROLLBACK"), extended("DELETE FROM t WHERE id = 2"), extended("RESET search_path"), msgs(syncMsg)),
		liveIDs)},
	// A failed implicit transaction keeps none of its SETs.
	{name: "a SET and a failing statement in one Query", run: then(
		queries("SET search_path = s2, public; SELECT 1/0", "DELETE FROM t WHERE id = 1", "SHOW search_path"), liveIDs)},
	{name: "a SET and a failing statement in one Query, from s2", options: "-c search_path=s2,public", run: then(
		queries("SET search_path = public; SELECT 1/0", "DELETE FROM t WHERE id = 1", "SHOW search_path"), liveIDs)},
	{name: "a SET and a failing statement before one Sync", run: then(
		exchange(1, extended("SET search_path = s2, public"), extended("SELECT 1/0"), msgs(syncMsg)),
		exchange(1, extended("DELETE FROM t WHERE id = 1"), msgs(syncMsg)), extendedEach("SHOW search_path"), liveIDs)},
	{name: "a SET and a failing statement before one Sync, from s2", options: "-c search_path=s2,public", run: then(
		exchange(1, extended("SET search_path = public"), extended("SELECT 1/0"), msgs(syncMsg)),
		exchange(1, extended("DELETE FROM t WHERE id = 1"), msgs(syncMsg)), extendedEach("SHOW search_path"), liveIDs)},
	// A COMMIT that fails (a deferred constraint) rolls the SETs back.
	{name: "a failing COMMIT undoes the transaction's SET", run: then(
		queries("CREATE TEMP TABLE dc (id int UNIQUE DEFERRABLE INITIALLY DEFERRED)",
			"BEGIN", "SET search_path = s2, public", "INSERT INTO pg_temp.dc VALUES (1), (1)", "COMMIT", "DELETE FROM t WHERE id = 1"),
		extendedEach("BEGIN", "SET search_path = s2, public", "INSERT INTO pg_temp.dc VALUES (2), (2)", "COMMIT", "DELETE FROM t WHERE id = 2"),
		liveIDs)},
	// Frames sent without waiting for the answer to a SET are read by the
	// server under it (or, when it failed, without it).
	{name: "a SET and a DELETE as two Query messages sent at once", run: then(
		exchange(4, msgs(&pgproto3.Query{String: "SET search_path = s2, public"}, &pgproto3.Query{String: "DELETE FROM t WHERE id = 1"},
			&pgproto3.Query{String: "RESET search_path"}, &pgproto3.Query{String: "DELETE FROM t WHERE id = 2"})),
		exchange(2, msgs(&pgproto3.Query{String: "SET search_path = s2, public; SELECT 1/0"}, &pgproto3.Query{String: "DELETE FROM t WHERE id = 4"})),
		liveIDs)},
	{name: "a SET and a DELETE as two Query messages sent at once, from s2", options: "-c search_path=s2,public", run: then(
		exchange(2, msgs(&pgproto3.Query{String: "SET search_path = public"}, &pgproto3.Query{String: "DELETE FROM t WHERE id = 1"})),
		exchange(2, msgs(&pgproto3.Query{String: "SET search_path = s2, public; SELECT 1/0"}, &pgproto3.Query{String: "DELETE FROM t WHERE id = 2"})),
		liveIDs)},
	{name: "a SET and a DELETE in one extended batch, and in two sent at once", run: then(
		exchange(1, extended("SET search_path = s2, public"), extended("DELETE FROM t WHERE id = 1"), extended("RESET search_path"),
			extended("DELETE FROM t WHERE id = 2"), msgs(syncMsg)),
		exchange(2, extended("SET search_path = s2, public"), msgs(syncMsg), extended("DELETE FROM t WHERE id = 1"), msgs(syncMsg)),
		exchange(2, extended("SET search_path = public"), extended("SELECT 1/0"), msgs(syncMsg), extended("DELETE FROM t WHERE id = 2"), msgs(syncMsg)),
		exchange(2, extended("RESET search_path"), msgs(syncMsg), extended("DELETE FROM t WHERE id = 4"), msgs(syncMsg)),
		liveIDs)},
}

func TestSoftDeleteWireSequences(t *testing.T) {
	tw := newTwin(t)
	var golden strings.Builder
	for _, wc := range wireCases {
		t.Run(wc.name, func(t *testing.T) {
			tw.reset(t)
			url := func(u string) string {
				if wc.options != "" {
					u = withParams(t, u, "options", wc.options)
				}
				return u
			}
			want := wc.run(openWire(t, url(tw.ref)))
			got := wc.run(openWire(t, url(tw.proxied)))
			fmt.Fprintf(&golden, "=== %s\n", wc.name)
			for i := range want {
				fmt.Fprintf(&golden, "%s\n", strings.Join(want[i], "\n"))
				if i >= len(got) || !reflect.DeepEqual(got[i], want[i]) {
					var g []string
					if i < len(got) {
						g = got[i]
					}
					t.Errorf("exchange %d through the proxy:\n%s\nPostgreSQL:\n%s", i+1, strings.Join(g, "\n"), strings.Join(want[i], "\n"))
				}
				golden.WriteString("--\n")
			}
			golden.WriteString("\n")
			for _, p := range tw.checkTrash(t) {
				t.Error(p)
			}
		})
	}
	checkGolden(t, "testdata/softdelete/wire.golden", golden.String())
}
