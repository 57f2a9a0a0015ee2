//go:build linux

package proxy

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
	"golang.org/x/sys/unix"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
)

// Backpressure: a side stops being read while the other side has this much
// unwritten, and is read again once it is down to lowWater.
const (
	highWater = 256 << 10
	lowWater  = 64 << 10
)

// loopSide is one socket of a loop session.
type loopSide struct {
	ls     *loopSession
	fd     int
	in     *wire.Reader
	out    []byte // to write; out[:sent] is written already
	sent   int
	events uint32 // registered epoll interest
	// streaming: a Partial frame read from this side is being streamed to
	// the other.
	streaming bool
}

// pending is what is left to write.
func (s *loopSide) pending() int { return len(s.out) - s.sent }

// loopSession is a session on an event loop, after authentication.
type loopSession struct {
	sess             *session
	l                *loop
	client, upstream loopSide
	// waiting is a client frame the tracker holds until waitCh closes.
	waiting    wire.Frame
	waitCh     <-chan struct{} // nil when no frame waits
	closeAfter bool            // close once the client's output is written
	closed     bool
}

// fdSource reads a non-blocking socket for wire.Reader, counting bytes.
type fdSource struct {
	fd    int
	count prometheus.Counter
	n     *int64
}

func (s *fdSource) Read(p []byte) (int, error) {
	for {
		n, err := unix.Read(s.fd, p)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, wire.ErrWouldBlock
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		s.count.Add(float64(n))
		if s.n != nil {
			*s.n += int64(n)
		}
		return n, nil
	}
}

// handToLoop moves an authenticated plain session onto an event loop. It
// reports false when the session must stay on goroutines (TLS, no loop).
func (sess *session) handToLoop() bool {
	l := sess.srv.loops.pick(sess.log)
	if l == nil {
		return false
	}
	cfd, ok := dupFD(sess.client)
	if !ok {
		return false
	}
	ufd, ok := dupFD(sess.upstream)
	if !ok {
		unix.Close(cfd)
		return false
	}
	ls := &loopSession{sess: sess, l: l}
	ls.client = loopSide{ls: ls, fd: cfd, in: sess.fromClient}
	ls.upstream = loopSide{ls: ls, fd: ufd, in: sess.fromUpstream}
	sess.fromClient.SetSource(&fdSource{fd: cfd, count: sess.srv.m.BytesClientToUpstream, n: &sess.clientIn.n})
	sess.fromUpstream.SetSource(&fdSource{fd: ufd, count: sess.srv.m.BytesUpstreamToClient})
	// The duplicates carry the sockets; the net.Conns go (and leave Go's
	// poller), their buffers already drained into the readers.
	sess.client.Close()
	sess.upstream.Close()
	sess.mu.Lock()
	sess.ls = ls
	sess.mu.Unlock()
	sess.log.Debug("session on event loop")
	if !l.post(ls.start) {
		ls.closeFDs()
		return false
	}
	return true
}

// dupFD duplicates the socket of a plain TCP or Unix connection.
func dupFD(c net.Conn) (int, bool) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return -1, false // a *tls.Conn
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1, false
	}
	fd := -1
	if cerr := raw.Control(func(s uintptr) {
		fd, err = unix.FcntlInt(s, unix.F_DUPFD_CLOEXEC, 0)
	}); cerr != nil || err != nil {
		return -1, false
	}
	return fd, true
}

// start runs on the loop: it serves what the readers hold already, then
// waits for the sockets.
func (ls *loopSession) start() {
	ls.serve()
}

// ready handles epoll events of one side.
func (ls *loopSession) ready(s *loopSide, events uint32) {
	if events&unix.EPOLLOUT != 0 {
		ls.flush(s)
	}
	if events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR|unix.EPOLLRDHUP) != 0 && !ls.closed {
		if _, err := s.in.ReadOnce(); err != nil && !errors.Is(err, wire.ErrWouldBlock) {
			ls.readFailed(s, err)
			return
		}
	}
	ls.serve()
}

// serve takes every whole frame buffered on both sides, writes, and sets
// what to wait for next.
func (ls *loopSession) serve() {
	for progress := true; progress && !ls.closed; {
		progress = ls.pumpServer()
		if ls.closed {
			return
		}
		progress = ls.pumpClient() || progress
	}
	if ls.closed {
		return
	}
	ls.flush(&ls.upstream)
	ls.flush(&ls.client)
	if ls.closeAfter && ls.client.pending() == 0 {
		ls.close()
		return
	}
	ls.interest()
}

