package purger

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// Options are the purge loop's settings, usually taken from the purge and
// audit sections of the config file with OptionsFrom.
type Options struct {
	Interval         time.Duration // how often a pass starts (Run only)
	BatchSize        int           // rows per DELETE transaction
	BatchPause       time.Duration // pause between two batches of one table
	StatementTimeout time.Duration // SET LOCAL statement_timeout of each batch; 0 = none
	DatabaseURLs     []string      // one leader election and pass per database
	AuditTable       string        // "schema.table" or "" for audit log lines only
	// Resolve, when set, gives the tables of one database from the
	// configured ones (table patterns are resolved against each
	// database's catalog at every pass); nil: the configured tables.
	Resolve func(ctx context.Context, conn *pgx.Conn, tables []policy.Table) ([]policy.Table, error)
}

// Built-in defaults, applied by withDefaults to fields left zero (the
// config file's own defaults are applied by policy).
const (
	DefaultInterval   = time.Hour
	DefaultBatchSize  = 1000
	DefaultBatchPause = 100 * time.Millisecond
)

// OptionsFrom takes the purge and audit settings of a loaded config.
func OptionsFrom(cfg *policy.Config) Options {
	return Options{
		Interval:         time.Duration(cfg.Purge.Interval),
		BatchSize:        cfg.Purge.BatchSize,
		BatchPause:       time.Duration(cfg.Purge.BatchPause),
		StatementTimeout: time.Duration(cfg.Purge.StatementTimeout),
		DatabaseURLs:     append([]string(nil), cfg.Purge.DatabaseURLs...),
		AuditTable:       cfg.Audit.Table,
	}
}

func (o Options) withDefaults() Options {
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.BatchPause < 0 {
		o.BatchPause = 0
	}
	if o.StatementTimeout < 0 {
		o.StatementTimeout = 0
	}
	return o
}
