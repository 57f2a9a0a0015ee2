package purger

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// TrashedRow is one row in the trash, as List shows it.
type TrashedRow struct {
	Key       string     `json:"key"` // primary key as text; a row literal when composite; ctid without one
	DeletedAt time.Time  `json:"deleted_at"`
	DeletedBy *string    `json:"deleted_by,omitempty"`
	Reason    *string    `json:"reason,omitempty"`
	PurgeAt   *time.Time `json:"purge_at,omitempty"` // nil: kept forever, held or locked
	State     string     `json:"state"`              // one of States
	Held      bool       `json:"held,omitempty"`
	Operation *int64     `json:"operation,omitempty"` // the delete operation (docs/foreign-keys.md), nil without one
}

// ListOptions filter List.
type ListOptions struct {
	OlderThan time.Duration // only rows trashed at least this long ago
	Limit     int           // at most this many rows, oldest first; 0 means 100
	State     string        // only rows in this state (one of States); "" for any
}

// List shows the trashed rows of a managed table, oldest first.
func (tr *Trash) List(ctx context.Context, table string, o ListOptions) ([]TrashedRow, error) {
	t, err := tr.Table(table)
	if err != nil {
		return nil, err
	}
	if o.State != "" && !slices.Contains(States, o.State) {
		return nil, fmt.Errorf("%w: state %q is not one of %s", ErrBadSelector, o.State, strings.Join(States, ", "))
	}
	pk, err := primaryKey(ctx, tr.conn, t)
	if err != nil {
		return nil, err
	}
	if o.Limit <= 0 {
		o.Limit = 100
	}
	rows, err := tr.conn.Query(ctx, listSQL(t, keyText(pk)), o.OlderThan.Microseconds(), o.Limit, o.State)
	if err != nil {
		return nil, err
	}
	var out []TrashedRow
	var r TrashedRow
	_, err = pgx.ForEachRow(rows, []any{&r.Key, &r.DeletedAt, &r.DeletedBy, &r.Reason, &r.PurgeAt, &r.State, &r.Operation}, func() error {
		r.Held = r.State == StateHeld
		if r.Held || r.State == StateLocked {
			r.PurgeAt = nil
		}
		out = append(out, r)
		r = TrashedRow{}
		return nil
	})
	return out, err
}
