package tracker

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// Metrics count what the rewrite layer did; nil counts nothing.
type Metrics struct {
	Statements *prometheus.CounterVec
	Seconds    prometheus.Histogram
}

// NewMetrics registers the statement metrics on reg (nil: not registered);
// cache counters are read from r.
func NewMetrics(reg prometheus.Registerer, r *rewrite.Rewriter) *Metrics {
	m := &Metrics{
		Statements: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "softdelete_statements_total",
			Help: "Statements seen by the rewrite layer, by action (rewritten, passthrough, refused) and kind (select, delete, bind, …).",
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

// observe counts one rewrite; its refusal, if any, is counted by refusal.
func (m *Metrics) observe(res *rewrite.Result, err error, took time.Duration) {
	if m == nil {
		return
	}
	m.Seconds.Observe(took.Seconds())
	if err != nil {
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

// refusal counts a statement refused by the rewrite or by the session's
// rules, by its kind.
func (m *Metrics) refusal(kind string) {
	if m == nil {
		return
	}
	m.Statements.WithLabelValues("refused", kind).Inc()
}
