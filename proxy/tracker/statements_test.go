package tracker

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// Prepared statements: the proxy knows what each name means on the server,
// and refuses to run what it can no longer run as rewritten.
func TestStatementsFollowTheServer(t *testing.T) {
	cases := []struct {
		name string
		run  func(h *harness)
	}{
		{"a failed re-Parse of a named statement keeps the old one", func(h *harness) {
			h.C(parse("s1", "DELETE FROM contacts WHERE id = $1"))
			h.C(syncMsg())
			h.S(parseOK())
			h.rfq('I')
			h.C(parse("s1", "SELECT 1"))
			h.C(syncMsg())
			h.fail("42P05", `prepared statement "s1" already exists`)
			h.rfq('I')
			h.C(bind("", "s1"))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(bindOK())
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("the surviving DELETE's tag: %q", got)
			}
			h.rfq('I')
		}},
		{"a refused re-Parse keeps the old one too", func(h *harness) {
			h.C(parse("s1", "DELETE FROM contacts WHERE id = $1"))
			h.C(syncMsg())
			h.S(parseOK())
			h.rfq('I')
			if sent := h.C(parse("s1", "DELETE FROM contacts WHERE id = = 1")); sent != RefusedSentinel {
				h.t.Fatalf("sent %q", sent)
			}
			h.C(syncMsg())
			h.fail("42601", "syntax error at or near "+RefusedSentinel)
			h.rfq('I')
			st := h.s.defs.stmts["s1"]
			if st == nil || !strings.Contains(st.sent, "UPDATE") {
				h.t.Fatalf("s1 must still be the rewritten DELETE, got %+v", st)
			}
		}},
		{"DEALLOCATE in an aborted transaction does not drop the statement", func(h *harness) {
			h.C(q("PREPARE d AS DELETE FROM contacts WHERE id = $1"))
			h.tag("PREPARE")
			h.rfq('I')
			h.C(q("BEGIN"))
			h.tag("BEGIN")
			h.rfq('T')
			h.C(q("SELECT 1/0"))
			h.fail("22012", "division by zero")
			h.rfq('E')
			h.C(q("DEALLOCATE d"))
			h.fail("25P02", "current transaction is aborted")
			h.rfq('E')
			h.C(q("ROLLBACK"))
			h.tag("ROLLBACK")
			h.rfq('I')
			h.C(q("EXECUTE d(1)"))
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("EXECUTE of the surviving statement: %q", got)
			}
			h.rfq('I')
		}},
		{"Parse and PREPARE share one namespace", func(h *harness) {
			h.C(q("PREPARE d AS DELETE FROM contacts WHERE id = $1"))
			h.tag("PREPARE")
			h.rfq('I')
			h.C(bind("", "d"))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(bindOK())
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("Bind of a PREPAREd statement: %q", got)
			}
			h.rfq('I')
		}},
		{"a statement prepared under another search_path is refused", func(h *harness) {
			h.C(parse("s", "DELETE FROM contacts WHERE id = $1"))
			h.C(syncMsg())
			h.S(parseOK())
			h.rfq('I')
			h.C(q("SET search_path = other, public"))
			h.tag("SET")
			h.rfq('I')
			if sent := h.C(bind("", "s")); sent != "bind "+RefusedSentinel {
				h.t.Fatalf("sent %q, want a Bind of the sentinel", sent)
			}
			h.C(exec(""))
			h.C(syncMsg())
			e := h.fail("26000", `prepared statement "`+RefusedSentinel+`" does not exist`)
			if e.Code != "0A000" || !strings.Contains(e.Message, "search_path") {
				h.t.Fatalf("got %s %q", e.Code, e.Message)
			}
			h.rfq('I')
		}},
		{"a statement prepared before its table came under policy is refused", func(h *harness) {
			h.pol = &Policy{Rewrite: rewrite.NewPolicy(1, nil)}
			h.C(parse("s", "DELETE FROM contacts WHERE id = $1"))
			h.C(syncMsg())
			h.S(parseOK())
			h.rfq('I')
			h.pol = testPolicy(2) // a reload adds contacts
			if sent := h.C(bind("", "s")); sent != "bind "+RefusedSentinel {
				h.t.Fatalf("an unrewritten DELETE on a managed table must not run: sent %q", sent)
			}
		}},
		{"a statement whose text the new policy leaves alone still runs", func(h *harness) {
			h.C(parse("s", "SELECT 1"))
			h.C(syncMsg())
			h.S(parseOK())
			h.rfq('I')
			h.pol = testPolicy(2)
			if sent := h.C(bind("", "s")); sent != "bind s" {
				h.t.Fatalf("sent %q", sent)
			}
		}},
		{"a Bind of a statement still being defined by an earlier batch waits", func(h *harness) {
			h.C(parse("s", "DELETE FROM contacts WHERE id = $1"))
			h.C(syncMsg())
			wait := h.W(bind("", "s"))
			h.S(parseOK())
			h.rfq('I')
			if !closed(wait) {
				h.t.Fatal("not released")
			}
			h.C(bind("", "s"))
		}},
		{"the same Bind inside the defining batch does not wait", func(h *harness) {
			h.C(parse("s", "DELETE FROM contacts WHERE id = $1"))
			h.C(bind("", "s"))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("tag %q", got)
			}
			h.rfq('I')
		}},
		{"EXECUTE in the same text as its PREPARE", func(h *harness) {
			h.C(q("PREPARE d AS DELETE FROM contacts WHERE id = $1; EXECUTE d(1)"))
			h.tag("PREPARE")
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("tag %q", got)
			}
			h.rfq('I')
		}},
		{"EXECUTE through the extended protocol maps as its statement", func(h *harness) {
			h.C(q("PREPARE d AS DELETE FROM contacts WHERE id = $1"))
			h.tag("PREPARE")
			h.rfq('I')
			h.C(parse("", "EXECUTE d(1)"))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("tag %q", got)
			}
			h.rfq('I')
		}},
		{"a failed unnamed Parse drops the old unnamed statement", func(h *harness) {
			h.C(parse("", "DELETE FROM contacts WHERE id = $1"))
			h.C(syncMsg())
			h.S(parseOK())
			h.rfq('I')
			h.C(parse("", "SELEC"))
			h.C(syncMsg())
			h.fail("42601", "syntax error")
			h.rfq('I')
			if _, ok := h.s.defs.stmts[""]; ok {
				h.t.Fatal("the server dropped the unnamed statement before parsing the new one")
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, testPolicy(1), nil, ptr(defaultProbe()))
			c.run(h)
		})
	}
}

