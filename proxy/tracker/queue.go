package tracker

import "github.com/softdelete-proxy/softdelete-proxy/rewrite"

// The queue is the heart of the model: every client frame the server will
// answer, or that changes how it reads what follows, in the order sent. The
// server loop matches each reply against the head, replaying the rules by
// which PostgreSQL reads frames (src/backend/tcop/postgres.c):
//
//   - after an error in the extended protocol every frame up to the next
//     Sync is discarded unanswered (a Query and a FunctionCall too);
//   - in COPY FROM STDIN the server ignores Sync and Flush until CopyDone
//     or CopyFail; outside COPY it ignores CopyData, CopyDone and CopyFail;
//   - a Query answers with its statements' results and one ReadyForQuery;
//     after an error in one of its statements the rest are skipped.
//
// So the proxy knows, for every CommandComplete, ErrorResponse and
// ReadyForQuery, which request it answers: never one reply behind.

type reqKind uint8

const (
	reqQuery reqKind = iota + 1
	reqParse
	reqBind
	reqDescribe
	reqExecute
	reqClose
	reqSync
	reqFunctionCall
	reqCopyEnd // CopyDone or CopyFail from the client
)

// request is one queued client frame.
type request struct {
	kind  reqKind
	batch *batch
	own   *ownQuery // the proxy's own query: its replies go to it, not the client

	// Query: one completion per statement; next is the next to complete.
	completions []*completion
	next        int
	// refusal replaces the server's error for a refused Query, Parse or
	// Bind (whose text or name was swapped for refusedSentinel).
	refusal *rewrite.Error

	name       string      // Parse, Close, Bind (portal) and Execute (portal) names
	target     byte        // Close and Describe: 'S' statement or 'P' portal
	stmt       *statement  // Parse: the statement defined; Bind: the one bound; Execute: the one run
	completion *completion // Execute: how its CommandComplete is read
}

// endsUnit reports whether the server answers r with ReadyForQuery.
func (r *request) endsUnit() bool {
	return r.kind == reqQuery || r.kind == reqSync || r.kind == reqFunctionCall
}

// batch is the work up to one ReadyForQuery: a Query, a FunctionCall, or
// the extended frames up to their Sync.
type batch struct {
	// barrier: the batch may change settings, the catalog or the meaning of
	// later statements depending on whether it succeeds; batches sent after
	// it wait until its ReadyForQuery, so that each is rewritten under the
	// state the server will really have.
	barrier bool
	// relearn: after this batch the proxy must ask the server again (a
	// setting changed in a way the text did not tell, the catalog changed).
	relearn, relearnCatalog bool
	failed                  bool // an ErrorResponse answered one of its frames
	done                    bool // its ReadyForQuery came, or the server skipped it
	closed                  bool // its last frame (Sync, Query, FunctionCall) was sent
}

// serverState is what the server is doing, as far as its replies show.
type serverState struct {
	tx             byte // TxStatus of the last ReadyForQuery
	ignoreTillSync bool // an extended-protocol error: discarding up to Sync
	copyIn         bool // in COPY FROM STDIN
	copyInExtended bool // that COPY came from an Execute
}

// push queues r. Callers hold mu.
func (s *Session) push(r *request) {
	s.queue = append(s.queue, r)
	if cap(s.queue) > cap(s.queueBuf) {
		s.queueBuf = s.queue[:0] // it grew: keep the larger array
	}
	if len(s.queue) == 1 {
		s.settle()
	}
}

// head returns the request the next reply answers, after dropping those
// the server reads without answering. Callers hold mu.
func (s *Session) head() *request {
	s.settle()
	if len(s.queue) == 0 {
		return nil
	}
	return s.queue[0]
}

// settle drops requests at the head that get no reply: frames discarded
// after an error, CopyDone/CopyFail outside COPY.
func (s *Session) settle() {
	for len(s.queue) > 0 {
		r := s.queue[0]
		switch {
		case r.kind == reqCopyEnd && !s.srv.copyIn:
		case s.srv.ignoreTillSync && r.kind != reqSync:
			s.skipped(r)
		default:
			s.swallow.Store(r.own != nil)
			return
		}
		s.pop()
	}
	s.swallow.Store(false)
}

