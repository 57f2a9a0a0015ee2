package tracker

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// The harness drives a Session frame by frame, as the relay does, playing
// both the client and the server.

// testPolicy manages public.contacts and public.deals; "other" has an
// unmanaged contacts that shadows it when it comes first on search_path.
func testPolicy(version uint64) *Policy {
	tables := []rewrite.Table{
		{Schema: "public", Name: "contacts", Column: "deleted_at"},
		{Schema: "public", Name: "deals", Column: "deleted_at"},
	}
	return &Policy{Rewrite: rewrite.NewPolicy(version, tables), Bypass: []string{"etl"}, HardDelete: []string{"dba"}}
}

type harness struct {
	t   *testing.T
	s   *Session
	pol *Policy
	// queued frames the server received, in order (Send or the original).
	upstream []string
}

// probeAnswer is the probe's row: defaults, session user alice, roles.
type probeAnswer struct {
	searchPath, visibility, role, user, roles string
}

func defaultProbe() probeAnswer {
	return probeAnswer{searchPath: `"$user", public`, visibility: "active", role: "none", user: "alice"}
}

// newHarness starts a tracked session under pol: startup burst, the probe
// and its answer, so the facts are known.
func newHarness(t *testing.T, pol *Policy, start map[string]string, probe *probeAnswer) *harness {
	t.Helper()
	h := &harness{t: t, pol: pol}
	env := Env{Rewriter: rewrite.New(rewrite.Options{}), Policy: func() *Policy { return h.pol }}
	h.s = New(env, start)
	if b := h.s.Begin(); b != nil {
		h.upstream = append(h.upstream, "probe")
	}
	h.S(&pgproto3.ParameterStatus{Name: "client_encoding", Value: "UTF8"})
	h.S(&pgproto3.ParameterStatus{Name: "standard_conforming_strings", Value: "on"})
	h.S(&pgproto3.ParameterStatus{Name: "session_authorization", Value: "alice"})
	h.S(&pgproto3.ReadyForQuery{TxStatus: 'I'})
	if probe != nil && pol.Managed() {
		h.answerProbe(*probe)
	}
	return h
}

