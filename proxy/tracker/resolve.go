package tracker

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// resolution is the session's copy of its database's resolved policy.
type resolution struct {
	base      *Policy   // the policy it resolves
	resolved  *Resolved // from Databases
	effective *Policy   // base with the resolved tables
	running   bool      // the Resolver's queries are in flight
	// private: resolved inside a transaction that changed the catalog, so
	// from what only this session sees; kept out of Databases, and asked
	// again once the transaction ends.
	private  bool
	failed   string // why the last resolution failed
	failedAt uint64 // Session.finished when it failed
}

// needsResolve reports whether the session must ask its database what the
// policy means there before the next batch (nothing known for this policy,
// or a cache entry gone stale). An answer another session got is taken
// without asking. Callers hold mu.
func (s *Session) needsResolve(base *Policy) bool {
	if s.env.Rewriter == nil || base == nil || base.Resolver == nil || !base.Managed() || s.res.running || s.srv.tx == 'E' {
		return false
	}
	if s.res.private && s.res.base == base {
		return false
	}
	cached, stale := s.env.Databases.lookup(s.env.Database, base)
	if cached != nil && !stale && (s.res.base != base || s.res.resolved != cached) {
		s.adopt(base, cached)
	}
	if s.res.failed != "" && s.finished == s.res.failedAt {
		return false
	}
	return cached == nil || stale
}

// forgetResolution follows a catalog change of this session's own: its
// next statements wait for the database to be asked again.
func (s *Session) forgetResolution() {
	s.env.Databases.invalidate(s.env.Database)
	s.res.base, s.res.resolved, s.res.effective, s.res.private = nil, nil, nil, false
}

// unresolved reports whether statements must wait: the policy has a
// Resolver and nothing is known of it in this database yet.
func (s *Session) unresolved() bool {
	base := s.basePolicy()
	return base != nil && base.Resolver != nil && base.Managed() && s.res.running && s.res.base != base
}

// startResolve queues the Resolver's queries as the proxy's own and
// returns their frames. Callers hold mu.
func (s *Session) startResolve(base *Policy) []byte {
	queries := base.Resolver.Queries()
	answers := make([][][]string, len(queries))
	errs := make([]string, len(queries))
	left := len(queries)
	s.res.running = true
	var out []byte
	for i, sql := range queries {
		i := i
		q := &ownQuery{}
		q.done = func(rows [][]string, err string) {
			answers[i], errs[i] = rows, err
			if left--; left == 0 {
				s.resolved(base, answers, errs)
			}
		}
		s.push(&request{kind: reqQuery, own: q})
		out = append(out, encode(&pgproto3.Query{String: sql})...)
	}
	return out
}

// resolved applies the answers. Callers hold mu.
func (s *Session) resolved(base *Policy, answers [][][]string, errs []string) {
	s.res.running = false
	var res *Resolved
	var err error
	if why := strings.Join(nonEmpty(errs), "; "); why != "" {
		err = fmt.Errorf("%s", why)
	} else {
		res, err = base.Resolver.Resolve(s.env.Database, answers)
	}
	if err != nil {
		s.res.failed, s.res.failedAt = err.Error(), s.finished
		s.log.Warn("could not learn what the policy means in this database; statements on soft-delete tables are refused until it succeeds",
			zap.Error(err))
		return
	}
	s.res.failed = ""
	if s.catalogInTx {
		// other sessions cannot see this transaction's changes: they ask
		// for themselves (forgetResolution marked the cache stale)
		s.adopt(base, res)
		s.res.private = true
		return
	}
	s.adopt(base, s.env.Databases.store(s.env.Database, base, res))
}

// adopt makes res the session's policy.
func (s *Session) adopt(base *Policy, res *Resolved) {
	p := *base
	p.Rewrite = res.Rewrite
	s.res.base, s.res.resolved, s.res.effective, s.res.private = base, res, &p, false
}

// guardRefusal refuses a text naming a managed table whose guard is
// incomplete (any managed table when Resolved.Refused is nil), when the
// policy requires it.
func (s *Session) guardRefusal(pol *rewrite.Policy, sql string) error {
	r := s.res.resolved
	if s.res.effective == nil || s.res.effective.Rewrite != pol || r == nil || !r.Require || len(r.Unguarded) == 0 {
		return nil
	}
	refused := r.Refused
	if refused == nil {
		refused = pol
	}
	if !refused.MayTouch(sql) {
		return nil
	}
	return &rewrite.Error{Code: "55000",
		Message: fmt.Sprintf("softdelete-proxy refuses statements on these soft-delete tables of database %q: their guard is missing or stale (%s)",
			s.env.Database, strings.Join(r.Unguarded, "; ")),
		Hint: "Run softdelete-proxy migrate --apply (then check) on this database. Without the guard, server-side code could delete rows for good; require_guard: false runs without it."}
}

// resolveFailure refuses what names a managed table while the database's
// resolution failed.
func (s *Session) resolveFailure(base *Policy, sql string) error {
	if s.res.failed == "" || s.res.effective != nil && s.res.base == base || !base.Rewrite.MayTouch(sql) {
		return nil
	}
	return &rewrite.Error{Code: "0A000",
		Message: "softdelete-proxy could not learn what its policy means in database " + fmt.Sprintf("%q", s.env.Database) + " (" + s.res.failed + "), so it cannot rewrite a statement on soft-delete tables",
		Hint:    "The proxy asks again before the next statement; check that the session's role can read the catalog."}
}

func nonEmpty(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
