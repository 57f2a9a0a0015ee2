package proxy

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/tracker"
	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
)

// session is one client connection and its own upstream connection.
type session struct {
	srv      *Server
	id       uint64
	log      *zap.Logger
	started  time.Time
	client   net.Conn // the client socket, a *tls.Conn once TLS is up
	upstream net.Conn

	fromClient   *wire.Reader // client frames
	fromUpstream *wire.Reader // upstream frames
	toClient     *wire.Writer
	toUpstream   *wire.Writer

	startup   *pgproto3.StartupMessage
	clientTLS bool

	// Keys are set under srv.keys.mu by cancelKeys.register.
	clientKey   pgproto3.BackendKeyData
	upstreamKey pgproto3.BackendKeyData

	// clientIn counts plaintext bytes read from the client since the relay
	// began; clientUsed the bytes of whole frames taken. Both belong to the
	// client loop. A difference at EOF means the client vanished
	// mid-message.
	clientIn   *countingConn
	clientUsed int64

	// tr follows the protocol: what awaits an answer, the settings and
	// statements in force, the rewrite of each statement.
	tr *tracker.Session

	// terminated: the client's Terminate went upstream, so close does not
	// send another.
	terminated atomic.Bool

	mu       sync.Mutex
	relaying bool // authentication is over
	closing  bool // the session is ending: its sockets' errors are expected
	// ls is the session on an event loop (loop.go), nil on goroutines.
	ls *loopSession

	closeOnce  sync.Once
	finishOnce sync.Once
}

func (s *Server) newSession(conn net.Conn) *session {
	id := s.nextID.Add(1)
	sess := &session{
		srv:      s,
		id:       id,
		started:  time.Now(),
		client:   conn,
		toClient: wire.NewWriter(conn),
		log:      s.log.With(zap.Uint64("conn_id", id), zap.String("client_addr", conn.RemoteAddr().String())),
	}
	if !s.addSession(sess) {
		return nil
	}
	return sess
}

// run drives the session from the first byte: the handshake, then the
// relay on an event loop (which finishes the session when it ends) or on
// goroutines.
func (sess *session) run() {
	m := sess.srv.m
	m.ClientConnections.Inc()
	m.ClientConnectionsTotal.Inc()
	if !sess.handshake() {
		sess.finish()
		return
	}
	sess.log.Debug("session started")
	if sess.handToLoop() {
		return
	}
	sess.relay()
	sess.finish()
}

// finish ends the session once: sockets closed, counted, forgotten by the
// server (whose Shutdown waits for it).
func (sess *session) finish() {
	sess.finishOnce.Do(func() {
		sess.mu.Lock()
		onLoop := sess.ls != nil
		sess.mu.Unlock()
		if !onLoop {
			sess.close()
		}
		sess.log.Debug("session ended", zap.Duration("duration", time.Since(sess.started)))
		sess.srv.m.ClientConnections.Dec()
		sess.srv.removeSession(sess)
		sess.srv.wg.Done()
	})
}

// onLoop runs fn on the session's event loop and reports true, or reports
// false when the session is on goroutines.
func (sess *session) onLoop(fn func(*loopSession)) bool {
	sess.mu.Lock()
	ls := sess.ls
	sess.mu.Unlock()
	if ls == nil {
		return false
	}
	ls.l.post(func() { fn(ls) })
	return true
}

// idle reports whether the session can be closed without cutting off
// anything: still in its handshake, or between transactions with nothing
// unanswered.
func (sess *session) idle() bool {
	sess.mu.Lock()
	relaying := sess.relaying
	sess.mu.Unlock()
	return !relaying || sess.tr == nil || sess.tr.Idle()
}

// closeIfIdle is called when draining starts: sessions still in their
// handshake or idle between transactions are closed now, the others when
// their next ReadyForQuery says they are idle.
func (sess *session) closeIfIdle() {
	if sess.idle() {
		sess.terminate(shuttingDown())
	}
}

func shuttingDown() *pgproto3.ErrorResponse {
	return fatalf(codeAdminShutdown, "", "terminating connection because the proxy is shutting down")
}

// terminate tells the client why, if it can without waiting (a client that
// stopped reading must not hold anyone up), and closes.
func (sess *session) terminate(reason *pgproto3.ErrorResponse) {
	if sess.onLoop(func(ls *loopSession) { ls.terminate(reason) }) {
		return
	}
	relaying := sess.markClosing()
	if relaying && reason != nil {
		_ = sess.client.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
		sess.toClient.TrySend(reason)
	}
	sess.close()
}

// markClosing notes that the session is ending, and reports whether the
// relay had begun.
func (sess *session) markClosing() bool {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	sess.closing = true
	return sess.relaying
}

// close closes both sockets exactly once, saying Terminate to the upstream
// (unless the client said it) so its backend ends cleanly.
func (sess *session) close() {
	if sess.onLoop(func(ls *loopSession) { ls.close() }) {
		return
	}
	sess.closeOnce.Do(func() {
		sess.release()
		if sess.upstream != nil {
			if !sess.terminated.Load() {
				_ = sess.upstream.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
				sess.toUpstream.TrySend(&pgproto3.Terminate{})
			}
			sess.upstream.Close()
		}
		sess.client.Close()
	})
}

// release is what ending a session means beyond its sockets: no one waits
// on its tracker, its cancel key is gone.
func (sess *session) release() {
	sess.markClosing()
	if sess.tr != nil {
		sess.tr.Close()
	}
	sess.srv.keys.unregister(sess)
}

func (sess *session) isClosing() bool {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.closing
}
