// Package wire reads and writes PostgreSQL protocol frames as bytes.
//
// A frame is what the protocol calls a message after startup: a type byte,
// a big-endian int32 length that counts itself, and a body. The relay
// forwards most frames without looking inside them, so this package never
// decodes: decoding is pgproto3's job, for the few frames the proxy must
// read or change.
//
//	socket ─ Reader ─ Frame{Type, Raw} ─┬─ forwarded as bytes ─ Writer ─ socket
//	                                    └─ decoded by pgproto3, maybe replaced
//
// Reader keeps one buffer per socket. Memory follows the bytes that really
// arrive, not the length a frame declares: a peer that announces 60 MiB and
// sends 4 KiB costs 4 KiB. A frame larger than the reader's whole-frame
// limit arrives as a Partial frame (its header and what is buffered of its
// body); the caller either streams the rest (CopyRest) without holding it,
// or asks for it whole (Rest), bounded by the reader's maximum body.
//
// Writer appends frames to a buffer and writes it on Flush; it is safe for
// the relay goroutine and the occasional out-of-band writer (an error sent
// at shutdown) at once.
package wire
