package proxy

import (
	"crypto/tls"
	"errors"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// handshake runs the startup phase: SSL/GSS negotiation, the startup packet
// (or a CancelRequest), the upstream connection and authentication. It
// reports whether the session goes on to relay; on false, the client has
// been told why where the protocol allows.
func (sess *session) handshake() bool {
	deadline := time.Now().Add(sess.srv.cfg.HandshakeTimeout)
	_ = sess.client.SetDeadline(deadline)
	startup, ok := sess.readStartup()
	if !ok {
		return false
	}
	sess.startup = startup
	p := startup.Parameters
	sess.log = sess.log.With(zap.String("user", p["user"]), zap.String("database", databaseOf(p)),
		zap.String("application_name", p["application_name"]))
	sess.cw.conn = sess.client
	if isReplication(p) {
		sess.srv.m.ProtocolErrors.WithLabelValues(kindReplication).Inc()
		sess.log.Info("replication connection refused")
		_ = sess.cw.send(fatalf(codeFeatureNotSupported,
			"Connect replication clients (pg_basebackup, subscriptions, CDC tools) to PostgreSQL directly.",
			"replication connections are not supported through softdelete-proxy"))
		return false
	}
	rewriting := sess.srv.cfg.Rewriting != nil && sess.srv.cfg.Rewriting.Rewriter != nil
	if rewriting {
		ensureVisibilityOption(p)
	}
	if !sess.connectUpstream(deadline) {
		return false
	}
	if !sess.authenticate() {
		return false
	}
	if rewriting && !sess.startRewriting() {
		return false
	}
	_ = sess.client.SetDeadline(time.Time{})
	_ = sess.upstream.SetDeadline(time.Time{})
	return true
}

// readStartup reads startup packets until a StartupMessage, answering
// SSLRequest and GSSENCRequest and serving a CancelRequest on the way.
func (sess *session) readStartup() (*pgproto3.StartupMessage, bool) {
	for {
		msg, err := readStartupPacket(sess.client)
		if err != nil {
			sess.startupFailed(err)
			return nil, false
		}
		switch m := msg.(type) {
		case *pgproto3.StartupMessage:
			return m, true
		case *pgproto3.CancelRequest:
			sess.srv.handleCancel(m, sess.log)
			return nil, false
		case *pgproto3.GSSEncRequest:
			if _, err := sess.client.Write([]byte{'N'}); err != nil {
				return nil, false
			}
		case *pgproto3.SSLRequest:
			if !sess.startTLS() {
				return nil, false
			}
		}
	}
}

// startTLS answers an SSLRequest: 'N' without a certificate, else 'S' and
// the TLS handshake.
func (sess *session) startTLS() bool {
	cfg := sess.srv.cfg.ClientTLS
	if cfg == nil || sess.clientTLS {
		_, err := sess.client.Write([]byte{'N'})
		return err == nil
	}
	if _, err := sess.client.Write([]byte{'S'}); err != nil {
		return false
	}
	tconn := tls.Server(sess.client, cfg)
	if err := tconn.Handshake(); err != nil {
		sess.srv.m.ProtocolErrors.WithLabelValues(kindTLSHandshake).Inc()
		sess.log.Info("client TLS handshake failed", zap.Error(err))
		return false
	}
	sess.client = tconn
	sess.clientTLS = true
	return true
}

func (sess *session) startupFailed(err error) {
	var se *startupError
	if errors.As(err, &se) {
		sess.srv.m.ProtocolErrors.WithLabelValues(kindBadStartup).Inc()
		sess.log.Info("bad startup packet", zap.Error(err))
		sess.cw.conn = sess.client
		_ = sess.cw.send(fatalf(codeProtocolViolation, "", "%s", se.msg))
		return
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		sess.srv.m.ProtocolErrors.WithLabelValues(kindUnexpectedEOF).Inc()
	}
	sess.log.Debug("client went away during startup", zap.Error(err))
}

// connectUpstream dials PostgreSQL and sends the client's StartupMessage
// with all its parameters.
func (sess *session) connectUpstream(deadline time.Time) bool {
	s := sess.srv
	up, err := s.dialUpstream()
	if err != nil {
		s.m.UpstreamConnectErrors.Inc()
		sess.log.Warn("cannot connect to upstream", zap.String("upstream", s.cfg.Upstream), zap.Error(err))
		_ = sess.cw.send(fatalf(codeConnectionFailure,
			"Check that PostgreSQL is running and that the proxy's upstream setting points at it.",
			"softdelete-proxy could not connect to upstream PostgreSQL at %s: %v", s.cfg.Upstream, err))
		return false
	}
	_ = up.SetDeadline(deadline)
	sess.upstream = up
	sess.uw.conn = up
	sess.fe = pgproto3.NewFrontend(&countingConn{Conn: up, read: s.m.BytesUpstreamToClient}, nil)
	sess.clientIn = &countingConn{Conn: sess.client, read: s.m.BytesClientToUpstream}
	sess.be = pgproto3.NewBackend(sess.clientIn, nil)
	sess.be.SetMaxBodyLen(s.cfg.MaxMessageSize)
	if err := sess.uw.send(sess.startup); err != nil {
		s.m.UpstreamConnectErrors.Inc()
		sess.log.Warn("cannot send startup message to upstream", zap.Error(err))
		_ = sess.cw.send(fatalf(codeConnectionFailure, "",
			"softdelete-proxy lost the connection to upstream PostgreSQL at %s: %v", s.cfg.Upstream, err))
		return false
	}
	return true
}

func databaseOf(p map[string]string) string {
	if db := p["database"]; db != "" {
		return db
	}
	return p["user"]
}

// startRewriting learns the session facts and, unless the user is in a
// bypass role, sets up the session's rewrite state.
func (sess *session) startRewriting() bool {
	rc := sess.srv.cfg.Rewriting
	pol := rc.Policy()
	facts, ok := sess.probe(append(append([]string(nil), pol.Bypass...), pol.HardDelete...), managedNames(pol))
	if !ok {
		return false
	}
	if anyOf(facts.roles, pol.Bypass) {
		sess.log.Info("session of a bypass role: statements are relayed without rewriting")
		return true
	}
	startup := startupSettings(sess.startup.Parameters)
	startup[settingSearchPath] = facts.searchPath
	if _, ok := startup[settingVisibility]; !ok {
		startup[settingVisibility] = "active"
	}
	sess.rw = newRWSession(rc, sess.log, sess.startup.Parameters["user"], anyOf(facts.roles, pol.HardDelete), startup)
	sess.rw.shadows = shadowsOf(pol, facts.relations)
	return true
}

// ensureVisibilityOption defines softdelete.visibility for the session (as
// 'active') unless the client set it, so SHOW and RESET work from the start.
func ensureVisibilityOption(p map[string]string) {
	if _, ok := startupSettings(p)[settingVisibility]; ok { // as a parameter or in options
		return
	}
	opt := "-c " + settingVisibility + "=active"
	if p["options"] != "" {
		opt = p["options"] + " " + opt
	}
	p["options"] = opt
}

// managedNames are the bare names of the managed tables.
func managedNames(p *Policy) []string {
	if p.Rewrite == nil {
		return nil
	}
	names := make([]string, 0, len(p.Rewrite.Tables))
	for _, t := range p.Rewrite.Tables {
		names = append(names, t.Name)
	}
	return names
}

// shadowsOf keeps the relations that are not managed themselves.
func shadowsOf(p *Policy, rels [][2]string) string {
	var out [][2]string
	for _, r := range rels {
		if p.Rewrite.Lookup(r[0], r[1]) == nil {
			out = append(out, r)
		}
	}
	return rewrite.ShadowList(out)
}
