package purger

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// Restore puts the selected trashed rows back (deleted column, and who and
// why, set to NULL) and returns how many.
func (tr *Trash) Restore(ctx context.Context, table string, s Selector) (int64, error) {
	return tr.change(ctx, table, s, ActionRestore, restoreSQL)
}

// Forget deletes the selected trashed rows for good, except rows on hold,
// and returns how many. The guard lets it through only when the session
// user is a member of the purge role or of a roles.hard_delete role.
func (tr *Trash) Forget(ctx context.Context, table string, s Selector) (int64, error) {
	return tr.change(ctx, table, s, ActionForget, forgetSQL)
}

// change runs one audited restore or forget statement in a transaction.
func (tr *Trash) change(ctx context.Context, table string, s Selector, action string, build func(policy.Table, string) string) (int64, error) {
	t, err := tr.Table(table)
	if err != nil {
		return 0, err
	}
	pred, args, err := s.predicate(ctx, tr.conn, t)
	if err != nil {
		return 0, err
	}
	detail := map[string]any{}
	switch {
	case s.Operation != 0:
		detail["operation"] = s.Operation
	case s.Where != "":
		detail["where"] = s.Where
	default:
		detail["ids"] = s.IDs
	}
	ev := tr.event(action, t, detail)
	err = pgx.BeginFunc(ctx, tr.conn, func(tx pgx.Tx) error {
		if err := boundStatements(ctx, tx, tr.opts.StatementTimeout); err != nil {
			return err
		}
		if err := tr.audit.announce(ctx, tx, ev); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, build(t, pred), args...)
		if err != nil {
			return err
		}
		ev.Count = tag.RowsAffected()
		return tr.audit.insert(ctx, tx, ev)
	})
	if err != nil {
		return 0, fmt.Errorf("%s %s: %w", action, tableName(t), err)
	}
	tr.audit.line(ev)
	return ev.Count, nil
}

// Empty deletes every trashed row of table for good, except rows on hold,
// in batches like the purger's (each its own audited transaction), and
// returns how many.
func (tr *Trash) Empty(ctx context.Context, table string) (int64, error) {
	t, err := tr.Table(table)
	if err != nil {
		return 0, err
	}
	t.PurgeAtColumn = "" // every trashed row goes, whatever its purge date
	p := &Purger{opts: tr.opts, log: tr.log, now: tr.now, audit: tr.audit}
	db := &database{name: tr.database, conn: tr.conn, actor: tr.actor}
	rep := TableReport{Table: tableName(t)}
	err = p.batches(ctx, db, t, 0, ActionEmpty, nil, &rep)
	if rep.Purged > 0 || err == nil {
		tr.audit.line(Event{Actor: tr.actor, Action: ActionEmpty, Database: tr.database,
			Table: rep.Table, Count: rep.Purged, When: tr.now()})
	}
	if err != nil {
		return rep.Purged, fmt.Errorf("empty %s: %w", rep.Table, err)
	}
	return rep.Purged, nil
}
