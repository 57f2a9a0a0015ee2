package main

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/purger"
)

// purgeLoop runs the purger inside serve while purge.enabled, following
// reloads: enabling starts it, disabling stops it, other changes reconfigure
// it from the next pass.
type purgeLoop struct {
	p   *purger.Purger
	log *zap.Logger

	mu      sync.Mutex
	stopped bool
	cancel  context.CancelFunc // of the running loop, nil when not running
	done    chan struct{}
}

// startPurger starts the loop and returns its stop, which cancels a running
// pass (its batch rolls back) and waits for it; stop is idempotent.
func startPurger(src configSource, reg prometheus.Registerer, log *zap.Logger) func() {
	cfg := src.Config()
	l := &purgeLoop{log: log.Named("purger")}
	l.p = purger.New(purgeOptions(cfg), cfg.Managed, purger.NewMetrics(reg), l.log, time.Now)
	l.set(cfg.Purge.Enabled)
	src.OnChange(func(c *policy.Config, _ uint64) {
		l.p.Reconfigure(purgeOptions(c), c.Managed)
		l.set(c.Purge.Enabled)
	})
	return func() {
		l.mu.Lock()
		l.stopped = true
		l.mu.Unlock()
		l.set(false)
	}
}

// set starts or stops the loop.
func (l *purgeLoop) set(enabled bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if enabled && !l.stopped && l.cancel == nil {
		ctx, cancel := context.WithCancel(context.Background())
		l.cancel, l.done = cancel, make(chan struct{})
		go func(done chan struct{}) {
			defer close(done)
			if err := l.p.Run(ctx); err != nil && ctx.Err() == nil {
				l.log.Error("purge loop stopped", zap.Error(err))
			}
		}(l.done)
		l.log.Info("purge loop started")
		return
	}
	if !enabled && l.cancel != nil {
		l.cancel()
		<-l.done
		l.cancel, l.done = nil, nil
		l.log.Info("purge loop stopped")
	}
}
