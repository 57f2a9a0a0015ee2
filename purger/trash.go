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

// Trash runs the DBA's trash operations on one database, directly (not
// through the proxy): List, Restore, Forget, Empty and Stats. Restore,
// Forget and Empty write an audit log line and, with an audit table, an
// audit row in the transaction that made the change.
type Trash struct {
	conn     *pgx.Conn
	database string
	tables   []policy.Table
	opts     Options
	audit    *auditor
	log      *zap.Logger
	now      func() time.Time
	actor    string
}

// TrashOptions configure NewTrash.
type TrashOptions struct {
	// Actor is recorded in the audit; "" means the database session_user.
	Actor string
	// BatchSize, BatchPause and StatementTimeout bound Empty's batches as
	// they do the purger's; AuditTable is "schema.table" or "".
	Purge Options
}

// NewTrash prepares trash operations over conn for the managed tables. It
// asks the server for the session user when opts.Actor is empty.
func NewTrash(ctx context.Context, conn *pgx.Conn, tables []policy.Table, opts TrashOptions, log *zap.Logger, now func() time.Time) (*Trash, error) {
	if log == nil {
		log = zap.NewNop()
	}
	if now == nil {
		now = time.Now
	}
	tr := &Trash{conn: conn, database: conn.Config().Database, tables: tables,
		opts: opts.Purge.withDefaults(), log: log, now: now, actor: opts.Actor}
	tr.audit = newAuditor(tr.opts.AuditTable, log)
	var err error
	if tr.tables, err = withLockTests(ctx, conn, tables); err != nil {
		return nil, err
	}
	if tr.actor == "" {
		if err := conn.QueryRow(ctx, "SELECT session_user").Scan(&tr.actor); err != nil {
			return nil, err
		}
	}
	return tr, nil
}

// ErrUnknownTable is returned for a table that is not managed by the policy.
var ErrUnknownTable = errors.New("not a managed table")

// Table finds a managed table by "schema.table" (written as in the
// config: unquoted parts fold to lower case), or by bare name when only one
// managed table has it.
func (tr *Trash) Table(name string) (policy.Table, error) {
	schema, table := splitQualified(name)
	var found []policy.Table
	for _, t := range tr.tables {
		if t.Name == table && (schema == "" || t.Schema == schema) {
			found = append(found, t)
		}
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		return policy.Table{}, fmt.Errorf("%s: %w (see tables: in the config)", name, ErrUnknownTable)
	}
	return policy.Table{}, fmt.Errorf("%s is ambiguous: name it as schema.table", name)
}

// Stats reads every managed table's trash: rows trashed, pending purge, oldest.
func (tr *Trash) Stats(ctx context.Context) ([]TableStats, error) {
	out := make([]TableStats, 0, len(tr.tables))
	for _, t := range tr.tables {
		s, err := tableStats(ctx, tr.conn, t)
		if err != nil {
			return out, fmt.Errorf("%s: %w", tableName(t), err)
		}
		out = append(out, s)
	}
	return out, nil
}

// event starts an audit event of tr.
func (tr *Trash) event(action string, t policy.Table, detail map[string]any) Event {
	return Event{Actor: tr.actor, Action: action, Database: tr.database, Table: tableName(t),
		When: tr.now(), Detail: detail}
}
