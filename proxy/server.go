package proxy

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/tracker"
)

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("proxy: server closed")

// Server accepts client connections and relays each to its own upstream
// PostgreSQL connection.
type Server struct {
	cfg Config
	log *zap.Logger
	m   *Metrics

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	sessions  map[*session]struct{}

	keys      cancelKeys
	databases *tracker.Databases // what the policy means in each database
	loops     loops              // event loops for plain sessions (loop.go)
	nextID    atomic.Uint64
	wg        sync.WaitGroup
	drained   chan struct{} // closed (under mu) when draining starts
}

// New returns a Server for cfg. Zero fields of cfg get their defaults.
func New(cfg Config) *Server {
	c := cfg.withDefaults()
	return &Server{
		cfg:       c,
		log:       c.Logger,
		m:         c.Metrics,
		listeners: make(map[net.Listener]struct{}),
		sessions:  make(map[*session]struct{}),
		keys:      newCancelKeys(),
		databases: tracker.NewDatabases(c.Logger),
		loops:     loops{count: c.EventLoops},
		drained:   make(chan struct{}),
	}
}

// Serve accepts connections on ln until Shutdown. It always returns a
// non-nil error: ErrServerClosed after Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	if !s.trackListener(ln, true) {
		ln.Close()
		return ErrServerClosed
	}
	defer s.trackListener(ln, false)
	var backoff time.Duration
	for {
		conn, err := ln.Accept()
		if err != nil {
			if s.isDraining() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporaryAccept(err) {
				backoff = nextBackoff(backoff)
				s.log.Warn("accept failed; retrying", zap.Error(err), zap.Duration("retry_in", backoff))
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		sess := s.newSession(conn)
		if sess == nil {
			conn.Close()
			continue
		}
		s.wg.Add(1) // sess.finish says Done, on its goroutine or its event loop
		go sess.run()
	}
}

func (s *Server) trackListener(ln net.Listener, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.isDraining() {
			return false
		}
		s.listeners[ln] = struct{}{}
		return true
	}
	delete(s.listeners, ln)
	return true
}

// Shutdown stops accepting, closes sessions as soon as they are idle (not
// inside a transaction, no query running), and waits for them until ctx is
// done; then it closes the rest with FATAL 57P01 and waits for their
// goroutines. It returns ctx.Err() if sessions had to be cut off.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	if !s.isDraining() {
		close(s.drained)
		for ln := range s.listeners {
			ln.Close()
		}
	}
	sessions := make([]*session, 0, len(s.sessions))
	for sess := range s.sessions {
		sessions = append(sessions, sess)
	}
	s.mu.Unlock()
	for _, sess := range sessions {
		sess.closeIfIdle()
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		s.loops.stop()
		return nil
	case <-ctx.Done():
	}
	s.mu.Lock()
	for sess := range s.sessions {
		go sess.terminate(fatalf(codeAdminShutdown, "", "terminating connection because the proxy is shutting down"))
	}
	s.mu.Unlock()
	<-done
	s.loops.stop()
	return ctx.Err()
}

// isDraining reports whether Shutdown has begun. It takes no lock: the
// relay checks it at every ReadyForQuery.
func (s *Server) isDraining() bool {
	select {
	case <-s.drained:
		return true
	default:
		return false
	}
}

// Sessions returns the number of open client sessions.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sessions)
}

func (s *Server) addSession(sess *session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.isDraining() {
		return false
	}
	s.sessions[sess] = struct{}{}
	return true
}

func (s *Server) removeSession(sess *session) {
	s.mu.Lock()
	delete(s.sessions, sess)
	s.mu.Unlock()
}

func nextBackoff(d time.Duration) time.Duration {
	if d == 0 {
		return 5 * time.Millisecond
	}
	if d *= 2; d > time.Second {
		d = time.Second
	}
	return d
}
