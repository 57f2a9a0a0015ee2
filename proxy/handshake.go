package proxy

import (
	"crypto/tls"
	"errors"
	"io"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/tracker"
	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
)

// Frame limits. Before authentication a client frame is capped at what
// PostgreSQL itself accepts then (PG_MAX_AUTH_TOKEN_LENGTH), and memory
// follows the bytes that arrive, not the length a frame declares. After it,
// frames above wholeFrame are streamed, so only a Query or Parse (which the
// proxy must read whole, up to max_message_size) is ever held in full.
const (
	maxAuthFrame = 65535
	maxFrame     = 1<<30 - 1 // PQ_LARGE_MESSAGE_LIMIT: nothing PostgreSQL accepts is larger
	wholeFrame   = 256 << 10
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
	if isReplication(p) {
		sess.srv.m.ProtocolErrors.WithLabelValues(kindReplication).Inc()
		sess.log.Info("replication connection refused")
		_ = sess.toClient.Send(fatalf(codeFeatureNotSupported,
			"Connect replication clients (pg_basebackup, subscriptions, CDC tools) to PostgreSQL directly.",
			"replication connections are not supported through softdelete-proxy"))
		return false
	}
	if sess.srv.cfg.Rewriting != nil && sess.srv.cfg.Rewriting.Rewriter != nil {
		ensureVisibilityOption(p)
	}
	if !sess.connectUpstream(deadline) || !sess.authenticate() {
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
	sess.toClient.SetDestination(tconn)
	sess.clientTLS = true
	return true
}

// startupFailed follows PostgreSQL: a packet of a bad length, or one cut
// short, closes the connection without a word (and is logged); a packet
// the proxy cannot read goes to the server, whose answer (a FATAL in the
// client's own protocol version) is relayed as it is.
func (sess *session) startupFailed(err error) {
	var se *startupError
	if errors.As(err, &se) {
		sess.srv.m.ProtocolErrors.WithLabelValues(kindBadStartup).Inc()
		sess.log.Info("bad startup packet", zap.Error(err))
		if se.forward != nil {
			sess.letServerAnswer(se.forward)
		}
		return
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		sess.srv.m.ProtocolErrors.WithLabelValues(kindUnexpectedEOF).Inc()
		sess.log.Info("incomplete startup packet", zap.Error(err))
		return
	}
	sess.log.Debug("client went away during startup", zap.Error(err))
}

// letServerAnswer sends a startup packet to the server and relays its
// answer to the client until the server closes.
func (sess *session) letServerAnswer(packet []byte) {
	up, err := sess.srv.dialUpstream(false)
	if err != nil {
		sess.log.Debug("cannot reach upstream to answer a bad startup packet", zap.Error(err))
		return
	}
	defer up.Close()
	_ = up.SetDeadline(time.Now().Add(sess.srv.cfg.ConnectTimeout))
	if _, err := up.Write(packet); err != nil {
		return
	}
	_, _ = io.Copy(sess.client, up)
}

// connectUpstream dials PostgreSQL and sends the client's StartupMessage
// with all its parameters.
func (sess *session) connectUpstream(deadline time.Time) bool {
	s := sess.srv
	up, err := s.dialUpstream(sess.clientTLS)
	if err != nil {
		s.m.UpstreamConnectErrors.Inc()
		sess.log.Warn("cannot connect to upstream", zap.String("upstream", s.cfg.Upstream), zap.Error(err))
		_ = sess.toClient.Send(fatalf(codeConnectionFailure,
			"Check that PostgreSQL is running and that the proxy's upstream setting points at it.",
			"softdelete-proxy could not connect to upstream PostgreSQL at %s: %v", s.cfg.Upstream, err))
		return false
	}
	_ = up.SetDeadline(deadline)
	sess.upstream = up
	sess.toUpstream = wire.NewWriter(up)
	sess.fromUpstream = wire.NewReader(&countingConn{Conn: up, read: s.m.BytesUpstreamToClient},
		wire.Options{MaxBody: maxFrame, WholeMax: wholeFrame})
	sess.clientIn = &countingConn{Conn: sess.client, read: s.m.BytesClientToUpstream}
	sess.fromClient = wire.NewReader(sess.clientIn, wire.Options{MaxBody: maxAuthFrame})
	if err := sess.toUpstream.Send(sess.startup); err != nil {
		s.m.UpstreamConnectErrors.Inc()
		sess.log.Warn("cannot send startup message to upstream", zap.Error(err))
		_ = sess.toClient.Send(fatalf(codeConnectionFailure, "",
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

// startTracking follows the session from AuthenticationOk on: it sends the
// proxy's own probe ahead when the policy manages tables.
func (sess *session) startTracking() bool {
	env := tracker.Env{Log: sess.log, Database: databaseOf(sess.startup.Parameters), Databases: sess.srv.databases}
	if rc := sess.srv.cfg.Rewriting; rc != nil && rc.Rewriter != nil {
		env.Rewriter, env.Policy, env.Metrics = rc.Rewriter, rc.Policy, rc.Metrics
	}
	sess.tr = tracker.New(env, tracker.StartupSettings(sess.startup.Parameters))
	sess.fromClient.SetLimits(maxFrame, wholeFrame)
	if probe := sess.tr.Begin(); probe != nil {
		w := sess.toUpstream
		w.Lock()
		w.Append(probe)
		err := w.Flush()
		w.Unlock()
		if err != nil {
			sess.upstreamWriteFailed(err)
			return false
		}
	}
	sess.mu.Lock()
	sess.relaying = true
	sess.mu.Unlock()
	return true
}

// ensureVisibilityOption defines softdelete.visibility for the session (as
// 'active') unless the client set it, so SHOW and RESET work from the start.
func ensureVisibilityOption(p map[string]string) {
	if _, ok := tracker.StartupSettings(p)[tracker.Visibility]; ok { // as a parameter or in options
		return
	}
	opt := "-c " + tracker.Visibility + "=active"
	if p["options"] != "" {
		opt = p["options"] + " " + opt
	}
	p["options"] = opt
}
