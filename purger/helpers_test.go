package purger

import (
	"context"
	"net"
	neturl "net/url"
	"os"
	"strconv"
	"sync"
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
// notes referencing deals, all with the purger's partial index, and an
// audit table. newDB adds the guard as migrate installs it (policy/schema),
// so that the purger works as it does in production: connected as a login
// role granted the purge role.
const testSchema = `
CREATE TABLE contacts (id bigint PRIMARY KEY, name text, deleted_at timestamptz);
CREATE INDEX ON contacts (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TABLE deals (id bigint PRIMARY KEY, title text, deleted_at timestamptz,
    deleted_by text, deleted_reason text, legal_hold boolean);
CREATE INDEX ON deals (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TABLE notes (id bigint PRIMARY KEY, deal_id bigint REFERENCES deals (id), deleted_at timestamptz);
CREATE INDEX ON notes (deleted_at) WHERE deleted_at IS NOT NULL;
-- every row ever hard-deleted, to prove none is deleted twice
CREATE TABLE deleted_log (tbl text, id bigint);
CREATE FUNCTION log_delete() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
BEGIN INSERT INTO public.deleted_log VALUES (TG_TABLE_NAME, OLD.id); RETURN OLD; END $$;
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

// testDB is a database of newDB: its superuser URL, and the login roles
// the purger and a DBA's trash commands connect as.
type testDB struct {
	url       string // the superuser, for setting up and looking
	purger    string // URL of a login granted the purge role, and nothing else
	trash     string // URL of a login granted the purge role and UPDATE on the tables (restore)
	purgeRole string
}

// testDBs maps the superuser URL of each live newDB database to it.
var testDBs sync.Map

// newDB creates a database with the test schema, the audit table and the
// guard for contacts, deals and notes; it returns the superuser URL.
func newDB(t *testing.T) (name, url string) {
	t.Helper()
	s := pgtest.Get(t)
	name, url = s.CreateDatabase(t)
	pgtest.Exec(t, url, testSchema, schema.AuditTableDDL("softdelete.audit"))
	db := &testDB{url: url, purgeRole: s.RoleName(t, "purge")}
	install(t, db)
	purger, trash := s.CreateRole(t, "purger", "LOGIN"), s.CreateRole(t, "trash", "LOGIN")
	id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	pgtest.Exec(t, url, "GRANT "+id(db.purgeRole)+" TO "+id(purger)+", "+id(trash),
		"GRANT UPDATE ON contacts, deals, notes TO "+id(trash))
	db.purger, db.trash = loginURL(t, url, purger), loginURL(t, url, trash)
	testDBs.Store(url, db)
	t.Cleanup(func() { testDBs.Delete(url) })
	return name, url
}

// lookupDB returns the newDB database of a superuser URL.
func lookupDB(t *testing.T, url string) *testDB {
	t.Helper()
	db, ok := testDBs.Load(url)
	if !ok {
		t.Fatalf("%s is not a newDB database", url)
	}
	return db.(*testDB)
}

// purgerURL installs the guard for tables too (and for the test schema's),
// and returns the URL the purger connects to url's database with.
func purgerURL(t *testing.T, url string, tables ...policy.Table) string {
	t.Helper()
	db := lookupDB(t, url)
	install(t, db, tables...)
	return db.purger
}

// install runs migrate (as the superuser) for the test schema's tables and
// tables, as a policy with the purge role of db.
func install(t *testing.T, db *testDB, tables ...policy.Table) {
	t.Helper()
	cfg := policy.Default()
	cfg.Roles.Purge = db.purgeRole
	cfg.Audit.Table = "softdelete.audit"
	seen := map[string]bool{}
	for _, tb := range append([]policy.Table{contacts, deals, notes}, tables...) {
		if key := tableName(tb); !seen[key] {
			seen[key] = true
			cfg.Managed = append(cfg.Managed, tb)
		}
	}
	conn := connect(t, db.url)
	c, err := schema.Inspect(ctxT(t), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := schema.Plan(c, schema.Options{}).Apply(ctxT(t), conn, 10*time.Second); err != nil {
		t.Fatalf("migrate: %v", err)
	}
}

// loginURL is url logging in as role (trust authentication).
func loginURL(t *testing.T, url, role string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	u := &neturl.URL{Scheme: "postgres", User: neturl.User(role), Host: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))),
		Path: "/" + cfg.Database, RawQuery: "sslmode=disable"}
	return u.String()
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
	urls := make([]string, len(opts.DatabaseURLs))
	for i, url := range opts.DatabaseURLs {
		urls[i] = purgerURL(t, url, tables...)
	}
	opts.DatabaseURLs = urls
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

// waitDeadline bounds every wait for an event in these tests.
const waitDeadline = 30 * time.Second

// waitUntil polls cond until it holds, failing with what after waitDeadline.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(waitDeadline); !cond(); time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting after %s for %s", waitDeadline, what)
		}
	}
}

// purgerWaitingOnLock reports whether a purger session of url's database
// waits for a lock (a batch blocked by another session).
func purgerWaitingOnLock(t *testing.T, url string) bool {
	return queryInt(t, url, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'softdelete-proxy purger'
AND datname = current_database() AND wait_event_type = 'Lock'`) > 0
}

// loginOf is the user name of a connection URL.
func loginOf(t *testing.T, url string) string {
	t.Helper()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	return cfg.User
}
