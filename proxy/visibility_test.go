package proxy

import (
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// Session controls through the proxy: softdelete.visibility with
// PostgreSQL's SET semantics, the trash view, actor and reason columns,
// bypass roles. Every test runs in the simple and the extended protocol,
// as the plain login bob unless it is about another role (a superuser
// counts as a member of every role in pg_has_role; see
// TestVisibilitySuperuser).

func TestVisibilitySetAndReset(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob)
		s.shows("at start", "active")
		s.sees("at start", visLive)
		s.must("SET softdelete.visibility = 'deleted'", "SET")
		s.shows("after SET deleted", "deleted")
		s.sees("after SET deleted", visTrash)
		s.must("SET SESSION softdelete.visibility TO 'all'", "SET")
		s.shows("after SET SESSION all", "all")
		s.sees("after SET SESSION all", visAll)
		s.must("RESET softdelete.visibility", "RESET")
		s.shows("after RESET", "active")
		s.sees("after RESET", visLive)
		s.must("SET softdelete.visibility = deleted", "SET")
		s.sees("after SET to an unquoted value", visTrash)
		s.must("RESET ALL", "RESET")
		s.shows("after RESET ALL", "active")
		s.sees("after RESET ALL", visLive)
		s.must("SET softdelete.visibility TO 'all'", "SET")
		s.must("SET softdelete.visibility TO DEFAULT", "SET")
		s.sees("after SET TO DEFAULT", visLive)
	})
}

func TestVisibilityTransactions(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob)
		s.must("BEGIN", "BEGIN")
		s.must("SET LOCAL softdelete.visibility = 'deleted'", "SET")
		s.sees("inside the transaction of a SET LOCAL", visTrash)
		s.shows("inside the transaction of a SET LOCAL", "deleted")
		s.must("COMMIT", "COMMIT")
		s.sees("after the transaction of a SET LOCAL", visLive)
		s.shows("after the transaction of a SET LOCAL", "active")

		s.must("BEGIN", "BEGIN")
		s.must("SET softdelete.visibility = 'all'", "SET")
		s.sees("inside a transaction with SET", visAll)
		s.must("ROLLBACK", "ROLLBACK")
		s.sees("after ROLLBACK of a SET", visLive)
		s.shows("after ROLLBACK of a SET", "active")

		s.must("BEGIN", "BEGIN")
		s.must("SET softdelete.visibility = 'all'", "SET")
		s.mustFail("SELECT 1/0", "22012")
		s.must("ROLLBACK", "ROLLBACK")
		s.sees("after a failed transaction with SET", visLive)

		s.must("BEGIN", "BEGIN")
		s.must("SET softdelete.visibility = 'deleted'", "SET")
		s.must("COMMIT", "COMMIT")
		s.sees("after COMMIT of a SET", visTrash)
		s.must("RESET softdelete.visibility", "RESET")

		s.must("BEGIN", "BEGIN")
		s.must("SET softdelete.visibility = 'all'", "SET")
		s.must("SET LOCAL softdelete.visibility = 'deleted'", "SET")
		s.sees("SET LOCAL over SET in one transaction", visTrash)
		s.must("COMMIT", "COMMIT")
		s.sees("after COMMIT of SET then SET LOCAL", visAll)
		s.must("RESET softdelete.visibility", "RESET")
	})
}

// TestVisibilitySavepoint: ROLLBACK TO SAVEPOINT undoes a SET made after
// the savepoint, as in PostgreSQL.
func TestVisibilitySavepoint(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob)
		s.must("BEGIN", "BEGIN")
		s.must("SAVEPOINT a", "SAVEPOINT")
		s.must("SET softdelete.visibility = 'deleted'", "SET")
		s.sees("after SET in a savepoint", visTrash)
		s.must("ROLLBACK TO SAVEPOINT a", "ROLLBACK")
		s.shows("after ROLLBACK TO SAVEPOINT", "active")
		s.sees("after ROLLBACK TO SAVEPOINT", visLive)
		s.must("COMMIT", "COMMIT")
		s.sees("after COMMIT", visLive)
	})
}

