package purger

import (
	"context"
	"sync"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"go.uber.org/zap"
)

// Purger removes trashed rows past their table's retention from every
// database of Options.DatabaseURLs, where it holds the purge lock. Use Run in
// a server and PassOnce from the command line; Close when done. A Purger's
// passes do not overlap (PassOnce serialises them).
type Purger struct {
	opts    Options
	tables  []policy.Table
	metrics *Metrics
	log     *zap.Logger // named "purger"
	rootLog *zap.Logger // as given; the audit logger is its child "audit"
	now     func() time.Time
	audit   *auditor

	mu  sync.Mutex // one pass at a time; guards opts, tables, dbs
	dbs []*database

	pendingMu sync.Mutex // guards pending and interval
	pending   *reconfig  // applied at the start of the next pass
	interval  time.Duration
}

// reconfig is a Reconfigure waiting for the next pass.
type reconfig struct {
	opts   Options
	tables []policy.Table
}

// New builds a Purger; it connects at its first pass. m may be nil, now nil
// means time.Now.
func New(opts Options, tables []policy.Table, m *Metrics, log *zap.Logger, now func() time.Time) *Purger {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = zap.NewNop()
	}
	opts = opts.withDefaults()
	p := &Purger{metrics: m, log: log.Named("purger"), rootLog: log, now: now, interval: opts.Interval}
	p.apply(opts, tables)
	return p
}

// Reconfigure replaces the options and tables (after a config reload); it
// takes effect at the start of the next pass and never waits for one.
// Connections to databases still listed are kept, with their locks.
func (p *Purger) Reconfigure(opts Options, tables []policy.Table) {
	opts = opts.withDefaults()
	p.pendingMu.Lock()
	defer p.pendingMu.Unlock()
	p.pending = &reconfig{opts: opts, tables: tables}
	p.interval = opts.Interval
}

// applyPending applies a waiting Reconfigure; p.mu is held.
func (p *Purger) applyPending() {
	p.pendingMu.Lock()
	rc := p.pending
	p.pending = nil
	p.pendingMu.Unlock()
	if rc != nil {
		p.apply(rc.opts, rc.tables)
	}
}

// apply sets opts and tables, keeping the databases whose URL stays and
// closing the others; p.mu is held (or p is new).
func (p *Purger) apply(opts Options, tables []policy.Table) {
	old := map[string]*database{}
	for _, db := range p.dbs {
		old[db.url] = db
	}
	p.opts, p.tables, p.dbs = opts, tables, nil
	p.audit = newAuditor(opts.AuditTable, p.rootLog)
	for i, u := range opts.DatabaseURLs {
		db, ok := old[u]
		if !ok {
			db = newDatabase(u, i, p.metrics)
		}
		delete(old, u)
		p.dbs = append(p.dbs, db)
	}
	for _, db := range old {
		db.drop()
	}
}

func (p *Purger) currentInterval() time.Duration {
	p.pendingMu.Lock()
	defer p.pendingMu.Unlock()
	return p.interval
}

// Run starts a pass at once and then every Interval until ctx is done, then
// closes its connections (freeing the locks) and returns nil. Failures are
// logged and counted, never returned: the next pass retries.
func (p *Purger) Run(ctx context.Context) error {
	defer p.Close()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		started := p.now()
		if _, err := p.PassOnce(ctx, false); err != nil && ctx.Err() == nil {
			p.log.Warn("purge pass failed", zap.Error(err))
		}
		timer.Reset(max(p.currentInterval()-p.now().Sub(started), 0))
	}
}

// Close ends every database session, which frees the purge locks held.
func (p *Purger) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, db := range p.dbs {
		db.drop()
	}
}
