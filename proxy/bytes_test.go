package proxy

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/lib/pq"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// Byte-exactness: for a corpus of recorded sessions (pgx, lib/pq, psql,
// pgbench, COPY, NOTIFY, errors mid-pipeline, a statement with 65,535
// parameters), what reaches each side through the proxy is what the other
// side sent, frame for frame, except what the proxy documents it changes:
// the startup packet's options (softdelete.visibility=active added), the
// secret of BackendKeyData, rewritten statement texts (each exactly the
// rewrite engine's output), UPDATE n tags mapped to DELETE n, and the
// proxy's own probe with its replies. The client leg is recorded by a
// forwarder in front of the proxy, the upstream leg by Config.Dial.

// recorder is a TCP forwarder to target that records each client's
// connection (tapConn: read = what the client sent, written = what it got).
type recorder struct {
	ln    net.Listener
	mu    sync.Mutex
	conns []*tapConn
	wg    sync.WaitGroup
}

func startRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &recorder{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			tc := newTapConn(c)
			r.mu.Lock()
			r.conns = append(r.conns, tc)
			r.mu.Unlock()
			r.wg.Add(2)
			go func() { defer r.wg.Done(); _, _ = io.Copy(up, tc); _ = up.(*net.TCPConn).CloseWrite() }()
			go func() { defer r.wg.Done(); _, _ = io.Copy(tc, up); tc.Close() }()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return r
}

func (r *recorder) all() []*tapConn {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*tapConn(nil), r.conns...)
}

func TestByteExactness(t *testing.T) {
	_, db := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, db, `CREATE TABLE t (id int PRIMARY KEY, val text, deleted_at timestamptz);
		INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 50) g;
		CREATE TABLE plain (id int PRIMARY KEY, v text, b bytea)`)
	rw := rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t"}}})
	dial := &tapDialer{}
	p := startProxy(t, Config{Dial: dial.dial, Rewriting: rw})
	rec := startRecorder(t, p.Addr)
	url := withHost(t, db, rec.ln.Addr().String())
	corpusPgx(t, url)
	corpusPq(t, url)
	{
		psql := needBinary(t, "psql")
		r := runPsqlScript(t, psql, url, psqlScript+"DELETE FROM t WHERE id = 1;\nSELECT count(*) FROM t;\n", map[string][]byte{"in.bin": bytes.Repeat([]byte{1, 2, 3}, 100000)}, "out.bin")
		if r.Code != 0 {
			t.Fatalf("psql: %s", r.Stderr)
		}
	}
	pgbench := needBinary(t, "pgbench")
	script := t.TempDir() + "/b.sql"
	writeFile(t, script, "\\set id random(1, 50)\nSELECT val FROM t WHERE id = :id;\nDELETE FROM t WHERE id = :id + 100;\nUPDATE plain SET v = v WHERE id = :id;\n")
	for _, mode := range []string{"simple", "extended", "prepared"} {
		runPgbench(t, pgbench, "-n", "-M", mode, "-f", script, "-c", "2", "-t", "10", url)
	}
	waitFor(t, func() bool { return p.Sessions() == 0 })
	rec.wg.Wait()

	clients := map[uint32]*tapConn{}
	for _, c := range rec.all() {
		_, got := c.snapshot()
		clients[backendPID(got)] = c
	}
	ups := dial.all()
	if len(ups) != len(clients) || len(ups) < 10 {
		t.Fatalf("%d client connections and %d upstream ones recorded", len(clients), len(ups))
	}
	seen := map[string]int{}
	for _, up := range ups {
		serverSent, serverGot := up.snapshot()
		pid := backendPID(serverSent)
		c := clients[pid]
		if c == nil {
			t.Errorf("upstream connection of backend %d has no client connection", pid)
			continue
		}
		clientSent, clientGot := c.snapshot()
		for _, d := range compareLegs(t, rw, splitFrames(clientSent, true), splitFrames(serverGot, true), true, seen) {
			t.Errorf("backend %d, client to server: %s", pid, d)
		}
		for _, d := range compareLegs(t, rw, splitFrames(serverSent, false), splitFrames(clientGot, false), false, seen) {
			t.Errorf("backend %d, server to client: %s", pid, d)
		}
	}
	t.Logf("frames compared, by type or documented change: %v", seen)
	// The corpus must have exercised every documented change and the
	// frames it is meant to cover (FunctionCall from psql's \lo_*, COPY
	// both ways, a notification, ParameterDescription, errors, Terminate).
	for _, k := range []string{"softdelete.visibility=active added to the startup options", "the cancel key's secret is the proxy's",
		"a soft DELETE's tag", "the rewritten statement", "F", "d", "c", "G", "H", "A", "t", "E", "X", "N"} {
		if seen[k] == 0 {
			t.Errorf("the corpus has no %q", k)
		}
	}
}

