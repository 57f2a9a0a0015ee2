package proxy

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

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
type Policy struct {
	Rewrite    *rewrite.Policy
	Bypass     []string // roles whose members' sessions are never rewritten
	HardDelete []string // roles whose members may DELETE for good in the trash view
}

// anyOf reports whether roles (a session's memberships) holds one of list.
func anyOf(roles map[string]bool, list []string) bool {
	for _, r := range list {
		if roles[r] {
			return true
		}
	}
	return false
}

// RewriteMetrics counts what the rewrite layer did.
type RewriteMetrics struct {
	Statements *prometheus.CounterVec
	Seconds    prometheus.Histogram
}

// NewRewriteMetrics registers the rewrite metrics on reg (nil: not
// registered); cache counters are read from r.
func NewRewriteMetrics(reg prometheus.Registerer, r *rewrite.Rewriter) *RewriteMetrics {
	m := &RewriteMetrics{
		Statements: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "softdelete_statements_total",
			Help: "Statements seen by the rewrite layer, by action (rewritten, passthrough, refused) and kind (select, delete, …).",
		}, []string{"action", "kind"}),
		Seconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "softdelete_rewrite_seconds",
			Help:    "Time to rewrite one statement text (cache hits included).",
			Buckets: []float64{1e-6, 3e-6, 1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 0.1},
		}),
	}
	if reg == nil {
		return m
	}
	reg.MustRegister(m.Statements, m.Seconds)
	if r != nil {
		reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "softdelete_rewrite_cache_hits_total",
				Help: "Rewrites served from the cache (same text or same template).",
			}, func() float64 { s := r.Stats(); return float64(s.Hits + s.TemplateHits) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "softdelete_rewrite_cache_misses_total",
				Help: "Rewrites that had to parse the statement.",
			}, func() float64 { return float64(r.Stats().Misses) }),
		)
	}
	return m
}

func (m *RewriteMetrics) observe(res *rewrite.Result, err error, took time.Duration) {
	if m == nil {
		return
	}
	m.Seconds.Observe(took.Seconds())
	if err != nil {
		m.Statements.WithLabelValues("refused", "unknown").Inc()
		return
	}
	if len(res.Stmts) == 0 {
		m.Statements.WithLabelValues("passthrough", "unparsed").Inc()
		return
	}
	for i := range res.Stmts {
		st := &res.Stmts[i]
		action := "passthrough"
		if st.Rewritten {
			action = "rewritten"
		}
		m.Statements.WithLabelValues(action, st.Kind).Inc()
	}
}
