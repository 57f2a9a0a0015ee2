package proxy

import (
	"encoding/binary"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// rawClient is a hand-driven client socket for protocol-fault tests.
type rawClient struct {
	t    *testing.T
	conn net.Conn
	fe   *pgproto3.Frontend
}

func dialRaw(t *testing.T, addr string) *rawClient {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	t.Cleanup(func() { conn.Close() })
	return &rawClient{t: t, conn: conn, fe: pgproto3.NewFrontend(conn, conn)}
}

func (c *rawClient) write(b []byte) {
	c.t.Helper()
	if _, err := c.conn.Write(b); err != nil {
		c.t.Fatal(err)
	}
}

func (c *rawClient) send(msgs ...pgproto3.FrontendMessage) {
	c.t.Helper()
	var buf []byte
	for _, m := range msgs {
		var err error
		if buf, err = m.Encode(buf); err != nil {
			c.t.Fatal(err)
		}
	}
	c.write(buf)
}

// startup logs in as postgres (trust) and reads until ReadyForQuery.
func (c *rawClient) startup(db string) {
	c.t.Helper()
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "postgres", "database": db}})
	c.until(func(m pgproto3.BackendMessage) bool { _, ok := m.(*pgproto3.ReadyForQuery); return ok })
}

// until reads messages until stop returns true, failing on ErrorResponse.
func (c *rawClient) until(stop func(pgproto3.BackendMessage) bool) {
	c.t.Helper()
	for {
		m, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("receive: %v", err)
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			c.t.Fatalf("unexpected error %s: %s", e.Code, e.Message)
		}
		if stop(m) {
			return
		}
	}
}

// expectFatal reads until an ErrorResponse and then EOF.
func (c *rawClient) expectFatal(code string) *pgproto3.ErrorResponse {
	c.t.Helper()
	for {
		m, err := c.fe.Receive()
		if err != nil {
			c.t.Fatalf("want ErrorResponse %s, got %v", code, err)
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			if e.Code != code {
				c.t.Fatalf("want SQLSTATE %s, got %s: %s", code, e.Code, e.Message)
			}
			c.expectClosed()
			return e
		}
	}
}

func (c *rawClient) expectClosed() {
	c.t.Helper()
	buf := make([]byte, 1)
	_, err := c.conn.Read(buf)
	if !errors.Is(err, io.EOF) && !isNormalClose(err) {
		c.t.Fatalf("want the connection closed, got %v", err)
	}
}

func startupPacket(length int32, code uint32) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint32(b, uint32(length))
	binary.BigEndian.PutUint32(b[4:], code)
	return b
}

// answer is what a server sends back to bytes a client sends (halfClose:
// and then closes its side) until it closes the connection.
func answer(t *testing.T, addr string, in []byte, halfClose bool) string {
	t.Helper()
	c := dialRaw(t, addr)
	c.write(in)
	if halfClose {
		_ = c.conn.(*net.TCPConn).CloseWrite()
	}
	out, err := io.ReadAll(c.conn)
	if err != nil && !isNormalClose(err) {
		t.Fatalf("%s: %v", addr, err)
	}
	return string(out)
}

// A bad startup packet gets what PostgreSQL gives it, byte for byte: a bad
// length or a packet cut short closes the connection without a word (the
// server only logs it; node-postgres sends a Terminate before the startup
// packet when it quits early), and a packet the proxy cannot read goes to
// the server, whose FATAL (in the client's protocol version) is relayed.
func TestStartupFaults(t *testing.T) {
	p := startProxy(t, Config{})
	direct := pgtest.Get(t).Addr()
	cases := []struct {
		name      string
		in        []byte
		halfClose bool
		silent    bool
	}{
		{"length too small", startupPacket(4, pgproto3.ProtocolVersion30), false, true},
		{"Terminate before startup", []byte{'X', 0, 0, 0, 4}, false, true},
		{"length over 10004", startupPacket(10_005, pgproto3.ProtocolVersion30), false, true},
		{"negative length", startupPacket(-8, pgproto3.ProtocolVersion30), false, true},
		{"cut short", startupPacket(16, pgproto3.ProtocolVersion30), true, true},
		{"unknown protocol", startupPacket(8, 2<<16), false, false},
		{"unterminated parameters", append(startupPacket(12, pgproto3.ProtocolVersion30), 'u', 's', 'e', 'r'), false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := answer(t, direct, tc.in, tc.halfClose)
			if (want == "") != tc.silent {
				t.Fatalf("PostgreSQL itself answered %q (the test's expectation is wrong)", want)
			}
			if got := answer(t, p.Addr, tc.in, tc.halfClose); got != want {
				t.Fatalf("through the proxy: %q\nPostgreSQL:        %q", got, want)
			}
		})
	}
	if got := testutil.ToFloat64(p.cfg.Metrics.ProtocolErrors.WithLabelValues(kindBadStartup)); got != 6 {
		t.Fatalf("bad_startup errors = %v, want 6", got)
	}
}

