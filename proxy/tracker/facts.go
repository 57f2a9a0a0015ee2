package tracker

import (
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// facts are what the proxy learns from the server, by a query of its own,
// before it rewrites the session's first statement: the settings as the
// server has them (ALTER ROLE … SET and the startup options included), the
// users, the policy roles the session user is a member of, and the
// relations named like a managed table (so an unmanaged one ahead on
// search_path resolves as the server resolves it).
type facts struct {
	known        bool
	learnedOnce  bool   // a probe has succeeded in this session
	failed       string // why the last probe failed, "" if it did not
	failedAt     uint64 // Session.finished when it failed: try again after a later batch
	probing      bool   // a probe is in flight
	stale        bool   // learn again at the next batch (settings)
	staleCatalog bool   // … and the relations

	sessionUser string
	hardDelete  bool // session_user is a member of a roles.hard_delete role
	bypass      bool // … of a roles.bypass role
	shadows     string
}

// The probe's columns, in order.
const (
	colSearchPath = iota
	colSearchPathReset
	colVisibility
	colAsOf
	colRole
	colRoleReset
	colSessionUser
	colRoles
	colRelations
	probeColumns
)

// probeQuery asks for the facts. Membership is followed through
// pg_auth_members (GRANT chains) only: a superuser is not a member of every
// role here, unlike pg_has_role, so a superuser's session is not bypassed
// unless the role is granted to it (or named itself). Relations in other
// sessions' temporary schemas are left out; the session's own are in.
func probeQuery(roles, names []string) string {
	return fmt.Sprintf("WITH RECURSIVE m(oid) AS ("+
		"SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user "+
		"UNION SELECT a.roleid FROM pg_catalog.pg_auth_members a JOIN m ON a.member = m.oid) "+
		"SELECT pg_catalog.current_setting('search_path'), "+
		"(SELECT s.reset_val FROM pg_catalog.pg_settings s WHERE s.name = 'search_path'), "+
		"pg_catalog.current_setting('softdelete.visibility', true), "+
		"pg_catalog.current_setting('softdelete.as_of', true), "+
		"pg_catalog.current_setting('role'), "+
		"(SELECT s.reset_val FROM pg_catalog.pg_settings s WHERE s.name = 'role'), "+
		"session_user, "+
		"pg_catalog.array_to_string(ARRAY(SELECT r.rolname FROM pg_catalog.pg_roles r JOIN m ON m.oid = r.oid "+
		"WHERE r.rolname IN (%s)), ','), "+
		"(SELECT coalesce(pg_catalog.string_agg(CASE WHEN n.oid = pg_catalog.pg_my_temp_schema() THEN 'pg_temp' ELSE n.nspname END "+
		"|| pg_catalog.chr(31) || c.relname, pg_catalog.chr(30)), '') "+
		"FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "+
		"WHERE c.relname IN (%s) AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "+
		"AND (n.nspname NOT LIKE 'pg\\_temp\\_%%' OR n.oid = pg_catalog.pg_my_temp_schema()))",
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

// managedNames are the bare names of the managed tables.
func managedNames(p *Policy) []string {
	if p == nil || p.Rewrite == nil {
		return nil
	}
	names := make([]string, 0, len(p.Rewrite.Tables))
	for _, t := range p.Rewrite.Tables {
		names = append(names, t.Name)
	}
	return names
}

// startProbe queues the probe as the proxy's own query and returns its
// frame. Callers hold mu.
func (s *Session) startProbe(p *Policy) []byte {
	roles := append(append([]string(nil), p.Bypass...), p.HardDelete...)
	q := &ownQuery{}
	q.done = func(rows [][]string, errText string) { s.learned(p, rows, errText) }
	s.facts.probing = true
	s.push(&request{kind: reqQuery, own: q})
	buf, _ := (&pgproto3.Query{String: probeQuery(roles, managedNames(p))}).Encode(nil)
	return buf
}

// learned applies the probe's answer. Callers hold mu.
func (s *Session) learned(p *Policy, rows [][]string, errText string) {
	f := &s.facts
	f.probing = false
	if errText == "" && (len(rows) != 1 || len(rows[0]) != probeColumns) {
		errText = fmt.Sprintf("unexpected answer (%d rows)", len(rows))
	}
	if errText != "" {
		f.failed, f.failedAt = errText, s.finished
		f.known = false
		s.log.Warn("the session probe failed; statements on soft-delete tables are refused until it succeeds",
			zap.String("reason", errText))
		return
	}
	row := rows[0]
	s.factsGen++
	first := !f.learnedOnce
	f.known, f.learnedOnce, f.failed, f.stale, f.staleCatalog = true, true, "", false, false
	f.sessionUser = row[colSessionUser]
	roles := map[string]bool{}
	for _, r := range strings.Split(row[colRoles], ",") {
		if r != "" {
			roles[r] = true
		}
	}
	f.hardDelete, f.bypass = anyOf(roles, p.HardDelete), anyOf(roles, p.Bypass)
	f.shadows = shadowsOf(p, row[colRelations])
	now := map[string]string{SearchPath: row[colSearchPath], Visibility: row[colVisibility], AsOf: row[colAsOf], Role: row[colRole]}
	reset := map[string]string{SearchPath: row[colSearchPathReset], Role: row[colRoleReset]}
	if first {
		// A placeholder setting has no row in pg_settings: its RESET value
		// is what it was at the start, startup options and ALTER ROLE … SET
		// included, which the first probe sees.
		reset[Visibility] = now[Visibility]
		reset[AsOf] = now[AsOf]
	}
	s.conf.learned(now, reset)
	s.predStale = true
	s.resyncPrediction()
	if f.bypass {
		s.log.Info("session of a bypass role: statements are relayed without rewriting")
	}
}

// shadowsOf keeps the relations (schema ^_ name ^^ …) that are not managed.
func shadowsOf(p *Policy, rels string) string {
	var out [][2]string
	for _, rel := range strings.Split(rels, "\x1e") {
		schema, name, ok := strings.Cut(rel, "\x1f")
		if ok && p.Rewrite.Lookup(schema, name) == nil {
			out = append(out, [2]string{schema, name})
		}
	}
	return rewrite.ShadowList(out)
}

// anyOf reports whether roles (a session's memberships) holds one of list.
func anyOf(roles map[string]bool, list []string) bool {
	for _, r := range list {
		if roles[r] {
			return true
		}
	}
	return false
}
