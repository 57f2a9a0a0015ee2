package proxy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"time"
)

// tapConn is a connection that records the bytes each way, and can hold
// its reads at a point of the stream: the proxy's sockets wrapped by a
// test (Config.Dial for the upstream leg, or a client's own connection).
type tapConn struct {
	net.Conn

	mu       sync.Mutex
	read     bytes.Buffer // what was read from the peer
	written  bytes.Buffer // what was written to it
	holdAt   int          // hold reads once this many ReadyForQuery frames were read (0: never)
	released chan struct{}
	changed  chan struct{} // closed and replaced on every read or write
}

func newTapConn(c net.Conn) *tapConn {
	return &tapConn{Conn: c, released: make(chan struct{}), changed: make(chan struct{})}
}

func (c *tapConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	hold := c.holdAt > 0 && countFrames(c.read.Bytes(), 'Z', true) >= c.holdAt
	c.mu.Unlock()
	if hold {
		<-c.released
	}
	n, err := c.Conn.Read(p)
	c.mu.Lock()
	c.read.Write(p[:n])
	c.notify()
	c.mu.Unlock()
	return n, err
}

func (c *tapConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.mu.Lock()
	c.written.Write(p[:n])
	c.notify()
	c.mu.Unlock()
	return n, err
}

// notify wakes waitFor. Callers hold mu.
func (c *tapConn) notify() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// release lets held reads go on.
func (c *tapConn) release() {
	select {
	case <-c.released:
	default:
		close(c.released)
	}
}

// snapshot returns copies of the bytes read and written so far.
func (c *tapConn) snapshot() (read, written []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.read.Bytes()), bytes.Clone(c.written.Bytes())
}

// waitFor waits until cond holds for the bytes read and written, or d
// passes; it reports whether cond held.
func (c *tapConn) waitFor(d time.Duration, cond func(read, written []byte) bool) bool {
	deadline := time.After(d)
	for {
		c.mu.Lock()
		ok := cond(c.read.Bytes(), c.written.Bytes())
		ch := c.changed
		c.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}

// tapDialer records every upstream connection the proxy opens.
type tapDialer struct {
	mu     sync.Mutex
	conns  []*tapConn
	holdAt int // for new connections: see tapConn.holdAt
}

func (d *tapDialer) dial(network, addr string, timeout time.Duration) (net.Conn, error) {
	c, err := net.DialTimeout(network, addr, timeout)
	if err != nil {
		return nil, err
	}
	t := newTapConn(c)
	d.mu.Lock()
	t.holdAt = d.holdAt
	d.conns = append(d.conns, t)
	d.mu.Unlock()
	return t, nil
}

func (d *tapDialer) all() []*tapConn {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*tapConn(nil), d.conns...)
}

// frame is one protocol frame of a recorded stream.
type frame struct {
	typ  byte
	body []byte
}

func (f frame) String() string {
	b := f.body
	if len(b) > 60 {
		return fmt.Sprintf("%c %q… (%d bytes)", f.typ, b[:60], len(b))
	}
	return fmt.Sprintf("%c %q", f.typ, b)
}

// splitFrames cuts a recorded stream into frames. startup says the stream
// begins with an untyped startup packet (a client's side, without TLS):
// it is returned with typ 0. Trailing bytes of an unfinished frame are
// left out.
func splitFrames(b []byte, startup bool) []frame {
	var out []frame
	if startup && len(b) >= 8 {
		n := int(binary.BigEndian.Uint32(b))
		if n < 8 || n > len(b) {
			return nil
		}
		out = append(out, frame{typ: 0, body: b[4:n]})
		b = b[n:]
	}
	for len(b) >= 5 {
		n := int(binary.BigEndian.Uint32(b[1:]))
		if n < 4 || 1+n > len(b) {
			break
		}
		out = append(out, frame{typ: b[0], body: b[5 : 1+n]})
		b = b[1+n:]
	}
	return out
}

// countFrames counts the frames of type typ in a recorded stream.
func countFrames(b []byte, typ byte, fromServer bool) int {
	n := 0
	for _, f := range splitFrames(b, !fromServer) {
		if f.typ == typ {
			n++
		}
	}
	return n
}
