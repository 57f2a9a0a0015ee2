package purger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// EvictedRecord is one record of softdelete.evicted: a trashed row that
// key eviction deleted for good, whole (docs/keys.md).
type EvictedRecord struct {
	ID      int64           `json:"id"`
	Table   string          `json:"table"`  // the table or partition the row was in, as SQL
	Key     string          `json:"key"`    // the key the new row took, or the foreign key it was evicted through
	Reason  string          `json:"reason"` // why it was evicted
	At      time.Time       `json:"at"`
	Actor   string          `json:"actor"` // session user of the eviction
	Content json.RawMessage `json:"content"`
}

// EvictedOptions filter ListEvicted.
type EvictedOptions struct {
	Table     string        // a managed table (with its partitions and children); "" for every record
	OlderThan time.Duration // only records evicted at least this long ago
	Limit     int           // at most this many, oldest first; 0 means 100
}

// ListEvicted lists the records of softdelete.evicted, oldest first.
func (tr *Trash) ListEvicted(ctx context.Context, o EvictedOptions) ([]EvictedRecord, error) {
	var names []string // nil: every record
	if o.Table != "" {
		t, err := tr.Table(o.Table)
		if err != nil {
			return nil, err
		}
		if names, err = evictedNames(ctx, tr.conn, t, tr.tables); err != nil {
			return nil, fmt.Errorf("reading the partitions and children of %s: %w", tableName(t), err)
		}
	}
	if o.Limit <= 0 {
		o.Limit = 100
	}
	rows, err := tr.conn.Query(ctx, evictedListSQL, names, o.OlderThan.Microseconds(), o.Limit)
	if err != nil {
		return nil, evictedErr(err)
	}
	var out []EvictedRecord
	var r EvictedRecord
	var content string
	_, err = pgx.ForEachRow(rows, []any{&r.ID, &r.Table, &r.Key, &r.Reason, &r.At, &r.Actor, &content}, func() error {
		r.Content = json.RawMessage(content)
		out = append(out, r)
		return nil
	})
	return out, evictedErr(err)
}

// ErrNoEvicted is returned by RestoreEvicted for an id that no record has.
var ErrNoEvicted = errors.New("no such evicted record")

// RestoreError is a restore of an evicted record that the database
// refused, with what to do; it unwraps to the server's error (its SQLSTATE
// is Code). The record is kept.
type RestoreError struct {
	ID    int64
	Table string
	Code  string // SQLSTATE
	Msg   string
	Hint  string
	Err   error
}

func (e *RestoreError) Error() string {
	return fmt.Sprintf("restore of evicted record %d into %s: %s (SQLSTATE %s)\nHINT: %s", e.ID, e.Table, e.Msg, e.Code, e.Hint)
}

func (e *RestoreError) Unwrap() error { return e.Err }

// RestoreEvicted puts evicted record id back into its table as the row it
// was (jsonb_populate_record of the table's row type; columns since dropped
// are left out, columns since added get their defaults) and deletes the
// record, in one transaction. The row comes back trashed, as it was
// evicted: trash restore brings it back live. A key a live row holds now
// fails it with the server's 23505 in a RestoreError, as does any other
// refusal; the record is then kept.
func (tr *Trash) RestoreEvicted(ctx context.Context, id int64) (EvictedRecord, error) {
	var rec EvictedRecord
	err := pgx.BeginFunc(ctx, tr.conn, func(tx pgx.Tx) error {
		if err := boundStatements(ctx, tx, tr.opts.StatementTimeout); err != nil {
			return err
		}
		var content string
		err := tx.QueryRow(ctx, evictedTakeSQL, id).Scan(&rec.ID, &rec.Table, &rec.Key, &rec.Reason, &rec.At, &rec.Actor, &content)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%w: %d (trash evicted lists them)", ErrNoEvicted, id)
		}
		if err != nil {
			return evictedErr(err)
		}
		rec.Content = json.RawMessage(content)
		var rel string
		var cols *string
		err = tx.QueryRow(ctx, restoreTargetSQL, rec.Table, content).Scan(&rel, &cols)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("evicted record %d: table %s no longer exists; the record is kept (create the table again to restore it)", id, rec.Table)
		case err != nil:
			return err
		case cols == nil:
			return fmt.Errorf("evicted record %d: none of its columns is a column of %s now; the record is kept", id, rel)
		}
		if _, err := tx.Exec(ctx, restoreEvictedSQL(rel, *cols), content); err != nil {
			return restoreErr(id, rel, err)
		}
		return nil
	})
	if err != nil {
		return rec, err
	}
	tr.audit.line(Event{Actor: tr.actor, Action: ActionRestoreEvicted, Database: tr.database, Table: rec.Table,
		Count: 1, When: tr.now(), Detail: map[string]any{"id": id, "key": rec.Key}})
	return rec, nil
}

// restoreErr explains the server's refusal of a restore of record id into
// rel.
func restoreErr(id int64, rel string, err error) error {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	e := &RestoreError{ID: id, Table: rel, Code: pgErr.Code, Msg: pgErr.Message, Err: err}
	if pgErr.Detail != "" {
		e.Msg += ": " + pgErr.Detail
	}
	again := fmt.Sprintf("then run trash evicted --restore %d again; the record is kept until then.", id)
	switch pgErr.Code {
	case "23505":
		e.Msg = "its key is taken: " + e.Msg
		e.Hint = "A row of " + rel + " holds that key now. Delete it or change its key (a row deleted through the proxy " +
			"goes to the trash, and the restore then evicts it from there into " + evictedTable + "; under " +
			"on_key_conflict: refuse, delete it for good with trash forget), " + again
	case "23503":
		e.Msg = "a row it references is missing: " + e.Msg
		e.Hint = "Restore the row it references first (trash evicted lists the records evicted with it), " + again
	case "42501":
		e.Hint = "Restoring an evicted record needs INSERT on " + rel + " and DELETE on " + evictedTable +
			" (the owner of " + evictedTable + ", or a member of the purge role with INSERT on the table)."
	default:
		e.Hint = "Fix what the database says, " + again
	}
	return e
}

// evictedErr explains a refusal to read or delete softdelete.evicted.
func evictedErr(err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42501" {
		return fmt.Errorf("%w\n%s is readable by its owner (who ran migrate) and the members of the purge role "+
			"(roles.purge; GRANT <purge role> TO <your login role>)", err, evictedTable)
	}
	if errors.As(err, &pgErr) && pgErr.Code == "42P01" {
		return fmt.Errorf("%w\n%s is created by softdelete-proxy migrate --apply", err, evictedTable)
	}
	return err
}
