package tracker

import (
	"strings"
	"time"

	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// completion is what one statement's CommandComplete must look like and
// confirm: the tag
// to map (UPDATE n → DELETE n) and the effect to confirm.
type completion struct {
	st *rewrite.Stmt // shared with the rewrite cache: read only
	// tags maps the completion's tag: st itself, or for EXECUTE the completion of
	// the statement it runs.
	tags *rewrite.Stmt
	// define is the statement a SQL PREPARE creates.
	define *statement
}

// untracked is the policy a text is read under when nothing is rewritten:
// no tables, so only the statements the proxy follows (SET, PREPARE,
// transaction statements …) are parsed. Its version, 0, is no real
// policy's, so a statement prepared under it is checked again before it
// runs under a real one.
var untracked = rewrite.NewPolicy(0, nil)

// rewritePolicy picks the policy a text is rewritten under: the session's
// when its facts are known and it is not a bypass session, else untracked.
// A text that may name a managed table while the facts are unknown is
// refused.
func (s *Session) rewritePolicy(sql string) (*rewrite.Policy, error) {
	pol, refusal, err := s.choosePolicy(sql)
	if err == nil && refusal != nil {
		return nil, refusal
	}
	return pol, err
}

// choosePolicy is rewritePolicy with the guard's refusal apart: refusal is
// set when sql may name a table whose guard is missing or stale, which
// rewriteText lets through for schema statements only.
func (s *Session) choosePolicy(sql string) (pol *rewrite.Policy, refusal, err error) {
	p := s.policy()
	if base := s.basePolicy(); base.Managed() && base.Resolver != nil {
		if err := s.resolveFailure(base, sql); err != nil {
			return nil, nil, err
		}
	}
	switch {
	case !p.Managed():
		return untracked, nil, nil
	case !s.facts.known:
		if p.Rewrite.MayTouch(sql) {
			return nil, nil, s.unknownFactsError()
		}
		return untracked, nil, nil
	case s.facts.bypass:
		return untracked, nil, nil
	}
	if err := s.guardRefusal(p.Rewrite, sql); err != nil {
		return p.Rewrite, err, nil
	}
	return p.Rewrite, nil, nil
}

// rewriteText runs the engine under the predicted settings. A text the
// guard's refusal covers passes when each of its statements is a schema
// statement (rewrite.Stmt.Schema): DDL moves no row, and migrations that
// create a table and then index it run through the proxy.
func (s *Session) rewriteText(sql string) (rewrite.Result, error) {
	pol, refusal, err := s.choosePolicy(sql)
	if err != nil {
		return rewrite.Result{SQL: sql}, err
	}
	start := time.Now()
	rs := s.rewriteSession()
	res, err := s.env.Rewriter.Rewrite(sql, pol, &rs)
	if refusal != nil && (err != nil || !schemaOnly(res.Stmts)) {
		return rewrite.Result{SQL: sql}, refusal
	}
	s.env.Metrics.observe(&res, err, time.Since(start))
	s.lastVersion = pol.Version
	return res, err
}

// schemaOnly reports whether every statement is a schema statement.
func schemaOnly(stmts []rewrite.Stmt) bool {
	for i := range stmts {
		if !stmts[i].Schema {
			return false
		}
	}
	return len(stmts) > 0
}

// newStatement records a statement prepared from text (just rewritten).
func (s *Session) newStatement(text string, res rewrite.Result) *statement {
	st := &statement{text: text, sent: res.SQL, touches: res.Touches, session: s.rewriteSession(), version: s.lastVersion}
	if len(res.Stmts) == 1 {
		st.completion = s.completionOf(&res.Stmts[0], text, res.Touches)
	}
	return st
}

// completionOf is the completion of one statement; a SQL PREPARE carries the statement
// it defines.
func (s *Session) completionOf(st *rewrite.Stmt, text string, touches bool) *completion {
	pl := &completion{st: st, tags: st}
	if st.PrepareName != "" {
		pl.define = &statement{text: text, sent: text, touches: touches, session: s.rewriteSession(),
			version: s.lastVersion, completion: &completion{st: st, tags: st}}
	}
	return pl
}

// completionsOf completions a Query's statements. EXECUTE maps its completion as the
// statement it runs, which may have been PREPAREd earlier in the same
// text; a statement whose definition is still in flight in another batch
// makes the Query wait.
func (s *Session) completionsOf(stmts []rewrite.Stmt, sql string, touches bool) ([]*completion, *batch, error) {
	completions := make([]*completion, len(stmts))
	local := map[string]*statement{}
	for i := range stmts {
		st := &stmts[i]
		pl := s.completionOf(st, sql, touches)
		switch {
		case st.PrepareName != "":
			local[st.PrepareName] = pl.define
		case st.ExecuteName != "":
			def, ok := local[st.ExecuteName]
			if !ok {
				var wait *batch
				if def, wait = s.defs.statement(st.ExecuteName, s.open); wait != nil {
					return nil, wait, nil
				}
			}
			if err := s.checkStatement(st.ExecuteName, def); err != nil {
				return nil, nil, err
			}
			pl.tags = nil
			if def != nil && def.completion != nil {
				pl.tags = def.completion.tags
			}
		}
		completions[i] = pl
	}
	return completions, nil, nil
}

// effectsOf marks the open batch by what its statements may change: a
// barrier for later batches, and a re-learn after it when the proxy cannot
// tell the change from the text.
func (s *Session) effectsOf(stmts []rewrite.Stmt) {
	if s.unsureCursor {
		s.markBarrier()
		s.open.relearn = true
	}
	for i := range stmts {
		st := &stmts[i]
		if st.Set != nil || st.Savepoint != nil || st.PrepareName != "" || st.DeallocateName != "" || st.DeallocateAll ||
			st.Unsure || st.CatalogChange || st.Kind == "transaction" && (st.Transaction == nil || st.Transaction.Kind != rewrite.TxBegin) {
			s.markBarrier()
		}
		if st.Unsure {
			s.open.relearn = true
			if st.Kind == "declare" {
				s.unsureCursor = true // its FETCHes run what the text does not tell
			}
		}
		if st.ExecuteName != "" {
			if def, _ := s.defs.statement(st.ExecuteName, s.open); def == nil || def.completion == nil || def.completion.st.Unsure {
				s.markBarrier()
				s.open.relearn = true // it runs what its PREPARE did not tell
			}
		}
		if st.CatalogChange {
			s.open.relearnCatalog = true
		}
		if st.Set != nil && strings.EqualFold(st.Set.Name, SessionAuthorization) {
			s.open.relearn = true // the session user's roles change with it
		}
	}
}

// predict applies a statement's effect to the predicted settings when its
// Execute is sent: the frames after it in the same batch are read by the
// server under it.
func (s *Session) predict(st *rewrite.Stmt) {
	switch {
	case st.Set != nil:
		s.pred.apply(st.Set)
	case st.Savepoint != nil:
		s.pred.savepoint(st.Savepoint)
	case st.Transaction != nil && st.Transaction.Kind == rewrite.TxCommit, st.Transaction != nil && st.Transaction.Kind == rewrite.TxPrepare:
		s.pred.commit()
	case st.Transaction != nil && st.Transaction.Kind == rewrite.TxRollback:
		s.pred.rollback()
	default:
		return
	}
	s.predStale = true
}

// confirm applies a completed statement's effect as the server reports it
// (tag is the CommandComplete tag). Callers hold mu.
func (s *Session) confirm(pl *completion, tag []byte) {
	st := pl.st
	switch {
	case st.Set != nil:
		s.conf.apply(st.Set)
		if st.DeallocateAll { // DISCARD ALL
			s.defs.deallocated("", true)
			s.defs.transactionEnded()
		}
	case st.Savepoint != nil:
		s.conf.savepoint(st.Savepoint)
	case st.Transaction != nil || st.Kind == "transaction":
		s.confirmTransaction(tag)
	case pl.define != nil:
		s.defs.prepared(st.PrepareName, pl.define)
	case st.DeallocateName != "" || st.DeallocateAll:
		s.defs.deallocated(st.DeallocateName, st.DeallocateAll)
	default:
		return
	}
	s.predStale = true
}

// confirmTransaction follows a transaction statement by its tag: COMMIT of
// a failed transaction reads ROLLBACK, and PREPARE TRANSACTION keeps the
// session's settings as a commit does.
func (s *Session) confirmTransaction(tag []byte) {
	switch {
	case tagIs(tag, "COMMIT"), tagIs(tag, "PREPARE"):
		s.conf.commit()
	case tagIs(tag, "ROLLBACK"):
		s.conf.rollback()
	}
}

// tagIs reports whether a command tag's first word is word.
func tagIs(tag []byte, word string) bool {
	return len(tag) >= len(word) && string(tag[:len(word)]) == word && (len(tag) == len(word) || tag[len(word)] == ' ')
}

// refused logs a refusal (with the start of the statement), counts it and
// returns it as the error the client will get.
func (s *Session) refused(err error, sql, kind string) *rewrite.Error {
	e, ok := err.(*rewrite.Error)
	if !ok {
		e = &rewrite.Error{Code: "XX000", Message: "softdelete-proxy could not rewrite the statement: " + err.Error(),
			Hint: "The statement was not sent to the server. Report this with the statement text."}
	}
	const maxLogged = 300
	if len(sql) > maxLogged {
		sql = sql[:maxLogged] + "…"
	}
	s.log.Info("statement refused", zap.String("sqlstate", e.Code), zap.String("reason", e.Message), zap.String("statement", sql))
	s.env.Metrics.refusal(kind)
	return e
}

// logRewrite logs a rewrite at debug level (checked first: this is the
// hot path).
func (s *Session) logRewrite(from, to string) {
	if ce := s.log.Check(zap.DebugLevel, "statement rewritten"); ce != nil {
		ce.Write(zap.String("statement", from), zap.String("rewritten", to))
	}
}
