package proxy

import (
	"errors"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"
)

// flushThreshold bounds how much the relay buffers before writing even
// though more input is already waiting.
const flushThreshold = 64 << 10

// relay runs the two directions until either side ends, then closes both.
func (sess *session) relay() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		sess.serverLoop()
		sess.close()
	}()
	sess.clientLoop()
	sess.close()
	<-done
}

// clientLoop relays client messages to the upstream. Messages after which
// the client waits for an answer (Sync, Flush, Query, FunctionCall, the end
// of COPY data, Terminate) flush the buffer; the rest of an extended-protocol
// pipeline is batched into as few writes as possible.
func (sess *session) clientLoop() {
	uw := &sess.uw
	for {
		msg, err := sess.be.Receive()
		if err != nil {
			sess.clientReadFailed(err)
			return
		}
		flush := false
		orig := msg
		if sess.rw != nil {
			msg = sess.rw.onFrontend(msg)
		}
		switch msg.(type) {
		case *pgproto3.Query, *pgproto3.Sync, *pgproto3.FunctionCall:
			if !sess.beginRequest() {
				return
			}
			flush = true
		case *pgproto3.Flush, *pgproto3.CopyDone, *pgproto3.CopyFail, *pgproto3.Terminate:
			flush = true
		}
		uw.mu.Lock()
		before := len(uw.buf)
		uw.appendMsg(msg)
		if msg == orig {
			sess.clientUsed += int64(len(uw.buf) - before)
		} else {
			sess.clientUsed += encodedLen(orig)
		}
		if flush || len(uw.buf) >= flushThreshold {
			err = uw.flush()
		}
		uw.mu.Unlock()
		if err != nil {
			if !sess.isClosing() {
				sess.log.Debug("write to upstream failed", zap.Error(err))
			}
			return
		}
		if _, ok := msg.(*pgproto3.Terminate); ok {
			sess.log.Debug("client sent Terminate")
			return
		}
	}
}

// serverLoop relays upstream messages to the client, substituting the
// proxy's own cancel key and tracking ReadyForQuery. It flushes when the
// upstream has nothing more buffered, so a result set goes out in large
// writes.
func (sess *session) serverLoop() {
	cw := &sess.cw
	for {
		msg, err := sess.fe.Receive()
		if err != nil {
			sess.upstreamReadFailed(err)
			return
		}
		msg = sess.fromUpstream(msg)
		closeAfter := false
		if m, ok := msg.(*pgproto3.ReadyForQuery); ok {
			closeAfter = sess.endRequest(m.TxStatus)
		}
		if sess.rw != nil {
			msg = sess.rw.onBackend(msg)
		}
		cw.mu.Lock()
		cw.appendMsg(msg)
		if sess.fe.ReadBufferLen() == 0 || len(cw.buf) >= flushThreshold {
			err = cw.flush()
		}
		cw.mu.Unlock()
		if err != nil {
			if !sess.isClosing() {
				sess.log.Debug("write to client failed", zap.Error(err))
			}
			return
		}
		if closeAfter {
			sess.terminate(fatalf(codeAdminShutdown, "", "terminating connection because the proxy is shutting down"))
			return
		}
	}
}

// fromUpstream is what the proxy does to every upstream message, in the
// startup burst and in the relay alike: it swaps BackendKeyData for the
// client's own key, and notes a FATAL or PANIC (the upstream will close).
func (sess *session) fromUpstream(msg pgproto3.BackendMessage) pgproto3.BackendMessage {
	switch m := msg.(type) {
	case *pgproto3.BackendKeyData:
		k := sess.srv.keys.register(sess, m)
		return &k
	case *pgproto3.ErrorResponse:
		if m.Severity == "FATAL" || m.Severity == "PANIC" {
			sess.upstreamFatal = true
		}
	}
	return msg
}

// clientReadFailed handles a failed read of a client message: a protocol
// fault gets a FATAL 08P01 and is counted; a client that went away is
// normal, unless it left a message half sent.
func (sess *session) clientReadFailed(err error) {
	if sess.isClosing() {
		return
	}
	kind, msg, fault := classifyClientErr(err, sess.srv.cfg.MaxMessageSize)
	if fault {
		sess.srv.m.ProtocolErrors.WithLabelValues(kind).Inc()
		sess.log.Info("protocol violation by client; closing", zap.String("kind", kind), zap.Error(err))
		_ = sess.cw.send(fatalf(codeProtocolViolation, "", "%s", msg))
		return
	}
	if errors.Is(err, io.ErrUnexpectedEOF) && sess.clientIn != nil && sess.clientIn.n > sess.clientUsed {
		sess.srv.m.ProtocolErrors.WithLabelValues(kindUnexpectedEOF).Inc()
		sess.log.Info("client vanished in the middle of a message", zap.Int64("partial_bytes", sess.clientIn.n-sess.clientUsed))
		return
	}
	sess.log.Debug("client disconnected", zap.Error(err))
}

// upstreamReadFailed handles the upstream going away or talking nonsense.
// Unless it said why (FATAL) or we closed it, the client is told: 08006 for
// a lost connection, 08P01 for an invalid message.
func (sess *session) upstreamReadFailed(err error) {
	if sess.isClosing() {
		return
	}
	if sess.upstreamFatal && isNormalClose(err) {
		sess.log.Debug("upstream closed the connection after FATAL")
		return
	}
	sess.srv.m.ProtocolErrors.WithLabelValues(kindUpstream).Inc()
	sess.log.Warn("upstream connection lost", zap.Error(err))
	if isNormalClose(err) {
		_ = sess.cw.send(fatalf(codeConnectionFailure, "",
			"softdelete-proxy lost the connection to upstream PostgreSQL at %s: %v", sess.srv.cfg.Upstream, err))
		return
	}
	_ = sess.cw.send(fatalf(codeProtocolViolation, "",
		"softdelete-proxy received an invalid message from upstream PostgreSQL at %s: %v", sess.srv.cfg.Upstream, err))
}