// Facts: what the probe learns, and what happens without it.
func TestFacts(t *testing.T) {
	t.Run("the client's ReadyForQuery is not held; a statement waits for the probe", func(t *testing.T) {
		h := newHarness(t, testPolicy(1), nil, nil) // the probe is unanswered
		h.idle(false)
		wait := h.W(q("SELECT * FROM contacts"))
		h.answerProbe(defaultProbe())
		if !closed(wait) {
			t.Fatal("not released by the probe's answer")
		}
		if sent := h.C(q("SELECT * FROM contacts")); !filtered(sent) {
			t.Fatalf("not filtered: %q", sent)
		}
	})
	t.Run("a failed probe refuses statements on managed tables and lets others through", func(t *testing.T) {
		h := newHarness(t, testPolicy(1), nil, nil)
		h.drop(&pgproto3.ErrorResponse{Severity: "ERROR", Code: "42501", Message: "permission denied for view pg_settings"})
		h.drop(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		if sent := h.C(q("SELECT 1")); sent != "SELECT 1" {
			t.Fatalf("sent %q", sent)
		}
		h.tag("SELECT 1")
		h.rfq('I')
		wait := h.W(q("DELETE FROM contacts")) // the proxy tries again
		h.drop(&pgproto3.ErrorResponse{Severity: "ERROR", Code: "42501", Message: "permission denied for view pg_settings"})
		h.drop(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		if !closed(wait) {
			t.Fatal("not released by the failed probe")
		}
		if sent := h.C(q("DELETE FROM contacts")); sent != RefusedSentinel {
			t.Fatalf("sent %q, want the refusal", sent)
		}
		e := h.fail("42601", "syntax error at or near "+RefusedSentinel)
		if e.Code != "0A000" || !strings.Contains(e.Message, "permission denied for view pg_settings") {
			t.Fatalf("got %s %q", e.Code, e.Message)
		}
	})
	t.Run("a bypass session is relayed as it is", func(t *testing.T) {
		p := defaultProbe()
		p.roles = "etl"
		h := newHarness(t, testPolicy(1), nil, &p)
		if sent := h.C(q("DELETE FROM contacts")); sent != "DELETE FROM contacts" {
			t.Fatalf("sent %q", sent)
		}
	})
	t.Run("a hard_delete member deletes for good in the trash view", func(t *testing.T) {
		p := defaultProbe()
		p.roles, p.visibility = "dba", "deleted"
		h := newHarness(t, testPolicy(1), nil, &p)
		if sent := h.C(q("DELETE FROM contacts WHERE id = 1")); !strings.HasPrefix(sent, "DELETE") {
			t.Fatalf("sent %q", sent)
		}
	})
	t.Run("after a computed set_config the proxy asks again", func(t *testing.T) {
		h := newHarness(t, testPolicy(1), nil, ptr(defaultProbe()))
		h.C(q("SET search_path = other"))
		h.tag("SET")
		h.rfq('I')
		h.s.mu.Lock()
		h.s.facts.stale = true // what Stmt.Unsure or a catalog change leads to
		h.s.mu.Unlock()
		wait := h.W(q("SELECT * FROM contacts"))
		if h.upstream[len(h.upstream)-1] != "probe" {
			t.Fatal("the probe must go ahead")
		}
		h.answerProbe(defaultProbe())
		if !closed(wait) {
			t.Fatal("not released")
		}
		h.searchPath(`"$user", public`)
	})
	t.Run("a probe sent ahead of a Bind goes upstream before it, and only its replies are dropped", func(t *testing.T) {
		h := newHarness(t, testPolicy(1), nil, ptr(defaultProbe()))
		h.C(parse("s", "DISCARD ALL")) // a catalog change: learn again after it
		h.C(&pgproto3.Describe{ObjectType: 'S', Name: "s"})
		h.C(syncMsg())
		h.S(parseOK())
		h.S(&pgproto3.ParameterDescription{})
		h.S(&pgproto3.NoData{})
		h.rfq('I')
		h.C(bind("", "s"))
		if n := len(h.upstream); n < 2 || h.upstream[n-2] != "probe" || h.upstream[n-1] != "bind s" {
			t.Fatalf("upstream %q: the probe must be sent before the Bind", h.upstream)
		}
		h.C(exec(""))
		h.C(syncMsg())
		h.answerProbe(defaultProbe())
		h.S(bindOK())
		h.tag("DISCARD ALL")
		h.rfq('I')
		h.idle(true)
	})
	t.Run("a catalog change inside a transaction is learned again after its end", func(t *testing.T) {
		h := newHarness(t, testPolicy(1), nil, ptr(defaultProbe()))
		h.C(q("BEGIN"))
		h.tag("BEGIN")
		h.rfq('T')
		h.C(q("CREATE TEMP TABLE contacts (id int)"))
		h.tag("CREATE TABLE")
		h.rfq('T')
		h.W(q("SELECT * FROM contacts")) // learned again: the temp table shadows
		h.answerProbe(defaultProbe())
		h.C(q("SELECT * FROM contacts"))
		h.tag("SELECT 0")
		h.rfq('T')
		h.C(q("ROLLBACK"))
		h.tag("ROLLBACK")
		h.rfq('I')
		if !h.s.facts.stale {
			t.Fatal("the rollback dropped the temp table: the proxy must ask again")
		}
	})
	t.Run("FETCH from a cursor that calls set_config is followed by a new probe", func(t *testing.T) {
		h := newHarness(t, testPolicy(1), nil, ptr(defaultProbe()))
		h.C(q("BEGIN"))
		h.tag("BEGIN")
		h.rfq('T')
		h.C(q("DECLARE c CURSOR FOR SELECT set_config('search_path', x, false) FROM (VALUES ('other')) v(x)"))
		h.tag("DECLARE CURSOR")
		h.rfq('T')
		h.W(q("FETCH c"))
		h.answerProbe(defaultProbe())
		h.C(q("FETCH c"))
		h.tag("FETCH 1")
		h.rfq('T')
		if !h.s.facts.stale {
			t.Fatal("after a FETCH of that cursor the proxy must ask again")
		}
	})
	t.Run("the probe's SQL runs on PostgreSQL and has its columns", func(t *testing.T) {
		testProbeOnServer(t)
	})
}
