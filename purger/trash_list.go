package purger

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// TrashedRow is one row in the trash, as List shows it.
type TrashedRow struct {
	Key       string     `json:"key"` // primary key as text; a row literal when composite; ctid without one
	DeletedAt time.Time  `json:"deleted_at"`
	DeletedBy *string    `json:"deleted_by,omitempty"`
	Reason    *string    `json:"reason,omitempty"`
	PurgeAt   *time.Time `json:"purge_at,omitempty"` // nil: kept forever or held
	Held      bool       `json:"held,omitempty"`
	Operation *int64     `json:"operation,omitempty"` // the delete operation (docs/foreign-keys.md), nil without one
}

// ListOptions filter List.
type ListOptions struct {
	OlderThan time.Duration // only rows trashed at least this long ago
	Limit     int           // at most this many rows, oldest first; 0 means 100
}

// List shows the trashed rows of a managed table, oldest first.
func (tr *Trash) List(ctx context.Context, table string, o ListOptions) ([]TrashedRow, error) {
	t, err := tr.Table(table)
	if err != nil {
		return nil, err
	}
	pk, err := primaryKey(ctx, tr.conn, t)
	if err != nil {
		return nil, err
	}
	if o.Limit <= 0 {
		o.Limit = 100
	}
	rows, err := tr.conn.Query(ctx, listSQL(t, keyText(pk)), o.OlderThan.Microseconds(), o.Limit)
	if err != nil {
		return nil, err
	}
	var out []TrashedRow
	var r TrashedRow
	_, err = pgx.ForEachRow(rows, []any{&r.Key, &r.DeletedAt, &r.DeletedBy, &r.Reason, &r.PurgeAt, &r.Held, &r.Operation}, func() error {
		if r.Held {
			r.PurgeAt = nil
		}
		out = append(out, r)
		r = TrashedRow{}
		return nil
	})
	return out, err
}