// TestVisibilitySavepointKeepsEarlierSet: ROLLBACK TO SAVEPOINT keeps the
// SET and SET LOCAL made before the savepoint.
func TestVisibilitySavepointKeepsEarlierSet(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob)
		s.must("BEGIN", "BEGIN")
		s.must("SET softdelete.visibility = 'all'", "SET")
		s.must("SAVEPOINT a", "SAVEPOINT")
		s.must("SET softdelete.visibility = 'deleted'", "SET")
		s.must("ROLLBACK TO SAVEPOINT a", "ROLLBACK")
		s.shows("SET before a savepoint, after ROLLBACK TO it", "all")
		s.sees("SET before a savepoint, after ROLLBACK TO it", visAll)
		s.must("RELEASE SAVEPOINT a", "RELEASE")
		s.must("COMMIT", "COMMIT")
		s.sees("after COMMIT of the SET made before the savepoint", visAll)
		s.must("RESET softdelete.visibility", "RESET")

		s.must("BEGIN", "BEGIN")
		s.must("SET LOCAL softdelete.visibility = 'deleted'", "SET")
		s.must("SAVEPOINT b", "SAVEPOINT")
		s.mustFail("SELECT 1/0", "22012")
		s.must("ROLLBACK TO SAVEPOINT b", "ROLLBACK")
		s.sees("SET LOCAL before a savepoint, after an error and ROLLBACK TO it", visTrash)
		s.must("COMMIT", "COMMIT")
		s.sees("after the transaction", visLive)
	})
}

// TestVisibilityInOneQueryString: PostgreSQL applies a SET to the
// statements after it in the same simple-protocol query string, which the
// proxy rewrote before the SET ran; so a string holding a SET of
// softdelete.visibility followed by statements on managed tables is refused
// whole (0A000) before anything in it runs. A SET after them, or followed
// only by statements on other tables, runs and applies from the next string.
func TestVisibilityInOneQueryString(t *testing.T) {
	f := newVisFixture(t)
	f.reset(t)
	conn := connectMode(t, f.url(t, f.roles.bob), protoModes[0])
	run := func(sql string) string {
		t.Helper()
		var lines []string
		for _, o := range runSimple(testCtx(t), conn.PgConn(), sql) {
			lines = append(lines, strings.TrimSpace(o.String()+" "+o.Msg))
		}
		return strings.Join(lines, "\n")
	}
	for _, c := range []struct{ sql, want string }{
		{"SET softdelete.visibility = 'deleted'; SELECT id FROM t ORDER BY id; RESET softdelete.visibility; SELECT id FROM t ORDER BY id",
			"ERROR 0A000 softdelete-proxy cannot apply a SET of softdelete.visibility to later statements of the same query string that name soft-delete tables" +
				" HINT: " + sameStringHint},
		{"SHOW softdelete.visibility", "SHOW [active]"},
		{"SELECT id FROM t ORDER BY id", "SELECT 4 [1; 3; 5; 6]"},
		{"SELECT id FROM t ORDER BY id; SET softdelete.visibility = 'deleted'", "SELECT 4 [1; 3; 5; 6]\nSET"},
		{"SELECT id FROM t ORDER BY id", "SELECT 2 [2; 4]"},
		{"RESET softdelete.visibility; SELECT 1", "RESET\nSELECT 1 [1]"},
		{"SELECT id FROM t ORDER BY id", "SELECT 4 [1; 3; 5; 6]"},
	} {
		if got := run(c.sql); got != c.want {
			t.Errorf("%s:\n got: %s\nwant: %s", c.sql, got, c.want)
		}
	}
	if n := f.row(t, "SELECT count(*) FROM t"); n != "6" {
		t.Errorf("%s rows left in t, want all 6", n)
	}
}

