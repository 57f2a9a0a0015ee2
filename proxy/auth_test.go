package proxy

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestAuth runs every authentication method through the proxy, with and
// without TLS on each leg, on one throwaway cluster. The last subtest
// turns the cluster's SSL off, so subtests run in order.
func TestAuth(t *testing.T) {
	cl := startAuthCluster(t)
	ct := newClientTLS(t)
	upCA := caPool(t, cl.Certs.CAFile)
	t.Run("methods", func(t *testing.T) { testAuthMethods(t, cl, ct, upCA) })
	t.Run("wrong_password", func(t *testing.T) { testWrongPassword(t, cl, ct) })
	t.Run("channel_binding", func(t *testing.T) { testChannelBinding(t, cl, ct) })
	t.Run("upstream_verify_fails", func(t *testing.T) { testUpstreamVerifyFails(t, cl) })
	t.Run("client_tls_not_configured", func(t *testing.T) {
		p := startProxy(t, Config{Upstream: cl.Addr()})
		_, err := tryConnect(t, userURL(t, authUsers[0], "", p.Addr, "sslmode", "require"))
		if err == nil || !strings.Contains(err.Error(), "refused TLS") {
			t.Fatalf("sslmode=require against a proxy without a certificate: want a TLS refusal, got %v", err)
		}
	})
	t.Run("libpq", func(t *testing.T) { testAuthLibpq(t, cl, ct) })
	t.Run("upstream_without_ssl", func(t *testing.T) { testUpstreamWithoutSSL(t, cl) })
}

// upstreamModes are the proxy's ways of reaching the SSL-enabled cluster.
func upstreamModes(upCA *x509.CertPool) []struct {
	name    string
	tls     UpstreamTLS
	wantTLS bool
} {
	verify := func(mode SSLMode, serverName string) UpstreamTLS {
		return UpstreamTLS{Mode: mode, Config: &tls.Config{RootCAs: upCA, ServerName: serverName}}
	}
	return []struct {
		name    string
		tls     UpstreamTLS
		wantTLS bool
	}{
		{"disable", UpstreamTLS{Mode: SSLDisable}, false},
		{"prefer", UpstreamTLS{Mode: SSLPrefer}, true},
		{"require", UpstreamTLS{Mode: SSLRequire}, true},
		{"verify-ca", verify(SSLVerifyCA, "not-the-name.example"), true},
		{"verify-full_127.0.0.1", verify(SSLVerifyFull, "127.0.0.1"), true},
		{"verify-full_localhost", verify(SSLVerifyFull, "localhost"), true},
	}
}

func testAuthMethods(t *testing.T, cl *pgtest.Cluster, ct clientTLS, upCA *x509.CertPool) {
	for _, up := range upstreamModes(upCA) {
		t.Run("upstream_"+up.name, func(t *testing.T) {
			p := startProxy(t, Config{Upstream: cl.Addr(), UpstreamTLS: up.tls, ClientTLS: ct.config})
			for _, clientTLS := range []bool{false, true} {
				for _, u := range authUsers {
					t.Run(fmt.Sprintf("client_tls_%v/%s", clientTLS, u.hba), func(t *testing.T) {
						params := tlsParams(ct, clientTLS)
						wantTLS := up.wantTLS
						if up.tls.Mode == SSLPrefer {
							wantTLS = clientTLS // prefer mirrors the client's leg
						}
						if scramOverTwoTLSLegs(u, clientTLS, wantTLS) {
							checkChannelBindingLimit(t, userURL(t, u, u.password, p.Addr, params...))
							params = append(params, "channel_binding", "disable")
						}
						checkSession(t, userURL(t, u, u.password, p.Addr, params...), u.name, clientTLS, wantTLS)
					})
				}
			}
		})
	}
}

// scramOverTwoTLSLegs reports whether u meets the proxy's one auth limit:
// SCRAM with TLS on both legs. A client on TLS that was offered no
// SCRAM-SHA-256-PLUS says so in its GS2 header ("y"), which the server,
// itself on TLS and able to bind, must refuse as a downgrade; the header is
// covered by the client's proof, so the proxy cannot change it. Such
// clients must set channel_binding=disable.
func scramOverTwoTLSLegs(u authUser, clientTLS, upstreamTLS bool) bool {
	return u.hba == "scram-sha-256" && clientTLS && upstreamTLS
}

