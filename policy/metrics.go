package policy

import "github.com/prometheus/client_golang/prometheus"

// Metrics count configuration reloads. Build them with NewMetrics on the
// registry main owns.
type Metrics struct {
	Reloads     *prometheus.CounterVec // result=success|failure
	LastSuccess prometheus.Gauge       // unix time of the last good load
}

// NewMetrics creates the metrics and registers them on reg (nil: not
// registered).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		Reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "softdelete_config_reloads_total",
			Help: "Configuration reloads (SIGHUP or file change), by result (success, failure).",
		}, []string{"result"}),
		LastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "softdelete_config_last_reload_success_timestamp_seconds",
			Help: "Unix time of the last successful configuration load (the first load counts).",
		}),
	}
	m.Reloads.WithLabelValues("success")
	m.Reloads.WithLabelValues("failure")
	if reg != nil {
		reg.MustRegister(m.Reloads, m.LastSuccess)
	}
	return m
}
