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
	// relations named like a managed table, (schema, name), managed or not
	relations [][2]string
}

// probe finishes the server's startup burst (ParameterStatus, BackendKeyData
// … ReadyForQuery) into the client buffer without flushing, asks the server
// for the session facts, then releases the burst. It runs before the relay
// loops, so nothing else is on either socket.
func (sess *session) probe(roles, names []string) (sessionFacts, bool) {
	facts := sessionFacts{searchPath: `"$user", public`, roles: map[string]bool{}}
	var rfq pgproto3.ReadyForQuery
	for {
		msg, err := sess.fe.Receive()
		if err != nil {
			sess.upstreamReadFailed(err)
			return facts, false
		}
		msg = sess.fromUpstream(msg)
		if r, ok := msg.(*pgproto3.ReadyForQuery); ok {
			rfq.TxStatus = r.TxStatus
			break
		}
		if sess.upstreamFatal {
			_ = sess.cw.send(msg)
			return facts, false
		}
		sess.cw.mu.Lock()
		sess.cw.appendMsg(msg)
		sess.cw.mu.Unlock()
	}
	if err := sess.uw.send(&pgproto3.Query{String: probeQuery(roles, names)}); err != nil {
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
//
// It also lists the relations (outside temporary schemas) named like a
// managed table, so that an unmanaged one ahead on search_path is resolved
// as the server resolves it.
func probeQuery(roles, names []string) string {
	return fmt.Sprintf("WITH RECURSIVE m(oid) AS ("+
		"SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user "+
		"UNION SELECT a.roleid FROM pg_catalog.pg_auth_members a JOIN m ON a.member = m.oid) "+
		"SELECT pg_catalog.current_setting('search_path'), "+
		"pg_catalog.array_to_string(ARRAY(SELECT r.rolname FROM pg_catalog.pg_roles r JOIN m ON m.oid = r.oid "+
		"WHERE r.rolname IN (%s)), ','), "+
		"(SELECT coalesce(pg_catalog.string_agg(n.nspname || pg_catalog.chr(31) || c.relname, pg_catalog.chr(30)), '') "+
		"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "+
		"WHERE c.relname IN (%s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND n.nspname NOT LIKE 'pg\\_temp\\_%%')",
		sqlList(roles), sqlList(names))
}

// sqlList renders strings as a list of SQL literals (NULL when empty).
func sqlList(items []string) string {
	if len(items) == 0 {
		return "NULL::text"
	}
	quoted := make([]string, len(items))
	for i, r := range items {
		quoted[i] = "'" + strings.ReplaceAll(r, "'", "''") + "'"
	}
	return strings.Join(quoted, ",")
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
			if len(m.Values) == 3 {
				facts.searchPath = string(m.Values[0])
				for _, r := range strings.Split(string(m.Values[1]), ",") {
					if r != "" {
						facts.roles[r] = true
					}
				}
				for _, rel := range strings.Split(string(m.Values[2]), "\x1e") {
					if schema, name, ok := strings.Cut(rel, "\x1f"); ok {
						facts.relations = append(facts.relations, [2]string{schema, name})
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
