package wire

import (
	"encoding/binary"
	"errors"
	"io"
)

// The methods below serve an event loop, whose source never blocks: its
// Read returns ErrWouldBlock when the socket has nothing more. The loop
// reads once per readiness (ReadOnce), takes the frames that are whole
// (HasFrame, Next), and streams what is buffered of a Partial frame
// (StreamBuffered) or waits until it is whole (WholeBuffered, Rest).

// SetSource changes the stream the reader reads from (an event loop takes
// a socket over, with what is already buffered).
func (r *Reader) SetSource(src io.Reader) { r.src = src }

// ErrWouldBlock is what a non-blocking source returns when it has no
// bytes now; the Reader passes it on and keeps its state.
var ErrWouldBlock = errors.New("wire: no data now")

// ReadOnce reads what the source has, once, into free space of the buffer
// (moving the unread bytes to its start, or growing it when it is full
// and the frame being read needs more room). It returns the bytes read.
func (r *Reader) ReadOnce() (int, error) {
	if r.rp == r.wp {
		r.rp, r.wp = 0, 0
		if len(r.buf) > r.opts.MinBuffer && !r.inPartial {
			r.buf = make([]byte, r.opts.MinBuffer)
		}
	}
	if r.wp == len(r.buf) && r.rp > 0 {
		r.wp = copy(r.buf, r.buf[r.rp:r.wp])
		r.rp = 0
	}
	if r.wp == len(r.buf) {
		need := r.needed()
		if need <= len(r.buf) {
			return 0, nil // full of whole frames: take them first
		}
		grown := make([]byte, min(max(2*len(r.buf), r.opts.MinBuffer), need))
		r.wp = copy(grown, r.buf[r.rp:r.wp])
		r.rp = 0
		r.buf = grown
	}
	n, err := r.src.Read(r.buf[r.wp:])
	r.wp += n
	if n > 0 {
		return n, nil
	}
	if errors.Is(err, io.EOF) && (r.wp > r.rp || r.inPartial) {
		return 0, io.ErrUnexpectedEOF // the stream ended inside a frame
	}
	return 0, err
}

// needed is how many buffered bytes the frame at rp needs to be taken: its
// whole length for a frame returned whole (or one Rest waits for), its
// header and peek for a Partial one.
func (r *Reader) needed() int {
	if r.inPartial {
		if r.wantWhole {
			return r.openRaw + r.open
		}
		return 0 // streamed: any amount will do
	}
	if r.wp-r.rp < HeaderLen {
		return HeaderLen
	}
	body := int(int32(uint32(r.buf[r.rp+1])<<24|uint32(r.buf[r.rp+2])<<16|uint32(r.buf[r.rp+3])<<8|uint32(r.buf[r.rp+4]))) - 4
	if body < 0 || body > r.opts.MaxBody {
		return HeaderLen
	}
	if body > r.opts.WholeMax {
		body = min(body, PeekLen)
	}
	return HeaderLen + body
}

// BufferedHeader returns the next frame's type and declared body length
// when its header is buffered, without reading.
func (r *Reader) BufferedHeader() (typ byte, bodyLen int, ok bool) {
	if r.inPartial || r.wp-r.rp < HeaderLen {
		return 0, 0, false
	}
	return r.buf[r.rp], int(int32(binary.BigEndian.Uint32(r.buf[r.rp+1:]))) - 4, true
}

// WantWhole marks the open Partial frame as one to be read whole: ReadOnce
// grows the buffer for it and WholeBuffered says when it is there.
func (r *Reader) WantWhole() { r.wantWhole = r.inPartial }

// WholeBuffered reports whether the open Partial frame marked WantWhole
// is all buffered, so Rest returns it without reading.
func (r *Reader) WholeBuffered() bool {
	return r.inPartial && r.wantWhole && r.wp-r.rp >= r.openRaw+r.open
}

// WantsWhole reports an open Partial frame marked WantWhole.
func (r *Reader) WantsWhole() bool { return r.inPartial && r.wantWhole }

// StreamBuffered streams the buffered bytes of the open Partial frame to
// fn, without reading; done reports that the frame has been streamed whole.
func (r *Reader) StreamBuffered(fn func([]byte) error) (done bool, err error) {
	if !r.inPartial {
		return true, nil
	}
	r.rp += r.openRaw
	r.openRaw = 0
	if chunk := min(r.open, r.wp-r.rp); chunk > 0 {
		data := r.buf[r.rp : r.rp+chunk]
		r.rp += chunk
		r.open -= chunk
		if err := fn(data); err != nil {
			r.drainOpen()
			return false, err
		}
	}
	if r.open > 0 {
		return false, nil
	}
	r.inPartial, r.wantWhole = false, false
	return true, nil
}
