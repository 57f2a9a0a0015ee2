package tracker

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
)

// NeedsBackend reports whether Backend must see server frames of type typ
// (besides every frame while Swallowing): the rest (DataRow, notices,
// notifications, CopyData …) go to the client untouched.
func NeedsBackend(typ byte) bool {
	switch typ {
	case '1', '2', '3', 'T', 'n', 's', 'I', 'C', 'E', 'G', 'H', 'W', 'Z', 'S':
		return true
	}
	return false
}

// Swallowing reports whether the server is answering the proxy's own query:
// then every frame goes to Backend, which drops it. It takes no lock.
func (s *Session) Swallowing() bool { return s.swallow.Load() }

// Reply is what the server loop does with a server frame.
type Reply struct {
	Send []byte // replaces the frame; nil sends it as received
	Drop bool   // the frame answers the proxy, not the client
}

// DesyncError means the server answered something the model did not
// expect: the proxy no longer knows which request a reply belongs to, so it
// cannot map tags or refusals safely.
type DesyncError struct{ What string }

func (e *DesyncError) Error() string { return "softdelete-proxy lost track of the protocol: " + e.What }

// Backend takes one server frame on its way to the client.
func (s *Session) Backend(f wire.Frame) (Reply, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.startup {
		return s.startupFrame(f)
	}
	r := s.head()
	if r != nil && r.own != nil {
		return s.ownReply(r, f)
	}
	switch f.Type {
	case '1', '2', '3':
		return Reply{}, s.completeDefinition(r, f.Type)
	case 'T', 'n':
		if r != nil && r.kind == reqDescribe {
			s.pop()
		}
	case 's', 'I':
		if r != nil && r.kind == reqExecute {
			s.pop()
		}
	case 'C':
		return s.commandComplete(r, f.Body())
	case 'E':
		return s.errorResponse(r, f.Body())
	case 'G':
		if r != nil && (r.kind == reqQuery || r.kind == reqExecute) {
			s.srv.copyIn, s.srv.copyInExtended = true, r.kind == reqExecute
		}
	case 'Z':
		return Reply{}, s.readyForQuery(r, f.Body())
	case 'S':
		s.parameterStatus(f.Body())
	}
	return Reply{}, nil
}

// completeDefinition takes ParseComplete, BindComplete, CloseComplete.
func (s *Session) completeDefinition(r *request, typ byte) error {
	want := map[byte]reqKind{'1': reqParse, '2': reqBind, '3': reqClose}[typ]
	if r == nil || r.kind != want {
		return s.desync(fmt.Sprintf("a reply of type %q to %s", typ, describe(r)))
	}
	s.defs.confirmed(r)
	s.pop()
	return nil
}

// commandComplete maps the tag of a rewritten statement (UPDATE n →
// DELETE n) and confirms the statement's effect.
func (s *Session) commandComplete(r *request, body []byte) (Reply, error) {
	var pl *completion
	switch {
	case r == nil:
		return Reply{}, s.desync("CommandComplete with nothing sent")
	case r.kind == reqExecute:
		pl = r.completion
		if s.srv.copyIn {
			s.endCopy(1)
		}
		s.pop()
	case r.kind == reqQuery:
		if r.next < len(r.completions) {
			pl = r.completions[r.next]
		}
		r.next++
		if s.srv.copyIn {
			s.endCopy(1)
		}
	default:
		return Reply{}, s.desync("CommandComplete for " + describe(r))
	}
	tag := body
	if i := bytes.IndexByte(tag, 0); i >= 0 {
		tag = tag[:i]
	}
	if pl == nil {
		s.unparsedTag(tag)
		return Reply{}, nil
	}
	s.confirm(pl, tag)
	if pl.tags == nil || pl.tags.ClientTag == "" {
		return Reply{}, nil
	}
	mapped := mapTag(tag, pl.tags.ServerTag, pl.tags.ClientTag)
	if bytes.Equal(mapped, tag) {
		return Reply{}, nil
	}
	return Reply{Send: encode(&pgproto3.CommandComplete{CommandTag: mapped})}, nil
}

// copyTail is where the requests sent during a COPY start: after the
// COPY's Query (still queued), or at the head once its Execute is popped.
func (s *Session) copyTail(r *request) int {
	if len(s.queue) > 0 && s.queue[0] == r {
		return 1
	}
	return 0
}

// errorResponse follows an error: the failed request's batch fails, the
// rest of an extended batch is discarded up to Sync, a refused statement's
// error becomes the refusal.
func (s *Session) errorResponse(r *request, body []byte) (Reply, error) {
	var e pgproto3.ErrorResponse
	if err := e.Decode(body); err != nil {
		return Reply{}, fmt.Errorf("invalid ErrorResponse from upstream: %w", err)
	}
	if e.Severity == "FATAL" || e.Severity == "PANIC" {
		s.upstreamFatal = true
	}
	if r == nil {
		return Reply{}, nil // unprompted: idle_session_timeout, shutdown …
	}
	if r.batch != nil {
		r.batch.failed = true
	}
	if s.srv.copyIn {
		s.endCopy(s.copyTail(r))
	}
	out := Reply{}
	if r.refusal != nil && strings.Contains(e.Message, RefusedSentinel) {
		out.Send = encodeRefusal(r)
		r.refusal = nil
	}
	switch r.kind {
	case reqQuery:
		r.next = len(r.completions) // the rest of its statements are skipped
	case reqSync, reqFunctionCall:
		// a COMMIT at Sync failed, or the function did: ReadyForQuery follows
	default:
		s.defs.errored(r)
		s.pop()
		s.srv.ignoreTillSync = true
	}
	return out, nil
}

