package tracker

import (
	"strings"
	"sync"
	"sync/atomic"

	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// Policy is what the tracker applies to one session: the rewrite policy and
// the roles with special powers.
type Policy struct {
	Rewrite    *rewrite.Policy
	Bypass     []string // roles whose members' sessions are never rewritten
	HardDelete []string // roles whose members may DELETE for good in the trash view
	// Resolver, when set, says what the policy means in each database (its
	// partitions and children, its guard); see catalog.go.
	Resolver Resolver
	// Patterns says the policy has table patterns: it may manage tables
	// in a database though it names none, which only its Resolver knows.
	Patterns bool
}

// Managed reports whether the policy names any table (or may, by pattern).
func (p *Policy) Managed() bool {
	return p != nil && p.Rewrite != nil && (len(p.Rewrite.Tables) > 0 || p.Patterns)
}

// Env is what a Session needs from the proxy.
type Env struct {
	// Rewriter rewrites statements; nil relays every statement verbatim
	// (the session still tracks replies, for shutdown).
	Rewriter *rewrite.Rewriter
	// Policy returns the policy in force now; each statement is rewritten
	// under the policy current when it arrives.
	Policy  func() *Policy
	Log     *zap.Logger
	Metrics *Metrics
	// Database is the session's database; Databases, shared by the
	// proxy's sessions, keeps each database's resolved policy.
	Database  string
	Databases *Databases
}

// Session is the proxy's model of one server session: what the server will
// do with each client frame, what it answered, which settings and
// statements are in force. The relay's client loop calls Frontend, its
// server loop Backend; both may run at once.
type Session struct {
	env Env
	log *zap.Logger

	mu sync.Mutex
	// queue holds the client frames the server has yet to answer, oldest
	// first (see queue.go).
	queue    []*request
	queueBuf []*request // queue's backing array, reused when the queue empties
	free     []*request // recycled requests
	srv      serverState
	// open is the batch being sent (extended frames before their Sync).
	open *batch
	// barrier is the latest batch whose outcome may change what later batches
	// mean; later batches wait for it (see batch).
	barrier *batch

	conf *settings // as the server confirmed them
	pred *settings // as the server will have them when it reads the next frame
	// predStale: conf changed or pred predicted something since they were
	// last equal.
	predStale bool
	defs      definitions

	facts facts
	// factsGen counts what the probe learned; rs is the last rewrite input,
	// for rsFor at rsGen and rsFacts.
	factsGen uint64
	rs       rewrite.Session
	rsFor    *settings
	rsGen    uint64
	rsFacts  uint64
	res      resolution
	// lastVersion is the policy version of the last rewriteText.
	lastVersion uint64
	// finished counts the batches answered.
	finished uint64
	// catalogInTx: a catalog change in the open transaction, which its end
	// may undo; unsureCursor: a cursor whose FETCHes may change settings.
	catalogInTx, unsureCursor bool
	// swallow is set while the head of the queue is the proxy's own query:
	// the server loop drops its replies without taking the lock.
	swallow atomic.Bool
	// waiters are closed when the queue moves (a reply was processed).
	waiters []chan struct{}

	// startup: the server's first ReadyForQuery has not come yet.
	startup       bool
	upstreamFatal bool
	closed        bool
}

// New starts tracking a session that has just authenticated. start holds
// the tracked settings the client set in its startup packet.
func New(env Env, start map[string]string) *Session {
	if env.Log == nil {
		env.Log = zap.NewNop()
	}
	if env.Databases == nil {
		env.Databases = NewDatabases(env.Log)
	}
	s := &Session{env: env, log: env.Log, conf: newSettings(start), defs: newDefinitions(), startup: true}
	s.queueBuf = make([]*request, 0, 16)
	s.queue = s.queueBuf
	s.pred = s.conf.clone()
	s.srv.tx = 'I'
	return s
}

// Begin returns what the proxy sends upstream for itself at the start (its
// probe, when the policy manages tables), or nil.
func (s *Session) Begin() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []byte
	if base := s.basePolicy(); s.needsResolve(base) {
		out = s.startResolve(base)
	}
	if p := s.policy(); s.needsProbe(p) {
		out = append(out, s.startProbe(p)...)
	}
	return out
}

// Idle reports whether the server waits for a command outside a
// transaction and nothing sent is unanswered: the session can be closed
// without cutting anything off.
func (s *Session) Idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.startup && s.srv.tx == 'I' && !s.awaitingReply()
}

// TxStatus is the transaction status of the last ReadyForQuery.
func (s *Session) TxStatus() byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv.tx
}

// UpstreamFatal reports whether the server sent FATAL or PANIC.
func (s *Session) UpstreamFatal() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.upstreamFatal
}

// Close wakes every waiter: the session is over.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.wake()
}

// waitChan returns a channel closed at the next move of the queue (or at
// Close). Callers hold mu.
func (s *Session) waitChan() chan struct{} {
	ch := make(chan struct{})
	if s.closed {
		close(ch)
		return ch
	}
	s.waiters = append(s.waiters, ch)
	return ch
}

// wake releases the waiters. Callers hold mu.
func (s *Session) wake() {
	for _, ch := range s.waiters {
		close(ch)
	}
	s.waiters = s.waiters[:0]
}

// rewriteSession is the rewrite input under the predicted settings, kept
// until they or the facts change. Callers hold mu.
func (s *Session) rewriteSession() rewrite.Session {
	if s.rsFor == s.pred && s.rsGen == s.pred.gen && s.rsFacts == s.factsGen {
		return s.rs
	}
	path, _ := s.pred.get(SearchPath)
	vis, _ := s.pred.get(Visibility)
	v, _ := ParseVisibility(vis)
	asOf, _ := s.pred.get(AsOf)
	scs, _ := s.pred.get(StandardConformingStrings)
	enc, _ := s.pred.get(ClientEncoding)
	s.rs = rewrite.Session{
		SearchPath:         path,
		User:               s.currentUser(),
		Visibility:         v,
		AsOf:               strings.TrimSpace(asOf) != "",
		CanHardDelete:      s.facts.hardDelete,
		Shadows:            s.facts.shadows,
		NonStandardStrings: scs == "off",
		ClientEncoding:     enc,
	}
	s.rsFor, s.rsGen, s.rsFacts = s.pred, s.pred.gen, s.factsGen
	return s.rs
}

// currentUser is current_user under the predicted settings: the role set
// with SET ROLE, else the session authorization, else the login user.
func (s *Session) currentUser() string {
	if r, ok := s.pred.get(Role); ok && r != "" && r != "none" {
		return r
	}
	if a, ok := s.pred.get(SessionAuthorization); ok && a != "" && a != "default" {
		return a
	}
	return s.facts.sessionUser
}
