package proxy

import (
	"bytes"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// The server-loop half of rwSession: it sees every response and fixes up
// what the client must see.

// front returns the oldest queued unit, or nil. Callers hold mu.
func (rw *rwSession) front() *unit {
	if len(rw.units) == 0 {
		return nil
	}
	return rw.units[0]
}

// onCommandComplete maps the tag of a rewritten statement back (UPDATE n ->
// DELETE n), applies a confirmed SET, and tracks transaction ends.
func (rw *rwSession) onCommandComplete(m *pgproto3.CommandComplete) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	tag := m.CommandTag
	pl := rw.nextPlan()
	switch {
	case pl != nil && pl.sp != nil:
		rw.settings.savepoint(pl.sp)
	case bytes.Equal(tag, []byte("COMMIT")):
		rw.settings.commit()
	case bytes.Equal(tag, []byte("ROLLBACK")):
		// A ROLLBACK the rewriter did not describe (ROLLBACK TO is
		// described): whether it ended a transaction shows at
		// ReadyForQuery (idle, or still in a transaction).
		if u := rw.front(); u != nil {
			u.rolledBack = true
		}
	}
	if pl == nil {
		return
	}
	if pl.set != nil {
		rw.settings.apply(pl.set)
	}
	if pl.clientTag != "" {
		m.CommandTag = mapTag(tag, pl.serverTag, pl.clientTag)
	}
}

// nextPlan consumes the plan of the next completion. Callers hold mu.
func (rw *rwSession) nextPlan() *plan {
	u := rw.front()
	if u == nil || !u.tracked || u.next >= len(u.plans) {
		return nil
	}
	pl := u.plans[u.next]
	u.next++
	return pl
}

// onPortalEnd consumes the plan of an Execute that ended without
// CommandComplete (EmptyQueryResponse, PortalSuspended).
func (rw *rwSession) onPortalEnd() {
	rw.mu.Lock()
	rw.nextPlan()
	rw.mu.Unlock()
}

// onError swaps the server's answer to a refused statement for the refusal.
func (rw *rwSession) onError(m *pgproto3.ErrorResponse) pgproto3.BackendMessage {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	u := rw.front()
	if u == nil {
		return m
	}
	u.failed = true
	if len(u.refusals) == 0 || !strings.Contains(m.Message, refusedSentinel) {
		return m
	}
	r := u.refusals[0]
	u.refusals = u.refusals[1:]
	return &pgproto3.ErrorResponse{
		Severity: "ERROR", SeverityUnlocalized: "ERROR",
		Code: r.Code, Message: r.Message, Detail: r.Detail, Hint: r.Hint, Position: int32(r.Position),
	}
}

// onReadyForQuery ends the oldest unit. Back in idle, the implicit
// transaction of the unit committed unless it failed.
func (rw *rwSession) onReadyForQuery(tx byte) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	u := rw.front()
	if u != nil {
		rw.units[0] = nil
		rw.units = rw.units[1:]
	}
	if tx == 'I' {
		if u != nil && (u.failed || u.rolledBack) {
			rw.settings.rollback()
		} else {
			rw.settings.commit()
		}
	}
}

// mapTag turns "UPDATE 5" into "DELETE 5" when the server's tag starts with
// serverTag; a client tag with a space in it ("TRUNCATE TABLE") carries no
// row count.
func mapTag(tag []byte, serverTag, clientTag string) []byte {
	if serverTag != "" && !bytes.HasPrefix(tag, []byte(serverTag)) {
		return tag
	}
	if strings.Contains(clientTag, " ") {
		return []byte(clientTag)
	}
	rest := tag[len(serverTag):]
	out := make([]byte, 0, len(clientTag)+len(rest))
	return append(append(out, clientTag...), rest...)
}

// onBackend is the server loop's hook: it returns the message to send the
// client in place of msg.
func (rw *rwSession) onBackend(msg pgproto3.BackendMessage) pgproto3.BackendMessage {
	switch m := msg.(type) {
	case *pgproto3.CommandComplete:
		rw.onCommandComplete(m)
	case *pgproto3.EmptyQueryResponse, *pgproto3.PortalSuspended:
		rw.onPortalEnd()
	case *pgproto3.ErrorResponse:
		return rw.onError(m)
	case *pgproto3.ReadyForQuery:
		rw.onReadyForQuery(m.TxStatus)
	}
	return msg
}
