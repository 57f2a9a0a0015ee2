package proxy

import (
	"errors"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/tracker"
	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
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

// clientLoop relays client frames upstream. Frames the tracker does not
// need go as received; a Query or Parse may be replaced by its rewrite.
// The buffer is flushed whenever nothing more is buffered from the client,
// so each frame reaches the server when the client sent it, and a pipeline
// that arrived in one read leaves in one write.
func (sess *session) clientLoop() {
	w := sess.toUpstream
	for {
		if !sess.fromClient.HasFrame() && !sess.flushUpstream() {
			return
		}
		if typ, n, err := sess.fromClient.PeekHeader(); err == nil && (typ == 'Q' || typ == 'P') && n > sess.srv.cfg.MaxMessageSize {
			sess.protocolFault(kindTooLarge, &wire.TooLargeError{Type: typ, Len: n, Max: sess.srv.cfg.MaxMessageSize})
			return
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

// relayClientFrame sends one client frame upstream, through the tracker
// when it must see it. It reports whether the relay goes on.
func (sess *session) relayClientFrame(f wire.Frame) bool {
	w := sess.toUpstream
	if f.Partial && (f.Type == 'Q' || f.Type == 'P') {
		var err error
		if f, err = sess.fromClient.Rest(); err != nil {
			sess.clientReadFailed(err)
			return false
		}
	}
	var step tracker.Step
	if tracker.NeedsFrontend(f.Type) {
		var err error
		if step, err = sess.frontend(f); err != nil {
			if !errors.Is(err, errClosing) {
				sess.protocolFault(kindBadMessage, err)
			}
			return false
		}
	}
	w.Lock()
	defer w.Unlock()
	if step.Send != nil {
		w.Append(step.Send)
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

var errClosing = errors.New("session closing")

// frontend hands a frame to the tracker, sending what it puts ahead and
// waiting when it asks to.
func (sess *session) frontend(f wire.Frame) (tracker.Step, error) {
	for {
		step, err := sess.tr.Frontend(f)
		if err != nil {
			return step, err
		}
		if step.Before != nil {
			w := sess.toUpstream
			w.Lock()
			w.Append(step.Before)
			w.Unlock()
		}
		if step.Wait == nil {
			return step, nil
		}
		if !sess.flushUpstream() {
			return step, errClosing
		}
		<-step.Wait
		if sess.isClosing() {
			return step, errClosing
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

// serverLoop relays upstream frames to the client: the cancel key is the
// proxy's own, tags and refusals are mapped by the tracker, the replies to
// the proxy's own queries are dropped. It flushes whenever nothing more is
// buffered from the upstream, so a result set goes out in large writes and
// complete rows never wait for the server's next packet.
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

// backendTypes are the frame types a server sends after authentication.
var backendTypes = func() (t [256]bool) {
	for _, c := range []byte("123ACDEGHIKNRSTVWZcdnstv") {
		t[c] = true
	}
	return t
}()

// relayServerFrame sends one upstream frame to the client. closeAfter says
// the proxy is draining and the session just became idle.
func (sess *session) relayServerFrame(f wire.Frame) (closeAfter, ok bool) {
	if !backendTypes[f.Type] {
		sess.upstreamReadFailed(fmt.Errorf("unknown message type %q", f.Type))
		return false, false
	}
	if f.Partial && (tracker.NeedsBackend(f.Type) || sess.tr.Swallowing() || f.Type == 'K') {
		var err error
		if f, err = sess.fromUpstream.Rest(); err != nil {
			sess.upstreamReadFailed(err)
			return false, false
		}
	}
	out := f.Raw
	switch {
	case f.Type == 'K':
		out = sess.swapKey(f)
	case tracker.NeedsBackend(f.Type) || sess.tr.Swallowing():
		reply, err := sess.tr.Backend(f)
		if err != nil {
			sess.upstreamFault(err)
			return false, false
		}
		// The ReadyForQuery of the proxy's own probe counts too: a session
		// that never ran a query becomes idle with it.
		if f.Type == 'Z' && sess.srv.isDraining() && sess.tr.Idle() {
			closeAfter = true
		}
		if reply.Drop {
			return closeAfter, true
		}
		if reply.Send != nil {
			out = reply.Send
		}
	}
	w := sess.toClient
	w.Lock()
	defer w.Unlock()
	w.Append(out)
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

// swapKey replaces the server's BackendKeyData with the client's own.
func (sess *session) swapKey(f wire.Frame) []byte {
	var k pgproto3.BackendKeyData
	if err := k.Decode(f.Body()); err != nil {
		return f.Raw // the client will see the server's nonsense as it is
	}
	mine := sess.srv.keys.register(sess, &k)
	buf, _ := mine.Encode(nil)
	return buf
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

// protocolFault ends the session for a client's protocol violation.
func (sess *session) protocolFault(kind string, err error) {
	sess.srv.m.ProtocolErrors.WithLabelValues(kind).Inc()
	sess.log.Info("protocol violation by client; closing", zap.String("kind", kind), zap.Error(err))
	msg := err.Error()
	if kind == kindTooLarge {
		msg += " (the proxy's max_message_size)"
	}
	if kind == kindBadMessage {
		msg = "invalid frontend message: " + msg
	}
	sess.markClosing()
	_ = sess.toClient.Send(fatalf(codeProtocolViolation, "", "%s", msg))
}

// upstreamReadFailed handles the upstream going away or talking nonsense.
// Unless it said why (FATAL) or we are closing, the client is told: 08006
// for a lost connection, 08P01 for an invalid frame.
func (sess *session) upstreamReadFailed(err error) {
	if sess.isClosing() {
		return
	}
	if sess.tr != nil && sess.tr.UpstreamFatal() && isNormalClose(err) {
		sess.log.Debug("upstream closed the connection after FATAL")
		return
	}
	sess.srv.m.ProtocolErrors.WithLabelValues(kindUpstream).Inc()
	sess.log.Warn("upstream connection lost", zap.Error(err))
	sess.markClosing()
	if isNormalClose(err) {
		_ = sess.toClient.Send(fatalf(codeConnectionFailure, "",
			"softdelete-proxy lost the connection to upstream PostgreSQL at %s: %v", sess.srv.cfg.Upstream, err))
		return
	}
	_ = sess.toClient.Send(fatalf(codeProtocolViolation, "",
		"softdelete-proxy received an invalid message from upstream PostgreSQL at %s: %v", sess.srv.cfg.Upstream, err))
}

// upstreamFault ends the session when the upstream's replies make no sense
// to the tracker.
func (sess *session) upstreamFault(err error) {
	sess.srv.m.ProtocolErrors.WithLabelValues(kindUpstream).Inc()
	sess.log.Error("closing the session: the proxy cannot follow the upstream's replies", zap.Error(err))
	sess.markClosing()
	_ = sess.toClient.Send(fatalf(codeProtocolViolation,
		"The session was closed to keep soft-delete rewriting safe. Please report this with the proxy's log.",
		"%v", err))
}
