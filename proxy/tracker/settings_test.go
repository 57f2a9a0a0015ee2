package tracker

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Settings: each frame is rewritten under the settings the server will
// have when it reads it, and the proxy keeps what the server keeps.
func TestSettingsFollowTheServer(t *testing.T) {
	cases := []struct {
		name string
		run  func(h *harness)
	}{
		{"a SET in a batch applies to the Parse after its Execute", func(h *harness) {
			h.C(parse("", "SET search_path = other"))
			h.C(bind("", ""))
			h.C(exec(""))
			sent := h.C(parse("", "SELECT * FROM contacts"))
			if filtered(sent) {
				h.t.Fatalf("under search_path other the shadow is read, as written: %q", sent)
			}
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			h.tag("SET")
			h.S(parseOK())
			h.S(bindOK())
			h.tag("SELECT 0")
			h.rfq('I')
			h.searchPath("other")
		}},
		{"a SET's batch is a barrier: the next Query waits, then reads under it", func(h *harness) {
			h.C(q("SET softdelete.visibility = 'deleted'"))
			wait := h.W(q("SELECT * FROM contacts"))
			h.tag("SET")
			if closed(wait) {
				h.t.Fatal("released before the SET's ReadyForQuery")
			}
			h.rfq('I')
			if !closed(wait) {
				h.t.Fatal("not released by the ReadyForQuery")
			}
			sent := h.C(q("SELECT * FROM contacts"))
			if !strings.Contains(sent, "deleted_at IS NOT NULL") {
				h.t.Fatalf("the trash view must read trashed rows: %q", sent)
			}
		}},
		{"a SET that fails is not kept, and the barrier still lifts", func(h *harness) {
			h.C(q("BEGIN"))
			h.tag("BEGIN")
			h.rfq('T')
			h.C(q("SELECT 1/0"))
			h.fail("22012", "division by zero")
			h.rfq('E')
			h.C(q("SET softdelete.visibility = 'all'"))
			h.fail("25P02", "current transaction is aborted")
			h.rfq('E')
			h.C(q("ROLLBACK"))
			h.tag("ROLLBACK")
			h.rfq('I')
			h.visibility("active")
		}},
		{"a failed implicit transaction keeps no SET", func(h *harness) {
			h.C(q("SET softdelete.visibility = 'all'; SELECT 1/0"))
			h.tag("SET")
			h.fail("22012", "division by zero")
			h.rfq('I')
			h.visibility("active")
		}},
		{"a failed extended batch keeps no SET", func(h *harness) {
			h.C(parse("", "SET softdelete.visibility = 'all'"))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(parse("", "SELECT 1/0"))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			h.tag("SET")
			h.S(parseOK())
			h.S(bindOK())
			h.fail("22012", "division by zero")
			h.rfq('I')
			h.visibility("active")
		}},
		{"ROLLBACK AND CHAIN undoes the transaction's SETs", func(h *harness) {
			h.C(q("BEGIN"))
			h.tag("BEGIN")
			h.rfq('T')
			h.C(q("SET softdelete.visibility = 'all'"))
			h.tag("SET")
			h.rfq('T')
			h.C(q("ROLLBACK AND CHAIN"))
			h.tag("ROLLBACK")
			h.rfq('T')
			h.visibility("active")
		}},
		{"COMMIT AND CHAIN keeps them", func(h *harness) {
			h.C(q("BEGIN"))
			h.tag("BEGIN")
			h.rfq('T')
			h.C(q("SET softdelete.visibility = 'all'"))
			h.tag("SET")
			h.rfq('T')
			h.C(q("COMMIT AND CHAIN"))
			h.tag("COMMIT")
			h.rfq('T')
			h.C(q("ROLLBACK"))
			h.tag("ROLLBACK")
			h.rfq('I')
			h.visibility("all")
		}},
		{"COMMIT of a failed transaction is a ROLLBACK", func(h *harness) {
			h.C(q("BEGIN; SET softdelete.visibility = 'all'"))
			h.tag("BEGIN")
			h.tag("SET")
			h.rfq('T')
			h.C(q("SELECT 1/0"))
			h.fail("22012", "division by zero")
			h.rfq('E')
			h.C(q("COMMIT"))
			h.tag("ROLLBACK")
			h.rfq('I')
			h.visibility("active")
		}},
		{"ROLLBACK TO a savepoint undoes what was set after it", func(h *harness) {
			h.C(q("BEGIN"))
			h.tag("BEGIN")
			h.rfq('T')
			h.C(q("SET softdelete.visibility = 'all'"))
			h.tag("SET")
			h.rfq('T')
			h.C(q("SAVEPOINT s"))
			h.tag("SAVEPOINT")
			h.rfq('T')
			h.C(q("SET softdelete.visibility = 'deleted'"))
			h.tag("SET")
			h.rfq('T')
			h.C(q("ROLLBACK TO SAVEPOINT s"))
			h.tag("ROLLBACK")
			h.rfq('T')
			h.C(q("COMMIT"))
			h.tag("COMMIT")
			h.rfq('I')
			h.visibility("all")
		}},
		{"SET LOCAL ends with the transaction", func(h *harness) {
			h.C(q("BEGIN"))
			h.tag("BEGIN")
			h.rfq('T')
			h.C(q("SET LOCAL softdelete.visibility = 'all'"))
			h.tag("SET")
			h.rfq('T')
			h.C(q("COMMIT"))
			h.tag("COMMIT")
			h.rfq('I')
			h.visibility("active")
		}},
		{"RESET returns to the session's start, startup options included", func(h *harness) {
			h.C(q("SET softdelete.visibility = 'deleted'"))
			h.tag("SET")
			h.rfq('I')
			h.C(q("RESET softdelete.visibility"))
			h.tag("RESET")
			h.rfq('I')
			h.visibility("all") // the probe saw 'all' at the start (see the case's probe)
		}},
		{"DISCARD ALL resets and forgets prepared statements", func(h *harness) {
			h.C(q("SET softdelete.visibility = 'deleted'"))
			h.tag("SET")
			h.rfq('I')
			h.C(q("PREPARE d AS DELETE FROM contacts WHERE id = $1"))
			h.tag("PREPARE")
			h.rfq('I')
			h.C(q("DISCARD ALL"))
			h.tag("DISCARD ALL")
			h.rfq('I')
			h.visibility("all")
			if _, ok := h.s.defs.stmts["d"]; ok {
				h.t.Fatal("DISCARD ALL deallocates prepared statements")
			}
		}},
		{"standard_conforming_strings reported off: later texts are read that way", func(h *harness) {
			h.C(q("SET standard_conforming_strings = off"))
			h.tag("SET")
			h.S(&pgproto3.ParameterStatus{Name: "standard_conforming_strings", Value: "off"})
			h.rfq('I')
			if !h.s.rewriteSession().NonStandardStrings {
				h.t.Fatal("the rewrite must lex with standard_conforming_strings off")
			}
		}},
		{"$user is current_user: it follows SET ROLE", func(h *harness) {
			h.C(q("SET ROLE dba"))
			h.tag("SET")
			h.rfq('I')
			if u := h.s.rewriteSession().User; u != "dba" {
				h.t.Fatalf("$user resolves as %q, want dba", u)
			}
			h.C(q("RESET ROLE"))
			h.tag("RESET")
			h.rfq('I')
			if u := h.s.rewriteSession().User; u != "alice" {
				h.t.Fatalf("$user resolves as %q after RESET ROLE, want alice", u)
			}
		}},
		{"an unknown visibility is refused like a bad enum value", func(h *harness) {
			if sent := h.C(q("SET softdelete.visibility = 'everything'")); sent != RefusedSentinel {
				h.t.Fatalf("sent %q", sent)
			}
			e := h.fail("42601", "syntax error at or near "+RefusedSentinel)
			if e.Code != "22023" {
				h.t.Fatalf("got %s %q", e.Code, e.Message)
			}
			h.rfq('I')
			h.visibility("active")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			probe := defaultProbe()
			probe.visibility = "all"
			h := newHarness(t, testPolicy(1), map[string]string{Visibility: "all"}, &probe)
			h.C(q("SET softdelete.visibility = 'active'"))
			h.tag("SET")
			h.rfq('I')
			h.visibility("active")
			c.run(h)
		})
	}
}
