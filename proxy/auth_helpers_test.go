package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// authUser is a login role of the auth cluster and how pg_hba.conf makes
// it authenticate.
type authUser struct {
	name, password, hba string
}

// authUsers holds one user per authentication method.
var authUsers = []authUser{
	{"u_trust", "unused", "trust"},
	{"u_password", "pw cleartext", "password"},
	{"u_md5", "pw md5 'quoted'", "md5"},
	{"u_scram", "pw scram ✓", "scram-sha-256"},
}

// startAuthCluster starts one throwaway cluster with SSL and a pg_hba.conf
// line per user in authUsers (for TLS and plain connections alike).
func startAuthCluster(t testing.TB) *pgtest.Cluster {
	t.Helper()
	var hba []string
	var users []pgtest.User
	for _, u := range authUsers {
		hba = append(hba, fmt.Sprintf("host all %s 127.0.0.1/32 %s", u.name, u.hba))
		method := u.hba
		if method == "trust" {
			method = "scram-sha-256"
		}
		users = append(users, pgtest.User{Name: u.name, Password: u.password, Method: method})
	}
	return pgtest.StartCluster(t, pgtest.ClusterOptions{HBA: hba, SSL: true, Users: users})
}

// clientTLS is the proxy's own certificate (from a CA unrelated to the
// cluster's) and the CA file clients verify it with.
type clientTLS struct {
	config *tls.Config
	caFile string
}

func newClientTLS(t testing.TB) clientTLS {
	t.Helper()
	certs, err := pgtest.GenerateCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.LoadX509KeyPair(certs.CertFile, certs.KeyFile)
	if err != nil {
		t.Fatal(err)
	}
	return clientTLS{config: &tls.Config{Certificates: []tls.Certificate{cert}}, caFile: certs.CAFile}
}

// caPool loads a PEM CA file.
func caPool(t testing.TB, file string) *x509.CertPool {
	t.Helper()
	pem, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", file)
	}
	return pool
}

// userURL is a URL for user u at addr; sslmode and any other parameters
// come from kv.
func userURL(t testing.TB, u authUser, password, addr string, kv ...string) string {
	t.Helper()
	base := (&url.URL{Scheme: "postgres", User: url.UserPassword(u.name, password), Host: addr, Path: "/postgres"}).String()
	return withParams(t, base, kv...)
}

// tlsParams are the client's sslmode parameters for a leg with or without
// TLS; with TLS the proxy's certificate is fully verified.
func tlsParams(ct clientTLS, useTLS bool) []string {
	if !useTLS {
		return []string{"sslmode", "disable"}
	}
	return []string{"sslmode", "verify-full", "sslrootcert", ct.caFile}
}

// tryConnect connects with pgx, returning the error instead of failing.
func tryConnect(t testing.TB, connString string) (*pgx.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err == nil {
		t.Cleanup(func() { conn.Close(context.Background()) })
	}
	return conn, err
}

// saslMechanisms starts a session at addr as user (over TLS when tlsCfg is
// set) with a raw pgproto3 frontend and returns the SASL mechanisms the
// server side offers.
func saslMechanisms(t testing.TB, addr, user string, tlsCfg *tls.Config) []string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	var c net.Conn = conn
	if tlsCfg != nil {
		c = startRawTLS(t, conn, tlsCfg)
	}
	fe := pgproto3.NewFrontend(c, c)
	fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": user, "database": "postgres"}})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	msg, err := fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	sasl, ok := msg.(*pgproto3.AuthenticationSASL)
	if !ok {
		t.Fatalf("want AuthenticationSASL, got %#v", msg)
	}
	return append([]string(nil), sasl.AuthMechanisms...)
}

// startRawTLS sends an SSLRequest on conn and, on 'S', returns the TLS
// client connection.
func startRawTLS(t testing.TB, conn net.Conn, cfg *tls.Config) net.Conn {
	t.Helper()
	var req [8]byte
	binary.BigEndian.PutUint32(req[0:4], 8)
	binary.BigEndian.PutUint32(req[4:8], 80877103)
	if _, err := conn.Write(req[:]); err != nil {
		t.Fatal(err)
	}
	var answer [1]byte
	if _, err := io.ReadFull(conn, answer[:]); err != nil {
		t.Fatal(err)
	}
	if answer[0] != 'S' {
		t.Fatalf("SSLRequest answered %q, want 'S'", answer[0])
	}
	tc := tls.Client(conn, cfg)
	if err := tc.Handshake(); err != nil {
		t.Fatal(err)
	}
	return tc
}