// TestVisibilityStartupOptions sets the visibility per connection, in the
// options parameter and as a startup parameter; RESET returns to it.
func TestVisibilityStartupOptions(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob, "options", "-c softdelete.visibility=all")
		s.shows("with options -c softdelete.visibility=all", "all")
		s.sees("with options -c softdelete.visibility=all", visAll)
		s.must("SET softdelete.visibility = 'deleted'", "SET")
		s.sees("after SET", visTrash)
		s.must("RESET softdelete.visibility", "RESET")
		s.shows("after RESET (back to the startup value)", "all")
		s.sees("after RESET (back to the startup value)", visAll)
		s.must("SET softdelete.visibility = 'active'", "SET")
		s.must("RESET ALL", "RESET")
		s.sees("after RESET ALL (back to the startup value)", visAll)

		s2 := &visSession{v: v, conn: connectConfig(v.T, v.f.url(v.T, v.f.roles.bob), func(c *pgx.ConnConfig) {
			c.DefaultQueryExecMode = v.m.mode
			c.RuntimeParams["softdelete.visibility"] = "deleted"
		})}
		s2.shows("with the startup parameter softdelete.visibility=deleted", "deleted")
		s2.sees("with the startup parameter softdelete.visibility=deleted", visTrash)
	})
}

// TestVisibilityTrashView: in the deleted view reads see only trashed rows,
// UPDATE … SET deleted_at = NULL restores, and DELETE deletes forever only
// for members of a roles.hard_delete role.
func TestVisibilityTrashView(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		r := v.f.roles
		s := v.session(r.bob)
		s.must("SET softdelete.visibility = 'deleted'", "SET")
		s.sees("bob in the trash view", visTrash)
		s.must("UPDATE t SET deleted_at = NULL WHERE id = 2", "UPDATE 1")
		s.must("UPDATE t SET val = 'x' WHERE id = 1", "UPDATE 0")
		s.sees("after restoring 2", []string{"4"})
		v.value("restored row", "SELECT deleted_at IS NULL FROM t WHERE id = 2", "t")

		s.mustFail("DELETE FROM t WHERE id = 4", "42501")
		v.value("row bob may not delete forever", "SELECT count(*) FROM t WHERE id = 4", "1")
		s.mustFail("MERGE INTO t USING (VALUES (4)) s(id) ON s.id = t.id WHEN MATCHED THEN DELETE", "42501")
		v.value("row bob may not merge-delete forever", "SELECT count(*) FROM t WHERE id = 4", "1")
		s.must("RESET softdelete.visibility", "RESET")
		s.sees("bob back in the active view", []string{"1", "2", "3", "5", "6"})

		a := v.session(r.alice)
		a.must("SET softdelete.visibility = 'deleted'", "SET")
		a.must("DELETE FROM t WHERE id = 1", "DELETE 0")
		a.must("DELETE FROM t WHERE id = 4", "DELETE 1")
		v.value("row alice deleted forever", "SELECT count(*) FROM t WHERE id = 4", "0")
		v.value("live row alice's trash delete cannot see", "SELECT count(*) FROM t WHERE id = 1 AND deleted_at IS NULL", "1")
		a.sees("alice after deleting forever", []string{})
	})
}

// TestVisibilityRefusalNamesRole: the 42501 refusal of a delete forever
// names the role that would allow it.
func TestVisibilityRefusalNamesRole(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob)
		s.must("SET softdelete.visibility = 'deleted'", "SET")
		checkHardDeleteRefusal(v, s.refusal("DELETE FROM t WHERE id = 4"), v.f.roles.dba)
		checkHardDeleteRefusal(v, s.refusal("MERGE INTO t USING (VALUES (4)) s(id) ON s.id = t.id WHEN MATCHED THEN DELETE"), v.f.roles.dba)
	})
}

// refusal runs sql expecting an ErrorResponse and returns it.
func (s *visSession) refusal(sql string) *pgconn.PgError {
	s.v.Helper()
	_, err := s.conn.Exec(testCtx(s.v.T), sql)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		s.v.errorf("%s: %v, want an error", sql, err)
		return nil
	}
	return pgErr
}

