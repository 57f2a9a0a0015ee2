package purger

import (
	"context"
	"errors"
	"fmt"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"go.uber.org/zap"
)

// PassOnce runs one pass over every database, one after the other, and
// returns what it did. The error joins every database's and table's failure;
// the report is complete either way. A dry run takes no lock and deletes
// nothing: it counts, per table, the rows a pass would purge now.
func (p *Purger) PassOnce(ctx context.Context, dryRun bool) (Report, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.applyPending()
	rep := Report{DryRun: dryRun}
	var errs []error
	for _, db := range p.dbs {
		if ctx.Err() != nil {
			errs = append(errs, ctx.Err())
			break
		}
		dr, err := p.passDatabase(ctx, db, dryRun)
		rep.Databases = append(rep.Databases, dr)
		if err != nil {
			errs = append(errs, fmt.Errorf("database %s: %w", db.name, err))
		}
	}
	return rep, errors.Join(errs...)
}

// passDatabase runs one pass over one database and records its metrics.
func (p *Purger) passDatabase(ctx context.Context, db *database, dryRun bool) (DatabaseReport, error) {
	start := p.now()
	log := p.log.With(zap.String("database", db.name))
	dr := DatabaseReport{Database: db.name}
	err := p.leadAndPurge(ctx, db, dryRun, &dr, log)
	dr.Duration = p.now().Sub(start)
	if err != nil {
		dr.Error = err.Error()
		if db.broken(err) {
			log.Warn("purge connection lost; the lock is free for another instance", zap.Error(err))
			db.drop()
		}
	}
	dr.Leader = db.leader
	switch {
	case dryRun:
		dr.Result = "dry_run"
		return dr, err
	case err != nil:
		dr.Result = ResultError
	case !db.leader:
		dr.Result = ResultSkipped
	default:
		dr.Result = ResultSuccess
		p.metrics.success(db.name, p.now())
	}
	p.metrics.run(db.name, dr.Result)
	if db.leader || err != nil {
		p.metrics.passDone(dr.Duration)
	}
	log.Info("purge pass", zap.String("result", dr.Result), zap.Bool("leader", dr.Leader),
		zap.Int64("purged", Report{Databases: []DatabaseReport{dr}}.Purged()), zap.Duration("duration", dr.Duration))
	return dr, err
}

// leadAndPurge connects, takes the lock if free, purges each table children
// first, and refreshes the trash gauges (also when another instance leads).
func (p *Purger) leadAndPurge(ctx context.Context, db *database, dryRun bool, dr *DatabaseReport, log *zap.Logger) error {
	if err := db.connect(ctx); err != nil {
		db.setLeader(false)
		return fmt.Errorf("connecting: %w", err)
	}
	configured := p.tables
	if p.opts.Resolve != nil {
		var err error
		if configured, err = p.opts.Resolve(ctx, db.conn, p.tables); err != nil {
			return fmt.Errorf("resolving the table patterns: %w", err)
		}
	}
	tables, cyclic, err := purgeOrder(ctx, db.conn, configured)
	if err != nil {
		return fmt.Errorf("reading foreign keys: %w", err)
	}
	if tables, err = withLockTests(ctx, db.conn, tables); err != nil {
		return err
	}
	if cyclic {
		log.Warn("managed tables reference each other in a cycle; purging the cycle in config order")
	}
	if !dryRun {
		leads, err := db.lead(ctx)
		if err != nil {
			return fmt.Errorf("trying the purge lock: %w", err)
		}
		if !leads {
			log.Debug("another instance holds the purge lock")
			return p.refreshGauges(ctx, db, tables)
		}
	}
	evicted, err := hasEvicted(ctx, db.conn)
	if err != nil {
		return fmt.Errorf("looking for %s: %w", evictedTable, err)
	}
	var errs []error
	for _, t := range tables {
		tr, err := p.purgeTable(ctx, db, t, tables, evicted, dryRun, log)
		dr.Tables = append(dr.Tables, tr)
		if err != nil {
			errs = append(errs, fmt.Errorf("table %s: %w", tr.Table, err))
			if ctx.Err() != nil || db.broken(err) {
				return errors.Join(errs...)
			}
		}
	}
	if !dryRun {
		errs = append(errs, p.refreshGauges(ctx, db, tables))
	}
	return errors.Join(errs...)
}

// refreshGauges sets the trash gauges of every table of db.
func (p *Purger) refreshGauges(ctx context.Context, db *database, tables []policy.Table) error {
	var errs []error
	for _, t := range tables {
		s, err := tableStats(ctx, db.conn, t)
		if err != nil {
			errs = append(errs, fmt.Errorf("trash gauges of %s: %w", tableName(t), err))
			continue
		}
		p.metrics.trash(db.name, s.Table, s)
	}
	return errors.Join(errs...)
}