// pop removes the head (recycling its request).
func (s *Session) pop() {
	r := s.queue[0]
	s.queue[0] = nil
	s.queue = s.queue[1:]
	if len(s.queue) == 0 {
		s.queue = s.queueBuf[:0] // start again at the front of the backing array
	}
	s.recycle(r)
	s.wake()
}

// newRequest returns a cleared request of kind for the open batch, from the
// free list when it has one. Callers hold mu.
func (s *Session) newRequest(kind reqKind) *request {
	var r *request
	if n := len(s.free); n > 0 {
		r = s.free[n-1]
		s.free = s.free[:n-1]
	} else {
		r = &request{}
	}
	r.kind, r.batch = kind, s.open
	return r
}

// recycle puts r back for newRequest, unless something may still hold it
// (a pending definition, the proxy's own query).
func (s *Session) recycle(r *request) {
	if r.own != nil || len(s.free) >= 64 || s.defs.pendingStmts[r.name] == r || s.defs.pendingPortals[r.name] == r {
		return
	}
	*r = request{}
	s.free = append(s.free, r)
}

// skipped undoes what r's sending predicted: the server never read it.
func (s *Session) skipped(r *request) {
	s.defs.failed(r)
	if r.own != nil {
		r.own.fail("skipped after an error")
		r.own.finish()
	}
	if r.endsUnit() {
		s.finish(r.batch)
	}
}

// endCopy follows the end of COPY FROM STDIN (by CommandComplete or an
// error): the Syncs the client sent during the COPY were ignored, and so
// is its CopyDone/CopyFail. from is the queue index after the COPY's own
// request.
func (s *Session) endCopy(from int) {
	s.srv.copyIn, s.srv.copyInExtended = false, false
	i := from
	for i < len(s.queue) && s.queue[i].kind == reqSync {
		i++
	}
	if i < len(s.queue) && s.queue[i].kind == reqCopyEnd {
		i++
	}
	if i == from {
		return
	}
	s.queue = append(s.queue[:from], s.queue[i:]...)
}

// awaitingReply reports whether a sent request still expects an answer
// (a ReadyForQuery to come). Callers hold mu.
func (s *Session) awaitingReply() bool {
	for _, r := range s.queue {
		if r.kind == reqSync {
			return true
		}
		if s.srv.ignoreTillSync || r.kind == reqCopyEnd {
			continue
		}
		return true
	}
	return false
}

// finish marks u done: its ReadyForQuery came (or it was skipped). When no
// barrier is left in flight, the prediction restarts from what the server
// confirmed.
func (s *Session) finish(u *batch) {
	if u == nil || u.done {
		return
	}
	u.done = true
	s.finished++
	if s.barrier == u || s.barrier != nil && s.barrier.done {
		s.barrier = nil
	}
	if u.relearn || u.relearnCatalog {
		s.facts.stale = true
		s.facts.staleCatalog = s.facts.staleCatalog || u.relearnCatalog
		if u.relearnCatalog {
			s.forgetResolution()
		}
		if u.relearnCatalog && s.srv.tx != 'I' {
			s.catalogInTx = true // its end (a rollback) may undo the change
		}
	}
	if s.srv.tx == 'I' {
		if s.catalogInTx {
			// what this session resolved inside the transaction (a
			// table it created, say) is undone by a rollback, and a
			// commit shows the change to every session: all ask again
			s.facts.stale, s.facts.staleCatalog = true, true
			s.forgetResolution()
		}
		s.catalogInTx, s.unsureCursor = false, false
	}
	s.resyncPrediction()
}

// resyncPrediction restarts the prediction from the confirmed settings
// once no barrier is in flight (only a barrier's frames predict effects).
func (s *Session) resyncPrediction() {
	if s.barrier == nil && s.predStale {
		s.pred = s.conf.clone()
		s.predStale = false
	}
}