func checkHardDeleteRefusal(v *visT, err *pgconn.PgError, role string) {
	v.Helper()
	if err == nil {
		return
	}
	if err.Code != "42501" {
		v.errorf("delete forever without the role: SQLSTATE %s (%s), want 42501", err.Code, err.Message)
	}
	if text := err.Message + " " + err.Detail + " " + err.Hint; !strings.Contains(text, role) {
		v.errorf("the refusal %q does not name the role needed (%s)", text, role)
	}
}

// TestVisibilityAll: reads see every row; DELETE still soft-deletes and a
// trashed row keeps its timestamp.
func TestVisibilityAll(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob)
		s.must("SET softdelete.visibility = 'all'", "SET")
		s.sees("in the all view", visAll)
		s.must("DELETE FROM t WHERE id IN (1, 2)", "DELETE 1")
		v.value("row deleted in the all view", "SELECT deleted_at > now() - interval '1 hour' FROM t WHERE id = 1", "t")
		v.value("trashed row deleted again", "SELECT deleted_at = '"+trashedAt+"' FROM t WHERE id = 2", "t")
		s.sees("after the delete", visAll)
		s.must("RESET softdelete.visibility", "RESET")
		s.sees("back in the active view", []string{"3", "5", "6"})
	})
}

// TestVisibilityActorReason: deleted_by gets softdelete.actor or else
// session_user, deleted_reason gets softdelete.reason.
func TestVisibilityActorReason(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		r := v.f.roles
		s := v.session(r.bob)
		s.must("DELETE FROM t3 WHERE id = 1", "DELETE 1")
		v.value("default actor", "SELECT coalesce(deleted_by, '∅') || '/' || coalesce(deleted_reason, '∅') FROM t3 WHERE id = 1", r.bob+"/∅")
		s.must("SET softdelete.actor = 'alice'", "SET")
		s.must("SET softdelete.reason = 'GDPR request 41'", "SET")
		s.must("DELETE FROM t3 WHERE id = 2", "DELETE 1")
		v.value("actor and reason set", "SELECT deleted_by || '/' || deleted_reason FROM t3 WHERE id = 2", "alice/GDPR request 41")
		s.must("RESET softdelete.actor", "RESET")
		s.must("DELETE FROM t3 WHERE id = 3", "DELETE 1")
		v.value("actor reset", "SELECT deleted_by || '/' || deleted_reason FROM t3 WHERE id = 3", r.bob+"/GDPR request 41")
		s.must("DELETE FROM t3 WHERE id = 3", "DELETE 0")
		v.value("second delete keeps the first actor", "SELECT deleted_by FROM t3 WHERE id = 3", r.bob)

		a := v.session(r.alice)
		a.must("SET softdelete.reason = ''", "SET")
		a.must("DELETE FROM t3 WHERE id = 4", "DELETE 1")
		v.value("another login", "SELECT deleted_by || '/' || coalesce(nullif(deleted_reason, ''), '∅') FROM t3 WHERE id = 4", r.alice+"/∅")
	})
}

// TestVisibilityBypass: a member of a roles.bypass role is relayed without
// rewriting: it sees trashed rows and its DELETE is real.
func TestVisibilityBypass(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.eve)
		s.sees("a bypass session", visAll)
		s.must("DELETE FROM t WHERE id IN (1, 2)", "DELETE 2")
		v.value("rows a bypass session deleted", "SELECT count(*) FROM t WHERE id IN (1, 2)", "0")
	})
}

// TestVisibilityBoundAtPrepare: a prepared statement keeps the visibility
// in force when it was prepared (here through pgx's statement cache, which
// prepares a text once per connection), while new text follows the SET.
func TestVisibilityBoundAtPrepare(t *testing.T) {
	f := newVisFixture(t)
	f.reset(t)
	m := protoModes[1]
	conn := connectMode(t, f.url(t, f.roles.bob), m)
	read := func(sql string) string {
		t.Helper()
		o := runStmt(testCtx(t), conn, m, sql)[0]
		return strings.TrimSpace(o.String() + " " + o.Msg)
	}
	const cached = "SELECT id FROM t ORDER BY id"
	for _, c := range []struct{ sql, want string }{
		{cached, "SELECT 4 [1; 3; 5; 6]"},
		{"SET softdelete.visibility = 'deleted'", "SET"},
		{cached, "SELECT 4 [1; 3; 5; 6]"},
		{cached + " /* new text */", "SELECT 2 [2; 4]"},
	} {
		if got := read(c.sql); got != c.want {
			t.Errorf("%s: %s, want %s", c.sql, got, c.want)
		}
	}
}

