package proxy

import (
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// fakeBackend is a scripted upstream for faults a real server will not
// produce on demand. script runs once per accepted connection, after the
// startup message has been read.
type fakeBackend struct {
	ln net.Listener
}

func startFakeBackend(t *testing.T, script func(t *testing.T, conn net.Conn, be *pgproto3.Backend)) *fakeBackend {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				be := pgproto3.NewBackend(conn, conn)
				if _, err := be.ReceiveStartupMessage(); err != nil {
					return
				}
				script(t, conn, be)
			}()
		}
	}()
	return &fakeBackend{ln: ln}
}

func (f *fakeBackend) Addr() string { return f.ln.Addr().String() }

// loginOK sends what a server sends after trust authentication.
func loginOK(be *pgproto3.Backend) {
	be.Send(&pgproto3.AuthenticationOk{})
	be.Send(&pgproto3.ParameterStatus{Name: "server_version", Value: "15.0"})
	be.Send(&pgproto3.BackendKeyData{ProcessID: 4242, SecretKey: []byte{1, 2, 3, 4}})
	be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	_ = be.Flush()
}

func TestFakeBackendFaults(t *testing.T) {
	cases := []struct {
		name   string
		script func(t *testing.T, conn net.Conn, be *pgproto3.Backend)
		code   string
	}{
		{"malformed length", func(t *testing.T, conn net.Conn, be *pgproto3.Backend) {
			loginOK(be)
			_, _ = be.Receive()
			_, _ = conn.Write([]byte{'T', 0, 0, 0, 2})
		}, "08P01"},
		{"unknown message type", func(t *testing.T, conn net.Conn, be *pgproto3.Backend) {
			loginOK(be)
			_, _ = be.Receive()
			_, _ = conn.Write([]byte{'#', 0, 0, 0, 4})
		}, "08P01"},
		{"closes mid-message", func(t *testing.T, conn net.Conn, be *pgproto3.Backend) {
			loginOK(be)
			_, _ = be.Receive()
			_, _ = conn.Write([]byte{'D', 0, 0, 0, 50, 0, 1})
		}, "08006"},
		{"closes between messages", func(t *testing.T, conn net.Conn, be *pgproto3.Backend) {
			loginOK(be)
			_, _ = be.Receive()
		}, "08006"},
		{"FATAL then close", func(t *testing.T, conn net.Conn, be *pgproto3.Backend) {
			loginOK(be)
			_, _ = be.Receive()
			be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: "57P01", Message: "terminating connection due to administrator command"})
			_ = be.Flush()
		}, "57P01"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fb := startFakeBackend(t, tc.script)
			p := startProxy(t, Config{Upstream: fb.Addr()})
			c := dialRaw(t, p.Addr)
			c.startup("postgres")
			c.send(&pgproto3.Query{String: "select 1"})
			c.expectFatal(tc.code)
		})
	}
}

func TestFakeBackendAuthFaults(t *testing.T) {
	cases := []struct {
		name   string
		script func(t *testing.T, conn net.Conn, be *pgproto3.Backend)
		code   string
	}{
		{"closes during authentication", func(t *testing.T, conn net.Conn, be *pgproto3.Backend) {}, "08006"},
		{"query result during authentication", func(t *testing.T, conn net.Conn, be *pgproto3.Backend) {
			be.Send(&pgproto3.DataRow{})
			_ = be.Flush()
		}, "08P01"},
		{"auth refused", func(t *testing.T, conn net.Conn, be *pgproto3.Backend) {
			be.Send(&pgproto3.ErrorResponse{Severity: "FATAL", Code: "28000", Message: "no pg_hba.conf entry"})
			_ = be.Flush()
		}, "28000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fb := startFakeBackend(t, tc.script)
			p := startProxy(t, Config{Upstream: fb.Addr()})
			c := dialRaw(t, p.Addr)
			c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
				Parameters: map[string]string{"user": "postgres"}})
			c.expectFatal(tc.code)
		})
	}
}

// The proxy hands out the backend's pid with a secret of its own, never the
// upstream's secret.
func TestCancelKeyIsTheProxys(t *testing.T) {
	fb := startFakeBackend(t, func(t *testing.T, conn net.Conn, be *pgproto3.Backend) {
		loginOK(be)
		_, _ = be.Receive()
	})
	p := startProxy(t, Config{Upstream: fb.Addr()})
	c := dialRaw(t, p.Addr)
	c.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "postgres"}})
	var key *pgproto3.BackendKeyData
	c.until(func(m pgproto3.BackendMessage) bool {
		if k, ok := m.(*pgproto3.BackendKeyData); ok {
			key = &pgproto3.BackendKeyData{ProcessID: k.ProcessID, SecretKey: append([]byte(nil), k.SecretKey...)}
		}
		_, done := m.(*pgproto3.ReadyForQuery)
		return done
	})
	if key == nil {
		t.Fatal("no BackendKeyData")
	}
	if key.ProcessID != 4242 || string(key.SecretKey) == string([]byte{1, 2, 3, 4}) || len(key.SecretKey) != 4 {
		t.Fatalf("client got key %+v; want pid 4242 with the proxy's own 4-byte secret", key)
	}
}
