package main

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/proxy"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// rewriting builds the proxy's rewrite layer over src: one Rewriter whose
// cache is dropped on every reload, and the policy of the current snapshot.
func rewriting(src configSource, reg prometheus.Registerer, log *zap.Logger) *proxy.Rewriting {
	r := rewrite.New(rewrite.Options{})
	versions := newResolvedVersions()
	var cur atomic.Pointer[proxy.Policy]
	cur.Store(proxyPolicy(src.Current(), versions))
	src.OnChange(func(c *policy.Config, v uint64) {
		cur.Store(proxyPolicy(src.Current(), versions))
		r.Purge()
		log.Info("policy reloaded", zap.Uint64("version", v), zap.Int("managed_tables", len(c.Managed)))
	})
	return &proxy.Rewriting{
		Rewriter: r,
		Policy:   cur.Load,
		Metrics:  proxy.NewRewriteMetrics(reg, r),
	}
}

// proxyPolicy is the snapshot as the proxy applies it; each database
// resolves it (partitions, children, the guard) through resolver.
func proxyPolicy(s *policy.Snapshot, versions *atomic.Uint64) *proxy.Policy {
	return &proxy.Policy{
		Rewrite:    s.Policy,
		Bypass:     s.Config.Roles.Bypass,
		HardDelete: s.Config.Roles.HardDelete,
		Resolver:   resolver{cfg: s.Config, versions: versions},
		Patterns:   s.Config.HasPatterns(),
	}
}