// TestVisibilityBogusValue: a value the proxy does not know is refused as
// PostgreSQL refuses a bad enum value (22023), and the session keeps
// seeing what it saw.
func TestVisibilityBogusValue(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob)
		o := s.exec("SET softdelete.visibility = 'everything'")
		want := `invalid value for parameter "softdelete.visibility": "everything" HINT: Available values: active, deleted, all.`
		if o.Code != "22023" || o.Msg != want {
			v.errorf("SET softdelete.visibility = 'everything': %v %q, want ERROR 22023 %q", o, o.Msg, want)
		}
		s.shows("after the refused SET", "active")
		s.sees("after the refused SET", visLive)
	})
}

// TestVisibilitySuperuser: a superuser that was not granted a bypass role
// is still rewritten (pg_has_role says a superuser is a member of every
// role; a DELETE that silently became a real one would be the worst
// surprise of all), and for the same reason it may not delete forever from
// the trash unless it was granted a roles.hard_delete role.
func TestVisibilitySuperuser(t *testing.T) {
	f := newVisFixture(t)
	root := "sdt_root_" + f.roles.password[len("pw-"):]
	id := pgx.Identifier{root}.Sanitize()
	pgtest.Exec(t, f.roles.superURL, "CREATE ROLE "+id+" SUPERUSER LOGIN PASSWORD '"+f.roles.password+"' IN ROLE "+pgx.Identifier{f.roles.dba}.Sanitize())
	t.Cleanup(func() {
		if err := execOnce(f.roles.superURL, "DROP ROLE IF EXISTS "+id); err != nil {
			t.Errorf("dropping role %s: %v", root, err)
		}
	})
	f.eachMode(t, func(v *visT) {
		s := v.session("")
		s.sees("a superuser session", visLive)
		s.must("DELETE FROM t WHERE id = 1", "DELETE 1")
		v.value("row the superuser deleted", "SELECT count(*) FROM t WHERE id = 1 AND deleted_at IS NOT NULL", "1")
		s.must("SET softdelete.visibility = 'deleted'", "SET")
		checkHardDeleteRefusal(v, s.refusal("DELETE FROM t WHERE id = 2"), v.f.roles.dba)
		v.value("trashed row a superuser without the role tried to delete forever", "SELECT count(*) FROM t WHERE id = 2", "1")

		g := v.session(root)
		g.sees("a superuser granted the hard_delete role", []string{"3", "5", "6"})
		g.must("SET softdelete.visibility = 'deleted'", "SET")
		g.must("DELETE FROM t WHERE id = 2", "DELETE 1")
		v.value("trashed row the granted superuser deleted forever", "SELECT count(*) FROM t WHERE id = 2", "0")
		v.value("the rest of t", "SELECT string_agg(id::text, ',' ORDER BY id) FROM t", "1,3,4,5,6")
	})
}

// TestVisibilityDiscardAll: DISCARD ALL resets softdelete.visibility, as
// RESET ALL does.
func TestVisibilityDiscardAll(t *testing.T) {
	f := newVisFixture(t)
	f.eachMode(t, func(v *visT) {
		s := v.session(v.f.roles.bob)
		s.must("SET softdelete.visibility = 'deleted'", "SET")
		s.sees("in the trash view", visTrash)
		s.must("DISCARD ALL", "DISCARD ALL")
		s.shows("after DISCARD ALL", "active")
		s.sees("after DISCARD ALL", visLive)
	})
}
