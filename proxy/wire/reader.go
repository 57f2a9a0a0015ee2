package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// HeaderLen is the size of a frame's type byte and length.
const HeaderLen = 5

// PeekLen is how much of a Partial frame's body Next returns at least
// (or the whole body if shorter): enough for the names at the start of a
// Bind or the fields of any frame the proxy inspects.
const PeekLen = 8 << 10

// Frame is one protocol frame. Raw aliases the reader's buffer and is only
// valid until the next call on the Reader.
type Frame struct {
	Type byte
	// Len is the body length the frame declares.
	Len int
	// Raw is the header and the body as received; for a Partial frame, the
	// header and the first bytes of the body only.
	Raw []byte
	// Partial says the body continues beyond Raw: call Rest or CopyRest
	// before the next Next.
	Partial bool
}

// Body is the frame's body (its first bytes for a Partial frame).
func (f Frame) Body() []byte { return f.Raw[HeaderLen:] }

// TooLargeError is a frame whose declared body exceeds the reader's limit.
type TooLargeError struct {
	Type     byte
	Len, Max int
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("message of %d bytes exceeds the limit of %d bytes", e.Len, e.Max)
}

// BadLengthError is a frame whose length field is below its own size.
type BadLengthError struct {
	Type byte
	Len  int
}

func (e *BadLengthError) Error() string {
	return fmt.Sprintf("invalid message length %d for message type %q", e.Len, e.Type)
}

// ErrPartialOpen is returned by Next while a Partial frame has not been
// finished with Rest or CopyRest.
var ErrPartialOpen = errors.New("wire: the previous partial frame was not consumed")

// Options configure a Reader.
type Options struct {
	// MaxBody is the largest body accepted (TooLargeError beyond it).
	MaxBody int
	// WholeMax is the largest body returned whole by Next; larger frames
	// arrive Partial. 0 means MaxBody (always whole).
	WholeMax int
	// MinBuffer is the buffer kept between frames (default 16 KiB).
	MinBuffer int
}

// Reader reads frames from a stream into one buffer of its own.
type Reader struct {
	src    io.Reader
	buf    []byte
	rp, wp int
	opts   Options

	// open is the body bytes of the current Partial frame not yet consumed
	// (those after what Next returned); openLen is what Next returned of it.
	open, openRaw int
	inPartial     bool
	wantWhole     bool // the open Partial frame is to be read whole (WantWhole)
}

// NewReader reads frames from src.
func NewReader(src io.Reader, opts Options) *Reader {
	if opts.MinBuffer <= 0 {
		opts.MinBuffer = 16 << 10
	}
	if opts.WholeMax <= 0 || opts.WholeMax > opts.MaxBody {
		opts.WholeMax = opts.MaxBody
	}
	return &Reader{src: src, opts: opts, buf: make([]byte, opts.MinBuffer)}
}

// SetLimits changes the maximum body and the whole-frame limit (e.g. once
// authentication is over).
func (r *Reader) SetLimits(maxBody, wholeMax int) {
	r.opts.MaxBody = maxBody
	if wholeMax <= 0 || wholeMax > maxBody {
		wholeMax = maxBody
	}
	r.opts.WholeMax = wholeMax
}

// Buffered is the number of bytes read from the stream and not yet
// returned in a frame.
func (r *Reader) Buffered() int { return r.wp - r.rp }

// HasFrame reports whether Next can return a frame without reading: a
// whole frame is buffered, or the header and peek of a Partial one.
func (r *Reader) HasFrame() bool {
	n := r.wp - r.rp
	if n < HeaderLen {
		return false
	}
	l := int(int32(binary.BigEndian.Uint32(r.buf[r.rp+1:])))
	body := l - 4
	if body < 0 || body > r.opts.MaxBody {
		return true // Next returns the error at once
	}
	if body > r.opts.WholeMax {
		body = min(body, PeekLen)
	}
	return n >= HeaderLen+body
}

// PeekHeader waits for the next frame's header and returns its type and
// declared body length without taking it (so a caller can refuse a frame
// by its size before its body arrives).
func (r *Reader) PeekHeader() (typ byte, bodyLen int, err error) {
	if r.inPartial {
		return 0, 0, ErrPartialOpen
	}
	if err := r.fill(HeaderLen, true); err != nil {
		return 0, 0, err
	}
	return r.buf[r.rp], int(int32(binary.BigEndian.Uint32(r.buf[r.rp+1:]))) - 4, nil
}

