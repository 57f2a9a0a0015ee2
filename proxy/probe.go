package proxy

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"
)

// sessionFacts are what a rewriting session learns from the server before
// the client's first statement: the effective search_path (which ALTER
// ROLE/DATABASE … SET may have changed) and which policy roles the session
// user is a member of.
type sessionFacts struct {
	searchPath string
	roles      map[string]bool
}

// probe finishes the server's startup burst (ParameterStatus, BackendKeyData
// … ReadyForQuery) into the client buffer without flushing, asks the server
// for the session facts, then releases the burst. It runs before the relay
// loops, so nothing else is on either socket.
func (sess *session) probe(roles []string) (sessionFacts, bool) {
	facts := sessionFacts{searchPath: `"$user", public`, roles: map[string]bool{}}
	var rfq pgproto3.ReadyForQuery
	for {
		msg, err := sess.fe.Receive()
		if err != nil {
			sess.upstreamReadFailed(err)
			return facts, false
		}
		if k, ok := msg.(*pgproto3.BackendKeyData); ok {
			key := sess.srv.keys.register(sess, k)
			msg = &key
		}
		if r, ok := msg.(*pgproto3.ReadyForQuery); ok {
			rfq.TxStatus = r.TxStatus
			break
		}
		if e, ok := msg.(*pgproto3.ErrorResponse); ok && (e.Severity == "FATAL" || e.Severity == "PANIC") {
			_ = sess.cw.send(msg)
			return facts, false
		}
		sess.cw.mu.Lock()
		sess.cw.appendMsg(msg)
		sess.cw.mu.Unlock()
	}
	if err := sess.uw.send(&pgproto3.Query{String: probeQuery(roles)}); err != nil {
		sess.upstreamReadFailed(err)
		return facts, false
	}
	if !sess.readProbe(&facts) {
		return facts, false
	}
	return facts, sess.cw.send(&rfq) == nil
}

// probeQuery asks for the effective search_path and for the policy roles
// the session user is a member of. Membership is followed through
// pg_auth_members (GRANT chains) only: a superuser is not a member of every
// role here, unlike pg_has_role, so a superuser's session is not bypassed
// unless the role is granted to it (or named itself).
func probeQuery(roles []string) string {
	quoted := make([]string, len(roles))
	for i, r := range roles {
		quoted[i] = "'" + strings.ReplaceAll(r, "'", "''") + "'"
	}
	list := "NULL::text"
	if len(quoted) > 0 {
		list = strings.Join(quoted, ",")
	}
	return fmt.Sprintf("WITH RECURSIVE m(oid) AS ("+
		"SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user "+
		"UNION SELECT a.roleid FROM pg_catalog.pg_auth_members a JOIN m ON a.member = m.oid) "+
		"SELECT pg_catalog.current_setting('search_path'), "+
		"pg_catalog.array_to_string(ARRAY(SELECT r.rolname FROM pg_catalog.pg_roles r JOIN m ON m.oid = r.oid "+
		"WHERE r.rolname IN (%s)), ',')", list)
}

// readProbe reads the probe's answer up to its ReadyForQuery.
func (sess *session) readProbe(facts *sessionFacts) bool {
	for {
		msg, err := sess.fe.Receive()
		if err != nil {
			sess.upstreamReadFailed(err)
			return false
		}
		switch m := msg.(type) {
		case *pgproto3.DataRow:
			if len(m.Values) == 2 {
				facts.searchPath = string(m.Values[0])
				for _, r := range strings.Split(string(m.Values[1]), ",") {
					if r != "" {
						facts.roles[r] = true
					}
				}
			}
		case *pgproto3.ErrorResponse:
			sess.log.Warn("session probe failed; assuming the default search_path and no policy roles",
				zap.String("sqlstate", m.Code), zap.String("message", m.Message))
		case *pgproto3.ReadyForQuery:
			return true
		}
	}
}
