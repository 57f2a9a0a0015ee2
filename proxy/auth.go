package proxy

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"
)

// authenticate relays the authentication exchange untouched (trust,
// password, md5, SCRAM-SHA-256, GSS) until the upstream says
// AuthenticationOk or refuses. The one change: SCRAM-SHA-256-PLUS is removed
// from the offered mechanisms, since channel binding ties the exchange to
// the TLS session the client sees, which ends at the proxy.
func (sess *session) authenticate() bool {
	for {
		msg, err := sess.fe.Receive()
		if err != nil {
			sess.upstreamAuthFailed(err)
			return false
		}
		expectReply := false
		switch m := msg.(type) {
		case *pgproto3.AuthenticationOk:
			if err := sess.cw.send(m); err != nil {
				return false
			}
			sess.st.mu.Lock()
			sess.st.relaying = true
			sess.st.mu.Unlock()
			return true
		case *pgproto3.AuthenticationSASL:
			m.AuthMechanisms = withoutChannelBinding(m.AuthMechanisms)
			expectReply = true
		case *pgproto3.AuthenticationCleartextPassword, *pgproto3.AuthenticationMD5Password,
			*pgproto3.AuthenticationGSS, *pgproto3.AuthenticationGSSContinue, *pgproto3.AuthenticationSASLContinue:
			expectReply = true
		case *pgproto3.AuthenticationSASLFinal, *pgproto3.NoticeResponse, *pgproto3.NegotiateProtocolVersion:
		case *pgproto3.ErrorResponse:
			sess.log.Info("upstream refused the session", zap.String("sqlstate", m.Code), zap.String("message", m.Message))
			if m.Hint == "" && strings.Contains(m.Message, "channel binding") {
				m.Hint = channelBindingHint
			}
			_ = sess.cw.send(m)
			return false
		default:
			sess.srv.m.ProtocolErrors.WithLabelValues(kindUpstream).Inc()
			sess.log.Warn("unexpected message from upstream during authentication", zap.String("type", typeName(msg)))
			_ = sess.cw.send(fatalf(codeProtocolViolation, "", "softdelete-proxy: unexpected %s from upstream during authentication", typeName(msg)))
			return false
		}
		if err := sess.cw.send(msg); err != nil {
			return false
		}
		if expectReply && !sess.relayAuthReply() {
			return false
		}
	}
}

// relayAuthReply forwards the client's answer to an authentication request.
func (sess *session) relayAuthReply() bool {
	if err := sess.be.SetAuthType(sess.fe.GetAuthType()); err != nil {
		return false
	}
	msg, err := sess.be.Receive()
	if err != nil {
		sess.clientReadFailed(err)
		return false
	}
	switch msg.(type) {
	case *pgproto3.PasswordMessage, *pgproto3.SASLInitialResponse, *pgproto3.SASLResponse, *pgproto3.GSSResponse:
		if err := sess.uw.send(msg); err != nil {
			sess.log.Debug("upstream went away during authentication", zap.Error(err))
			return false
		}
		return true
	case *pgproto3.Terminate:
		return false
	default:
		sess.srv.m.ProtocolErrors.WithLabelValues(kindBadMessage).Inc()
		_ = sess.cw.send(fatalf(codeProtocolViolation, "", "expected an authentication response, got %s", typeName(msg)))
		return false
	}
}

func (sess *session) upstreamAuthFailed(err error) {
	sess.srv.m.ProtocolErrors.WithLabelValues(kindUpstream).Inc()
	sess.log.Warn("upstream failed during authentication", zap.Error(err))
	_ = sess.cw.send(fatalf(codeConnectionFailure, "",
		"softdelete-proxy lost the connection to upstream PostgreSQL at %s during authentication: %v", sess.srv.cfg.Upstream, err))
}

const channelBindingHint = "softdelete-proxy terminates TLS, so SCRAM channel binding cannot cross it. " +
	"Set channel_binding=disable in the client's connection settings (with TLS on both legs the server " +
	"refuses libpq's default, prefer, as a downgrade)."

func withoutChannelBinding(mechs []string) []string {
	out := mechs[:0]
	for _, m := range mechs {
		if !strings.HasSuffix(m, "-PLUS") {
			out = append(out, m)
		}
	}
	return out
}

// typeName names a message type for logs, e.g. "ParseComplete".
func typeName(msg pgproto3.Message) string {
	return strings.TrimPrefix(strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3."), "pgproto3.")
}