// backendPID reads the process id of the BackendKeyData in a server's
// stream.
func backendPID(serverStream []byte) uint32 {
	for _, f := range splitFrames(serverStream, false) {
		if f.typ == 'K' && len(f.body) >= 4 {
			return binary.BigEndian.Uint32(f.body)
		}
	}
	return 0
}

const probePrefix = "WITH RECURSIVE m(oid) AS (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user"

// compareLegs compares what one side sent (from) with what the other side
// received (to) and returns the differences the proxy does not document.
func compareLegs(t *testing.T, rw *Rewriting, from, to []frame, toServer bool, seen map[string]int) []string {
	t.Helper()
	if toServer {
		to = dropProbe(to)
	} else {
		from = dropProbeReplies(from)
	}
	var diffs []string
	n := max(len(from), len(to))
	for i := 0; i < n; i++ {
		if i >= len(from) || i >= len(to) {
			diffs = append(diffs, fmt.Sprintf("frame %d: %d frames sent, %d received (first unmatched: %v)", i, len(from), len(to), frameAt(from, to, i)))
			break
		}
		a, b := from[i], to[i]
		if a.typ == b.typ && bytes.Equal(a.body, b.body) {
			seen[fmt.Sprintf("%c", max(a.typ, '0'))]++
			continue
		}
		if why := documentedChange(t, rw, a, b); why != "" {
			seen[why]++
			continue
		}
		diffs = append(diffs, fmt.Sprintf("frame %d: sent %v, received %v", i, a, b))
		if len(diffs) > 5 {
			break
		}
	}
	return diffs
}

func frameAt(from, to []frame, i int) string {
	if i < len(from) {
		return "sent " + from[i].String()
	}
	return "received " + to[i].String()
}

