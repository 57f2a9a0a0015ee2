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

	closeOnce sync.Once
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

// run drives the session from the first byte to the close of both sockets.
func (sess *session) run() {
	m := sess.srv.m
	m.ClientConnections.Inc()
	m.ClientConnectionsTotal.Inc()
	defer m.ClientConnections.Dec()
	defer sess.srv.removeSession(sess)
	defer sess.close()
	if !sess.handshake() {
		return
	}
	sess.log.Debug("session started")
	sess.relay()
	sess.log.Debug("session ended", zap.Duration("duration", time.Since(sess.started)))
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
	sess.closeOnce.Do(func() {
		sess.markClosing()
		if sess.tr != nil {
			sess.tr.Close()
		}
		if sess.upstream != nil {
			if !sess.terminated.Load() {
				_ = sess.upstream.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
				sess.toUpstream.TrySend(&pgproto3.Terminate{})
			}
			sess.upstream.Close()
		}
		sess.client.Close()
		sess.srv.keys.unregister(sess)
	})
}

func (sess *session) isClosing() bool {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	return sess.closing
}
