package purger

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the purge loop's Prometheus metrics. Build them once with
// NewMetrics; a nil *Metrics is valid and records nothing.
type Metrics struct {
	Runs          *prometheus.CounterVec // softdelete_purge_runs_total{database,result}
	PurgedRows    *prometheus.CounterVec // softdelete_purged_rows_total{database,table}
	PurgedEvicted *prometheus.CounterVec // softdelete_purged_evicted_rows_total{database,table}
	TableErrors   *prometheus.CounterVec // softdelete_purge_table_errors_total{database,table}
	PassDuration  prometheus.Histogram   // softdelete_purge_duration_seconds
	BatchDuration prometheus.Histogram   // softdelete_purge_batch_duration_seconds
	LastSuccess   *prometheus.GaugeVec   // softdelete_purge_last_success_timestamp_seconds{database}
	Leader        *prometheus.GaugeVec   // softdelete_purge_leader{database}
	TrashRows     *prometheus.GaugeVec   // softdelete_trash_rows{database,table}
	BacklogRows   *prometheus.GaugeVec   // softdelete_purge_backlog_rows{database,table}
	OldestAge     *prometheus.GaugeVec   // softdelete_trash_oldest_age_seconds{database,table}
	all           []prometheus.Collector // for registration
}

// Values of the result label of softdelete_purge_runs_total.
const (
	ResultSuccess = "success" // the leader purged every table
	ResultError   = "error"   // the pass or at least one table failed
	ResultSkipped = "skipped" // another instance holds the lock
)

// NewMetrics creates the purge metrics and registers them on reg (nil: not
// registered, useful in tests that only read values).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	dbTable := []string{"database", "table"}
	m := &Metrics{
		Runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "softdelete_purge_runs_total",
			Help: "Purge passes per database, by result (success, error, skipped when not the leader).",
		}, []string{"database", "result"}),
		PurgedRows: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "softdelete_purged_rows_total",
			Help: "Trashed rows deleted for good by the purger.",
		}, dbTable),
		PurgedEvicted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "softdelete_purged_evicted_rows_total",
			Help: "Records of evicted rows (softdelete.evicted) deleted by the purger once their table's retention had passed.",
		}, dbTable),
		TableErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "softdelete_purge_table_errors_total",
			Help: "Tables whose purge failed during a pass (the pass goes on with the other tables).",
		}, dbTable),
		PassDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "softdelete_purge_duration_seconds",
			Help:    "Duration of a purge pass over one database.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10), // 10ms .. ~43min
		}),
		BatchDuration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "softdelete_purge_batch_duration_seconds",
			Help:    "Duration of one purge batch transaction (its locks are held this long at most).",
			Buckets: []float64{.001, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}),
		LastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "softdelete_purge_last_success_timestamp_seconds",
			Help: "Unix time of the end of the last successful purge pass by this instance.",
		}, []string{"database"}),
		Leader: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "softdelete_purge_leader",
			Help: "1 when this instance holds the purge lock of the database, else 0.",
		}, []string{"database"}),
		TrashRows: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "softdelete_trash_rows",
			Help: "Trashed rows (deleted column not null), refreshed each pass.",
		}, dbTable),
		BacklogRows: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "softdelete_purge_backlog_rows",
			Help: "Trashed rows past retention and not held, not yet purged; refreshed each pass.",
		}, dbTable),
		OldestAge: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "softdelete_trash_oldest_age_seconds",
			Help: "Age of the oldest trashed row (0 when the trash is empty), refreshed each pass.",
		}, dbTable),
	}
	m.all = []prometheus.Collector{m.Runs, m.PurgedRows, m.PurgedEvicted, m.TableErrors, m.PassDuration,
		m.BatchDuration, m.LastSuccess, m.Leader, m.TrashRows, m.BacklogRows, m.OldestAge}
	if reg != nil {
		for _, c := range m.all {
			reg.MustRegister(c)
		}
	}
	return m
}
