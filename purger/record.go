package purger

import "time"

// The recording helpers accept a nil *Metrics.

func (m *Metrics) run(db, result string) {
	if m != nil {
		m.Runs.WithLabelValues(db, result).Inc()
	}
}

func (m *Metrics) purged(db, table string, n int64) {
	if m != nil && n > 0 {
		m.PurgedRows.WithLabelValues(db, table).Add(float64(n))
	}
}

func (m *Metrics) purgedEvicted(db, table string, n int64) {
	if m != nil && n > 0 {
		m.PurgedEvicted.WithLabelValues(db, table).Add(float64(n))
	}
}

func (m *Metrics) tableError(db, table string) {
	if m != nil {
		m.TableErrors.WithLabelValues(db, table).Inc()
	}
}

func (m *Metrics) passDone(d time.Duration) {
	if m != nil {
		m.PassDuration.Observe(d.Seconds())
	}
}

func (m *Metrics) batchDone(d time.Duration) {
	if m != nil {
		m.BatchDuration.Observe(d.Seconds())
	}
}

func (m *Metrics) success(db string, at time.Time) {
	if m != nil {
		m.LastSuccess.WithLabelValues(db).Set(float64(at.UnixNano()) / 1e9)
	}
}

func (m *Metrics) leader(db string, leads bool) {
	if m != nil {
		v := 0.0
		if leads {
			v = 1
		}
		m.Leader.WithLabelValues(db).Set(v)
	}
}

func (m *Metrics) trash(db, table string, s TableStats) {
	if m != nil {
		m.TrashRows.WithLabelValues(db, table).Set(float64(s.Trashed))
		m.BacklogRows.WithLabelValues(db, table).Set(float64(s.PendingPurge))
		m.OldestAge.WithLabelValues(db, table).Set(s.OldestAge.Seconds())
	}
}
