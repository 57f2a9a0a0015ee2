package proxy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// visFixture is one database behind a proxy whose policy manages t and t3
// (t3 with deleted_by/deleted_reason columns), with roles for the trash
// view's hard delete and for bypass.
type visFixture struct {
	roles *testRoles
	db    string // direct superuser URL
	p     *testProxy
	admin *pgx.Conn
}

const visSchema = `
CREATE TABLE t (id int PRIMARY KEY, val text, deleted_at timestamptz);
CREATE TABLE t3 (id int PRIMARY KEY, deleted_at timestamptz, deleted_by text, deleted_reason text);
GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;
`

// visSeed: t ids 1..6 with 2 and 4 in the trash; t3 ids 1..4 all live.
const visSeed = `
SET LOCAL synchronous_commit = off;
DELETE FROM t; DELETE FROM t3;
INSERT INTO t (id, val) SELECT i, 'v' || i FROM generate_series(1, 6) i;
UPDATE t SET deleted_at = '` + trashedAt + `' WHERE id IN (2, 4);
INSERT INTO t3 (id) SELECT generate_series(1, 4);
`

var (
	visLive  = []string{"1", "3", "5", "6"}
	visTrash = []string{"2", "4"}
	visAll   = []string{"1", "2", "3", "4", "5", "6"}
)

func newVisFixture(t *testing.T) *visFixture {
	t.Helper()
	roles := newRoles(t)
	_, db := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, db, visSchema)
	p := startProxy(t, Config{Rewriting: rewritingFor(t, testPolicy{
		Tables: []rewrite.Table{
			{Name: "t"},
			{Name: "t3", DeletedByColumn: "deleted_by", ReasonColumn: "deleted_reason"},
		},
		HardDelete: []string{roles.dba},
		Bypass:     []string{roles.etl},
	})})
	return &visFixture{roles: roles, db: db, p: p, admin: connect(t, db)}
}

func (f *visFixture) reset(t testing.TB) { t.Helper(); pgtest.Exec(t, f.db, visSeed) }

// url is the proxy URL logging in as user ("" = the superuser), with extra
// connection parameters kv.
func (f *visFixture) url(t testing.TB, user string, kv ...string) string {
	t.Helper()
	u := f.p.URL(t, f.db)
	if user != "" {
		u = f.roles.as(t, u, user)
	}
	return withParams(t, u, kv...)
}

// row returns one value straight from the database.
func (f *visFixture) row(t testing.TB, sql string) string {
	t.Helper()
	rows := adminRows(t, f.admin, sql)
	if len(rows) != 1 {
		t.Fatalf("%s: %d rows", sql, len(rows))
	}
	return rows[0]
}

// visT is one protocol's run of a visibility test.
type visT struct {
	*testing.T
	f *visFixture
	m protoMode
}

func (v *visT) errorf(format string, args ...any) {
	v.Helper()
	v.Errorf(format, args...)
}

// eachMode runs body as a subtest per protocol, on a freshly seeded
// fixture.
func (f *visFixture) eachMode(t *testing.T, body func(v *visT)) {
	t.Helper()
	for _, m := range protoModes {
		t.Run(m.name, func(t *testing.T) {
			f.reset(t)
			body(&visT{T: t, f: f, m: m})
		})
	}
}

// visSession is a client connection in one protocol.
type visSession struct {
	v    *visT
	conn *pgx.Conn
	n    int
}

// session connects through the proxy as user ("" = the superuser) with
// extra connection parameters kv.
func (v *visT) session(user string, kv ...string) *visSession {
	v.Helper()
	return &visSession{v: v, conn: connectMode(v.T, v.f.url(v.T, user, kv...), v.m)}
}

// exec runs one statement and returns what the client saw.
func (s *visSession) exec(sql string) outcome {
	s.v.Helper()
	outs := runStmt(testCtx(s.v.T), s.conn, s.v.m, sql)
	if len(outs) == 0 {
		s.v.Fatalf("%s: no outcome", sql)
	}
	return outs[len(outs)-1]
}

// must runs sql and records a problem unless it answers tag.
func (s *visSession) must(sql, tag string) {
	s.v.Helper()
	if o := s.exec(sql); o.Code != "" || o.Tag != tag {
		s.v.errorf("%s: %v %s, want %s", sql, o, o.Msg, tag)
	}
}

// mustFail runs sql and records a problem unless it fails with code.
func (s *visSession) mustFail(sql, code string) {
	s.v.Helper()
	if o := s.exec(sql); o.Code != code {
		s.v.errorf("%s: %v %s, want ERROR %s", sql, o, o.Msg, code)
	}
}

// ids reads the ids of t the session sees. Each call sends a new text (a
// numbered comment) so that pgx's statement cache never reuses a statement
// prepared under another visibility (see TestVisibilityBoundAtPrepare).
func (s *visSession) ids() []string {
	s.v.Helper()
	s.n++
	sql := fmt.Sprintf("SELECT id FROM t ORDER BY id /* read %d */", s.n)
	o := s.exec(sql)
	if o.Code != "" {
		s.v.errorf("%s: %v", sql, o)
	}
	return o.Rows
}

// sees records a problem unless the session sees exactly want.
func (s *visSession) sees(what string, want []string) {
	s.v.Helper()
	if got := s.ids(); strings.Join(got, ",") != strings.Join(want, ",") {
		s.v.errorf("%s: the session sees ids %v, want %v", what, got, want)
	}
}

// shows records a problem unless SHOW softdelete.visibility answers want.
func (s *visSession) shows(what, want string) {
	s.v.Helper()
	o := s.exec("SHOW softdelete.visibility")
	got := o.String()
	if o.Code == "" && len(o.Rows) == 1 {
		got = o.Rows[0]
	}
	if got != want {
		s.v.errorf("%s: SHOW softdelete.visibility = %q, want %q", what, got, want)
	}
}

// value reads one value straight from the database, recording a problem
// unless it is want.
func (v *visT) value(what, sql, want string) {
	v.Helper()
	if got := v.f.row(v.T, sql); got != want {
		v.errorf("%s: %s = %s, want %s", what, sql, got, want)
	}
}
