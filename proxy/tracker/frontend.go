package tracker

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// RefusedSentinel replaces the text (or statement name) of a refused
// statement. The server answers it with an error, so the transaction fails
// exactly as with a real error, in order with everything else in flight,
// and Backend swaps that error for the refusal.
const RefusedSentinel = "softdelete_proxy_refused_statement"

// Step tells the client loop what to do with a frame.
type Step struct {
	// Send replaces the frame; nil sends it as received.
	Send []byte
	// Before goes upstream ahead of it (the proxy's own query).
	Before []byte
	// Wait, when set: send Before, flush, wait until Wait is closed, then
	// call Frontend again with the same frame.
	Wait <-chan struct{}
}

// ErrMalformed is a client frame the proxy must read but cannot decode.
var ErrMalformed = errors.New("malformed message")

// NeedsFrontend reports whether Frontend must see client frames of type
// typ; the others (CopyData, Flush, …) go upstream untouched.
func NeedsFrontend(typ byte) bool {
	switch typ {
	case 'Q', 'P', 'B', 'E', 'D', 'C', 'S', 'F', 'c', 'f':
		return true
	}
	return false
}

// Frontend takes one client frame on its way upstream. A Query or Parse
// must be whole (not Partial); a Bind may be Partial (its names come
// first).
func (s *Session) Frontend(f wire.Frame) (Step, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var before []byte
	if f.Type != 'c' && f.Type != 'f' {
		st, wait := s.beginUnit(f.Type)
		if wait {
			return st, nil
		}
		before = st.Before
	}
	st, err := s.frontendFrame(f)
	if st.Wait != nil && before != nil {
		// The frame waits (its batch must start again): the probe is
		// already queued, so it goes now; the retry must not send it twice.
		st.Before = before
		return st, err
	}
	st.Before = before
	return st, err
}

// frontendFrame takes one frame of the open batch.
func (s *Session) frontendFrame(f wire.Frame) (Step, error) {
	switch f.Type {
	case 'Q':
		return s.query(f.Body())
	case 'P':
		return s.parse(f.Body())
	case 'B':
		return s.bind(f.Body())
	case 'E':
		return s.execute(f.Body())
	case 'D':
		return Step{}, s.describe(f.Body())
	case 'C':
		return Step{}, s.closeFrame(f.Body())
	case 'S':
		s.push(s.newRequest(reqSync))
		s.endUnit()
	case 'F':
		s.open.barrier, s.open.relearn = true, true // it may change anything
		s.barrier = s.open
		s.push(&request{kind: reqFunctionCall, batch: s.open})
		s.endUnit()
	case 'c', 'f':
		s.push(&request{kind: reqCopyEnd})
	}
	return Step{}, nil
}

// beginUnit opens a batch for the first frame after a ReadyForQuery's
// worth of work, unless an earlier barrier is still in flight (then the
// frame waits) or the proxy must ask the server first (then its probe goes
// ahead, and a statement text waits for the answer).
func (s *Session) beginUnit(typ byte) (Step, bool) {
	if s.open != nil {
		return Step{}, false
	}
	if s.barrier != nil && !s.barrier.done {
		return Step{Wait: s.waitChan()}, true
	}
	var st Step
	if base := s.basePolicy(); s.needsResolve(base) {
		st.Before = s.startResolve(base)
	}
	p := s.policy()
	if s.needsProbe(p) {
		st.Before = append(st.Before, s.startProbe(p)...)
	}
	if (s.facts.probing || s.unresolved()) && (typ == 'Q' || typ == 'P') {
		st.Wait = s.waitChan()
		return st, true
	}
	s.open = &batch{}
	if s.pred.inTransaction() || s.conf.inTransaction() {
		s.markBarrier() // the transaction's outcome decides the settings
	}
	return st, false
}

