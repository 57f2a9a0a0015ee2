package proxy

import (
	"net"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"
)

// session is one client connection and its own upstream connection.
type session struct {
	srv      *Server
	id       uint64
	log      *zap.Logger
	started  time.Time
	client   net.Conn // the client socket, a *tls.Conn once TLS is up
	upstream net.Conn
	be       *pgproto3.Backend  // reads client messages
	fe       *pgproto3.Frontend // reads upstream messages
	cw       msgWriter          // writes to the client
	uw       msgWriter          // writes to the upstream

	startup   *pgproto3.StartupMessage
	clientTLS bool

	// Keys are set under srv.keys.mu by cancelKeys.register.
	clientKey   pgproto3.BackendKeyData
	upstreamKey pgproto3.BackendKeyData

	// clientIn counts plaintext bytes read from the client since the relay
	// began; clientUsed the bytes of whole messages relayed. Both belong to
	// the client loop. A difference at EOF means the client vanished
	// mid-message.
	clientIn   *countingConn
	clientUsed int64

	upstreamFatal bool // the upstream sent FATAL/PANIC (server loop only)

	rw *rwSession // nil: relay verbatim

	st        sessionState
	closeOnce sync.Once
}

// sessionState tracks whether a session is idle, so shutdown can close it
// between transactions instead of under a running query.
type sessionState struct {
	mu       sync.Mutex
	relaying bool // authentication is over
	pending  int  // requests (Query, Sync, FunctionCall) awaiting ReadyForQuery
	tx       byte // TxStatus of the last ReadyForQuery: 'I', 'T' or 'E'
	closing  bool
}

func (s *Server) newSession(conn net.Conn) *session {
	id := s.nextID.Add(1)
	sess := &session{
		srv:     s,
		id:      id,
		started: time.Now(),
		client:  conn,
		log:     s.log.With(zap.Uint64("conn_id", id), zap.String("client_addr", conn.RemoteAddr().String())),
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

// beginRequest counts a request that will end with ReadyForQuery. It fails
// once the session is closing.
func (sess *session) beginRequest() bool {
	sess.st.mu.Lock()
	defer sess.st.mu.Unlock()
	if sess.st.closing {
		return false
	}
	sess.st.pending++
	return true
}

// endRequest records a ReadyForQuery and reports whether the session should
// now be closed because the proxy is draining and the session is idle.
func (sess *session) endRequest(tx byte) bool {
	sess.st.mu.Lock()
	defer sess.st.mu.Unlock()
	if sess.st.pending > 0 {
		sess.st.pending--
	}
	sess.st.tx = tx
	if sess.st.pending == 0 && tx == 'I' && sess.srv.isDraining() {
		sess.st.closing = true
		return true
	}
	return false
}

// closeIfIdle is called when draining starts: sessions still in their
// handshake or idle between transactions are closed now, the others when
// their next ReadyForQuery says they are idle.
func (sess *session) closeIfIdle() {
	sess.st.mu.Lock()
	idle := !sess.st.relaying || (sess.st.pending == 0 && sess.st.tx == 'I')
	if idle {
		sess.st.closing = true
	}
	sess.st.mu.Unlock()
	if idle {
		sess.terminate(fatalf(codeAdminShutdown, "", "terminating connection because the proxy is shutting down"))
	}
}

// terminate tells the client why (best effort, bounded) and closes.
func (sess *session) terminate(reason *pgproto3.ErrorResponse) {
	sess.st.mu.Lock()
	sess.st.closing = true
	relaying := sess.st.relaying
	sess.st.mu.Unlock()
	if relaying && reason != nil {
		_ = sess.client.SetWriteDeadline(time.Now().Add(time.Second))
		_ = sess.cw.send(reason)
	}
	sess.close()
}

// close closes both sockets exactly once, saying Terminate to the upstream
// so its backend ends cleanly.
func (sess *session) close() {
	sess.closeOnce.Do(func() {
		sess.st.mu.Lock()
		sess.st.closing = true
		sess.st.mu.Unlock()
		if sess.upstream != nil {
			_ = sess.upstream.SetWriteDeadline(time.Now().Add(100 * time.Millisecond))
			_ = sess.uw.send(&pgproto3.Terminate{})
			sess.upstream.Close()
		}
		sess.client.Close()
		sess.srv.keys.unregister(sess)
	})
}

func (sess *session) isClosing() bool {
	sess.st.mu.Lock()
	defer sess.st.mu.Unlock()
	return sess.st.closing
}
