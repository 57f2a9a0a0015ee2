package tracker

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Reply accounting: every reply is matched to the request it answers, as
// PostgreSQL reads frames, so tags land on the right statement and the
// session is idle exactly when nothing is unanswered.
func TestReplyAccounting(t *testing.T) {
	cases := []struct {
		name string
		run  func(h *harness)
	}{
		{"simple query: DELETE n, then idle", func(h *harness) {
			h.C(q("DELETE FROM contacts WHERE id = 1"))
			h.idle(false)
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("tag %q", got)
			}
			h.rfq('I')
			h.idle(true)
		}},
		{"extended: the Execute's tag is mapped", func(h *harness) {
			h.C(parse("", "DELETE FROM contacts WHERE id = $1"))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			if got := h.tag("UPDATE 2"); got != "DELETE 2" {
				h.t.Fatalf("tag %q", got)
			}
			h.rfq('I')
			h.idle(true)
		}},
		{"an error discards the rest of the batch up to Sync", func(h *harness) {
			h.C(parse("a", "SELECT 1/0"))
			h.C(bind("", "a"))
			h.C(exec(""))
			h.C(parse("b", "DELETE FROM contacts"))
			h.C(bind("", "b"))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			h.fail("22012", "division by zero")
			h.idle(false)
			h.rfq('I')
			h.idle(true)
			if _, ok := h.s.defs.stmts["b"]; ok {
				h.t.Fatal("statement b was never parsed by the server, yet it is known")
			}
			if _, ok := h.s.defs.stmts["a"]; !ok {
				h.t.Fatal("statement a was parsed, yet it is unknown")
			}
		}},
		{"a Query before Sync after an error is discarded: one ReadyForQuery", func(h *harness) {
			h.C(parse("", "SELECT 1/0"))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(q("DELETE FROM contacts"))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			h.fail("22012", "division by zero")
			h.rfq('I')
			h.idle(true)
		}},
		{"a Query before Sync without an error: one ReadyForQuery for both", func(h *harness) {
			h.C(parse("", "SELECT 1"))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(q("DELETE FROM contacts WHERE id = 1"))
			h.S(parseOK())
			h.S(bindOK())
			h.tag("SELECT 1")
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("the Query's tag %q", got)
			}
			h.rfq('I')
			h.idle(true)
		}},
		{"libpq's extended COPY: two Syncs, one ReadyForQuery", func(h *harness) {
			h.C(parse("", "COPY deals FROM STDIN"))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			h.S(&pgproto3.CopyInResponse{})
			h.C(&pgproto3.CopyDone{})
			h.C(syncMsg())
			h.tag("COPY 3")
			h.idle(false)
			h.rfq('I')
			h.idle(true)
		}},
		{"extended COPY failing mid-way: the Sync after CopyDone ends it", func(h *harness) {
			h.C(parse("", "COPY deals FROM STDIN"))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			h.S(&pgproto3.CopyInResponse{})
			h.fail("22P02", "invalid input syntax")
			h.C(&pgproto3.CopyDone{})
			h.C(syncMsg())
			h.idle(false)
			h.rfq('I')
			h.idle(true)
		}},
		{"simple COPY FROM STDIN", func(h *harness) {
			h.C(q("COPY deals FROM STDIN"))
			h.S(&pgproto3.CopyInResponse{})
			h.C(&pgproto3.CopyDone{})
			h.tag("COPY 1")
			h.rfq('I')
			h.idle(true)
		}},
		{"EmptyQueryResponse ends its Execute: the next Execute's tag is its own", func(h *harness) {
			h.C(parse("", ""))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(parse("", "DELETE FROM contacts WHERE id = 1"))
			h.C(bind("", ""))
			h.C(exec(""))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			h.S(&pgproto3.EmptyQueryResponse{})
			h.S(parseOK())
			h.S(bindOK())
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("tag %q, want DELETE 1", got)
			}
			h.rfq('I')
		}},
		{"PortalSuspended ends its Execute", func(h *harness) {
			h.C(parse("", "SELECT * FROM contacts"))
			h.C(bind("", ""))
			h.C(&pgproto3.Execute{MaxRows: 1})
			h.C(parse("d", "DELETE FROM contacts WHERE id = 1"))
			h.C(bind("p", "d"))
			h.C(exec("p"))
			h.C(syncMsg())
			h.S(parseOK())
			h.S(bindOK())
			h.S(&pgproto3.DataRow{})
			h.S(&pgproto3.PortalSuspended{})
			h.S(parseOK())
			h.S(bindOK())
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("tag %q, want DELETE 1", got)
			}
			h.rfq('I')
			h.idle(true)
		}},
		{"an error in a multi-statement Query skips the rest", func(h *harness) {
			h.C(q("SELECT 1/0; DELETE FROM contacts WHERE id = 1"))
			h.fail("22012", "division by zero")
			h.rfq('I')
			h.idle(true)
		}},
		{"FunctionCall", func(h *harness) {
			h.C(&pgproto3.FunctionCall{Function: 1})
			h.S(&pgproto3.FunctionCallResponse{})
			h.rfq('I')
			h.idle(true)
		}},
		{"pipelined batches, the second failing", func(h *harness) {
			for _, sql := range []string{"SELECT 1", "SELECT 1/0", "DELETE FROM contacts WHERE id = 1"} {
				h.C(parse("", sql))
				h.C(bind("", ""))
				h.C(exec(""))
				h.C(syncMsg())
			}
			h.S(parseOK())
			h.S(bindOK())
			h.tag("SELECT 1")
			h.rfq('I')
			h.S(parseOK())
			h.S(bindOK())
			h.fail("22012", "division by zero")
			h.rfq('I')
			h.S(parseOK())
			h.S(bindOK())
			if got := h.tag("UPDATE 1"); got != "DELETE 1" {
				h.t.Fatalf("third batch's tag %q", got)
			}
			h.rfq('I')
			h.idle(true)
		}},
		{"an unexpected ReadyForQuery is a desync", func(h *harness) {
			h.C(parse("", "SELECT 1"))
			h.C(bind("", ""))
			if _, err := h.s.Backend(frameOf(h.t, &pgproto3.ReadyForQuery{TxStatus: 'I'})); err == nil {
				h.t.Fatal("a ReadyForQuery answering a Parse must be a desync")
			}
		}},
		{"a refused statement's error becomes the refusal", func(h *harness) {
			sent := h.C(q("SET search_path = other; DELETE FROM contacts"))
			if sent != RefusedSentinel {
				h.t.Fatalf("sent %q, want the sentinel", sent)
			}
			e := h.fail("42601", `syntax error at or near "`+RefusedSentinel+`"`)
			if e.Code != "0A000" || !strings.Contains(e.Message, "search_path") {
				h.t.Fatalf("client got %s %q", e.Code, e.Message)
			}
			h.rfq('I')
			h.idle(true)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, testPolicy(1), nil, ptr(defaultProbe()))
			h.idle(true)
			c.run(h)
		})
	}
}

func ptr[T any](v T) *T { return &v }