// answerProbe plays the server's answer to the proxy's probe.
func (h *harness) answerProbe(a probeAnswer) {
	h.t.Helper()
	row := make([][]byte, probeColumns)
	row[colSearchPath], row[colSearchPathReset] = []byte(a.searchPath), []byte(a.searchPath)
	row[colVisibility] = []byte(a.visibility)
	row[colRole], row[colRoleReset] = []byte(a.role), []byte("none")
	row[colSessionUser] = []byte(a.user)
	row[colRoles] = []byte(a.roles)
	row[colRelations] = []byte("public\x1fcontacts\x1eother\x1fcontacts\x1epublic\x1fdeals")
	h.drop(&pgproto3.RowDescription{})
	h.drop(&pgproto3.DataRow{Values: row})
	h.drop(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")})
	h.drop(&pgproto3.ReadyForQuery{TxStatus: h.s.TxStatus()})
	if !h.s.facts.known {
		h.t.Fatalf("the probe's answer was not learned: %s", h.s.facts.failed)
	}
}

func frameOf(t *testing.T, m pgproto3.Message) wire.Frame {
	t.Helper()
	raw, err := m.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	return wire.Frame{Type: raw[0], Len: len(raw) - wire.HeaderLen, Raw: raw}
}

// C sends a client frame that must not wait; it returns the text the
// server gets for a Query or Parse ("" for other frames).
func (h *harness) C(m pgproto3.FrontendMessage) string {
	h.t.Helper()
	st, err := h.s.Frontend(frameOf(h.t, m))
	if err != nil {
		h.t.Fatalf("%T: %v", m, err)
	}
	if st.Wait != nil {
		h.t.Fatalf("%T %s must not wait", m, show(m))
	}
	if st.Before != nil {
		h.upstream = append(h.upstream, "probe")
	}
	return h.record(m, st)
}

// W sends a client frame that must wait; it returns the wait channel.
func (h *harness) W(m pgproto3.FrontendMessage) <-chan struct{} {
	h.t.Helper()
	st, err := h.s.Frontend(frameOf(h.t, m))
	if err != nil {
		h.t.Fatalf("%T: %v", m, err)
	}
	if st.Wait == nil {
		h.t.Fatalf("%T %s must wait", m, show(m))
	}
	if st.Before != nil {
		h.upstream = append(h.upstream, "probe")
	}
	return st.Wait
}

func (h *harness) record(m pgproto3.FrontendMessage, st Step) string {
	text := ""
	switch v := m.(type) {
	case *pgproto3.Query:
		text = v.String
	case *pgproto3.Parse:
		text = v.Query
	case *pgproto3.Bind:
		text = "bind " + v.PreparedStatement
	}
	if st.Send != nil {
		text = decodeText(h.t, st.Send)
	}
	h.upstream = append(h.upstream, text)
	return text
}

func decodeText(t *testing.T, raw []byte) string {
	t.Helper()
	body := raw[wire.HeaderLen:]
	switch raw[0] {
	case 'Q':
		var q pgproto3.Query
		if err := q.Decode(body); err != nil {
			t.Fatal(err)
		}
		return q.String
	case 'P':
		var p pgproto3.Parse
		if err := p.Decode(body); err != nil {
			t.Fatal(err)
		}
		return p.Query
	case 'B':
		var b pgproto3.Bind
		if err := b.Decode(body); err != nil {
			t.Fatal(err)
		}
		return "bind " + b.PreparedStatement
	}
	return string(raw[:1])
}

func show(m pgproto3.FrontendMessage) string {
	switch v := m.(type) {
	case *pgproto3.Query:
		return v.String
	case *pgproto3.Parse:
		return v.Name + ": " + v.Query
	}
	return ""
}

// S delivers a server frame that the client must get; it returns what the
// client gets instead, if anything.
func (h *harness) S(m pgproto3.BackendMessage) Reply {
	h.t.Helper()
	r, err := h.s.Backend(frameOf(h.t, m))
	if err != nil {
		h.t.Fatalf("%T: %v", m, err)
	}
	if r.Drop {
		h.t.Fatalf("%T was dropped", m)
	}
	return r
}

// drop delivers a server frame that answers the proxy itself.
func (h *harness) drop(m pgproto3.BackendMessage) {
	h.t.Helper()
	if !h.s.Swallowing() && !h.s.startup {
		h.t.Fatalf("%T: the session is not answering its own query", m)
	}
	r, err := h.s.Backend(frameOf(h.t, m))
	if err != nil || !r.Drop {
		h.t.Fatalf("%T: want it dropped, got %+v %v", m, r, err)
	}
}

// tag delivers CommandComplete and returns the tag the client reads.
func (h *harness) tag(serverTag string) string {
	h.t.Helper()
	r := h.S(&pgproto3.CommandComplete{CommandTag: []byte(serverTag)})
	if r.Send == nil {
		return serverTag
	}
	var cc pgproto3.CommandComplete
	if err := cc.Decode(r.Send[wire.HeaderLen:]); err != nil {
		h.t.Fatal(err)
	}
	return string(cc.CommandTag)
}

// fail delivers an ErrorResponse and returns the error the client reads.
func (h *harness) fail(code, msg string) *pgproto3.ErrorResponse {
	h.t.Helper()
	r := h.S(&pgproto3.ErrorResponse{Severity: "ERROR", Code: code, Message: msg})
	if r.Send == nil {
		return &pgproto3.ErrorResponse{Severity: "ERROR", Code: code, Message: msg}
	}
	var e pgproto3.ErrorResponse
	if err := e.Decode(r.Send[wire.HeaderLen:]); err != nil {
		h.t.Fatal(err)
	}
	return &e
}

// rfq delivers ReadyForQuery.
func (h *harness) rfq(tx byte) { h.t.Helper(); h.S(&pgproto3.ReadyForQuery{TxStatus: tx}) }

func (h *harness) idle(want bool) {
	h.t.Helper()
	if got := h.s.Idle(); got != want {
		h.t.Fatalf("Idle() = %v, want %v (queue %d)", got, want, len(h.s.queue))
	}
}

func (h *harness) visibility(want string) {
	h.t.Helper()
	if got, _ := h.s.conf.get(Visibility); got != want {
		h.t.Fatalf("confirmed visibility = %q, want %q", got, want)
	}
	if got, _ := h.s.pred.get(Visibility); got != want {
		h.t.Fatalf("predicted visibility = %q, want %q", got, want)
	}
}

func (h *harness) searchPath(want string) {
	h.t.Helper()
	if got, _ := h.s.conf.get(SearchPath); got != want {
		h.t.Fatalf("confirmed search_path = %q, want %q", got, want)
	}
}

// filtered reports whether a rewritten text filters contacts.
func filtered(text string) bool { return strings.Contains(text, "deleted_at IS NULL") }

func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Message constructors.
func q(sql string) *pgproto3.Query           { return &pgproto3.Query{String: sql} }
func parse(name, sql string) *pgproto3.Parse { return &pgproto3.Parse{Name: name, Query: sql} }
func bind(portal, stmt string) *pgproto3.Bind {
	return &pgproto3.Bind{DestinationPortal: portal, PreparedStatement: stmt}
}
func exec(portal string) *pgproto3.Execute { return &pgproto3.Execute{Portal: portal} }
func syncMsg() *pgproto3.Sync              { return &pgproto3.Sync{} }
func parseOK() *pgproto3.ParseComplete     { return &pgproto3.ParseComplete{} }
func bindOK() *pgproto3.BindComplete       { return &pgproto3.BindComplete{} }