// interest registers what each socket waits for: readable unless held
// back (the other side's output is full, or a frame waits for the
// tracker), writable while output is pending.
func (ls *loopSession) interest() {
	c, u := uint32(0), uint32(0)
	if ls.waitCh == nil && ls.upstream.pending() < highWater && !ls.closeAfter {
		c |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if ls.client.pending() > 0 {
		c |= unix.EPOLLOUT
	}
	if ls.client.pending() < highWater && !ls.closeAfter {
		u |= unix.EPOLLIN | unix.EPOLLRDHUP
	}
	if ls.upstream.pending() > 0 {
		u |= unix.EPOLLOUT
	}
	for _, w := range []struct {
		s  *loopSide
		ev uint32
	}{{&ls.client, c}, {&ls.upstream, u}} {
		if w.ev == 0 {
			w.ev = unix.EPOLLRDHUP // stay registered (errors, hang-ups)
		}
		if err := ls.l.watch(w.s, w.ev); err != nil {
			ls.sess.log.Warn("event loop cannot watch a socket; closing the session", zap.Error(err))
			ls.close()
			return
		}
	}
}

// pumpClient takes the client's buffered frames. It reports progress.
func (ls *loopSession) pumpClient() bool {
	r := ls.client.in
	sess := ls.sess
	progress := false
	for !ls.closed && ls.upstream.pending() < highWater {
		switch {
		case ls.waitCh != nil:
			if !isClosedChan(ls.waitCh) {
				return progress
			}
			f := ls.waiting
			ls.waiting, ls.waitCh = wire.Frame{}, nil
			if !ls.clientFrame(f) {
				return true
			}
		case ls.client.streaming:
			done, err := r.StreamBuffered(func(p []byte) error {
				sess.clientUsed += int64(len(p))
				ls.upstream.out = append(ls.upstream.out, p...)
				return nil
			})
			if err != nil || !done {
				return progress
			}
			ls.client.streaming = false
		case r.WholeBuffered():
			f, err := r.Rest()
			if err != nil {
				ls.readFailed(&ls.client, err)
				return true
			}
			if !ls.clientFrame(f) {
				return true
			}
		case ls.tooLarge(r):
			return true
		case !r.HasFrame() || inPartialWhole(r):
			return progress
		default:
			if !ls.nextClientFrame() {
				return true
			}
		}
		progress = true
	}
	return progress
}

// tooLarge refuses a Query or Parse above max_message_size as soon as its
// header is there.
func (ls *loopSession) tooLarge(r *wire.Reader) bool {
	typ, n, ok := r.BufferedHeader()
	if !ok {
		return false
	}
	if err := ls.sess.tooLarge(typ, n); err != nil {
		ls.fault(kindTooLarge, err)
		return true
	}
	return false
}

// inPartialWhole reports a Partial frame waiting to be whole.
func inPartialWhole(r *wire.Reader) bool { return r.WantsWhole() }

// nextClientFrame takes the next buffered client frame; false ends the
// pump (the session closes or a frame waits).
func (ls *loopSession) nextClientFrame() bool {
	r := ls.client.in
	sess := ls.sess
	f, err := r.Next()
	if err != nil {
		ls.readFailed(&ls.client, err)
		return false
	}
	if f.Type == 'X' {
		sess.markClosing() // the upstream's EOF that follows is expected
		sess.terminated.Store(true)
		ls.upstream.out = append(ls.upstream.out, f.Raw...)
		ls.flush(&ls.upstream)
		sess.log.Debug("client sent Terminate")
		ls.close()
		return false
	}
	if f.Partial && clientFrameWhole(f) {
		r.WantWhole()
		return true
	}
	return ls.clientFrame(f)
}

// clientFrame sends a whole (or Partial, streamed) client frame upstream,
// or holds it while the tracker says wait.
func (ls *loopSession) clientFrame(f wire.Frame) bool {
	sess := ls.sess
	before, out, wait, err := sess.clientFrameOut(f)
	if err != nil {
		ls.fault(kindBadMessage, err)
		return false
	}
	ls.upstream.out = append(ls.upstream.out, before...)
	if wait != nil {
		ls.waiting, ls.waitCh = f, wait
		return false
	}
	if out == nil {
		out = f.Raw
	}
	ls.upstream.out = append(ls.upstream.out, out...)
	sess.clientUsed += int64(len(f.Raw))
	if f.Partial {
		ls.client.streaming = true
	}
	return true
}

// pumpServer takes the upstream's buffered frames. It reports progress.
func (ls *loopSession) pumpServer() bool {
	r := ls.upstream.in
	progress := false
	for !ls.closed && !ls.closeAfter && ls.client.pending() < highWater {
		switch {
		case ls.upstream.streaming:
			done, err := r.StreamBuffered(func(p []byte) error {
				ls.client.out = append(ls.client.out, p...)
				return nil
			})
			if err != nil || !done {
				return progress
			}
			ls.upstream.streaming = false
		case r.WholeBuffered():
			f, err := r.Rest()
			if err != nil {
				ls.readFailed(&ls.upstream, err)
				return true
			}
			ls.serverFrame(f)
		case !r.HasFrame() || inPartialWhole(r):
			return progress
		default:
			f, err := r.Next()
			if err != nil {
				ls.readFailed(&ls.upstream, err)
				return true
			}
			if f.Partial && ls.sess.serverFrameWhole(f) {
				r.WantWhole()
				continue
			}
			ls.serverFrame(f)
		}
		progress = true
	}
	return progress
}

// serverFrame sends a server frame to the client (or drops it).
func (ls *loopSession) serverFrame(f wire.Frame) {
	out, drop, closeAfter, err := ls.sess.serverFrameOut(f)
	if err != nil {
		ls.client.out = append(ls.client.out, encodeMsg(ls.sess.upstreamFaultReason(err))...)
		ls.closeAfter = true
		return
	}
	if !drop {
		if out == nil {
			out = f.Raw
		}
		ls.client.out = append(ls.client.out, out...)
		if f.Partial {
			ls.upstream.streaming = true
		}
	}
	if closeAfter {
		ls.sess.markClosing()
		ls.client.out = append(ls.client.out, encodeMsg(shuttingDown())...)
		ls.closeAfter = true
	}
}

// flush writes what is pending for one side, as much as it takes now.
func (ls *loopSession) flush(s *loopSide) {
	for s.sent < len(s.out) && !ls.closed {
		n, err := unix.Write(s.fd, s.out[s.sent:])
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return
		case err != nil:
			ls.writeFailed(s, err)
			return
		}
		s.sent += n
	}
	switch {
	case s.sent < len(s.out):
	case cap(s.out) > 4*highWater:
		s.out, s.sent = nil, 0 // give back a large result's buffer
	default:
		s.out, s.sent = s.out[:0], 0 // written: the same array again
	}
}

