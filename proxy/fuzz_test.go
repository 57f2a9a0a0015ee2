package proxy

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"
)

func FuzzReadStartupPacket(f *testing.F) {
	for _, seed := range [][]byte{
		startupPacket(8, codeSSLRequest),
		startupPacket(8, codeGSSENCRequest),
		append(startupPacket(16, codeCancelRequest), 0, 0, 0, 1, 0, 0, 0, 2),
		mustEncode(f, &pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": "u", "database": "d"}}),
		startupPacket(4, 0),
		{0, 0, 0},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, err := readStartupPacket(bytes.NewReader(data))
		if err != nil {
			return
		}
		// A packet we accept must survive a round trip through pgproto3.
		enc, err := msg.Encode(nil)
		if err != nil {
			t.Fatalf("accepted %T that does not encode: %v", msg, err)
		}
		if _, err := readStartupPacket(bytes.NewReader(enc)); err != nil {
			t.Fatalf("re-encoded %T does not read back: %v", msg, err)
		}
	})
}

func mustEncode(f *testing.F, msgs ...pgproto3.Message) []byte {
	var out []byte
	for _, m := range msgs {
		var err error
		if out, err = m.Encode(out); err != nil {
			f.Fatal(err)
		}
	}
	return out
}

// pipeConn is a net.Conn that reads from a byte slice and discards writes.
type pipeConn struct {
	r io.Reader
	net.Conn
}

func (c *pipeConn) Read(p []byte) (int, error)        { return c.r.Read(p) }
func (c *pipeConn) Write(p []byte) (int, error)       { return len(p), nil }
func (c *pipeConn) Close() error                      { return nil }
func (c *pipeConn) SetDeadline(time.Time) error       { return nil }
func (c *pipeConn) SetWriteDeadline(time.Time) error  { return nil }
func (c *pipeConn) RemoteAddr() net.Addr              { return &net.TCPAddr{} }
func (c *pipeConn) LocalAddr() net.Addr               { return &net.TCPAddr{} }
func (c *pipeConn) SetReadDeadline(t time.Time) error { return nil }

// FuzzClientStream feeds arbitrary bytes, as sent by a logged-in client, to
// the client relay loop: it must end without panicking, whatever they are.
func FuzzClientStream(f *testing.F) {
	f.Add(mustEncode(f, &pgproto3.Query{String: "select 1"}, &pgproto3.Terminate{}))
	f.Add(mustEncode(f, &pgproto3.Parse{Name: "s", Query: "select $1"}, &pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("1")}},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{}))
	f.Add(mustEncode(f, &pgproto3.CopyData{Data: []byte("1\tx\n")}, &pgproto3.CopyDone{}, &pgproto3.FunctionCall{Function: 1}))
	f.Add([]byte{'Q', 0, 0, 0, 2})
	f.Add([]byte{'B', 0, 0, 0, 6, 'x', 'y'})
	f.Fuzz(func(t *testing.T, data []byte) {
		srv := New(Config{Upstream: "127.0.0.1:1", Logger: zap.NewNop(), MaxMessageSize: 1 << 16})
		client := &pipeConn{r: bytes.NewReader(data)}
		sess := &session{srv: srv, log: zap.NewNop(), client: client, upstream: &pipeConn{r: bytes.NewReader(nil)}}
		sess.cw.conn = client
		sess.uw.conn = sess.upstream
		sess.clientIn = &countingConn{Conn: client, read: srv.m.BytesClientToUpstream}
		sess.be = pgproto3.NewBackend(sess.clientIn, nil)
		sess.be.SetMaxBodyLen(srv.cfg.MaxMessageSize)
		sess.st.relaying = true
		sess.clientLoop()
		sess.close()
	})
}

func TestEncodedLen(t *testing.T) {
	for _, m := range []pgproto3.FrontendMessage{
		&pgproto3.Query{String: "select 1"},
		&pgproto3.Parse{Name: "s1", Query: "select $1, $2", ParameterOIDs: []uint32{23, 25}},
		&pgproto3.Sync{},
	} {
		b, err := m.Encode(nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := encodedLen(m); got != int64(len(b)) {
			t.Errorf("encodedLen(%T) = %d, want %d", m, got, len(b))
		}
	}
}
