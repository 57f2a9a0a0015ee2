package proxy

import (
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgproto3"
)

// SQLSTATEs the proxy itself raises.
const (
	codeProtocolViolation   = "08P01"
	codeConnectionFailure   = "08006"
	codeFeatureNotSupported = "0A000"
	codeAdminShutdown       = "57P01"
	codeInvalidAuthSpec     = "28000"
)

func errorResponse(severity, code, msg, hint string) *pgproto3.ErrorResponse {
	return &pgproto3.ErrorResponse{
		Severity:            severity,
		SeverityUnlocalized: severity,
		Code:                code,
		Message:             msg,
		Hint:                hint,
	}
}

func fatalf(code, hint, format string, args ...any) *pgproto3.ErrorResponse {
	return errorResponse("FATAL", code, fmt.Sprintf(format, args...), hint)
}

// isNormalClose reports errors that mean the peer simply went away:
// EOF, a reset, or a socket we closed ourselves. They are logged at debug.
func isNormalClose(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE)
}

// classifyClientErr maps an error from reading a client message to a
// protocol-error kind and a message for the client. ok is false for errors
// that are not the client's fault (the socket closed).
func classifyClientErr(err error, maxLen int) (kind, msg string, ok bool) {
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	switch {
	case errors.As(err, &tooBig):
		return kindTooLarge, fmt.Sprintf("message of %d bytes exceeds the proxy's max_message_size of %d bytes", tooBig.ActualBodyLen, maxLen), true
	case isNormalClose(err):
		return "", "", false
	default:
		return kindBadMessage, "invalid frontend message: " + err.Error(), true
	}
}