// dropProbe removes the proxy's own Query from what the server received.
func dropProbe(fs []frame) []frame {
	out := fs[:0:0]
	for _, f := range fs {
		if f.typ == 'Q' && bytes.HasPrefix(f.body, []byte(probePrefix)) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// dropProbeReplies removes the replies to the probe (its RowDescription up
// to its ReadyForQuery) from what the server sent.
func dropProbeReplies(fs []frame) []frame {
	out := fs[:0:0]
	for i := 0; i < len(fs); i++ {
		if fs[i].typ == 'T' && isProbeRowDescription(fs[i].body) {
			for i < len(fs) && fs[i].typ != 'Z' {
				i++
			}
			continue
		}
		out = append(out, fs[i])
	}
	return out
}

func isProbeRowDescription(body []byte) bool {
	var rd pgproto3.RowDescription
	if rd.Decode(body) != nil || len(rd.Fields) != 9 {
		return false
	}
	return string(rd.Fields[6].Name) == "session_user" && string(rd.Fields[8].Name) == "coalesce"
}

// documentedChange reports why a sent frame a may arrive as b, or "".
func documentedChange(t *testing.T, rw *Rewriting, a, b frame) string {
	switch {
	case a.typ == 0 && b.typ == 0:
		if startupWithVisibility(a.body, b.body) {
			return "softdelete.visibility=active added to the startup options"
		}
	case a.typ == 'K' && b.typ == 'K' && len(a.body) == len(b.body) && bytes.Equal(a.body[:4], b.body[:4]):
		return "the cancel key's secret is the proxy's"
	case a.typ == 'C' && b.typ == 'C':
		at, bt := string(bytes.TrimRight(a.body, "\x00")), string(bytes.TrimRight(b.body, "\x00"))
		if strings.HasPrefix(at, "UPDATE ") && bt == "DELETE "+strings.TrimPrefix(at, "UPDATE ") {
			return "a soft DELETE's tag"
		}
	case a.typ == 'Q' && b.typ == 'Q' || a.typ == 'P' && b.typ == 'P':
		if rewrittenAs(t, rw, a, b) {
			return "the rewritten statement"
		}
	}
	return ""
}

// startupWithVisibility reports whether startup packet b is a with the
// option the proxy adds to every session of a rewriting proxy.
func startupWithVisibility(a, b []byte) bool {
	var ma, mb pgproto3.StartupMessage
	if ma.Decode(a) != nil || mb.Decode(b) != nil || ma.ProtocolVersion != mb.ProtocolVersion {
		return false
	}
	opt := "-c softdelete.visibility=active"
	if ma.Parameters["options"] != "" {
		opt = ma.Parameters["options"] + " " + opt
	}
	ma.Parameters["options"] = opt
	return reflect.DeepEqual(ma.Parameters, mb.Parameters)
}

// rewrittenAs reports whether b is a's statement as the rewrite engine
// rewrites it for these sessions (search_path and user as they start).
func rewrittenAs(t *testing.T, rw *Rewriting, a, b frame) bool {
	text := func(f frame) (string, []byte) {
		if f.typ == 'Q' {
			return string(bytes.TrimSuffix(f.body, []byte{0})), nil
		}
		name, rest, _ := bytes.Cut(f.body, []byte{0})
		q, params, _ := bytes.Cut(rest, []byte{0})
		return string(q), append(append([]byte(nil), name...), params...)
	}
	at, arest := text(a)
	bt, brest := text(b)
	if !bytes.Equal(arest, brest) {
		return false
	}
	res, err := rw.Rewriter.Rewrite(at, rw.Policy().Rewrite, &rewrite.Session{SearchPath: `"$user", public`, User: "postgres"})
	return err == nil && res.Changed && res.SQL == bt
}

func writeFile(t *testing.T, name, s string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// corpusPgx: every query mode, a batch with an error in the middle, COPY
// both ways, LISTEN/NOTIFY, and a statement with 65,535 parameters.
func corpusPgx(t *testing.T, url string) {
	ctx := testCtx(t)
	for _, m := range queryModes {
		conn := connectConfig(t, url, func(c *pgx.ConnConfig) { c.DefaultQueryExecMode = m.mode })
		modeWorkloadOn(t, ctx, conn)
		conn.Close(ctx)
	}
	conn := connect(t, url)
	b := &pgx.Batch{}
	b.Queue("SELECT id FROM t WHERE id < $1", 5)
	b.Queue("INSERT INTO plain VALUES (1, 'dup')")
	b.Queue("INSERT INTO plain VALUES (1, 'dup')")
	b.Queue("DELETE FROM t WHERE id = $1", 7)
	_ = conn.SendBatch(ctx, b).Close()
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"plain"}, []string{"id", "v", "b"},
		pgx.CopyFromRows([][]any{{10, "a\tb", []byte{0, 255}}, {11, nil, nil}})); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := conn.PgConn().CopyTo(ctx, &buf, "COPY t TO STDOUT"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "LISTEN ch; NOTIFY ch, 'hello'"); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.WaitForNotification(ctx); err != nil {
		t.Fatal(err)
	}
	args := make([]any, 65535)
	var sb strings.Builder
	sb.WriteString("SELECT array_length(ARRAY[")
	for i := range args {
		args[i] = i
		if i > 0 {
			sb.WriteString(",")
		}
		fmt.Fprintf(&sb, "$%d::int", i+1)
	}
	sb.WriteString("], 1) FROM t WHERE id = 1")
	var n int
	if err := conn.QueryRow(ctx, sb.String(), args...).Scan(&n); err != nil || n != 65535 {
		t.Fatalf("65535 parameters: %d, %v", n, err)
	}
	conn.Close(ctx)
	// 65,536: more than a Bind can carry; the server's answer to the Parse
	// is relayed as it is.
	c := openWire(t, url)
	c.run(1, &pgproto3.Parse{Query: "SELECT $65536::int"}, &pgproto3.Describe{ObjectType: 'S'}, syncMsg)
	c.send(&pgproto3.Terminate{})
}

// modeWorkloadOn is a short round on t and plain in one query mode.
func modeWorkloadOn(t *testing.T, ctx context.Context, conn *pgx.Conn) {
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"SELECT id, val FROM t WHERE id < $1 ORDER BY id", []any{4}},
		{"DELETE FROM t WHERE id = $1", []any{40}},
		{"UPDATE t SET val = $1 WHERE id = $2", []any{"é'\\", 41}},
		{"SELECT 1/0", nil},
		{"SELECT $1::bytea, $2::text[]", []any{[]byte{0, 1, 2}, []string{"a", "b"}}},
	} {
		rows, _ := conn.Query(ctx, q.sql, q.args...)
		rows.Close()
	}
}

