package proxy

import (
	"crypto/tls"
	"net"
	"time"

	"go.uber.org/zap"
)

// Config is everything a Server needs. Build it from a validated
// policy.Config (see cmd/softdelete-proxy) or by hand in tests.
type Config struct {
	// Upstream is host:port of PostgreSQL.
	Upstream string
	// ConnectTimeout bounds dialing (and TLS negotiation with) the upstream.
	ConnectTimeout time.Duration
	// ClientTLS, when set, terminates TLS for clients that send SSLRequest.
	// Nil answers 'N' to SSLRequest.
	ClientTLS *tls.Config
	// UpstreamTLS is how the proxy speaks TLS to PostgreSQL.
	UpstreamTLS UpstreamTLS
	// MaxMessageSize caps a client message body in bytes (0 = 64 MiB).
	MaxMessageSize int
	// HandshakeTimeout bounds the startup phase of a client (TLS + startup
	// packet + authentication). 0 = 60s.
	HandshakeTimeout time.Duration

	Logger  *zap.Logger // nil = no logging
	Metrics *Metrics    // nil = metrics on a private registry
	// Dial opens upstream connections; nil uses net.Dialer.
	Dial func(network, addr string, timeout time.Duration) (net.Conn, error)
	// Rewriting, when set, rewrites statements on managed tables.
	Rewriting *Rewriting
	// EventLoops is how many event loops relay plain (non-TLS) sessions:
	// 0 means one per two of GOMAXPROCS (at least one), a negative value
	// relays every session with a goroutine per direction instead.
	EventLoops int
}

// SSLMode mirrors libpq's sslmode for the upstream leg.
type SSLMode string

const (
	SSLDisable    SSLMode = "disable"
	SSLPrefer     SSLMode = "prefer"
	SSLRequire    SSLMode = "require"
	SSLVerifyCA   SSLMode = "verify-ca"
	SSLVerifyFull SSLMode = "verify-full"
)

// UpstreamTLS configures TLS towards PostgreSQL. Config carries the CA pool,
// server name and client certificate; Mode decides whether TLS is tried,
// required, and how the certificate is verified.
type UpstreamTLS struct {
	Mode   SSLMode
	Config *tls.Config
}

const (
	defaultMaxMessageSize   = 64 << 20
	defaultConnectTimeout   = 10 * time.Second
	defaultHandshakeTimeout = 60 * time.Second
)

func (c *Config) withDefaults() Config {
	out := *c
	if out.MaxMessageSize <= 0 {
		out.MaxMessageSize = defaultMaxMessageSize
	}
	if out.ConnectTimeout <= 0 {
		out.ConnectTimeout = defaultConnectTimeout
	}
	if out.HandshakeTimeout <= 0 {
		out.HandshakeTimeout = defaultHandshakeTimeout
	}
	if out.Logger == nil {
		out.Logger = zap.NewNop()
	}
	if out.Metrics == nil {
		out.Metrics = NewMetrics(nil)
	}
	if out.Dial == nil {
		out.Dial = func(network, addr string, timeout time.Duration) (net.Conn, error) {
			d := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
			return d.Dial(network, addr)
		}
	}
	if out.UpstreamTLS.Mode == "" {
		out.UpstreamTLS.Mode = SSLPrefer
	}
	return out
}