// Next returns the next frame. At a frame boundary a closed stream is
// io.EOF; inside a frame it is io.ErrUnexpectedEOF.
func (r *Reader) Next() (Frame, error) {
	if r.inPartial {
		return Frame{}, ErrPartialOpen
	}
	if err := r.fill(HeaderLen, true); err != nil {
		return Frame{}, err
	}
	typ := r.buf[r.rp]
	l := int(int32(binary.BigEndian.Uint32(r.buf[r.rp+1:])))
	if l < 4 {
		return Frame{}, &BadLengthError{Type: typ, Len: l}
	}
	body := l - 4
	if body > r.opts.MaxBody {
		return Frame{}, &TooLargeError{Type: typ, Len: body, Max: r.opts.MaxBody}
	}
	if body <= r.opts.WholeMax {
		if err := r.fill(HeaderLen+body, false); err != nil {
			return Frame{}, err
		}
		raw := r.buf[r.rp : r.rp+HeaderLen+body : r.rp+HeaderLen+body]
		r.rp += HeaderLen + body
		return Frame{Type: typ, Len: body, Raw: raw}, nil
	}
	peek := min(body, PeekLen)
	if err := r.fill(HeaderLen+peek, false); err != nil {
		return Frame{}, err
	}
	have := min(r.wp-r.rp-HeaderLen, body)
	raw := r.buf[r.rp : r.rp+HeaderLen+have : r.rp+HeaderLen+have]
	r.inPartial, r.open, r.openRaw = true, body-have, HeaderLen+have
	return Frame{Type: typ, Len: body, Raw: raw, Partial: true}, nil
}

// Rest finishes the current Partial frame by reading it whole (bounded by
// the maximum body) and returns it complete.
func (r *Reader) Rest() (Frame, error) {
	if !r.inPartial {
		return Frame{}, errors.New("wire: Rest without a partial frame")
	}
	total := r.openRaw + r.open
	if err := r.fill(total, false); err != nil {
		return Frame{}, err
	}
	raw := r.buf[r.rp : r.rp+total : r.rp+total]
	r.rp += total
	r.inPartial, r.wantWhole = false, false
	l := total - HeaderLen
	return Frame{Type: raw[0], Len: l, Raw: raw}, nil
}

// CopyRest streams the rest of the current Partial frame, the bytes after
// the Raw that Next returned, to fn in chunks no larger than the buffer.
// The chunks alias the buffer and are valid only during the call.
func (r *Reader) CopyRest(fn func([]byte) error) error {
	if !r.inPartial {
		return errors.New("wire: CopyRest without a partial frame")
	}
	r.rp += r.openRaw
	r.openRaw = 0
	for r.open > 0 {
		if r.rp == r.wp {
			r.rp, r.wp = 0, 0
			n, err := r.src.Read(r.buf)
			r.wp = n
			if n == 0 && err != nil {
				return unexpected(err)
			}
		}
		chunk := min(r.open, r.wp-r.rp)
		r.open -= chunk
		data := r.buf[r.rp : r.rp+chunk]
		r.rp += chunk
		if err := fn(data); err != nil {
			r.drainOpen()
			return err
		}
	}
	r.inPartial, r.wantWhole = false, false
	return nil
}

// drainOpen gives up a partial frame after fn failed: the stream is no
// longer usable, and the next Next must not misread the rest as frames.
func (r *Reader) drainOpen() {
	r.inPartial = false
	r.src = failedReader{}
	r.rp, r.wp = 0, 0
}

type failedReader struct{}

func (failedReader) Read([]byte) (int, error) { return 0, io.ErrClosedPipe }

// fill makes at least n bytes available at rp, reading as needed. The
// buffer grows only as bytes arrive (doubling while it is full), so a
// declared length costs nothing until its bytes are there. atBoundary says
// an EOF before any byte is a clean io.EOF.
func (r *Reader) fill(n int, atBoundary bool) error {
	if r.rp == r.wp && len(r.buf) > r.opts.MinBuffer {
		r.buf = make([]byte, r.opts.MinBuffer) // give back a large frame's buffer
		r.rp, r.wp = 0, 0
	}
	for r.wp-r.rp < n {
		if r.rp > 0 && (len(r.buf)-r.rp < n || r.wp == len(r.buf)) {
			r.wp = copy(r.buf, r.buf[r.rp:r.wp])
			r.rp = 0
		}
		if r.wp == len(r.buf) {
			size := min(max(2*len(r.buf), r.opts.MinBuffer), n)
			grown := make([]byte, size)
			r.wp = copy(grown, r.buf[r.rp:r.wp])
			r.rp = 0
			r.buf = grown
		}
		k, err := r.src.Read(r.buf[r.wp:])
		r.wp += k
		if k == 0 && err != nil {
			if atBoundary && r.wp == r.rp && errors.Is(err, io.EOF) {
				return io.EOF
			}
			return unexpected(err)
		}
	}
	return nil
}

func unexpected(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}
