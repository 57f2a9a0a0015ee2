package proxy

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// TestCleanTerminateChurn: hundreds of sessions that log in, run a
// transaction and say Terminate (pgbench -C, pgx, a raw client) end
// cleanly: no softdelete_protocol_errors_total{kind="upstream"}, nothing
// logged at WARN or above.
func TestCleanTerminateChurn(t *testing.T) {
	pgbench := needBinary(t, "pgbench")
	_, db := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, db, "CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz); INSERT INTO t SELECT generate_series(1, 100)")
	core, logs := observer.New(zapcore.WarnLevel)
	p := startProxy(t, Config{Logger: zap.New(core), Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t"}}})})
	url := p.URL(t, db)
	script := filepath.Join(t.TempDir(), "churn.sql")
	if err := os.WriteFile(script, []byte("\\set id random(1, 100)\nSELECT id FROM t WHERE id = :id;\nBEGIN;\nSELECT count(*) FROM t;\nCOMMIT;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"simple", "prepared"} {
		out := runPgbench(t, pgbench, "-n", "-C", "-M", mode, "-f", script, "-c", "4", "-j", "2", "-t", "25", url)
		checkProcessed(t, out, 100)
	}
	ctx := context.Background()
	for i := 0; i < 30; i++ {
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, "SELECT count(*) FROM t"); err != nil {
			t.Fatal(err)
		}
		if err := conn.Close(ctx); err != nil {
			t.Fatal(err)
		}
		c := openWire(t, url) // Terminate right after login, the probe's answer maybe still on its way
		c.send(&pgproto3.Terminate{})
		c.conn.Close()
	}
	waitFor(t, func() bool { return p.Sessions() == 0 })
	if n := testutil.ToFloat64(p.cfg.Metrics.ProtocolErrors.WithLabelValues(kindUpstream)); n != 0 {
		t.Errorf("softdelete_protocol_errors_total{kind=\"upstream\"} = %v after clean Terminates", n)
	}
	var msgs []string
	for _, e := range logs.All() {
		msgs = append(msgs, fmt.Sprintf("%s %s %v", e.Level, e.Message, e.ContextMap()))
	}
	if len(msgs) > 0 {
		t.Errorf("%d log entries at WARN or above:\n%s", len(msgs), strings.Join(msgs[:min(len(msgs), 10)], "\n"))
	}
	if got := testutil.ToFloat64(p.cfg.Metrics.ClientConnectionsTotal); got < 260 {
		t.Errorf("client_connections_total = %v, want the 260 sessions of the churn", got)
	}
}

// TestPasswordMessageAfterLogin: a PasswordMessage once the session is
// up is forwarded at once, and the server's FATAL 08P01 reaches the
// client as it would directly; the connection then ends.
func TestPasswordMessageAfterLogin(t *testing.T) {
	_, db := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{Tables: []rewrite.Table{{Name: "t"}}})})
	answer := func(url string) []string {
		c := openWire(t, url)
		c.send(&pgproto3.PasswordMessage{Password: "late"})
		_ = c.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		var got []string
		for {
			m, err := c.fe.Receive()
			if err != nil {
				if !isNormalClose(err) && !strings.Contains(err.Error(), "EOF") {
					got = append(got, "read: "+err.Error())
				}
				return append(got, "closed")
			}
			if e, ok := m.(*pgproto3.ErrorResponse); ok {
				got = append(got, e.Severity+" "+e.Code+" "+e.Message)
				continue
			}
			got = append(got, summarize(m))
		}
	}
	want := answer(db)
	got := answer(p.URL(t, db))
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("through the proxy:\n%s\nPostgreSQL:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(want) < 1 || !strings.HasPrefix(want[0], "FATAL 08P01") {
		t.Errorf("PostgreSQL answered %v (the test expects FATAL 08P01)", want)
	}
}