func encodeRefusal(r *request) []byte {
	e := r.refusal
	return encode(&pgproto3.ErrorResponse{
		Severity: "ERROR", SeverityUnlocalized: "ERROR",
		Code: e.Code, Message: e.Message, Detail: e.Detail, Hint: e.Hint, Position: int32(e.Position),
	})
}

// unparsedTag follows a statement the proxy did not parse by its tag: a
// COMMIT or PREPARE TRANSACTION keeps the transaction's settings, a
// ROLLBACK undoes them (ROLLBACK TO is always parsed, so this is not one).
func (s *Session) unparsedTag(tag []byte) {
	switch {
	case tagIs(tag, "COMMIT"), tagIs(tag, "PREPARE"):
		s.conf.commit()
	case tagIs(tag, "ROLLBACK"):
		s.conf.rollback()
	default:
		return
	}
	s.predStale = true
}

// readyForQuery ends the batch of its Query, Sync or FunctionCall. Back in
// idle the transaction is over: committed unless the batch failed.
func (s *Session) readyForQuery(r *request, body []byte) error {
	if len(body) != 1 {
		return fmt.Errorf("invalid ReadyForQuery from upstream")
	}
	tx, prev := body[0], s.srv.tx
	s.srv.tx = tx
	s.srv.ignoreTillSync = false
	if r == nil {
		return s.desync("ReadyForQuery with nothing sent")
	}
	if !r.endsUnit() {
		return s.desync("ReadyForQuery after " + describe(r))
	}
	u := r.batch
	s.pop()
	// From a failed transaction straight to idle is a rollback, whatever
	// ended it.
	s.endTransaction(tx, prev == 'E' || u != nil && u.failed)
	s.finish(u)
	return nil
}

// endTransaction applies the end of the transaction a ReadyForQuery shows.
func (s *Session) endTransaction(tx byte, failed bool) {
	if tx != 'I' {
		return
	}
	if s.conf.inTransaction() {
		if failed {
			s.conf.rollback()
		} else {
			s.conf.commit()
		}
		s.predStale = true
	}
	s.defs.transactionEnded()
}

// parameterStatus follows the reported settings the model tracks: the
// server's word is final, however the value changed.
func (s *Session) parameterStatus(body []byte) {
	var ps pgproto3.ParameterStatus
	if ps.Decode(body) != nil {
		return
	}
	switch ps.Name {
	case StandardConformingStrings, ClientEncoding, SessionAuthorization, SearchPath:
		s.conf.report(ps.Name, ps.Value)
		s.pred.report(ps.Name, ps.Value)
	}
}

// ownReply takes a reply to the proxy's own query.
func (s *Session) ownReply(r *request, f wire.Frame) (Reply, error) {
	switch f.Type {
	case 'Z':
		s.pop()
		if len(f.Body()) == 1 {
			s.srv.tx = f.Body()[0]
		}
		r.own.finish()
	case 'S':
		s.parameterStatus(f.Body())
		return Reply{}, nil // a setting changed: the client must hear it too
	case 'N', 'A':
		return Reply{}, nil
	default:
		r.own.reply(f.Type, f.Body())
	}
	return Reply{Drop: true}, nil
}

// startupFrame takes the server's frames between AuthenticationOk and the
// first ReadyForQuery (ParameterStatus, BackendKeyData, notices).
func (s *Session) startupFrame(f wire.Frame) (Reply, error) {
	switch f.Type {
	case 'S':
		s.parameterStatus(f.Body())
	case 'E':
		var e pgproto3.ErrorResponse
		if e.Decode(f.Body()) == nil && (e.Severity == "FATAL" || e.Severity == "PANIC") {
			s.upstreamFatal = true
		}
	case 'Z':
		s.startup = false
		if len(f.Body()) == 1 {
			s.srv.tx = f.Body()[0]
		}
		s.pred = s.conf.clone()
		s.settle()
	}
	return Reply{}, nil
}

// desync reports a reply the model did not expect. When statements are
// rewritten that is fatal: tags and refusals could land on the wrong
// statement. A relay-only session just logs it.
func (s *Session) desync(what string) error {
	if s.env.Rewriter == nil {
		s.log.Warn("unexpected reply from upstream; idle tracking may be off", zap.String("what", what))
		s.queue = nil
		return nil
	}
	return &DesyncError{What: what}
}

func describe(r *request) string {
	if r == nil {
		return "nothing"
	}
	return map[reqKind]string{reqQuery: "Query", reqParse: "Parse", reqBind: "Bind", reqDescribe: "Describe",
		reqExecute: "Execute", reqClose: "Close", reqSync: "Sync", reqFunctionCall: "FunctionCall", reqCopyEnd: "CopyDone"}[r.kind]
}

// mapTag turns "UPDATE 5" into "DELETE 5" when the server's tag starts with
// serverTag; a client tag with a space in it ("TRUNCATE TABLE") carries no
// row count.
func mapTag(tag []byte, serverTag, clientTag string) []byte {
	if serverTag != "" && !bytes.HasPrefix(tag, []byte(serverTag)) {
		return tag
	}
	if strings.Contains(clientTag, " ") {
		return []byte(clientTag)
	}
	rest := tag[len(serverTag):]
	out := make([]byte, 0, len(clientTag)+len(rest))
	return append(append(out, clientTag...), rest...)
}