// readFailed ends the session after a failed read of one side, telling
// the client why when the upstream was lost.
func (ls *loopSession) readFailed(s *loopSide, err error) {
	sess := ls.sess
	if s == &ls.client {
		var tooBig *wire.TooLargeError
		var badLen *wire.BadLengthError
		switch {
		case errors.As(err, &tooBig):
			ls.fault(kindTooLarge, err)
			return
		case errors.As(err, &badLen):
			ls.fault(kindBadMessage, err)
			return
		}
		sess.clientReadFailed(err)
		ls.close()
		return
	}
	if reason := sess.upstreamLost(err); reason != nil {
		ls.client.out = append(ls.client.out, encodeMsg(reason)...)
		ls.flush(&ls.client)
	}
	ls.close()
}

func (ls *loopSession) writeFailed(s *loopSide, err error) {
	if s == &ls.client {
		ls.sess.clientWriteFailed(err)
	} else {
		ls.sess.upstreamWriteFailed(err)
	}
	ls.close()
}

// fault ends the session for a client's protocol violation.
func (ls *loopSession) fault(kind string, err error) {
	sess := ls.sess
	sess.srv.m.ProtocolErrors.WithLabelValues(kind).Inc()
	sess.log.Info("protocol violation by client; closing", zap.String("kind", kind), zap.Error(err))
	sess.markClosing()
	ls.client.out = append(ls.client.out, encodeMsg(fatalf(codeProtocolViolation, "", "%s", faultMessage(kind, err)))...)
	ls.flush(&ls.client)
	ls.close()
}

// terminate tells the client why (if its socket takes it now) and closes.
func (ls *loopSession) terminate(reason *pgproto3.ErrorResponse) {
	if ls.closed {
		return
	}
	ls.sess.markClosing()
	if reason != nil {
		ls.client.out = append(ls.client.out, encodeMsg(reason)...)
		ls.flush(&ls.client)
	}
	ls.close()
}

// close ends the session on the loop: Terminate to the upstream, both
// sockets closed, the session finished.
func (ls *loopSession) close() {
	if ls.closed {
		return
	}
	ls.closed = true
	ls.sess.markClosing()
	_ = ls.l.watch(&ls.client, 0)
	_ = ls.l.watch(&ls.upstream, 0)
	if !ls.sess.terminated.Load() {
		_, _ = unix.Write(ls.upstream.fd, encodeMsg(&pgproto3.Terminate{}))
	}
	ls.closeFDs()
	ls.sess.closeOnce.Do(ls.sess.release)
	ls.sess.finish()
}

func (ls *loopSession) closeFDs() {
	unix.Close(ls.client.fd)
	unix.Close(ls.upstream.fd)
}

func encodeMsg(m pgproto3.Message) []byte {
	buf, _ := m.Encode(nil)
	return buf
}

func isClosedChan(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