// corpusPq: lib/pq's prepared statements, CopyIn, errors.
func corpusPq(t *testing.T, url string) {
	db, err := sql.Open("postgres", withParams(t, url, "sslmode", "disable"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	pqMustExec(t, db, "DELETE FROM t WHERE id = 45")
	stmt, err := db.Prepare("SELECT val FROM t WHERE id = $1")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{1, 45, 2} {
		var v string
		_ = stmt.QueryRow(id).Scan(&v)
	}
	stmt.Close()
	_, _ = db.Exec("SELECT * FROM missing_table")
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	cp, err := tx.Prepare(pq.CopyIn("plain", "id", "v"))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int{20, 21} {
		if _, err := cp.Exec(id, fmt.Sprint("pq ", id)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := cp.Exec(); err != nil {
		t.Fatal(err)
	}
	cp.Close()
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestParseReachesServerBeforeSync: a Parse goes upstream when the client
// sends it, not at the next Sync: the server reports the (rewritten)
// statement as running while the client has sent nothing more, and the
// recorded upstream socket holds the Parse. A Flush then brings
// ParseComplete back without a Sync.
func TestParseReachesServerBeforeSync(t *testing.T) {
	_, db := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, db, "CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz)")
	dial := &tapDialer{}
	p := startProxy(t, Config{Dial: dial.dial, Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t"}}})})
	admin := connect(t, db)
	c := openWire(t, p.URL(t, db))
	c.send(&pgproto3.Parse{Name: "s", Query: "SELECT id FROM t WHERE id = $1"})
	const rewritten = "SELECT id FROM public.t WHERE (id = $1) AND t.deleted_at IS NULL"
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows := adminRows(t, admin, fmt.Sprintf("SELECT state || ': ' || query FROM pg_stat_activity WHERE pid = %d", c.pid))
		if len(rows) == 1 && rows[0] == "active: "+rewritten {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server does not show the Parse 10s after the client sent it (pg_stat_activity: %v)", rows)
		}
		time.Sleep(5 * time.Millisecond)
	}
	ups := dial.all()
	if len(ups) != 1 {
		t.Fatalf("%d upstream connections", len(ups))
	}
	_, written := ups[0].snapshot()
	if fs := splitFrames(written, true); len(fs) == 0 || fs[len(fs)-1].typ != 'P' || !bytes.Contains(fs[len(fs)-1].body, []byte(rewritten)) {
		t.Fatalf("the last frame the proxy wrote upstream is not the Parse: %v", fs[len(fs)-1:])
	}
	if got := c.readAfter(&pgproto3.Flush{}, "ParseComplete"); fmt.Sprint(got) != "[ParseComplete]" {
		t.Errorf("after Flush: %v, want [ParseComplete]", got)
	}
	if got := c.run(1, &pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("1")}}, &pgproto3.Execute{}, syncMsg); fmt.Sprint(got) != "[BindComplete CommandComplete SELECT 0 ReadyForQuery I]" {
		t.Errorf("running the statement: %v", got)
	}
}
