package proxy

import (
	"errors"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
)

// flushThreshold bounds how much the relay buffers before writing even
// though more input is already waiting.
const flushThreshold = 64 << 10

// relay runs the two directions, one goroutine each, until either side
// ends, then closes both. It serves sessions with TLS on a leg (the event
// loop of loop.go serves the others).
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

// clientLoop relays client frames upstream. The buffer is flushed whenever
// nothing more is buffered from the client, so each frame reaches the
// server when the client sent it, and a pipeline that arrived in one read
// leaves in one write.
func (sess *session) clientLoop() {
	w := sess.toUpstream
	for {
		if !sess.fromClient.HasFrame() && !sess.flushUpstream() {
			return
		}
		if typ, n, err := sess.fromClient.PeekHeader(); err == nil {
			if err := sess.tooLarge(typ, n); err != nil {
				sess.protocolFault(kindTooLarge, err)
				return
			}
		}
		f, err := sess.fromClient.Next()
		if err != nil {
			sess.clientReadFailed(err)
			return
		}
		if f.Type == 'X' {
			sess.markClosing() // the upstream's EOF that follows is expected
			sess.terminated.Store(true)
			w.Lock()
			w.Append(f.Raw)
			_ = w.Flush()
			w.Unlock()
			sess.log.Debug("client sent Terminate")
			return
		}
		if !sess.relayClientFrame(f) {
			return
		}
	}
}

// relayClientFrame sends one client frame upstream. It reports whether the
// relay goes on.
func (sess *session) relayClientFrame(f wire.Frame) bool {
	w := sess.toUpstream
	if f.Partial && clientFrameWhole(f) {
		var err error
		if f, err = sess.fromClient.Rest(); err != nil {
			sess.clientReadFailed(err)
			return false
		}
	}
	out, ok := sess.clientFrameWaiting(f)
	if !ok {
		return false
	}
	w.Lock()
	defer w.Unlock()
	if out != nil {
		w.Append(out)
	} else {
		w.Append(f.Raw)
	}
	sess.clientUsed += int64(len(f.Raw))
	if f.Partial {
		err := sess.fromClient.CopyRest(func(p []byte) error {
			sess.clientUsed += int64(len(p))
			return w.WriteThrough(p)
		})
		if err != nil {
			sess.upstreamWriteFailed(err)
			return false
		}
	}
	if w.Buffered() >= flushThreshold {
		if err := w.Flush(); err != nil {
			sess.upstreamWriteFailed(err)
			return false
		}
	}
	return true
}

// clientFrameWaiting is clientFrameOut, sending what goes ahead and
// blocking while the frame waits.
func (sess *session) clientFrameWaiting(f wire.Frame) ([]byte, bool) {
	for {
		before, out, wait, err := sess.clientFrameOut(f)
		if err != nil {
			sess.protocolFault(kindBadMessage, err)
			return nil, false
		}
		if before != nil {
			w := sess.toUpstream
			w.Lock()
			w.Append(before)
			w.Unlock()
		}
		if wait == nil {
			return out, true
		}
		if !sess.flushUpstream() {
			return nil, false
		}
		<-wait
		if sess.isClosing() {
			return nil, false
		}
	}
}

// flushUpstream writes what is buffered for the upstream.
func (sess *session) flushUpstream() bool {
	w := sess.toUpstream
	w.Lock()
	err := w.Flush()
	w.Unlock()
	if err != nil {
		sess.upstreamWriteFailed(err)
		return false
	}
	return true
}

func (sess *session) upstreamWriteFailed(err error) {
	if !sess.isClosing() {
		sess.log.Debug("write to upstream failed", zap.Error(err))
	}
}

// serverLoop relays upstream frames to the client. It flushes whenever
// nothing more is buffered from the upstream, so a result set goes out in
// large writes and complete rows never wait for the server's next packet.
func (sess *session) serverLoop() {
	for {
		if !sess.fromUpstream.HasFrame() && !sess.flushClient() {
			return
		}
		f, err := sess.fromUpstream.Next()
		if err != nil {
			sess.upstreamReadFailed(err)
			return
		}
		closeAfter, ok := sess.relayServerFrame(f)
		if !ok {
			return
		}
		if closeAfter {
			sess.flushClient()
			sess.terminate(shuttingDown())
			return
		}
	}
}

