package proxy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// softdelete.as_of through the proxy: t has ids 1..6, 2 and 4 trashed at
// trashedAt (2000-01-01). Before that moment all six were live.
const (
	beforeTrash = "1999-12-31 12:00+00"
	afterTrash  = "2000-01-02 00:00+00"
)

func TestAsOfSession(t *testing.T) {
	f := newVisFixture(t)
	f.reset(t)
	c := openWire(t, f.url(t, f.roles.bob))
	check := func(what string, got []string, want ...string) {
		t.Helper()
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n got: %s\nwant: %s", what, strings.Join(got, " | "), strings.Join(want, " | "))
		}
	}
	ids := "SELECT id FROM t ORDER BY id"
	check("SET", c.query("SET softdelete.as_of = '"+beforeTrash+"'"), "CommandComplete SET", "ReadyForQuery I")
	check("ids before the trash", c.query(ids), idRows(visAll)...)
	for _, w := range []string{"DELETE FROM t WHERE id = 1", "UPDATE t SET val = 'x'", "INSERT INTO t (id) VALUES (9)"} {
		check(w, c.query(w), "ErrorResponse 25006 "+refusalMessage(w), "ReadyForQuery I")
	}
	check("another moment", c.query("SET softdelete.as_of = '"+afterTrash+"'"), "CommandComplete SET", "ReadyForQuery I")
	check("ids after the trash", c.query(ids+" /* after */"), idRows(visLive)...)
	check("RESET", c.query("RESET softdelete.as_of"), "CommandComplete RESET", "ReadyForQuery I")
	check("ids now", c.query(ids+" /* now */"), idRows(visLive)...)
	check("a write now", c.query("UPDATE t SET val = val WHERE id = 1"), "CommandComplete UPDATE 1", "ReadyForQuery I")

	check("SET LOCAL", c.query("BEGIN; SET LOCAL softdelete.as_of = '"+beforeTrash+"'"), "CommandComplete BEGIN", "CommandComplete SET", "ReadyForQuery T")
	check("ids in the transaction", c.query(ids+" /* local */"), append(idRows(visAll)[:len(visAll)+2], "ReadyForQuery T")...)
	check("COMMIT", c.query("COMMIT"), "CommandComplete COMMIT", "ReadyForQuery I")
	check("ids after COMMIT", c.query(ids+" /* after local */"), idRows(visLive)...)

	got := c.query("SET softdelete.as_of = '" + beforeTrash + "'; SELECT id FROM t")
	if len(got) != 2 || !strings.HasPrefix(got[0], "ErrorResponse 0A000") {
		t.Errorf("SET and a read in one Query: %v, want 0A000", got)
	}
	check("the refused Query set nothing", c.query(ids+" /* after refusal */"), idRows(visLive)...)

	s := openWire(t, f.url(t, f.roles.bob, "options", "-c softdelete.as_of="+strings.ReplaceAll(beforeTrash, " ", `\ `)))
	check("startup option", s.query(ids), idRows(visAll)...)
	if n := f.row(t, "SELECT count(*) FROM t WHERE deleted_at IS NULL"); n != "4" {
		t.Errorf("live rows %s, want 4", n)
	}
}

// refusalMessage is the 25006 message for sql on public.t.
func refusalMessage(sql string) string {
	verb := strings.Fields(sql)[0]
	return "cannot execute " + verb + " on public.t while softdelete.as_of is set: the session reads the past"
}

// A statement pgx prepared before softdelete.as_of was set is refused
// once it is (it was rewritten to read the present); prepared under it,
// it reads the present again after RESET.
func TestAsOfPreparedStatements(t *testing.T) {
	f := newVisFixture(t)
	f.reset(t)
	ctx := context.Background()
	conn := connect(t, f.url(t, f.roles.bob))
	count := func() (int, error) {
		var n int
		err := conn.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n)
		return n, err
	}
	if n, err := count(); err != nil || n != 4 {
		t.Fatalf("now: %d %v", n, err)
	}
	if _, err := conn.Exec(ctx, "SET softdelete.as_of = '"+beforeTrash+"'", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	var pgErr *pgconn.PgError
	if _, err := count(); !errors.As(err, &pgErr) || pgErr.Code != "0A000" || !strings.Contains(pgErr.Message, "softdelete.as_of") {
		t.Fatalf("prepared before as_of: %v, want 0A000", err)
	}
	conn.Exec(ctx, "DEALLOCATE ALL", pgx.QueryExecModeSimpleProtocol)
	conn2 := connect(t, f.url(t, f.roles.bob))
	if _, err := conn2.Exec(ctx, "SET softdelete.as_of = '"+beforeTrash+"'", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := conn2.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 6 {
		t.Fatalf("prepared under as_of: %d %v, want 6", n, err)
	}
	if _, err := conn2.Exec(ctx, "UPDATE t SET val = 'x' WHERE id = $1", 1); !errors.As(err, &pgErr) || pgErr.Code != "25006" {
		t.Fatalf("prepared write under as_of: %v, want 25006", err)
	}
	if _, err := conn2.Exec(ctx, "RESET softdelete.as_of", pgx.QueryExecModeSimpleProtocol); err != nil {
		t.Fatal(err)
	}
	if err := conn2.QueryRow(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil || n != 4 {
		t.Fatalf("the same statement after RESET: %d %v, want 4", n, err)
	}
}