// Faults in frames after login: a frame the proxy cannot delimit or must
// hold but may not gets FATAL 08P01 from the proxy and is counted; a frame
// of a type the proxy does not know goes to PostgreSQL, which answers it.
func TestMessageFaults(t *testing.T) {
	p := startProxy(t, Config{MaxMessageSize: 1 << 20})
	cases := []struct {
		name string
		in   []byte
		kind string // "" when PostgreSQL answers
	}{
		{"unknown type", []byte{'!', 0, 0, 0, 4}, ""},
		{"length below 4", []byte{'Q', 0, 0, 0, 2}, kindBadMessage},
		{"Query over max_message_size", []byte{'Q', 0, 0x20, 0, 0}, kindTooLarge},
		{"Parse over max_message_size", []byte{'P', 0, 0x20, 0, 0}, kindTooLarge},
		{"malformed Bind", []byte{'B', 0, 0, 0, 6, 'x', 'y'}, kindBadMessage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var before float64
			if tc.kind != "" {
				before = testutil.ToFloat64(p.cfg.Metrics.ProtocolErrors.WithLabelValues(tc.kind))
			}
			c := dialRaw(t, p.Addr)
			c.startup("postgres")
			c.write(tc.in)
			c.expectFatal("08P01")
			if tc.kind == "" {
				return
			}
			after := testutil.ToFloat64(p.cfg.Metrics.ProtocolErrors.WithLabelValues(tc.kind))
			if after != before+1 {
				t.Fatalf("protocol_errors{kind=%s} went from %v to %v", tc.kind, before, after)
			}
		})
	}
}

func TestClientVanishesMidMessage(t *testing.T) {
	p := startProxy(t, Config{})
	c := dialRaw(t, p.Addr)
	c.startup("postgres")
	before := testutil.ToFloat64(p.cfg.Metrics.ProtocolErrors.WithLabelValues(kindUnexpectedEOF))
	c.write([]byte{'Q', 0, 0, 0, 100, 's', 'e', 'l'})
	c.conn.Close()
	waitFor(t, func() bool { return p.Sessions() == 0 })
	after := testutil.ToFloat64(p.cfg.Metrics.ProtocolErrors.WithLabelValues(kindUnexpectedEOF))
	if after != before+1 {
		t.Fatalf("unexpected_eof went from %v to %v", before, after)
	}
}

func TestReplicationRefused(t *testing.T) {
	p := startProxy(t, Config{})
	c := dialRaw(t, p.Addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "postgres", "database": "postgres", "replication": "database"}})
	e := c.expectFatal("0A000")
	if e.Message == "" || e.Hint == "" {
		t.Fatalf("want a message and a hint, got %+v", e)
	}
}

func TestSSLAndGSSRequestAnsweredN(t *testing.T) {
	p := startProxy(t, Config{})
	c := dialRaw(t, p.Addr)
	for _, code := range []uint32{codeGSSENCRequest, codeSSLRequest} {
		c.write(startupPacket(8, code))
		b := make([]byte, 1)
		if _, err := io.ReadFull(c.conn, b); err != nil || b[0] != 'N' {
			t.Fatalf("request %d: got %q, %v; want 'N'", code, b, err)
		}
	}
	c.startup("postgres")
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