// needsProbe reports whether the proxy must learn the session's facts
// before the next batch: a policy with tables, and nothing (or something
// stale) known, and no probe on its way. In a failed transaction the probe
// would fail too: it waits for the transaction's end; after a failed probe
// the next try waits until a batch of the client's has been answered.
func (s *Session) needsProbe(p *Policy) bool {
	if s.env.Rewriter == nil || !p.Managed() || s.facts.probing || s.srv.tx == 'E' {
		return false
	}
	if s.facts.failed != "" && s.finished == s.facts.failedAt {
		return false // it just failed: not again before the client's next batch is answered
	}
	return !s.facts.known || s.facts.stale
}

// basePolicy is the policy in force now, as configured.
func (s *Session) basePolicy() *Policy {
	if s.env.Policy == nil {
		return nil
	}
	return s.env.Policy()
}

// policy is the policy as it applies in this session's database: the
// resolved one when the policy has a Resolver and it is known.
func (s *Session) policy() *Policy {
	base := s.basePolicy()
	if base == nil || base.Resolver == nil || !base.Managed() {
		return base
	}
	if s.res.base == base && s.res.effective != nil {
		return s.res.effective
	}
	return base
}

func (s *Session) markBarrier() {
	s.open.barrier = true
	s.barrier = s.open
}

// endUnit closes the open batch (its Sync, Query or FunctionCall was sent).
func (s *Session) endUnit() {
	s.open.closed = true
	s.open = nil
}

