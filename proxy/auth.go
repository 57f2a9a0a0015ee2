package proxy

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
)

// Authentication request codes of AuthenticationXXX frames ('R').
const (
	authOK                = 0
	authCleartextPassword = 3
	authMD5Password       = 5
	authGSS               = 7
	authGSSContinue       = 8
	authSSPI              = 9
	authSASL              = 10
	authSASLContinue      = 11
	authSASLFinal         = 12
)

// authenticate relays the authentication exchange as frames (trust,
// password, md5, SCRAM-SHA-256, GSS) until the upstream says
// AuthenticationOk or refuses. The one change: SCRAM-SHA-256-PLUS is removed
// from the offered mechanisms, since channel binding ties the exchange to
// the TLS session the client sees, which ends at the proxy.
func (sess *session) authenticate() bool {
	for {
		f, err := sess.fromUpstream.Next()
		if err == nil && f.Partial {
			f, err = sess.fromUpstream.Rest()
		}
		if err != nil {
			sess.upstreamAuthFailed(err)
			return false
		}
		switch f.Type {
		case 'R':
			done, ok := sess.authRequest(f)
			if done || !ok {
				return ok
			}
		case 'E':
			sess.authRefused(f)
			return false
		case 'N', 'v':
			if !sess.forwardToClient(f.Raw) {
				return false
			}
		default:
			sess.srv.m.ProtocolErrors.WithLabelValues(kindUpstream).Inc()
			sess.log.Warn("unexpected message from upstream during authentication", zap.String("type", string(f.Type)))
			_ = sess.toClient.Send(fatalf(codeProtocolViolation, "", "softdelete-proxy: unexpected message %q from upstream during authentication", f.Type))
			return false
		}
	}
}

// authRequest relays one AuthenticationXXX frame and, when it asks for one,
// the client's answer. done is set at AuthenticationOk.
func (sess *session) authRequest(f wire.Frame) (done, ok bool) {
	body := f.Body()
	if len(body) < 4 {
		sess.upstreamAuthFailed(fmt.Errorf("authentication message of %d bytes", len(body)))
		return false, false
	}
	code := binary.BigEndian.Uint32(body)
	out := f.Raw
	switch code {
	case authOK:
		if !sess.forwardToClient(out) || !sess.startTracking() {
			return true, false
		}
		return true, true
	case authSASL:
		var m pgproto3.AuthenticationSASL
		if err := m.Decode(body); err != nil {
			sess.upstreamAuthFailed(err)
			return false, false
		}
		m.AuthMechanisms = withoutChannelBinding(m.AuthMechanisms)
		out, _ = m.Encode(nil)
	}
	if !sess.forwardToClient(out) {
		return false, false
	}
	switch code {
	case authCleartextPassword, authMD5Password, authGSS, authGSSContinue, authSSPI, authSASL, authSASLContinue:
		return false, sess.relayAuthReply()
	}
	return false, true // SASLFinal and others: no answer expected
}

// forwardToClient writes raw frames to the client at once.
func (sess *session) forwardToClient(raw []byte) bool {
	w := sess.toClient
	w.Lock()
	defer w.Unlock()
	w.Append(raw)
	return w.Flush() == nil
}

// relayAuthReply forwards the client's answer to an authentication request:
// one frame, no larger than PostgreSQL accepts before authentication.
func (sess *session) relayAuthReply() bool {
	f, err := sess.fromClient.Next()
	if err != nil {
		sess.clientReadFailed(err)
		return false
	}
	sess.clientUsed += int64(len(f.Raw))
	switch f.Type {
	case 'p':
		w := sess.toUpstream
		w.Lock()
		w.Append(f.Raw)
		err := w.Flush()
		w.Unlock()
		if err != nil {
			sess.log.Debug("upstream went away during authentication", zap.Error(err))
			return false
		}
		return true
	case 'X':
		return false
	default:
		sess.srv.m.ProtocolErrors.WithLabelValues(kindBadMessage).Inc()
		_ = sess.toClient.Send(fatalf(codeProtocolViolation, "", "expected password response, got message type %d", f.Type))
		return false
	}
}

// authRefused relays the upstream's refusal, adding a hint when channel
// binding is the cause.
func (sess *session) authRefused(f wire.Frame) {
	var m pgproto3.ErrorResponse
	if err := m.Decode(f.Body()); err != nil {
		sess.forwardToClient(f.Raw)
		return
	}
	sess.log.Info("upstream refused the session", zap.String("sqlstate", m.Code), zap.String("message", m.Message))
	if m.Hint == "" && strings.Contains(m.Message, "channel binding") {
		m.Hint = channelBindingHint
		_ = sess.toClient.Send(&m)
		return
	}
	sess.forwardToClient(f.Raw)
}

func (sess *session) upstreamAuthFailed(err error) {
	sess.srv.m.ProtocolErrors.WithLabelValues(kindUpstream).Inc()
	sess.log.Warn("upstream failed during authentication", zap.Error(err))
	_ = sess.toClient.Send(fatalf(codeConnectionFailure, "",
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
