package wire

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/jackc/pgx/v5/pgproto3"
)

func encode(t testing.TB, msgs ...pgproto3.Message) []byte {
	t.Helper()
	var out []byte
	for _, m := range msgs {
		var err error
		if out, err = m.Encode(out); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func frame(typ byte, body []byte) []byte {
	out := []byte{typ, 0, 0, 0, 0}
	n := len(body) + 4
	out[1], out[2], out[3], out[4] = byte(n>>24), byte(n>>16), byte(n>>8), byte(n)
	return append(out, body...)
}

// readAll reads frames until EOF, completing partial ones with Rest.
func readAll(t *testing.T, r *Reader) ([][]byte, error) {
	t.Helper()
	var out [][]byte
	for {
		f, err := r.Next()
		if err != nil {
			return out, err
		}
		if f.Partial {
			if f, err = r.Rest(); err != nil {
				return out, err
			}
		}
		out = append(out, append([]byte(nil), f.Raw...))
	}
}

func TestReaderWholeFramesAnyChunking(t *testing.T) {
	stream := encode(t, &pgproto3.Query{String: "select 1"}, &pgproto3.Sync{},
		&pgproto3.Parse{Name: "s", Query: "select $1"}, &pgproto3.CopyData{Data: bytes.Repeat([]byte("x"), 70000)})
	for _, src := range map[string]io.Reader{
		"whole":     bytes.NewReader(stream),
		"one byte":  iotest.OneByteReader(bytes.NewReader(stream)),
		"half":      iotest.HalfReader(bytes.NewReader(stream)),
		"data+eof":  iotest.DataErrReader(bytes.NewReader(stream)),
		"timeout-y": iotest.DataErrReader(iotest.HalfReader(bytes.NewReader(stream))),
	} {
		r := NewReader(src, Options{MaxBody: 1 << 20, MinBuffer: 64})
		frames, err := readAll(t, r)
		if !errors.Is(err, io.EOF) {
			t.Fatalf("err = %v, want io.EOF", err)
		}
		if got := bytes.Join(frames, nil); !bytes.Equal(got, stream) {
			t.Fatalf("frames do not add up to the stream")
		}
		if len(frames) != 4 || frames[0][0] != 'Q' || frames[3][0] != 'd' {
			t.Fatalf("got %d frames", len(frames))
		}
	}
}

func TestReaderErrors(t *testing.T) {
	cases := []struct {
		name  string
		input []byte
		check func(error) bool
	}{
		{"eof at boundary", nil, func(err error) bool { return err == io.EOF }},
		{"eof in header", []byte{'Q', 0, 0}, func(err error) bool { return err == io.ErrUnexpectedEOF }},
		{"eof in body", []byte{'Q', 0, 0, 0, 9, 's'}, func(err error) bool { return err == io.ErrUnexpectedEOF }},
		{"length below 4", []byte{'Q', 0, 0, 0, 3}, func(err error) bool {
			var e *BadLengthError
			return errors.As(err, &e) && e.Len == 3 && e.Type == 'Q'
		}},
		{"negative length", []byte{'Q', 0xff, 0xff, 0xff, 0xff}, func(err error) bool {
			var e *BadLengthError
			return errors.As(err, &e)
		}},
		{"too large", []byte{'p', 0x03, 0xc0, 0, 4}, func(err error) bool {
			var e *TooLargeError
			return errors.As(err, &e) && e.Len == 60<<20 && e.Max == 1<<16
		}},
	}
	for _, c := range cases {
		r := NewReader(bytes.NewReader(c.input), Options{MaxBody: 1 << 16})
		_, err := r.Next()
		if !c.check(err) {
			t.Errorf("%s: err = %v", c.name, err)
		}
	}
}

// A frame that declares much more than it delivers costs what arrived, not
// what it declared.
func TestReaderMemoryFollowsArrivedBytes(t *testing.T) {
	declared := 60 << 20
	head := []byte{'p', byte((declared + 4) >> 24), byte((declared + 4) >> 16), byte((declared + 4) >> 8), byte(declared + 4)}
	input := append(head, bytes.Repeat([]byte{'a'}, 4096)...)
	r := NewReader(bytes.NewReader(input), Options{MaxBody: 64 << 20, MinBuffer: 1024})
	_, err := r.Next()
	if err != io.ErrUnexpectedEOF {
		t.Fatalf("err = %v, want unexpected EOF", err)
	}
	if cap(r.buf) > 4*(4096+HeaderLen) {
		t.Fatalf("buffer grew to %d bytes for 4 KiB received", cap(r.buf))
	}
}

func TestReaderPartialFrames(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 10000) // 100 kB
	stream := append(frame('D', big), encode(t, &pgproto3.ReadyForQuery{TxStatus: 'I'})...)

	t.Run("stream", func(t *testing.T) {
		r := NewReader(iotest.HalfReader(bytes.NewReader(stream)), Options{MaxBody: 1 << 20, WholeMax: 1024, MinBuffer: 512})
		f, err := r.Next()
		if err != nil || !f.Partial || f.Type != 'D' || f.Len != len(big) {
			t.Fatalf("frame %+v, err %v", f, err)
		}
		if _, err := r.Next(); err != ErrPartialOpen {
			t.Fatalf("Next with an open partial frame: %v", err)
		}
		got := append([]byte(nil), f.Raw...)
		maxChunk := 0
		if err := r.CopyRest(func(p []byte) error {
			maxChunk = max(maxChunk, len(p))
			got = append(got, p...)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, frame('D', big)) {
			t.Fatal("streamed frame differs")
		}
		if maxChunk > 8<<10+HeaderLen || cap(r.buf) > 16<<10 {
			t.Fatalf("streaming buffered %d bytes (chunk %d)", cap(r.buf), maxChunk)
		}
		f, err = r.Next()
		if err != nil || f.Type != 'Z' {
			t.Fatalf("after the streamed frame: %+v %v", f, err)
		}
	})
	t.Run("rest", func(t *testing.T) {
		r := NewReader(bytes.NewReader(stream), Options{MaxBody: 1 << 20, WholeMax: 1024})
		f, err := r.Next()
		if err != nil || !f.Partial || len(f.Body()) < PeekLen {
			t.Fatalf("frame %d bytes of body, err %v", len(f.Body()), err)
		}
		f, err = r.Rest()
		if err != nil || f.Partial || !bytes.Equal(f.Raw, frame('D', big)) {
			t.Fatalf("Rest: %v", err)
		}
	})
	t.Run("consumer fails", func(t *testing.T) {
		r := NewReader(bytes.NewReader(stream), Options{MaxBody: 1 << 20, WholeMax: 1024})
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		if err := r.CopyRest(func([]byte) error { return boom }); err != boom {
			t.Fatalf("CopyRest = %v", err)
		}
		if _, err := r.Next(); err == nil {
			t.Fatal("the stream must be unusable after a failed CopyRest")
		}
	})
}

func TestReaderHasFrame(t *testing.T) {
	q := encode(t, &pgproto3.Query{String: "select 1"})
	r := NewReader(iotest.OneByteReader(bytes.NewReader(append(q, q[:3]...))), Options{MaxBody: 1 << 16})
	if r.HasFrame() {
		t.Fatal("nothing read yet")
	}
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	if r.HasFrame() {
		t.Fatal("no frame buffered after the first")
	}
	r2 := NewReader(bytes.NewReader(append(q, q...)), Options{MaxBody: 1 << 16})
	if _, err := r2.Next(); err != nil {
		t.Fatal(err)
	}
	if !r2.HasFrame() || r2.Buffered() != len(q) {
		t.Fatalf("second frame should be buffered (%d bytes)", r2.Buffered())
	}
}

func FuzzReader(f *testing.F) {
	f.Add(encode(f, &pgproto3.Query{String: "select 1"}, &pgproto3.Sync{}), uint16(3), uint16(64))
	f.Add(frame('d', bytes.Repeat([]byte("x"), 3000)), uint16(1), uint16(100))
	f.Add([]byte{'Q', 0, 0, 0, 2}, uint16(7), uint16(0))
	f.Fuzz(func(t *testing.T, data []byte, chunk, whole uint16) {
		// Read the same bytes in two ways (chunked with small partial frames,
		// and all at once whole): the frames and the error must agree.
		a := NewReader(&chunked{data: data, n: int(chunk%17) + 1}, Options{MaxBody: 1 << 16, WholeMax: int(whole % 2048), MinBuffer: 16})
		b := NewReader(bytes.NewReader(data), Options{MaxBody: 1 << 16})
		fa, ea := readAll(t, a)
		fb, eb := readAll(t, b)
		if !bytes.Equal(bytes.Join(fa, nil), bytes.Join(fb, nil)) || len(fa) != len(fb) {
			t.Fatalf("frames differ: %d vs %d", len(fa), len(fb))
		}
		if (ea == io.EOF) != (eb == io.EOF) {
			t.Fatalf("errors differ: %v vs %v", ea, eb)
		}
		if len(bytes.Join(fa, nil)) > len(data) {
			t.Fatal("more bytes out than in")
		}
	})
}

type chunked struct {
	data []byte
	n    int
}

func (c *chunked) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := min(c.n, len(p), len(c.data))
	copy(p, c.data[:n])
	c.data = c.data[n:]
	return n, nil
}
