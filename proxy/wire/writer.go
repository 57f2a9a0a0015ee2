package wire

import (
	"io"
	"sync"

	"github.com/jackc/pgx/v5/pgproto3"
)

// maxRetained is the largest buffer a Writer keeps between flushes, so a
// large result does not regrow it batch after batch.
const maxRetained = 256 << 10

// Writer buffers frames for one socket. The relay goroutine appends and
// flushes under Lock; other goroutines send whole frames with Send or
// TrySend, which never interleave with a frame the relay is writing.
type Writer struct {
	mu  sync.Mutex
	dst io.Writer
	buf []byte
	err error
}

// NewWriter writes to dst.
func NewWriter(dst io.Writer) *Writer { return &Writer{dst: dst} }

// SetDestination changes the socket (after a TLS handshake).
func (w *Writer) SetDestination(dst io.Writer) {
	w.mu.Lock()
	w.dst = dst
	w.mu.Unlock()
}

// Lock and Unlock bracket the relay's appends and flushes.
func (w *Writer) Lock()   { w.mu.Lock() }
func (w *Writer) Unlock() { w.mu.Unlock() }

// Buffered is the number of bytes waiting for Flush. Callers hold the lock.
func (w *Writer) Buffered() int { return len(w.buf) }

// Append adds raw frame bytes. Callers hold the lock.
func (w *Writer) Append(raw []byte) { w.buf = append(w.buf, raw...) }

// AppendMsg encodes msg into the buffer. Callers hold the lock.
func (w *Writer) AppendMsg(msg pgproto3.Message) {
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

// Flush writes the buffer. Callers hold the lock.
func (w *Writer) Flush() error {
	if w.err != nil {
		return w.err
	}
	if len(w.buf) == 0 {
		return nil
	}
	_, err := w.dst.Write(w.buf)
	if cap(w.buf) > maxRetained {
		w.buf = nil
	} else {
		w.buf = w.buf[:0]
	}
	if err != nil {
		w.err = err
	}
	return err
}

// WriteThrough flushes the buffer and writes p directly (a chunk of a
// streamed frame). Callers hold the lock.
func (w *Writer) WriteThrough(p []byte) error {
	if err := w.Flush(); err != nil {
		return err
	}
	if _, err := w.dst.Write(p); err != nil {
		w.err = err
		return err
	}
	return nil
}

// Send appends msgs and flushes, under the lock.
func (w *Writer) Send(msgs ...pgproto3.Message) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range msgs {
		w.AppendMsg(m)
	}
	return w.Flush()
}

// TrySend is Send unless the relay holds the lock (it may be blocked on a
// client that stopped reading): then it sends nothing and reports false.
func (w *Writer) TrySend(msgs ...pgproto3.Message) bool {
	if !w.mu.TryLock() {
		return false
	}
	defer w.mu.Unlock()
	for _, m := range msgs {
		w.AppendMsg(m)
	}
	return w.Flush() == nil
}

// Err is the first write or encoding error, if any.
func (w *Writer) Err() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}
