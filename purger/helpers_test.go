package purger

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// testSchema is the test schema: contacts (plain), deals (who/why/hold) and
// notes referencing deals, all with the purger's partial index, a guard
// trigger like the policy issue's (hard deletes only from a purge) and an
// audit table.
const testSchema = `
CREATE TABLE contacts (id bigint PRIMARY KEY, name text, deleted_at timestamptz);
CREATE INDEX ON contacts (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TABLE deals (id bigint PRIMARY KEY, title text, deleted_at timestamptz,
    deleted_by text, deleted_reason text, legal_hold boolean);
CREATE INDEX ON deals (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TABLE notes (id bigint PRIMARY KEY, deal_id bigint REFERENCES deals (id), deleted_at timestamptz);
CREATE INDEX ON notes (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE FUNCTION guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('softdelete.purging', true), '') <> 'on' THEN
        RAISE EXCEPTION 'hard delete refused on %', TG_TABLE_NAME USING ERRCODE = '42501';
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER guard BEFORE DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION guard();
CREATE TRIGGER guard BEFORE DELETE ON deals FOR EACH ROW EXECUTE FUNCTION guard();
CREATE TRIGGER guard BEFORE DELETE ON notes FOR EACH ROW EXECUTE FUNCTION guard();
-- every row ever hard-deleted, to prove none is deleted twice
CREATE TABLE deleted_log (tbl text, id bigint);
CREATE FUNCTION log_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO deleted_log VALUES (TG_TABLE_NAME, OLD.id); RETURN OLD; END $$;
CREATE TRIGGER log AFTER DELETE ON contacts FOR EACH ROW EXECUTE FUNCTION log_delete();
CREATE TRIGGER log AFTER DELETE ON deals FOR EACH ROW EXECUTE FUNCTION log_delete();
CREATE TRIGGER log AFTER DELETE ON notes FOR EACH ROW EXECUTE FUNCTION log_delete();
`

const day = 24 * time.Hour

var (
	contacts = policy.Table{Schema: "public", Name: "contacts", Column: "deleted_at", Retention: 30 * day}
	deals    = policy.Table{Schema: "public", Name: "deals", Column: "deleted_at", DeletedByColumn: "deleted_by",
		ReasonColumn: "deleted_reason", HoldColumn: "legal_hold", Retention: 90 * day}
	notes = policy.Table{Schema: "public", Name: "notes", Column: "deleted_at", Retention: 30 * day}
)

// newDB creates a database with the test schema and the audit table.
func newDB(t *testing.T) (name, url string) {
	t.Helper()
	name, url = pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, testSchema, schema.AuditTableDDL("softdelete.audit"))
	return name, url
}

// fixture is a purger under test with its metrics and observed logs.
type fixture struct {
	p    *Purger
	m    *Metrics
	reg  *prometheus.Registry
	logs *observer.ObservedLogs
}

func newFixture(t *testing.T, opts Options, tables ...policy.Table) *fixture {
	t.Helper()
	core, logs := observer.New(zapcore.DebugLevel)
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	if opts.BatchPause == 0 {
		opts.BatchPause = time.Millisecond
	}
	if opts.AuditTable == "" {
		opts.AuditTable = "softdelete.audit"
	}
	p := New(opts, tables, m, zap.New(core), nil)
	t.Cleanup(p.Close)
	return &fixture{p: p, m: m, reg: reg, logs: logs}
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// connect opens a connection closed at cleanup.
func connect(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(ctxT(t), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// queryInt runs a query returning one integer.
func queryInt(t *testing.T, url, sql string, args ...any) int64 {
	t.Helper()
	conn, err := pgx.Connect(ctxT(t), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int64
	if err := conn.QueryRow(ctxT(t), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// auditLines returns the observed audit log lines of one action.
func auditLines(logs *observer.ObservedLogs, action string) []observer.LoggedEntry {
	var out []observer.LoggedEntry
	for _, e := range logs.FilterMessage("audit").All() {
		if e.ContextMap()["action"] == action {
			out = append(out, e)
		}
	}
	return out
}
