package purger

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"go.uber.org/zap"
)

// Audit actions.
const (
	ActionRestore = "restore"
	ActionForget  = "forget"
	ActionEmpty   = "empty"
	ActionPurge   = "purge"
)

// Event is one audited change of the trash.
type Event struct {
	Actor    string
	Action   string // one of the Action constants
	Database string
	Table    string // schema.table
	Count    int64  // rows changed
	When     time.Time
	Detail   map[string]any // e.g. the --where or --id given; stored as jsonb
}

// auditor writes events to the audit log (always) and to the audit table
// (when one is configured). The row is inserted in the transaction that made
// the change, so the table never disagrees with the data; the log line is
// written after the commit.
type auditor struct {
	table string // quoted qualified name, "" for none
	log   *zap.Logger
}

func newAuditor(table string, log *zap.Logger) *auditor {
	a := &auditor{log: log.Named("audit")}
	if table != "" {
		a.table = quoteQualified(table)
	}
	return a
}

// insert adds ev to the audit table inside tx (no-op without a table, and
// when the table's audit triggers, which migrate installs, wrote it).
func (a *auditor) insert(ctx context.Context, tx pgx.Tx, ev Event) error {
	if a.table == "" {
		return nil
	}
	detail, err := detailJSON(ev)
	if err != nil {
		return err
	}
	unlessTriggered := " WHERE NOT " + auditTriggerSQL
	if ev.Action == ActionKeepUntil { // no trigger records a keep-until
		unlessTriggered = ""
	}
	_, err = tx.Exec(ctx, "INSERT INTO "+a.table+
		" (at, actor, action, table_name, row_count, detail) SELECT $1, $2, $3, $4, $5, $6::jsonb"+unlessTriggered,
		ev.When, ev.Actor, ev.Action, ev.Table, ev.Count, detail)
	return err
}

// auditTriggerSQL: has table $4 (schema.table, unquoted as tableName
// writes it) the audit trigger of deletions? Then that trigger wrote the
// statement's audit row, and insert adds none (one round trip either way).
const auditTriggerSQL = `EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname || '.' || c.relname = $4 AND t.tgname = 'softdelete_audit_delete')`

// announce tells the audit triggers, for the rest of tx, who does what:
// softdelete.actor, softdelete.audit_action and softdelete.audit_detail
// (no-op without an audit table).
func (a *auditor) announce(ctx context.Context, tx pgx.Tx, ev Event) error {
	if a.table == "" {
		return nil
	}
	detail, err := detailJSON(ev)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, "SELECT set_config('softdelete.actor', $1, true), set_config('softdelete.audit_action', $2, true), "+
		"set_config('softdelete.audit_detail', $3, true)", ev.Actor, ev.Action, detail)
	return err
}

// detailJSON is ev's detail as JSON text.
func detailJSON(ev Event) (string, error) {
	if ev.Detail == nil {
		return "{}", nil
	}
	b, err := json.Marshal(ev.Detail)
	return string(b), err
}

// line writes the structured audit log line of ev.
func (a *auditor) line(ev Event) {
	fields := []zap.Field{
		zap.String("actor", ev.Actor),
		zap.String("action", ev.Action),
		zap.String("database", ev.Database),
		zap.String("table", ev.Table),
		zap.Int64("count", ev.Count),
		zap.Time("when", ev.When),
	}
	if len(ev.Detail) > 0 {
		fields = append(fields, zap.Any("detail", ev.Detail))
	}
	a.log.Info("audit", fields...)
}

// splitQualified reads "schema.table" as the config does (unquoted parts
// fold to lower case, quoted ones are kept), or a bare table name.
func splitQualified(name string) (schema, table string) {
	if n, err := policy.ParseTableName(name); err == nil {
		return n.Schema, n.Name
	}
	if id, err := policy.ParseIdent(name); err == nil {
		return "", id
	}
	return "", name
}

// quoteQualified quotes "schema.table" (or a bare "table") for SQL.
func quoteQualified(name string) string {
	schema, table := splitQualified(name)
	if schema == "" {
		return pgx.Identifier{table}.Sanitize()
	}
	return pgx.Identifier{schema, table}.Sanitize()
}
