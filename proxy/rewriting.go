package proxy

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/tracker"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// Rewriting connects the relay to the rewrite engine. With Rewriter nil the
// proxy relays every statement verbatim.
type Rewriting struct {
	Rewriter *rewrite.Rewriter
	// Policy returns the policy in force now; it changes on reload, and each
	// statement is rewritten under the policy current when it arrives.
	Policy func() *Policy
	// Metrics for statements; nil = not counted.
	Metrics *RewriteMetrics
}

// Policy is what the relay applies per session.
type Policy = tracker.Policy

// RewriteMetrics count what the rewrite layer did.
type RewriteMetrics = tracker.Metrics

// NewRewriteMetrics registers the rewrite metrics on reg (nil: not
// registered); cache counters are read from r.
func NewRewriteMetrics(reg prometheus.Registerer, r *rewrite.Rewriter) *RewriteMetrics {
	return tracker.NewMetrics(reg, r)
}
