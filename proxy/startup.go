package proxy

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
)

// Startup packet codes (PostgreSQL src/include/libpq/pqcomm.h).
const (
	codeSSLRequest    = 80877103
	codeGSSENCRequest = 80877104
	codeCancelRequest = 80877102
	maxStartupPacket  = 10_000 // MAX_STARTUP_PACKET_LENGTH, the body after the length word
)

// startupError is a startup packet the proxy does not serve itself. A bad
// length closes the connection without a word, as PostgreSQL does (it only
// logs it); any other packet it cannot read (an unsupported protocol, a
// malformed parameter list) goes to the server as it is, whose answer the
// client gets word for word.
type startupError struct {
	msg     string
	forward []byte // the whole packet, for the server to answer; nil: close
}

func (e *startupError) Error() string { return e.msg }

// readStartupPacket reads exactly one startup-phase packet from r, without
// reading ahead: after an SSLRequest the next bytes on the socket belong to
// the TLS handshake, and bytes a client sent early must not survive into the
// encrypted session (CVE-2021-23214). The framing is the 4-byte length; the
// decoding is pgproto3's.
func readStartupPacket(r io.Reader) (pgproto3.FrontendMessage, error) {
	var hdr [8]byte
	if _, err := io.ReadFull(r, hdr[:4]); err != nil {
		return nil, err
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:4])))
	if n < 8 || n-4 > maxStartupPacket {
		return nil, &startupError{msg: fmt.Sprintf("invalid length of startup packet: %d", n)}
	}
	body := make([]byte, n-4)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, io.ErrUnexpectedEOF
	}
	code := binary.BigEndian.Uint32(body)
	var msg pgproto3.FrontendMessage
	switch code {
	case codeSSLRequest:
		msg = &pgproto3.SSLRequest{}
	case codeGSSENCRequest:
		msg = &pgproto3.GSSEncRequest{}
	case codeCancelRequest:
		msg = &pgproto3.CancelRequest{}
	case pgproto3.ProtocolVersion30, pgproto3.ProtocolVersion32:
		msg = &pgproto3.StartupMessage{}
	default:
		return nil, &startupError{msg: fmt.Sprintf("unsupported frontend protocol %d.%d", code>>16, code&0xffff),
			forward: append(hdr[:4:4], body...)}
	}
	if err := msg.Decode(body); err != nil {
		if code == codeCancelRequest {
			return nil, &startupError{msg: "invalid length of cancel request: " + err.Error()}
		}
		return nil, &startupError{msg: "invalid startup packet: " + err.Error(), forward: append(hdr[:4:4], body...)}
	}
	return msg, nil
}

// isReplication reports whether startup parameters ask for a replication
// connection (replication=true|on|yes|1|database).
func isReplication(params map[string]string) bool {
	v, ok := params["replication"]
	if !ok {
		return false
	}
	switch v {
	case "false", "off", "no", "0":
		return false
	}
	return true
}
