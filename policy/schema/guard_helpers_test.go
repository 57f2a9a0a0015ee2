package schema

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// guardEnv is testdata/guard.sql with the guard as migrate installs it,
// and one connection per kind of session:
//
//   - app: a LOGIN role with ordinary grants (SELECT, INSERT, UPDATE,
//     DELETE on every table), as an application has;
//   - purger: a LOGIN role granted the purge role (roles.purge);
//   - dba: a LOGIN role granted a roles.hard_delete role;
//   - super: the superuser that ran migrate, granted neither.
type guardEnv struct {
	f                   *fixture
	app, purger, dba    *pgx.Conn
	appRole, purgerRole string // login roles
	purgeRole, dbaRole  string // the policy's roles
	dbaLogin            string
}

func newGuardEnv(t *testing.T) *guardEnv {
	t.Helper()
	s := pgtest.Get(t)
	e := &guardEnv{
		purgeRole: s.RoleName(t, "purge"),
		dbaRole:   s.CreateRole(t, "dba", "NOLOGIN"),
		appRole:   s.CreateRole(t, "app", "LOGIN"),
	}
	e.purgerRole = s.CreateRole(t, "purger", "LOGIN")
	e.dbaLogin = s.CreateRole(t, "dbauser", "LOGIN IN ROLE "+pgx.Identifier{e.dbaRole}.Sanitize())
	yaml := "roles:\n  purge: " + e.purgeRole + "\n  hard_delete: [" + e.dbaRole + "]\n" +
		"tables:\n  public.contacts: {}\n  public.deals: {}\n  public.docs: {}\n  public.people: { deleted_by_column: deleted_by }\n" +
		"  public.events_2024: {}\n  public.scratch: { on_truncate: hard }\n"
	cfg, err := policy.Parse("guard.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	e.f = newFixtureConfig(t, "guard", cfg)
	e.f.apply(Options{})
	e.f.requireNoOp(Options{})
	id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	// the purger's login also gets the application's grants, so that every
	// path below reaches the guard
	e.f.mustExec("GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO " +
		id(e.appRole) + ", " + id(e.dbaRole) + ", " + id(e.purgerRole))
	e.f.mustExec("GRANT " + id(e.purgeRole) + " TO " + id(e.purgerRole))
	e.seed()
	e.app, e.purger, e.dba = e.connect(e.appRole, ""), e.connect(e.purgerRole, ""), e.connect(e.dbaLogin, "")
	return e
}

// Rows of every managed table: ids 1-99 live, 100-199 trashed.
func (e *guardEnv) seed() {
	const live, trashed = "FROM generate_series(1, 99) g", "FROM generate_series(100, 199) g"
	e.f.mustExec(`INSERT INTO orgs SELECT g FROM generate_series(1, 199) g;
INSERT INTO contacts SELECT g, 'c' || g, NULL ` + live + `; INSERT INTO contacts SELECT g, 'c' || g, now() ` + trashed + `;
INSERT INTO deals SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, NULL ` + live + `;
INSERT INTO deals SELECT g, CASE WHEN g % 2 = 0 THEN 'eu' ELSE 'us' END, now() ` + trashed + `;
INSERT INTO docs SELECT g, NULL ` + live + `; INSERT INTO docs SELECT g, now() ` + trashed + `;
INSERT INTO docs_2024 SELECT g + 1000, NULL ` + live + `; INSERT INTO docs_2024 SELECT g + 1000, now() ` + trashed + `;
INSERT INTO people SELECT g, g, NULL, NULL ` + live + `; INSERT INTO people SELECT g, g, now(), 'x' ` + trashed + `;
INSERT INTO events_2024 SELECT g, NULL ` + live + `; INSERT INTO events_2024 SELECT g, now() ` + trashed + `;
INSERT INTO scratch SELECT g, NULL ` + live + `;`)
}

// connect logs in as role, with options (a startup "options" value) when
// not "".
func (e *guardEnv) connect(role, options string) *pgx.Conn {
	e.f.t.Helper()
	u, err := url.Parse(e.f.url)
	if err != nil {
		e.f.t.Fatal(err)
	}
	u.User = url.User(role)
	if options != "" {
		q := u.Query()
		q.Set("options", options)
		u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20") // pgx reads + as itself
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		e.f.t.Fatalf("connecting as %s: %v", role, err)
	}
	e.f.t.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

// session is a connection and who it is.
type session struct {
	name string
	conn *pgx.Conn
}

// everyone: the application, the superuser, the purger, a hard_delete member.
func (e *guardEnv) everyone() []session {
	return []session{{"app", e.app}, {"superuser", e.f.conn}, {"purger", e.purger}, {"hard_delete member", e.dba}}
}

// count counts the rows (as the superuser) of from, "table WHERE …".
func (e *guardEnv) count(t *testing.T, from string) int {
	t.Helper()
	var n int
	if err := e.f.conn.QueryRow(context.Background(), "SELECT count(*) FROM "+from).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// exec runs sql (simple protocol, so several statements may go at once)
// and returns the error and the rows it reports affected.
func exec(conn *pgx.Conn, sql string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	results, err := conn.PgConn().Exec(ctx, sql).ReadAll()
	if conn.PgConn().TxStatus() != 'I' {
		_, _ = conn.PgConn().Exec(ctx, "ROLLBACK").ReadAll() // a failed BEGIN … COMMIT string
	}
	var n int64
	for _, r := range results {
		n += r.CommandTag.RowsAffected()
	}
	return n, err
}

// refused checks that err is the guard's (or a privilege) refusal: SQLSTATE
// 42501 and a message holding want.
func refused(t *testing.T, err error, want string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.Contains(pgErr.Message, want) {
		t.Errorf("want 42501 with %q, got %v", want, err)
	}
}

// migrated connects to dbURL as its owner, applies what migrate plans for
// cfg there, and returns the connection (closed at the end of the test).
func migrated(tb testing.TB, dbURL string, cfg *policy.Config) *pgx.Conn {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	c, err := Inspect(ctx, conn, cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := Plan(c, Options{}).Apply(ctx, conn, 10*time.Second); err != nil {
		tb.Fatal(err)
	}
	return conn
}
