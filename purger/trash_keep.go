package purger

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// ActionKeepUntil is the audit action of KeepUntil.
const ActionKeepUntil = "keep-until"

// ErrNoPurgeDate is returned by KeepUntil for a table without a
// purge_at_column.
var ErrNoPurgeDate = errors.New("no purge_at_column")

// KeepUntil sets the purge date of the selected trashed rows (a zero
// until: never, infinity) and returns how many; the purger deletes them
// once it has passed. It needs a purge_at_column.
func (tr *Trash) KeepUntil(ctx context.Context, table string, s Selector, until time.Time) (int64, error) {
	t, err := tr.Table(table)
	if err != nil {
		return 0, err
	}
	if t.PurgeAtColumn == "" {
		return 0, fmt.Errorf("keep-until %s: %w: set purge_at_column for it in the policy and run migrate", tableName(t), ErrNoPurgeDate)
	}
	pred, args, err := s.predicate(ctx, tr.conn, t)
	if err != nil {
		return 0, err
	}
	var at any = until
	label := stamp(until)
	if until.IsZero() {
		at, label = "infinity", "never"
	}
	detail := map[string]any{"until": label}
	if s.Where != "" {
		detail["where"] = s.Where
	} else {
		detail["ids"] = s.IDs
	}
	ev := tr.event(ActionKeepUntil, t, detail)
	err = pgx.BeginFunc(ctx, tr.conn, func(tx pgx.Tx) error {
		if err := boundStatements(ctx, tx, tr.opts.StatementTimeout); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, keepUntilSQL(t, pred, len(args)+1), append(args, at)...)
		if err != nil {
			return err
		}
		ev.Count = tag.RowsAffected()
		return tr.audit.insert(ctx, tx, ev)
	})
	if err != nil {
		return 0, fmt.Errorf("keep-until %s: %w", tableName(t), err)
	}
	tr.audit.line(ev)
	return ev.Count, nil
}

// keepUntilSQL sets the purge date ($n) of the trashed rows matching pred.
func keepUntilSQL(t policy.Table, pred string, n int) string {
	return fmt.Sprintf("UPDATE %s SET %s = $%d::timestamptz WHERE %s IS NOT NULL AND (%s)",
		qualified(t), ident(t.PurgeAtColumn), n, ident(t.Column), pred)
}
