package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// pingTimeout bounds one readiness probe: dial, StartupMessage, first answer.
const pingTimeout = 2 * time.Second

// sqlstateCannotConnectNow is cannot_connect_now: the server is starting up,
// shutting down, in recovery, or a standby with hot_standby off.
const sqlstateCannotConnectNow = "57P03"

// notReadyError says why PostgreSQL at Addr does not take sessions now.
type notReadyError struct {
	Addr   string
	Reason string
	Err    error
}

func (e *notReadyError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("PostgreSQL at %s %s: %v", e.Addr, e.Reason, e.Err)
	}
	return fmt.Sprintf("PostgreSQL at %s %s", e.Addr, e.Reason)
}

func (e *notReadyError) Unwrap() error { return e.Err }

// pgPing returns the readiness check of /readyz: it asks the server at addr as
// libpq's PQping does (pg_isready). It sends a StartupMessage and reads the
// first answer: an ErrorResponse with SQLSTATE 57P03, or no answer within
// timeout, is not ready; an authentication request or any other error (bad
// password, no such role or database) is ready, since the server accepts
// connections. It speaks plain TCP whatever upstream_tls says: the server
// answers a StartupMessage before it looks at pg_hba.conf, so a hostssl-only
// server still tells its state (or refuses with 28000, which is "ready").
func pgPing(addr string, timeout time.Duration) func(context.Context) error {
	return func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return &notReadyError{Addr: addr, Reason: "cannot be reached", Err: err}
		}
		defer conn.Close()
		if dl, ok := ctx.Deadline(); ok {
			_ = conn.SetDeadline(dl)
		}
		return firstAnswer(addr, pgproto3.NewFrontend(conn, conn), timeout)
	}
}

// firstAnswer sends the StartupMessage and judges the server's first reply.
func firstAnswer(addr string, fe *pgproto3.Frontend, timeout time.Duration) error {
	fe.Send(&pgproto3.StartupMessage{
		ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters: map[string]string{
			"user": "postgres", "database": "postgres", "application_name": "softdelete-proxy readyz",
		},
	})
	if err := fe.Flush(); err != nil {
		return &notReadyError{Addr: addr, Reason: "did not take a startup message", Err: err}
	}
	msg, err := fe.Receive()
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return &notReadyError{Addr: addr, Reason: fmt.Sprintf("did not answer a startup message within %s", timeout)}
		}
		return &notReadyError{Addr: addr, Reason: "closed the connection without an answer", Err: err}
	}
	if e, ok := msg.(*pgproto3.ErrorResponse); ok && e.Code == sqlstateCannotConnectNow {
		return &notReadyError{Addr: addr, Reason: "does not accept connections now", Err: fmt.Errorf("%s (SQLSTATE %s)", e.Message, e.Code)}
	}
	if _, ok := msg.(*pgproto3.AuthenticationOk); ok {
		fe.Send(&pgproto3.Terminate{})
		_ = fe.Flush()
	}
	return nil
}
