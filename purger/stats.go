package purger

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// TableStats describes one managed table's trash.
type TableStats struct {
	Table        string        `json:"table"`
	Retention    time.Duration `json:"retention_ns"`  // 0: forever
	Trashed      int64         `json:"trashed"`       // rows with the deleted column set
	PendingPurge int64         `json:"pending_purge"` // past their purge date, neither held nor locked: the purge backlog
	Held         int64         `json:"held"`          // on hold
	Locked       int64         `json:"locked"`        // locked and not on hold
	Oldest       *time.Time    `json:"oldest,omitempty"`
	OldestAge    time.Duration `json:"oldest_age_ns"` // by the database clock; 0 when empty
}

// querier is what stats need: *pgx.Conn, pgx.Tx and *pgxpool.Pool all fit.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// tableStats reads t's trash with one query over its partial index.
func tableStats(ctx context.Context, q querier, t policy.Table) (TableStats, error) {
	s := TableStats{Table: tableName(t), Retention: t.Retention}
	var ageSeconds float64
	var args []any
	if t.Retention > 0 {
		args = append(args, t.Retention.Microseconds())
	}
	err := q.QueryRow(ctx, statsSQL(t), args...).Scan(&s.Trashed, &s.PendingPurge, &s.Held, &s.Locked, &s.Oldest, &ageSeconds)
	s.OldestAge = time.Duration(ageSeconds * float64(time.Second))
	return s, err
}
