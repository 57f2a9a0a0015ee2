package purger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// Audit actions of the records of softdelete.evicted. They are written to
// the audit log only: the audit table records changes of the managed
// tables (its action column does not take these).
const (
	ActionPurgeEvicted   = "purge-evicted"
	ActionRestoreEvicted = "restore-evicted"
)

// hasEvicted reports whether softdelete.evicted exists (migrate creates
// it; without it there is nothing to purge).
func hasEvicted(ctx context.Context, q querier) (bool, error) {
	var ok bool
	err := q.QueryRow(ctx, evictedExistsSQL).Scan(&ok)
	return ok, err
}

// evictedNames lists the table_name values of t's records: t and its
// partitions and children, but those managed by a table of others.
func evictedNames(ctx context.Context, conn *pgx.Conn, t policy.Table, others []policy.Table) ([]string, error) {
	var schemas, names []string
	for _, o := range others {
		if o.Schema != t.Schema || o.Name != t.Name {
			schemas, names = append(schemas, o.Schema), append(names, o.Name)
		}
	}
	rows, err := conn.Query(ctx, evictedNamesSQL, t.Schema, t.Name, schemas, names)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// purgeEvicted deletes the records of t's evicted rows once t's retention
// has passed (by the record's time, at), relation by relation, in batches
// like the trashed rows', and adds them to tr.Evicted; a dry run counts
// them. A table that keeps its trash forever keeps its records.
func (p *Purger) purgeEvicted(ctx context.Context, db *database, t policy.Table, others []policy.Table, dryRun bool, tr *TableReport) error {
	if t.Retention <= 0 {
		return nil
	}
	names, err := evictedNames(ctx, db.conn, t, others)
	if err != nil {
		return fmt.Errorf("evicted records: reading the partitions and children: %w", err)
	}
	age := t.Retention.Microseconds()
	if dryRun {
		args := []any{age, names}
		if t.HoldColumn != "" {
			args = append(args, t.HoldColumn)
		}
		return db.conn.QueryRow(ctx, evictedCountSQL(t), args...).Scan(&tr.Evicted)
	}
	defer func() {
		if tr.Evicted > 0 {
			p.audit.line(Event{Actor: db.actor, Action: ActionPurgeEvicted, Database: db.name, Table: tr.Table,
				Count: tr.Evicted, When: p.now()})
		}
	}()
	for _, name := range names {
		for {
			if err := ctx.Err(); err != nil {
				return err
			}
			n, err := p.evictedBatch(ctx, db, t, name)
			if err != nil {
				return fmt.Errorf("evicted records of %s: %w", name, err)
			}
			tr.Evicted += n
			p.metrics.purgedEvicted(db.name, tr.Table, n)
			if n < int64(p.opts.BatchSize) {
				break
			}
			if err := sleep(ctx, p.opts.BatchPause); err != nil {
				return err
			}
		}
	}
	return nil
}

// evictedBatch is one short transaction deleting up to BatchSize records
// of relation name past t's retention.
func (p *Purger) evictedBatch(ctx context.Context, db *database, t policy.Table, name string) (int64, error) {
	return p.shortTx(ctx, db, func(tx pgx.Tx) (int64, error) {
		args := []any{t.Retention.Microseconds(), p.opts.BatchSize, name}
		if t.HoldColumn != "" {
			args = append(args, t.HoldColumn)
		}
		tag, err := tx.Exec(ctx, evictedBatchSQL(t), args...)
		return tag.RowsAffected(), err
	})
}