// checkChannelBindingLimit checks that a client with the default
// channel_binding=prefer is refused with an error that names channel
// binding, not a misleading one.
func checkChannelBindingLimit(t *testing.T, url string) {
	t.Helper()
	_, err := tryConnect(t, url)
	if err == nil || !strings.Contains(strings.ToLower(err.Error()), "channel binding") {
		t.Fatalf("SCRAM over TLS on both legs with channel_binding=prefer: want a refusal naming channel binding, got %v", err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || !strings.Contains(pgErr.Hint, "channel_binding=disable") {
		t.Fatalf("want a hint telling to set channel_binding=disable, got %v", err)
	}
}

// checkSession connects and checks who the session is and which legs are
// encrypted: the client's from its socket, the upstream's from pg_stat_ssl.
func checkSession(t *testing.T, url, user string, clientTLS, upstreamTLS bool) {
	t.Helper()
	conn, err := tryConnect(t, url)
	if err != nil {
		t.Fatalf("connect through the proxy: %v", err)
	}
	if _, isTLS := conn.PgConn().Conn().(*tls.Conn); isTLS != clientTLS {
		t.Errorf("client leg TLS = %v, want %v", isTLS, clientTLS)
	}
	var who string
	var ssl bool
	err = conn.QueryRow(context.Background(),
		"select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()").Scan(&who, &ssl)
	if err != nil {
		t.Fatal(err)
	}
	if who != user || ssl != upstreamTLS {
		t.Errorf("session is %s with upstream TLS %v, want %s and %v", who, ssl, user, upstreamTLS)
	}
}

// testWrongPassword checks that a bad password is refused with 28P01 and
// the server's own message, whatever the legs, and a user without a
// pg_hba.conf line with 28000.
func testWrongPassword(t *testing.T, cl *pgtest.Cluster, ct clientTLS) {
	for _, mode := range []SSLMode{SSLDisable, SSLRequire} {
		p := startProxy(t, Config{Upstream: cl.Addr(), UpstreamTLS: UpstreamTLS{Mode: mode}, ClientTLS: ct.config})
		for _, u := range authUsers[1:] {
			for _, clientTLS := range []bool{false, true} {
				t.Run(fmt.Sprintf("upstream_%s/client_tls_%v/%s", mode, clientTLS, u.hba), func(t *testing.T) {
					params := tlsParams(ct, clientTLS)
					if scramOverTwoTLSLegs(u, clientTLS, mode != SSLDisable) {
						params = append(params, "channel_binding", "disable")
					}
					want := connectError(t, userURL(t, u, "wrong", cl.Addr(), "sslmode", "disable"))
					got := connectError(t, userURL(t, u, "wrong", p.Addr, params...))
					if got.Code != "28P01" || got.Message != want.Message || got.Severity != want.Severity {
						t.Errorf("through the proxy: %s %s %q; directly: %s %s %q",
							got.Severity, got.Code, got.Message, want.Severity, want.Code, want.Message)
					}
				})
			}
		}
		t.Run(fmt.Sprintf("upstream_%s/no_hba_line", mode), func(t *testing.T) {
			got := connectError(t, userURL(t, authUser{name: "nobody"}, "x", p.Addr, "sslmode", "disable"))
			if got.Code != "28000" || !strings.Contains(got.Message, "no pg_hba.conf entry") {
				t.Errorf("got %s %q, want 28000 naming pg_hba.conf", got.Code, got.Message)
			}
		})
	}
}

// connectError connects, expecting the server (or proxy) to refuse with a
// PgError, and returns it.
func connectError(t *testing.T, url string) *pgconn.PgError {
	t.Helper()
	_, err := tryConnect(t, url)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("want a PgError, got %v", err)
	}
	return pgErr
}

// testChannelBinding checks that the proxy never offers
// SCRAM-SHA-256-PLUS, though the server does over TLS, so a client that
// requires channel binding fails before sending any credential.
func testChannelBinding(t *testing.T, cl *pgtest.Cluster, ct clientTLS) {
	scram := authUsers[3]
	insecure := &tls.Config{InsecureSkipVerify: true}
	direct := saslMechanisms(t, cl.Addr(), scram.name, insecure)
	if !slices.Contains(direct, "SCRAM-SHA-256-PLUS") {
		t.Fatalf("the cluster over TLS offers %v; the test needs it to offer SCRAM-SHA-256-PLUS", direct)
	}
	if _, err := tryConnect(t, userURL(t, scram, scram.password, cl.Addr(), "sslmode", "require", "channel_binding", "require")); err != nil {
		t.Fatalf("directly over TLS, channel_binding=require should work: %v", err)
	}
	p := startProxy(t, Config{Upstream: cl.Addr(), UpstreamTLS: UpstreamTLS{Mode: SSLRequire}, ClientTLS: ct.config})
	for _, clientTLS := range []bool{false, true} {
		cfg := (*tls.Config)(nil)
		if clientTLS {
			cfg = insecure
		}
		if got := saslMechanisms(t, p.Addr, scram.name, cfg); !slices.Equal(got, []string{"SCRAM-SHA-256"}) {
			t.Errorf("client TLS %v: the proxy offers %v, want only SCRAM-SHA-256", clientTLS, got)
		}
	}
	for _, u := range authUsers[1:] {
		_, err := tryConnect(t, userURL(t, u, u.password, p.Addr, append(tlsParams(ct, true), "channel_binding", "require")...))
		if err == nil || !strings.Contains(err.Error(), "channel binding") {
			t.Errorf("%s with channel_binding=require through the proxy: want a channel binding failure, got %v", u.hba, err)
		}
	}
}

// testUpstreamVerifyFails checks that a certificate the proxy must not
// trust ends the session with 08006 saying why.
func testUpstreamVerifyFails(t *testing.T, cl *pgtest.Cluster) {
	other, err := pgtest.GenerateCerts(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	wrongCA := caPool(t, other.CAFile)
	rightCA := caPool(t, cl.Certs.CAFile)
	for _, c := range []struct {
		name, want string
		tls        UpstreamTLS
	}{
		{"verify-full_wrong_ca", "certificate", UpstreamTLS{Mode: SSLVerifyFull, Config: &tls.Config{RootCAs: wrongCA, ServerName: "127.0.0.1"}}},
		{"verify-ca_wrong_ca", "certificate", UpstreamTLS{Mode: SSLVerifyCA, Config: &tls.Config{RootCAs: wrongCA}}},
		{"verify-full_wrong_name", "db.example.com", UpstreamTLS{Mode: SSLVerifyFull, Config: &tls.Config{RootCAs: rightCA, ServerName: "db.example.com"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := startProxy(t, Config{Upstream: cl.Addr(), UpstreamTLS: c.tls})
			u := authUsers[0]
			got := connectError(t, userURL(t, u, u.password, p.Addr, "sslmode", "disable"))
			if got.Code != "08006" || !strings.Contains(got.Message, cl.Addr()) || !strings.Contains(got.Message, c.want) {
				t.Errorf("got %s %q, want 08006 naming %s and %q", got.Code, got.Message, cl.Addr(), c.want)
			}
		})
	}
}

// testAuthLibpq logs in with psql (libpq) through the proxy with TLS on
// both legs, for each method, and with a wrong password.
func testAuthLibpq(t *testing.T, cl *pgtest.Cluster, ct clientTLS) {
	psql := needBinary(t, "psql")
	p := startProxy(t, Config{Upstream: cl.Addr(), UpstreamTLS: UpstreamTLS{Mode: SSLRequire}, ClientTLS: ct.config})
	query := "select current_user, ssl from pg_stat_ssl where pid = pg_backend_pid()"
	for _, u := range authUsers {
		params := tlsParams(ct, true)
		if scramOverTwoTLSLegs(u, true, true) {
			out, code := runPsqlCommand(t, psql, userURL(t, u, u.password, p.Addr, params...), query)
			if code != 2 || !strings.Contains(out, "channel binding") {
				t.Errorf("libpq, SCRAM over two TLS legs, channel_binding=prefer: exit %d, %s", code, out)
			}
			params = append(params, "channel_binding", "disable")
		}
		out, code := runPsqlCommand(t, psql, userURL(t, u, u.password, p.Addr, params...), query)
		if want := u.name + "|t\n"; code != 0 || out != want {
			t.Errorf("libpq as %s: exit %d, output %q, want %q", u.name, code, out, want)
		}
	}
	md5 := authUsers[2]
	out, code := runPsqlCommand(t, psql, userURL(t, md5, "wrong", p.Addr, tlsParams(ct, true)...), query)
	if want := `password authentication failed for user "u_md5"`; code != 2 || !strings.Contains(out, want) {
		t.Errorf("libpq with a wrong password: exit %d, %s; want 2 and %q", code, out, want)
	}
}

// testUpstreamWithoutSSL turns the cluster's SSL off: prefer falls back to
// plain text, require and verify-full refuse with 08006.
func testUpstreamWithoutSSL(t *testing.T, cl *pgtest.Cluster) {
	pgtest.Exec(t, cl.URL, "alter system set ssl = off", "select pg_reload_conf()")
	u := authUsers[3]
	pollUntil(t, "the cluster to stop offering SSL", func() bool {
		_, err := tryConnect(t, userURL(t, u, u.password, cl.Addr(), "sslmode", "require"))
		return err != nil
	})
	p := startProxy(t, Config{Upstream: cl.Addr(), UpstreamTLS: UpstreamTLS{Mode: SSLPrefer}})
	checkSession(t, userURL(t, u, u.password, p.Addr, "sslmode", "disable"), u.name, false, false)
	for _, up := range []UpstreamTLS{
		{Mode: SSLRequire},
		{Mode: SSLVerifyFull, Config: &tls.Config{RootCAs: caPool(t, cl.Certs.CAFile), ServerName: "127.0.0.1"}},
	} {
		p := startProxy(t, Config{Upstream: cl.Addr(), UpstreamTLS: up})
		got := connectError(t, userURL(t, u, u.password, p.Addr, "sslmode", "disable"))
		if got.Code != "08006" || !strings.Contains(got.Message, "SSL") {
			t.Errorf("%s against a server without SSL: got %s %q, want 08006 about SSL", up.Mode, got.Code, got.Message)
		}
	}
}

// pollUntil polls cond for up to 10 seconds.
func pollUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
