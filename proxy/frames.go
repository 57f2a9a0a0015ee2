package proxy

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/tracker"
	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
)

// What the proxy does with one frame, in either relay (relay.go, one
// goroutine per direction; loop.go, an event loop): the same decisions,
// only the I/O differs.

// clientFrameOut decides what goes upstream for a whole client frame:
// before goes first (the proxy's own queries), out replaces the frame when
// not nil. wait, when set, means the frame must wait: send before, and
// call again once wait is closed. An error is the client's protocol fault.
func (sess *session) clientFrameOut(f wire.Frame) (before, out []byte, wait <-chan struct{}, err error) {
	if !tracker.NeedsFrontend(f.Type) {
		return nil, nil, nil, nil
	}
	step, err := sess.tr.Frontend(f)
	return step.Before, step.Send, step.Wait, err
}

// backendTypes are the frame types a server sends after authentication.
var backendTypes = func() (t [256]bool) {
	for _, c := range []byte("123ACDEGHIKNRSTVWZcdnstv") {
		t[c] = true
	}
	return t
}()

// serverFrameOut decides what the client gets for a whole server frame:
// out replaces it when not nil, drop means nothing (a reply to the proxy's
// own query). closeAfter says the proxy is draining and the session just
// became idle. An error means the upstream's replies make no sense.
func (sess *session) serverFrameOut(f wire.Frame) (out []byte, drop, closeAfter bool, err error) {
	if !backendTypes[f.Type] {
		return nil, false, false, fmt.Errorf("unknown message type %q", f.Type)
	}
	if f.Type == 'K' {
		return sess.swapKey(f), false, false, nil
	}
	if !tracker.NeedsBackend(f.Type) && !sess.tr.Swallowing() {
		return nil, false, false, nil
	}
	reply, err := sess.tr.Backend(f)
	if err != nil {
		return nil, false, false, err
	}
	if f.Type == 'Z' && sess.srv.isDraining() && sess.tr.Idle() {
		closeAfter = true
	}
	return reply.Send, reply.Drop, closeAfter, nil
}

// serverFrameWhole reports whether a Partial server frame must be read
// whole before serverFrameOut (the proxy reads it) rather than streamed.
func (sess *session) serverFrameWhole(f wire.Frame) bool {
	return tracker.NeedsBackend(f.Type) || sess.tr.Swallowing() || f.Type == 'K' || !backendTypes[f.Type]
}

// clientFrameWhole reports whether a Partial client frame must be read
// whole: the proxy rewrites Query and Parse.
func clientFrameWhole(f wire.Frame) bool { return f.Type == 'Q' || f.Type == 'P' }

// swapKey replaces the server's BackendKeyData with the client's own.
func (sess *session) swapKey(f wire.Frame) []byte {
	var k pgproto3.BackendKeyData
	if err := k.Decode(f.Body()); err != nil {
		return nil // the client will see the server's nonsense as it is
	}
	mine := sess.srv.keys.register(sess, &k)
	buf, _ := mine.Encode(nil)
	return buf
}

// tooLarge reports a Query or Parse above max_message_size, from its header.
func (sess *session) tooLarge(typ byte, n int) error {
	if (typ == 'Q' || typ == 'P') && n > sess.srv.cfg.MaxMessageSize {
		return &wire.TooLargeError{Type: typ, Len: n, Max: sess.srv.cfg.MaxMessageSize}
	}
	return nil
}
