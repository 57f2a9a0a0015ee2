package proxy

import (
	"crypto/tls"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"time"
)

// dialUpstream connects to PostgreSQL and negotiates TLS as the configured
// sslmode says. Under prefer the upstream leg mirrors the client's: TLS
// for a client that came with TLS, plain text for one that did not (so a
// plain client's SCRAM channel-binding flag means to the server what it
// means to the client). The returned connection is ready for a
// StartupMessage or a CancelRequest.
func (s *Server) dialUpstream(clientTLS bool) (net.Conn, error) {
	conn, err := s.cfg.Dial("tcp", s.cfg.Upstream, s.cfg.ConnectTimeout)
	if err != nil {
		return nil, err
	}
	mode := s.cfg.UpstreamTLS.Mode
	if mode == SSLDisable || mode == SSLPrefer && !clientTLS {
		return conn, nil
	}
	_ = conn.SetDeadline(time.Now().Add(s.cfg.ConnectTimeout))
	tconn, err := negotiateUpstreamTLS(conn, mode, s.cfg.UpstreamTLS.Config)
	if err != nil {
		conn.Close()
		return nil, err
	}
	_ = tconn.SetDeadline(time.Time{})
	return tconn, nil
}

// negotiateUpstreamTLS sends an SSLRequest and, if the server agrees,
// performs the handshake. With prefer, a server answering 'N' is used in
// plain text; with require and stronger it is an error.
func negotiateUpstreamTLS(conn net.Conn, mode SSLMode, base *tls.Config) (net.Conn, error) {
	var req [8]byte
	binary.BigEndian.PutUint32(req[0:4], 8)
	binary.BigEndian.PutUint32(req[4:8], codeSSLRequest)
	if _, err := conn.Write(req[:]); err != nil {
		return nil, fmt.Errorf("sending SSLRequest: %w", err)
	}
	var answer [1]byte
	if _, err := io.ReadFull(conn, answer[:]); err != nil {
		return nil, fmt.Errorf("reading SSLRequest answer: %w", err)
	}
	switch answer[0] {
	case 'N':
		if mode == SSLPrefer {
			return conn, nil
		}
		return nil, fmt.Errorf("server does not support SSL, but upstream_tls.mode is %s", mode)
	case 'S':
	default:
		return nil, fmt.Errorf("unexpected answer %q to SSLRequest", answer[0])
	}
	tconn := tls.Client(conn, upstreamTLSConfig(mode, base))
	if err := tconn.Handshake(); err != nil {
		return nil, fmt.Errorf("TLS handshake with upstream: %w", err)
	}
	return tconn, nil
}

// upstreamTLSConfig derives the tls.Config for a mode: prefer and require
// encrypt without verifying (as libpq does without a root certificate),
// verify-ca checks the chain only, verify-full the chain and the host name.
func upstreamTLSConfig(mode SSLMode, base *tls.Config) *tls.Config {
	var cfg *tls.Config
	if base != nil {
		cfg = base.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.MinVersion == 0 {
		cfg.MinVersion = tls.VersionTLS12
	}
	switch mode {
	case SSLVerifyFull:
		cfg.InsecureSkipVerify = false
	case SSLVerifyCA:
		// Verify the chain against RootCAs but not the name.
		roots := cfg.RootCAs
		cfg.InsecureSkipVerify = true
		cfg.VerifyConnection = func(cs tls.ConnectionState) error {
			return verifyChain(cs, roots)
		}
	default:
		cfg.InsecureSkipVerify = true
	}
	return cfg
}
