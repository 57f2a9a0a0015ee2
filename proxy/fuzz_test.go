package proxy

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
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

// FuzzClientStream feeds arbitrary bytes, as sent by a logged-in client, to
// the relay with the rewrite hooks on, over a scripted upstream that
// answers the proxy's probe and every Query and Sync with ReadyForQuery: it
// must end without panicking or hanging, whatever the bytes are.
func FuzzClientStream(f *testing.F) {
	f.Add(mustEncode(f, &pgproto3.Query{String: "select 1"}, &pgproto3.Terminate{}))
	f.Add(mustEncode(f, &pgproto3.Query{String: "DELETE FROM contacts WHERE id = 1"}, &pgproto3.Query{String: "SET search_path = x"},
		&pgproto3.Query{String: "SELECT * FROM contacts"}))
	f.Add(mustEncode(f, &pgproto3.Parse{Name: "s", Query: "DELETE FROM contacts WHERE id = $1"}, &pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("1")}},
		&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{}))
	f.Add(mustEncode(f, &pgproto3.CopyData{Data: []byte("1\tx\n")}, &pgproto3.CopyDone{}, &pgproto3.FunctionCall{Function: 1}))
	f.Add([]byte{'Q', 0, 0, 0, 2})
	f.Add([]byte{'B', 0, 0, 0, 6, 'x', 'y'})
	f.Fuzz(func(t *testing.T, data []byte) {
		rw := fuzzRewriting()
		srv := New(Config{Upstream: "127.0.0.1:1", Logger: zap.NewNop(), MaxMessageSize: 1 << 16, Rewriting: rw})
		clientEnd, proxyClient := socketPair(t)
		proxyUp, upstreamEnd := socketPair(t)
		go func() { _, _ = clientEnd.Write(data); _ = clientEnd.(*net.TCPConn).CloseWrite() }()
		go io.Copy(io.Discard, clientEnd)
		go scriptedUpstream(upstreamEnd)
		sess := srv.newSession(proxyClient)
		sess.upstream = proxyUp
		sess.startup = &pgproto3.StartupMessage{Parameters: map[string]string{"user": "u"}}
		sess.toUpstream = wire.NewWriter(proxyUp)
		sess.fromUpstream = wire.NewReader(proxyUp, wire.Options{MaxBody: maxFrame, WholeMax: wholeFrame})
		sess.clientIn = &countingConn{Conn: proxyClient, read: srv.m.BytesClientToUpstream}
		sess.fromClient = wire.NewReader(sess.clientIn, wire.Options{MaxBody: maxAuthFrame})
		if !sess.startTracking() {
			t.Fatal("tracking did not start")
		}
		sess.relay()
		sess.close()
	})
}

// socketPair returns the two ends of a loopback TCP connection (buffered,
// unlike net.Pipe, as the relay's sockets are).
func socketPair(t *testing.T) (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func fuzzRewriting() *Rewriting {
	p := &Policy{Rewrite: rewrite.NewPolicy(1, []rewrite.Table{{Schema: "public", Name: "contacts", Column: "deleted_at"}})}
	return &Rewriting{Rewriter: rewrite.New(rewrite.Options{}), Policy: func() *Policy { return p }}
}

// scriptedUpstream plays a server that logged the client in: the startup
// burst, then ReadyForQuery for every Query and Sync (a full answer for the
// proxy's probe), until the connection closes.
func scriptedUpstream(conn net.Conn) {
	defer conn.Close()
	out := func(msgs ...pgproto3.Message) bool {
		var buf []byte
		for _, m := range msgs {
			buf, _ = m.Encode(buf)
		}
		_, err := conn.Write(buf)
		return err == nil
	}
	if !out(&pgproto3.ParameterStatus{Name: "client_encoding", Value: "UTF8"}, &pgproto3.BackendKeyData{ProcessID: 7, SecretKey: []byte{1, 2, 3, 4}},
		&pgproto3.ReadyForQuery{TxStatus: 'I'}) {
		return
	}
	r := wire.NewReader(conn, wire.Options{MaxBody: maxFrame})
	for {
		f, err := r.Next()
		if err != nil {
			return
		}
		if f.Partial {
			if f, err = r.Rest(); err != nil {
				return
			}
		}
		switch f.Type {
		case 'Q':
			if bytes.Contains(f.Body(), []byte("WITH RECURSIVE m(oid)")) {
				row := &pgproto3.DataRow{Values: [][]byte{[]byte(`"$user", public`), []byte(`"$user", public`), []byte("active"),
					[]byte("none"), []byte("none"), []byte("u"), nil, []byte("public\x1fcontacts")}}
				if !out(row, &pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")}) {
					return
				}
			}
			if !out(&pgproto3.ReadyForQuery{TxStatus: 'I'}) {
				return
			}
		case 'S', 'F':
			if !out(&pgproto3.ReadyForQuery{TxStatus: 'I'}) {
				return
			}
		case 'X':
			return
		}
	}
}
