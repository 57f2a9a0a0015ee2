package proxy

import (
	"net"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/prometheus/client_golang/prometheus"
)

// msgWriter buffers encoded protocol messages for one socket. The relay
// appends messages as it receives them and flushes when its reader has
// nothing more buffered, so a burst of DataRows becomes one write.
// mu serialises the relay goroutine with the rare writers from elsewhere
// (protocol errors, shutdown notices).
type msgWriter struct {
	mu   sync.Mutex
	conn net.Conn
	buf  []byte
	err  error
}

// maxRetainedBuf is the largest buffer kept between flushes: well above
// flushThreshold, so a large result does not regrow it batch after batch.
const maxRetainedBuf = 4 * flushThreshold

// appendMsg encodes msg into the buffer. Callers hold mu.
func (w *msgWriter) appendMsg(msg pgproto3.Message) {
	if w.err != nil {
		return
	}
	buf, err := msg.Encode(w.buf)
	if err != nil {
		w.err = err
		return
	}
	w.buf = buf
}

// flush writes the buffer. Callers hold mu.
func (w *msgWriter) flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.conn.Write(w.buf)
	if cap(w.buf) > maxRetainedBuf {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
	if err != nil {
		w.err = err
	}
	return err
}

// send encodes and writes messages at once, under the lock.
func (w *msgWriter) send(msgs ...pgproto3.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range msgs {
		w.appendMsg(m)
	}
	return w.flush()
}

// countingConn counts the bytes read from a connection, in a metric and
// in n (which only the reading goroutine touches).
type countingConn struct {
	net.Conn
	read prometheus.Counter
	n    int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.read.Add(float64(n))
		c.n += int64(n)
	}
	return n, err
}

// encodedLen is the size of msg on the wire, computed without encoding for
// the messages the rewrite layer replaces.
func encodedLen(msg pgproto3.Message) int64 {
	switch m := msg.(type) {
	case *pgproto3.Query:
		return int64(5 + len(m.String) + 1)
	case *pgproto3.Parse:
		return int64(5 + len(m.Name) + 1 + len(m.Query) + 1 + 2 + 4*len(m.ParameterOIDs))
	}
	b, err := msg.Encode(nil)
	if err != nil {
		return 0
	}
	return int64(len(b))
}