// query takes a simple Query.
func (s *Session) query(body []byte) (Step, error) {
	var q pgproto3.Query
	if err := q.Decode(body); err != nil {
		return Step{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	u := s.open
	r := &request{kind: reqQuery, batch: u}
	st, wait := s.queryCompletions(r, q.String)
	if wait != nil {
		return Step{Wait: s.waitChan()}, nil
	}
	s.push(r)
	s.endUnit()
	return st, nil
}

// queryCompletions rewrites a Query's text and completions its statements; it changes
// nothing but r when it asks to wait.
func (s *Session) queryCompletions(r *request, sql string) (Step, *batch) {
	if s.env.Rewriter == nil {
		return Step{}, nil
	}
	res, err := s.rewriteText(sql)
	if err == nil {
		err = s.checkQuery(&res)
	}
	var completions []*completion
	if err == nil {
		var wait *batch
		if completions, wait, err = s.completionsOf(res.Stmts, sql, res.Touches); wait != nil {
			return Step{}, wait
		}
	}
	if err != nil {
		r.refusal = s.refused(err, sql, kindOf(&res))
		return Step{Send: encode(&pgproto3.Query{String: RefusedSentinel})}, nil
	}
	r.completions = completions
	s.effectsOf(res.Stmts)
	if !res.Changed {
		return Step{}, nil
	}
	s.logRewrite(sql, res.SQL)
	return Step{Send: encode(&pgproto3.Query{String: res.SQL})}, nil
}

// parse takes a Parse: the statement is rewritten under the settings the
// server will have when it reads it.
func (s *Session) parse(body []byte) (Step, error) {
	var m pgproto3.Parse
	if err := m.Decode(body); err != nil {
		return Step{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	r := &request{kind: reqParse, batch: s.open, name: m.Name}
	var st Step
	if s.env.Rewriter != nil {
		res, err := s.rewriteText(m.Query)
		if err == nil {
			err = s.checkParse(&res)
		}
		if err != nil {
			r.refusal = s.refused(err, m.Query, kindOf(&res))
			s.push(r)
			return Step{Send: encode(&pgproto3.Parse{Name: m.Name, Query: RefusedSentinel})}, nil
		}
		r.stmt = s.newStatement(m.Query, res)
		s.effectsOf(res.Stmts)
		if res.Changed {
			s.logRewrite(m.Query, res.SQL)
			st.Send = encode(&pgproto3.Parse{Name: m.Name, Query: res.SQL, ParameterOIDs: m.ParameterOIDs})
		}
	}
	s.defs.sent(r)
	s.push(r)
	return st, nil
}

// bind takes a Bind. A statement that can no longer run as it was
// rewritten (search_path or the policy changed since) is refused: the Bind
// names a statement that does not exist, and the server's error is swapped
// for the refusal.
func (s *Session) bind(body []byte) (Step, error) {
	portalName, stmtName, ok := bindNames(body)
	if !ok {
		return Step{}, fmt.Errorf("%w: Bind without its names", ErrMalformed)
	}
	stmt, wait := s.defs.statement(stmtName, s.open)
	if wait != nil {
		return Step{Wait: s.waitChan()}, nil
	}
	r := s.newRequest(reqBind)
	r.name, r.stmt = portalName, stmt
	if s.env.Rewriter != nil {
		err := s.checkBind(stmtName, stmt)
		if err == nil && stmt != nil && stmt.completion != nil && stmt.completion.st.ExecuteName != "" {
			n := stmt.completion.st.ExecuteName
			target, wait := s.defs.statement(n, s.open)
			if wait != nil {
				return Step{Wait: s.waitChan()}, nil
			}
			err = s.checkStatement(n, target) // the statement EXECUTE will run
		}
		if err != nil {
			r.refusal = s.refused(err, "", "bind")
			r.stmt = nil
			s.push(r)
			return Step{Send: encode(&pgproto3.Bind{DestinationPortal: portalName, PreparedStatement: RefusedSentinel})}, nil
		}
	}
	s.defs.sent(r)
	s.push(r)
	return Step{}, nil
}

// execute takes an Execute; its statement's effects are predicted for the
// frames after it.
func (s *Session) execute(body []byte) (Step, error) {
	name, ok := cstring(body)
	if !ok {
		return Step{}, fmt.Errorf("%w: Execute without a portal name", ErrMalformed)
	}
	st, wait := s.defs.portal(name, s.open)
	if wait != nil {
		return Step{Wait: s.waitChan()}, nil
	}
	r := s.newRequest(reqExecute)
	r.name, r.stmt = name, st
	if st != nil && st.completion != nil {
		pl := st.completion
		if n := pl.st.ExecuteName; n != "" {
			target, wait := s.defs.statement(n, s.open)
			if wait != nil {
				return Step{Wait: s.waitChan()}, nil
			}
			pl = &completion{st: pl.st}
			if target != nil && target.completion != nil {
				pl.tags = target.completion.tags
			}
		}
		r.completion = pl
		s.predict(pl.st)
	}
	s.push(r)
	return Step{}, nil
}

func (s *Session) describe(body []byte) error {
	if len(body) < 2 {
		return fmt.Errorf("%w: short Describe", ErrMalformed)
	}
	name, _ := cstring(body[1:])
	r := s.newRequest(reqDescribe)
	r.target, r.name = body[0], name
	s.push(r)
	return nil
}

func (s *Session) closeFrame(body []byte) error {
	if len(body) < 2 {
		return fmt.Errorf("%w: short Close", ErrMalformed)
	}
	name, _ := cstring(body[1:])
	r := &request{kind: reqClose, batch: s.open, target: body[0], name: name}
	s.defs.sent(r)
	s.push(r)
	return nil
}

// bindNames reads a Bind's portal and statement names, which come first,
// without decoding the parameters.
func bindNames(body []byte) (portalName, stmtName string, ok bool) {
	portalName, ok = cstring(body)
	if !ok {
		return "", "", false
	}
	stmtName, ok = cstring(body[len(portalName)+1:])
	return portalName, stmtName, ok
}

// cstring reads a NUL-terminated string.
func cstring(b []byte) (string, bool) {
	for i, c := range b {
		if c == 0 {
			return string(b[:i]), true
		}
	}
	return "", false
}

func encode(m pgproto3.Message) []byte {
	buf, err := m.Encode(nil)
	if err != nil {
		panic(fmt.Sprintf("tracker: encoding %T: %v", m, err)) // only messages the tracker built
	}
	return buf
}

// kindOf is the statement kind for metrics.
func kindOf(res *rewrite.Result) string {
	if len(res.Stmts) == 0 {
		return "unknown"
	}
	return res.Stmts[0].Kind
}
