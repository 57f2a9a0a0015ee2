package purger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"go.uber.org/zap"
)

// purgeTable deletes t's rows past retention in batches until a batch comes
// back short, the context ends, or a batch fails; then, when evicted is
// set (softdelete.evicted exists), the records of t's evicted rows past
// retention (others: the pass's other tables, which keep their partitions'
// records). It logs and counts a failure; the caller goes on with the next
// table.
func (p *Purger) purgeTable(ctx context.Context, db *database, t policy.Table, others []policy.Table, evicted, dryRun bool, log *zap.Logger) (TableReport, error) {
	tr := TableReport{Table: tableName(t), Retention: t.Retention}
	if t.Retention <= 0 && t.PurgeAtColumn == "" {
		return tr, nil // kept forever
	}
	if dryRun {
		err := db.conn.QueryRow(ctx, countSQL(t), t.Retention.Microseconds()).Scan(&tr.Purged)
		if err == nil && evicted {
			err = p.purgeEvicted(ctx, db, t, others, true, &tr)
		}
		return tr, tableErr(&tr, err)
	}
	err := p.batches(ctx, db, t, t.Retention, ActionPurge, nil, &tr)
	if tr.Purged > 0 {
		p.audit.line(Event{Actor: db.actor, Action: ActionPurge, Database: db.name, Table: tr.Table,
			Count: tr.Purged, When: p.now()})
	}
	if evicted && ctx.Err() == nil && !db.broken(err) {
		err = errors.Join(err, p.purgeEvicted(ctx, db, t, others, false, &tr))
	}
	if err != nil && ctx.Err() == nil {
		log.Error("purging table failed; going on with the others", zap.String("table", tr.Table),
			zap.Int64("purged", tr.Purged), zap.Int64("evicted", tr.Evicted), zap.Error(err))
		p.metrics.tableError(db.name, tr.Table)
	}
	return tr, tableErr(&tr, err)
}

func tableErr(tr *TableReport, err error) error {
	if err != nil {
		tr.Error = err.Error()
	}
	return err
}

// batches runs batch transactions on db deleting t's trashed rows older than
// age, pausing BatchPause between them, adding to tr. Every batch inserts
// its audit row (action, detail) in its own transaction.
func (p *Purger) batches(ctx context.Context, db *database, t policy.Table, age time.Duration, action string, detail map[string]any, tr *TableReport) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		start := p.now()
		n, err := p.batch(ctx, db, t, age, Event{Actor: db.actor, Action: action, Database: db.name,
			Table: tr.Table, Detail: detail})
		if err != nil {
			return err
		}
		tr.LongestBatch = max(tr.LongestBatch, p.now().Sub(start))
		tr.Batches++
		tr.Purged += n
		p.metrics.purged(db.name, tr.Table, n)
		if n < int64(p.opts.BatchSize) {
			return nil
		}
		if err := sleep(ctx, p.opts.BatchPause); err != nil {
			return err
		}
	}
}

// batch is one short transaction: delete up to BatchSize rows, write the
// audit row.
func (p *Purger) batch(ctx context.Context, db *database, t policy.Table, age time.Duration, ev Event) (int64, error) {
	return p.shortTx(ctx, db, func(tx pgx.Tx) (int64, error) {
		if err := p.audit.announce(ctx, tx, ev); err != nil {
			return 0, err
		}
		tag, err := tx.Exec(ctx, batchSQL(t), age.Microseconds(), p.opts.BatchSize)
		if err != nil {
			return 0, err
		}
		ev.Count, ev.When = tag.RowsAffected(), p.now()
		if ev.Count > 0 {
			if err := p.audit.insert(ctx, tx, ev); err != nil {
				return 0, fmt.Errorf("writing the audit row: %w", err)
			}
		}
		return ev.Count, nil
	})
}

// shortTx runs one purge batch, fn, in a transaction bounded by
// statement_timeout and commits it; it times the batch. On any error,
// cancellation included, it rolls back whole.
func (p *Purger) shortTx(ctx context.Context, db *database, fn func(pgx.Tx) (int64, error)) (int64, error) {
	start := p.now()
	defer func() { p.metrics.batchDone(p.now().Sub(start)) }()
	tx, err := db.conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback(context.Background()) }() // no-op after Commit
	if err := boundStatements(ctx, tx, p.opts.StatementTimeout); err != nil {
		return 0, err
	}
	n, err := fn(tx)
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	return n, nil
}

// boundStatements bounds every later statement of tx by d (timeoutSQL).
func boundStatements(ctx context.Context, tx pgx.Tx, d time.Duration) error {
	_, err := tx.Exec(ctx, timeoutSQL, fmt.Sprintf("%dms", d.Milliseconds()))
	return err
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