// relayServerFrame sends one upstream frame to the client.
func (sess *session) relayServerFrame(f wire.Frame) (closeAfter, ok bool) {
	if f.Partial && sess.serverFrameWhole(f) {
		var err error
		if f, err = sess.fromUpstream.Rest(); err != nil {
			sess.upstreamReadFailed(err)
			return false, false
		}
	}
	out, drop, closeAfter, err := sess.serverFrameOut(f)
	if err != nil {
		sess.upstreamFault(err)
		return false, false
	}
	if drop {
		return closeAfter, true // the ReadyForQuery of the proxy's own probe counts too
	}
	w := sess.toClient
	w.Lock()
	defer w.Unlock()
	if out != nil {
		w.Append(out)
	} else {
		w.Append(f.Raw)
	}
	if f.Partial {
		if err := sess.fromUpstream.CopyRest(w.WriteThrough); err != nil {
			sess.clientWriteFailed(err)
			return false, false
		}
	}
	if w.Buffered() >= flushThreshold {
		if err := w.Flush(); err != nil {
			sess.clientWriteFailed(err)
			return false, false
		}
	}
	return closeAfter, true
}

// flushClient writes what is buffered for the client.
func (sess *session) flushClient() bool {
	w := sess.toClient
	w.Lock()
	err := w.Flush()
	w.Unlock()
	if err != nil {
		sess.clientWriteFailed(err)
		return false
	}
	return true
}

func (sess *session) clientWriteFailed(err error) {
	if !sess.isClosing() {
		sess.log.Debug("write to client failed", zap.Error(err))
	}
}

// clientReadFailed handles a failed read of a client frame: a protocol
// fault gets a FATAL 08P01 and is counted; a client that went away is
// normal, unless it left a frame half sent.
func (sess *session) clientReadFailed(err error) {
	if sess.isClosing() {
		return
	}
	var tooBig *wire.TooLargeError
	var badLen *wire.BadLengthError
	switch {
	case errors.As(err, &tooBig):
		sess.protocolFault(kindTooLarge, err)
	case errors.As(err, &badLen):
		sess.protocolFault(kindBadMessage, err)
	case errors.Is(err, io.ErrUnexpectedEOF) && sess.clientIn != nil && sess.clientIn.n > sess.clientUsed:
		sess.srv.m.ProtocolErrors.WithLabelValues(kindUnexpectedEOF).Inc()
		sess.log.Info("client vanished in the middle of a message", zap.Int64("partial_bytes", sess.clientIn.n-sess.clientUsed))
	default:
		sess.log.Debug("client disconnected", zap.Error(err))
	}
}

// faultMessage is what a client is told about its protocol fault.
func faultMessage(kind string, err error) string {
	msg := err.Error()
	if kind == kindTooLarge {
		msg += " (the proxy's max_message_size)"
	}
	if kind == kindBadMessage {
		msg = "invalid frontend message: " + msg
	}
	return msg
}

// protocolFault ends the session for a client's protocol violation.
func (sess *session) protocolFault(kind string, err error) {
	sess.srv.m.ProtocolErrors.WithLabelValues(kind).Inc()
	sess.log.Info("protocol violation by client; closing", zap.String("kind", kind), zap.Error(err))
	sess.markClosing()
	_ = sess.toClient.Send(fatalf(codeProtocolViolation, "", "%s", faultMessage(kind, err)))
}

// upstreamReadFailed handles the upstream going away or talking nonsense.
// Unless it said why (FATAL) or we are closing, the client is told: 08006
// for a lost connection, 08P01 for an invalid frame.
func (sess *session) upstreamReadFailed(err error) {
	if reason := sess.upstreamLost(err); reason != nil {
		_ = sess.toClient.Send(reason)
	}
}

// upstreamLost logs and counts a failed upstream read and returns what the
// client must be told, nil when nothing (closing, or after a FATAL).
func (sess *session) upstreamLost(err error) *pgproto3.ErrorResponse {
	if sess.isClosing() {
		return nil
	}
	if sess.tr != nil && sess.tr.UpstreamFatal() && isNormalClose(err) {
		sess.log.Debug("upstream closed the connection after FATAL")
		return nil
	}
	sess.srv.m.ProtocolErrors.WithLabelValues(kindUpstream).Inc()
	sess.log.Warn("upstream connection lost", zap.Error(err))
	sess.markClosing()
	if isNormalClose(err) {
		return fatalf(codeConnectionFailure, "",
			"softdelete-proxy lost the connection to upstream PostgreSQL at %s: %v", sess.srv.cfg.Upstream, err)
	}
	return fatalf(codeProtocolViolation, "",
		"softdelete-proxy received an invalid message from upstream PostgreSQL at %s: %v", sess.srv.cfg.Upstream, err)
}

// upstreamFault ends the session when the upstream's replies make no sense
// to the tracker.
func (sess *session) upstreamFault(err error) {
	_ = sess.toClient.Send(sess.upstreamFaultReason(err))
}

func (sess *session) upstreamFaultReason(err error) *pgproto3.ErrorResponse {
	sess.srv.m.ProtocolErrors.WithLabelValues(kindUpstream).Inc()
	sess.log.Error("closing the session: the proxy cannot follow the upstream's replies", zap.Error(err))
	sess.markClosing()
	return fatalf(codeProtocolViolation,
		"The session was closed to keep soft-delete rewriting safe. Please report this with the proxy's log.",
		"%v", err)
}
