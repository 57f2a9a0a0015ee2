package rewrite

import (
	"fmt"
	"sync/atomic"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// Options configures a Rewriter.
type Options struct {
	// CacheBytes bounds the rewrite and template cache; 0 means 32 MiB,
	// a negative value disables caching.
	CacheBytes int64
}

// DefaultCacheBytes is the cache bound when Options.CacheBytes is 0.
const DefaultCacheBytes = 32 << 20

// Stats are the cache counters of a Rewriter.
type Stats struct {
	Hits         uint64 // served from the exact-text cache
	TemplateHits uint64 // served from a template (same statement, other literals)
	Misses       uint64 // parsed and rewritten
	Bytes        int64  // approximate cache size
	Entries      int
}

// Rewriter rewrites statements for a policy and caches the results. It is
// safe for concurrent use.
type Rewriter struct {
	cache                  *shardedLRU
	hits, tmplHits, misses atomic.Uint64
}

// New returns a Rewriter.
func New(opts Options) *Rewriter {
	n := opts.CacheBytes
	if n == 0 {
		n = DefaultCacheBytes
	}
	return &Rewriter{cache: newCache(n)}
}

// Stats returns the cache counters.
func (r *Rewriter) Stats() Stats {
	b, n := r.cache.stats()
	return Stats{Hits: r.hits.Load(), TemplateHits: r.tmplHits.Load(), Misses: r.misses.Load(), Bytes: b, Entries: n}
}

// Purge drops every cached rewrite (on a policy reload).
func (r *Rewriter) Purge() { r.cache.purge() }

// Rewrite rewrites one Query or Parse text, which may hold several
// statements. When nothing changes, Result.SQL is sql itself. A refusal or
// a failure is an *Error carrying a SQLSTATE. Results served from the cache
// share their Stmts slice: callers must not modify it.
func (r *Rewriter) Rewrite(sql string, p *Policy, s *Session) (Result, error) {
	key := makeKey(sql, p, s)
	if c, ok := r.cache.get(key); ok {
		r.hits.Add(1)
		return c.result(sql), nil
	}
	var buf [16]span
	f := p.scan(sql, true, buf[:0])
	if s != nil && (s.NonStandardStrings || s.ClientEncoding != "" && s.ClientEncoding != "UTF8") {
		if stop, lerr := checkLexing(sql, p, s, f); stop {
			return Result{SQL: sql, Touches: f.touch}, asError(lerr)
		}
	}
	if !f.touch && !f.tracked && !f.catalog {
		return Result{SQL: sql}, nil
	}
	var consts []span
	tkey := key
	if f.touch && f.litsOK && !f.setConfig {
		consts = f.lits
		tkey.text, tkey.template = templateKey(sql, consts), true
		if c, hit := r.cache.get(tkey); hit {
			if res, ok := c.fromTemplate(sql, consts); ok {
				r.tmplHits.Add(1)
				return res, nil
			}
		}
	}
	r.misses.Add(1)
	res, tmpl, err := r.cold(sql, f, p, s, consts)
	if err != nil {
		return Result{SQL: sql}, err
	}
	r.cache.put(key, cached{res: stripUnchanged(res)})
	if tmpl != nil {
		r.cache.put(tkey, cached{tmpl: tmpl})
	}
	return res, nil
}

func makeKey(sql string, p *Policy, s *Session) cacheKey {
	k := cacheKey{text: sql, searchPath: defaultSearchPath}
	if p != nil {
		k.version = p.Version
	}
	if s != nil {
		k.searchPath, k.user, k.vis, k.hard, k.shadows = s.SearchPath, s.User, s.Visibility, s.CanHardDelete, s.Shadows
		k.asOf = s.AsOf
		k.nonStd = s.NonStandardStrings
		if e := s.ClientEncoding; e != "" && e != "UTF8" {
			k.enc = encodingOf(e)
		}
	}
	return k
}

// stripUnchanged drops SQL from an unchanged result: the input is the answer.
func stripUnchanged(res Result) Result {
	if !res.Changed {
		res.SQL = ""
	}
	return res
}

func (c cached) result(sql string) Result {
	res := c.res
	if !res.Changed {
		res.SQL = sql
	}
	res.CacheHit = true
	return res
}

func (c cached) fromTemplate(sql string, consts []span) (Result, bool) {
	if c.tmpl == nil {
		return Result{}, false
	}
	res := c.tmpl.res
	res.CacheHit = true
	if !res.Changed {
		res.SQL = sql
		return res, true
	}
	out, ok := c.tmpl.fill(sql, consts)
	res.SQL = out
	return res, ok
}

// cold parses and rewrites sql; it never panics.
func (r *Rewriter) cold(sql string, f scanned, p *Policy, s *Session, consts []span) (res Result, tmpl *template, err error) {
	touch := f.touch
	defer func() {
		if v := recover(); v != nil {
			res, tmpl = Result{SQL: sql}, nil
			err = &Error{Code: codeInternal, Message: fmt.Sprintf("softdelete-proxy failed to rewrite the statement: %v", v)}
		}
	}()
	tree, perr := parse(sql)
	if perr != nil {
		if !touch {
			return Result{SQL: sql}, nil, nil
		}
		return Result{SQL: sql}, nil, perr
	}
	if !touch {
		p = nil // no managed name in the text: describe only
	}
	res, edits, werr := rewriteTree(tree, sql, p, s, f.setConfig)
	if werr != nil {
		return Result{SQL: sql}, nil, werr
	}
	res.Touches = touch
	if consts != nil && !hasSet(res.Stmts) {
		tmpl = buildTemplate(tree, sql, consts, edits, res.SQL, res)
	}
	return res, tmpl, nil
}

// rewriteTree walks every statement of tree and splices the edits.
func rewriteTree(tree *pg.ParseResult, sql string, p *Policy, s *Session, setConfig bool) (Result, []edit, *Error) {
	if s == nil {
		s = &Session{}
	}
	w := &walker{sql: sql, pol: p, path: searchPath(s.SearchPath, s.User), shadows: s.Shadows, vis: s.Visibility,
		asOf: s.AsOf, hard: s.CanHardDelete, setConfig: setConfig}
	w.enterFn = w.enter
	if p != nil {
		w.toks = tokenize(sql)
	}
	stmts := make([]Stmt, 0, len(tree.Stmts))
	for _, raw := range tree.Stmts {
		stmts = append(stmts, w.topLevel(raw.Stmt))
		if w.err != nil {
			return Result{}, nil, w.err
		}
	}
	if len(w.edits) == 0 {
		return Result{SQL: sql, Stmts: stmts}, nil, nil
	}
	sortEdits(w.edits)
	padEdits(sql, w.edits)
	out, ok := applyEdits(sql, w.edits)
	if !ok {
		return Result{}, nil, &Error{Code: codeInternal, Message: "softdelete-proxy cannot rewrite this statement safely (overlapping edits)"}
	}
	return Result{SQL: out, Changed: true, Stmts: stmts}, w.edits, nil
}

// asError keeps a nil *Error a nil error.
func asError(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}

func hasSet(stmts []Stmt) bool {
	for _, s := range stmts {
		if s.Set != nil {
			return true
		}
	}
	return false
}
