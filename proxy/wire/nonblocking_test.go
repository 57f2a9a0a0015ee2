package wire

import (
	"bytes"
	"io"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// trickle gives n bytes per Read, then ErrWouldBlock every other call, as
// a non-blocking socket does between packets.
type trickle struct {
	data    []byte
	n       int
	blocked bool
}

func (t *trickle) Read(p []byte) (int, error) {
	if t.blocked = !t.blocked; t.blocked {
		return 0, ErrWouldBlock
	}
	if len(t.data) == 0 {
		return 0, io.EOF
	}
	k := min(t.n, len(p), len(t.data))
	copy(p, t.data[:k])
	t.data = t.data[k:]
	return k, nil
}

// loopRead reads frames as the event loop does: one read per readiness,
// whole frames taken, Partial frames streamed or (Query, Parse) read whole.
// It returns the frames, each whole, and the number of reads.
func loopRead(t testing.TB, r *Reader) ([][]byte, int, error) {
	var out [][]byte
	var cur []byte
	streaming := false
	reads := 0
	for {
		for {
			if streaming {
				done, err := r.StreamBuffered(func(p []byte) error { cur = append(cur, p...); return nil })
				if err != nil {
					return out, reads, err
				}
				if !done {
					break
				}
				out, cur, streaming = append(out, cur), nil, false
				continue
			}
			if r.WantsWhole() {
				if !r.WholeBuffered() {
					break
				}
				f, err := r.Rest()
				if err != nil {
					return out, reads, err
				}
				out = append(out, append([]byte(nil), f.Raw...))
				continue
			}
			if !r.HasFrame() {
				break
			}
			f, err := r.Next()
			if err != nil {
				return out, reads, err
			}
			switch {
			case !f.Partial:
				out = append(out, append([]byte(nil), f.Raw...))
			case f.Type == 'Q' || f.Type == 'P':
				r.WantWhole()
			default:
				cur, streaming = append([]byte(nil), f.Raw...), true
			}
		}
		reads++
		if _, err := r.ReadOnce(); err != nil && err != ErrWouldBlock {
			return out, reads, err
		}
	}
}

func TestReaderLoopStyle(t *testing.T) {
	big := bytes.Repeat([]byte("z"), 50_000)
	stream := encode(t, &pgproto3.Query{String: "select 1"}, &pgproto3.Sync{},
		&pgproto3.Query{String: string(big)}, &pgproto3.CopyData{Data: big}, &pgproto3.Terminate{})
	for _, n := range []int{1, 7, 4096, 1 << 20} {
		r := NewReader(&trickle{data: stream, n: n}, Options{MaxBody: 1 << 20, WholeMax: 1024, MinBuffer: 64})
		frames, _, err := loopRead(t, r)
		if err != io.EOF {
			t.Fatalf("chunk %d: err %v", n, err)
		}
		if !bytes.Equal(bytes.Join(frames, nil), stream) || len(frames) != 5 {
			t.Fatalf("chunk %d: %d frames do not add up to the stream", n, len(frames))
		}
		if cap(r.buf) > 64<<10+HeaderLen*4 && n < 1<<20 {
			t.Fatalf("chunk %d: buffer %d", n, cap(r.buf))
		}
	}
}

func FuzzReaderLoopStyle(f *testing.F) {
	f.Add(encode(f, &pgproto3.Query{String: "select 1"}, &pgproto3.Sync{}), uint16(3), uint16(64))
	f.Add(frame('d', bytes.Repeat([]byte("x"), 3000)), uint16(1), uint16(100))
	f.Add(frame('Q', bytes.Repeat([]byte("y"), 3000)), uint16(5), uint16(100))
	f.Fuzz(func(t *testing.T, data []byte, chunk, whole uint16) {
		a := NewReader(&trickle{data: data, n: int(chunk%17) + 1}, Options{MaxBody: 1 << 16, WholeMax: int(whole % 2048), MinBuffer: 16})
		b := NewReader(bytes.NewReader(data), Options{MaxBody: 1 << 16})
		fa, _, ea := loopRead(t, a)
		fb, eb := readAll(t, b)
		if !bytes.Equal(bytes.Join(fa, nil), bytes.Join(fb, nil)) || len(fa) != len(fb) {
			t.Fatalf("frames differ: %d vs %d", len(fa), len(fb))
		}
		if (ea == io.EOF) != (eb == io.EOF) {
			t.Fatalf("errors differ: %v vs %v", ea, eb)
		}
	})
}
