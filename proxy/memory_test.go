package proxy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/proxy/wire"
)

// The proxy's memory follows the bytes that arrive, not the lengths frames
// declare, and a large frame is streamed, not held. The proxy runs in the
// test process, so its heap is this process's (HeapInuse after a GC).

func heapInuse() int64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}

// TestPreAuthMemory: 16 connections that have not authenticated each send
// a PasswordMessage declaring 60 MiB and deliver 4 KiB: each is refused at
// once (FATAL 08P01, over what PostgreSQL accepts before authentication)
// and the heap does not grow by more than a small bound. 16 more declare a
// length the proxy accepts, deliver 4 KiB and stall: while they wait the
// heap holds what arrived, not what was declared.
func TestPreAuthMemory(t *testing.T) {
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{
		HBA:   []string{"host all u_pw 127.0.0.1/32 md5"},
		Users: []pgtest.User{{Name: "u_pw", Password: "secret", Method: "md5"}},
	})
	p := startProxy(t, Config{Upstream: c.Addr()})
	askPassword := func() *rawClient {
		r := dialRaw(t, p.Addr)
		r.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
			Parameters: map[string]string{"user": "u_pw", "database": "postgres"}})
		m, err := r.fe.Receive()
		if _, ok := m.(*pgproto3.AuthenticationMD5Password); err != nil || !ok {
			t.Fatalf("want AuthenticationMD5Password, got %T %v", m, err)
		}
		return r
	}
	password := func(declared int) []byte {
		b := make([]byte, 5+4096)
		b[0] = 'p'
		binary.BigEndian.PutUint32(b[1:], uint32(declared+4))
		copy(b[5:], bytes.Repeat([]byte("pw"), 2048))
		return b
	}

	var refused []*rawClient
	for i := 0; i < 16; i++ {
		refused = append(refused, askPassword())
	}
	before := heapInuse()
	for _, r := range refused {
		r.write(password(60 << 20))
	}
	for i, r := range refused {
		e := r.expectFatal("08P01")
		if want := fmt.Sprintf("message of %d bytes exceeds the limit of %d bytes", 60<<20, maxAuthFrame); !bytes.Contains([]byte(e.Message), []byte(want)) {
			t.Errorf("connection %d: %q, want it to say %q", i, e.Message, want)
		}
	}
	grown := heapInuse() - before
	t.Logf("heap growth after 16 PasswordMessages declaring 60 MiB: %d bytes", grown)
	if grown > 1<<20 {
		t.Errorf("16 PasswordMessages declaring 60 MiB grew the heap by %d bytes", grown)
	}

	var stalled []*rawClient
	for i := 0; i < 16; i++ {
		stalled = append(stalled, askPassword())
	}
	before = heapInuse()
	read := testutil.ToFloat64(p.cfg.Metrics.BytesClientToUpstream)
	for _, r := range stalled {
		r.write(password(65000))
	}
	// The proxy has read every byte sent (it counts them as it reads).
	waitFor(t, func() bool { return testutil.ToFloat64(p.cfg.Metrics.BytesClientToUpstream) >= read+16*(5+4096) })
	grown = heapInuse() - before
	t.Logf("heap growth with 16 stalled PasswordMessages: %d bytes", grown)
	if grown > 512<<10 {
		t.Errorf("16 stalled PasswordMessages of 4 KiB (declaring 65000 bytes) grew the heap by %d bytes", grown)
	}
	if n := p.Sessions(); n != 16 {
		t.Errorf("%d sessions, want the 16 stalled ones", n)
	}
}

// TestLargeRowToSlowClient: a 50 MB row on its way to a client that does
// not read costs the proxy far less than 50 MB: it is streamed, so when the
// server blocks writing to the proxy (ClientWrite) the proxy holds only its
// buffers. The client then reads the row whole.
func TestLargeRowToSlowClient(t *testing.T) {
	_, db := pgtest.Get(t).CreateDatabase(t)
	p := startProxy(t, Config{})
	admin := connect(t, db)
	c := openWire(t, p.URL(t, db))
	const size = 50_000_000
	before := heapInuse()
	c.send(&pgproto3.Query{String: fmt.Sprintf("SELECT repeat('x', %d)", size)})
	deadline := time.Now().Add(60 * time.Second)
	for adminRows(t, admin, fmt.Sprintf("SELECT count(*) FROM pg_stat_activity WHERE pid = %d AND wait_event = 'ClientWrite'", c.pid))[0] != "1" {
		if time.Now().After(deadline) {
			t.Fatal("the backend never blocked writing the row to the proxy")
		}
		time.Sleep(10 * time.Millisecond)
	}
	grown := heapInuse() - before
	t.Logf("heap growth with the row in flight: %d bytes", grown)
	if grown > 8<<20 {
		t.Errorf("a %d-byte row in flight to a client that does not read grew the proxy's heap by %d bytes", size, grown)
	}
	_ = c.conn.SetReadDeadline(time.Now().Add(60 * time.Second))
	r := wire.NewReader(c.conn, wire.Options{MaxBody: 1 << 30, WholeMax: 64 << 10})
	var got []string
	for {
		f, err := r.Next()
		if err != nil {
			t.Fatalf("reading the row: %v (so far %v)", err, got)
		}
		if f.Partial {
			xs, other := 0, 0
			count := func(b []byte) {
				n := bytes.Count(b, []byte("x"))
				xs, other = xs+n, other+len(b)-n
			}
			count(f.Body()[6:]) // column count (2), value length (4): the rest is the value
			if err := r.CopyRest(func(b []byte) error { count(b); return nil }); err != nil {
				t.Fatal(err)
			}
			got = append(got, fmt.Sprintf("%c %d x, %d other", f.Type, xs, other))
			continue
		}
		got = append(got, fmt.Sprintf("%c", f.Type))
		if f.Type == 'Z' {
			break
		}
	}
	if want := fmt.Sprintf("[T D %d x, 0 other C Z]", size); fmt.Sprint(got) != want {
		t.Errorf("the client read %v, want %s", got, want)
	}
}
