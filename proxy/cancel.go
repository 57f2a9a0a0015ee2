package proxy

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"
)

// cancelKeys maps the keys the proxy hands to clients to their sessions.
// Clients never see the upstream's secret: a CancelRequest must carry the
// proxy's secret, and is forwarded only to that client's own backend.
type cancelKeys struct {
	mu   sync.Mutex
	byID map[uint32]*session
}

func newCancelKeys() cancelKeys { return cancelKeys{byID: make(map[uint32]*session)} }

// register records the upstream's key for sess and gives it a key for the
// client: the backend's real process id (so pg_backend_pid(), NOTIFY sender
// ids and server logs agree with what the driver was told) with a fresh
// random secret of the proxy's own, as long as the upstream's (4 bytes in
// protocol 3.0, up to 256 in 3.2). The upstream's secret never leaves the
// proxy. If that pid is already registered (one upstream cannot have two
// live backends with one pid, but be safe), a random unused pid is used.
func (k *cancelKeys) register(sess *session, upstream *pgproto3.BackendKeyData) pgproto3.BackendKeyData {
	secretLen := len(upstream.SecretKey)
	if secretLen < 4 || secretLen > 256 {
		secretLen = 4
	}
	secret := make([]byte, secretLen)
	_, _ = rand.Read(secret)
	k.mu.Lock()
	defer k.mu.Unlock()
	pid := upstream.ProcessID
	for _, taken := k.byID[pid]; taken || pid == 0; _, taken = k.byID[pid] {
		var b [4]byte
		_, _ = rand.Read(b[:])
		pid = binary.BigEndian.Uint32(b[:]) & 0x7fffffff // a positive int32, like a real pid
	}
	sess.upstreamKey = pgproto3.BackendKeyData{ProcessID: upstream.ProcessID, SecretKey: append([]byte(nil), upstream.SecretKey...)}
	sess.clientKey = pgproto3.BackendKeyData{ProcessID: pid, SecretKey: secret}
	k.byID[pid] = sess
	return sess.clientKey
}

func (k *cancelKeys) unregister(sess *session) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if pid := sess.clientKey.ProcessID; pid != 0 && k.byID[pid] == sess {
		delete(k.byID, pid)
	}
}

// lookup returns the session whose key matches, comparing secrets in
// constant time.
func (k *cancelKeys) lookup(req *pgproto3.CancelRequest) (*session, pgproto3.BackendKeyData) {
	k.mu.Lock()
	defer k.mu.Unlock()
	sess := k.byID[req.ProcessID]
	if sess == nil {
		return nil, pgproto3.BackendKeyData{}
	}
	want := sess.clientKey.SecretKey
	if len(want) != len(req.SecretKey) || subtle.ConstantTimeCompare(want, req.SecretKey) != 1 {
		return nil, pgproto3.BackendKeyData{}
	}
	return sess, sess.upstreamKey
}

// handleCancel forwards a CancelRequest on a fresh upstream connection to
// the backend of the session it names. Unknown keys are dropped silently,
// as PostgreSQL does.
func (s *Server) handleCancel(req *pgproto3.CancelRequest, log *zap.Logger) {
	target, up := s.keys.lookup(req)
	if target == nil {
		s.m.CancelRequests.WithLabelValues("unknown_key").Inc()
		log.Debug("cancel request with unknown key dropped", zap.Uint32("pid", req.ProcessID))
		return
	}
	conn, err := s.dialUpstream(false)
	if err != nil {
		s.m.CancelRequests.WithLabelValues("error").Inc()
		log.Warn("cannot forward cancel request", zap.Error(err), zap.Uint64("target_conn_id", target.id))
		return
	}
	defer conn.Close()
	buf, err := (&pgproto3.CancelRequest{ProcessID: up.ProcessID, SecretKey: up.SecretKey}).Encode(nil)
	if err == nil {
		_, err = conn.Write(buf)
	}
	if err != nil {
		s.m.CancelRequests.WithLabelValues("error").Inc()
		log.Warn("cannot forward cancel request", zap.Error(err))
		return
	}
	// PostgreSQL closes the connection after reading the request; wait for
	// that so the cancel has arrived before we return.
	_, _ = conn.Read(make([]byte, 1))
	s.m.CancelRequests.WithLabelValues("forwarded").Inc()
	log.Debug("cancel request forwarded", zap.Uint64("target_conn_id", target.id))
}
