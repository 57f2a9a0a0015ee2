//go:build !linux

package proxy

import "github.com/jackc/pgx/v5/pgproto3"

// Outside Linux there is no event loop: every session relays with a
// goroutine per direction.

type loops struct{ count int }

func (*loops) stop() {}

type loop struct{}

func (*loop) post(func()) bool { return false }

type loopSession struct{ l *loop }

func (*loopSession) terminate(*pgproto3.ErrorResponse) {}
func (*loopSession) close()                            {}

func (sess *session) handToLoop() bool { return false }
