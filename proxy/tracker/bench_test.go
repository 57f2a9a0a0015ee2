package tracker

import (
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// The tracker's cost per transaction, without sockets: what the relay adds
// to each round trip. A prepared select (Bind, Execute, Sync; BindComplete,
// DataRow, CommandComplete, ReadyForQuery) and the same as a simple Query,
// with and without tables under policy.
func BenchmarkTracker(b *testing.B) {
	for _, bc := range []struct {
		name   string
		policy *Policy
	}{
		{"no policy", &Policy{Rewrite: rewrite.NewPolicy(1, nil)}},
		{"policy", testPolicy(1)},
	} {
		b.Run(bc.name+"/prepared", func(b *testing.B) {
			h := benchSession(b, bc.policy)
			front := frames(b, &pgproto3.Bind{PreparedStatement: "s", Parameters: [][]byte{[]byte("1")}}, &pgproto3.Execute{}, &pgproto3.Sync{})
			back := frames(b, &pgproto3.BindComplete{}, &pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")}, &pgproto3.ReadyForQuery{TxStatus: 'I'})
			h.C(parse("s", "SELECT * FROM contacts WHERE id = $1"))
			h.C(syncMsg())
			h.S(parseOK())
			h.rfq('I')
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run(b, h.s, front, back)
			}
		})
		b.Run(bc.name+"/simple", func(b *testing.B) {
			h := benchSession(b, bc.policy)
			front := frames(b, &pgproto3.Query{String: "SELECT * FROM contacts WHERE id = 1"})
			back := frames(b, &pgproto3.RowDescription{}, &pgproto3.CommandComplete{CommandTag: []byte("SELECT 1")}, &pgproto3.ReadyForQuery{TxStatus: 'I'})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				run(b, h.s, front, back)
			}
		})
	}
}

func benchSession(b *testing.B, pol *Policy) *harness {
	t := &testing.T{}
	h := newHarness(t, pol, nil, ptr(defaultProbe()))
	h.t = t
	if t.Failed() {
		b.Fatal("harness setup failed")
	}
	return h
}

func frames(b *testing.B, msgs ...pgproto3.Message) []wire.Frame {
	var out []wire.Frame
	for _, m := range msgs {
		raw, err := m.Encode(nil)
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, wire.Frame{Type: raw[0], Len: len(raw) - wire.HeaderLen, Raw: raw})
	}
	return out
}

func run(b *testing.B, s *Session, front, back []wire.Frame) {
	for _, f := range front {
		if st, err := s.Frontend(f); err != nil || st.Wait != nil {
			b.Fatalf("%c: %v wait=%v", f.Type, err, st.Wait != nil)
		}
	}
	for _, f := range back {
		if NeedsBackend(f.Type) {
			if _, err := s.Backend(f); err != nil {
				b.Fatal(err)
			}
		}
	}
}
