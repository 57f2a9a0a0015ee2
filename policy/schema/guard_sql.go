package schema

import (
	"strings"
)

// The bodies of the guard's functions. Trigger functions run with
// search_path = pg_catalog, pg_temp (a session cannot put its own
// functions or operators in their way); the boolean functions are
// SQL-standard bodies (RETURN …), bound to their functions and operators
// when migrate creates them, so that the planner can inline them into a
// trigger's WHEN condition at no search_path risk.

// memberExpr is true when session_user is a member, through GRANTs and
// recursively, of one of roles (quoted names; a role that does not exist
// counts as no one). pg_has_role is exact for a session user that is not
// a superuser, and fast (cached membership); for a superuser it would
// answer true for every role, so then (and whenever SET ROLE or SET
// SESSION AUTHORIZATION makes is_superuser speak of another role than the
// session user) the slow path walks pg_auth_members.
func (c *Catalog) memberExpr(roles []string) string {
	if len(roles) == 0 {
		return "false"
	}
	var fast, oids []string
	for _, r := range roles {
		oid := "pg_catalog.to_regrole(" + quoteLiteral(r) + ")"
		oids = append(oids, oid)
		fast = append(fast, "coalesce(pg_catalog.pg_has_role(session_user, "+oid+", 'MEMBER'), false)")
	}
	return "CASE WHEN pg_catalog.current_setting('role') = 'none' AND pg_catalog.current_setting('is_superuser') = 'off'\n" +
		"       THEN " + strings.Join(fast, "\n            OR ") + "\n" +
		"       ELSE " + c.QN(ownSchema, fnGranted) + "(ARRAY[" + strings.Join(oids, ", ") + "]::oid[])\n  END"
}

// grantedBody: is session_user, through GRANTs and recursively, one of the
// roles $1? Superusers are members only of what they were granted.
const grantedBody = `EXISTS (
    WITH RECURSIVE m(r) AS (
        SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = session_user
        UNION
        SELECT a.roleid FROM pg_catalog.pg_auth_members a JOIN m ON a.member = m.r
    )
    SELECT 1 FROM m WHERE m.r = ANY ($1))`

// checkDeleteBody checks the rows a DELETE statement removed (its
// transition table, softdelete_deleted): none may have been live, and
// trashed ones only go when the session user may delete them for good.
// TG_ARGV[0] is the soft-delete column. It runs once per statement, after
// it: the error rolls the whole statement back.
func (c *Catalog) checkDeleteBody() string {
	return `
DECLARE
    tbl text := quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME);
    total bigint;
    live bigint;
BEGIN
    EXECUTE format('SELECT count(*), count(*) FILTER (WHERE %I IS NULL) FROM ` + c.Q(deletedTable) + `', TG_ARGV[0]) INTO total, live;
    IF live > 0 THEN
        RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            MESSAGE = format('hard delete of a live row of %s refused: its rows are soft-deleted (%s of the %s rows deleted were live)', tbl, live, total),
            HINT = ` + c.liveHint() + `;
    END IF;
    IF total > 0 AND NOT ` + c.QN(ownSchema, fnMayHardDelete) + `() THEN
        -- rows the keys trigger evicted in this transaction (docs/keys.md)
        EXECUTE 'SELECT count(*) FROM ` + c.Q(deletedTable) + ` d WHERE NOT ` + c.QN(ownSchema, fnEvicting) + `(to_jsonb(d))' INTO total;
    END IF;
    IF total > 0 AND NOT ` + c.QN(ownSchema, fnMayHardDelete) + `() THEN
        RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            MESSAGE = format(` + c.trashedMessage() + `, tbl, quote_ident(session_user)),
            HINT = ` + c.trashedHint() + `;
    END IF;
    RETURN NULL;
END
`
}

// refuseDeleteBody raises the guard's error for a row trigger that found a
// hard delete it must refuse (softdelete_guard_row's WHEN decided);
// TG_ARGV[0] is the soft-delete column.
func (c *Catalog) refuseDeleteBody() string {
	return `
DECLARE
    tbl text := quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME);
BEGIN
    IF (to_jsonb(OLD) ->> TG_ARGV[0]) IS NOT NULL AND ` + c.QN(ownSchema, fnEvicting) + `(to_jsonb(OLD)) THEN
        RETURN OLD; -- evicted by the keys trigger (docs/keys.md)
    END IF;
    IF (to_jsonb(OLD) ->> TG_ARGV[0]) IS NULL THEN
        RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            MESSAGE = format('hard delete of a live row of %s refused: its rows are soft-deleted', tbl),
            HINT = ` + c.liveHint() + `;
    END IF;
    RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
        MESSAGE = format(` + c.trashedMessage() + `, tbl, quote_ident(session_user)),
        HINT = ` + c.trashedHint() + `;
END
`
}

// liveHint is the hint for a live row, an expression of tbl and TG_ARGV[0].
func (c *Catalog) liveHint() string {
	return `format('Delete it through softdelete-proxy, which moves it to the trash, or trash it yourself: '
                          'UPDATE %s SET %I = now() WHERE .... Trashed rows are deleted for good by the purger, '
                          'trash forget and trash empty.', tbl, TG_ARGV[0])`
}

// trashedMessage is the format() string of the error for trashed rows (%s:
// the table, the session user).
func (c *Catalog) trashedMessage() string {
	return quoteLiteral("hard delete of a trashed row of %s refused: session user %s is not a member of role " +
		escapePercent(c.Roles.Purge.Quoted) + " or of a roles.hard_delete role (" + escapePercent(c.hardDeleteList()) + ")")
}

func (c *Catalog) trashedHint() string {
	purge := c.Roles.Purge.Quoted
	return quoteLiteral("The purger deletes trashed rows once their retention has passed. To delete them sooner, run trash forget " +
		"or trash empty as a member of " + purge + " (GRANT " + purge + " TO <login role>) or of a roles.hard_delete role.")
}

// refuseTruncateBody raises the guard's error for TRUNCATE, or lets it
// through for a member of a roles.hard_delete role when TG_ARGV[0] (the
// table's on_truncate) is hard.
func (c *Catalog) refuseTruncateBody() string {
	return `
DECLARE
    tbl text := quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME);
BEGIN
    IF TG_ARGV[0] = 'hard' THEN
        IF ` + c.QN(ownSchema, fnMayTruncate) + `() THEN
            RETURN NULL;
        END IF;
        RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
            MESSAGE = format(` + quoteLiteral("TRUNCATE of %s refused: session user %s is not a member of a roles.hard_delete role ("+
		escapePercent(c.hardDeleteList())+"), which on_truncate: hard requires") + `, tbl, quote_ident(session_user)),
            HINT = 'Delete through softdelete-proxy to trash the rows, or TRUNCATE as a member of a roles.hard_delete role.';
    END IF;
    RAISE EXCEPTION USING ERRCODE = '42501', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME,
        MESSAGE = format('TRUNCATE of %s refused: its rows are soft-deleted (on_truncate: %s)', tbl, TG_ARGV[0]),
        HINT = 'Through softdelete-proxy, TRUNCATE is refused (on_truncate: deny) or trashes every row (soft). '
               'Trashed rows are deleted for good by the purger, trash forget and trash empty.';
END
`
}

// refuseSoftDeleteBody raises PostgreSQL's own error for a trash without
// DELETE or a restore without UPDATE; TG_ARGV[0] is the table's name as
// PostgreSQL prints it there (unqualified, unquoted).
const refuseSoftDeleteBody = `
BEGIN
    RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = format('permission denied for table %s', TG_ARGV[0]);
END
`

// hardDeleteList names the roles.hard_delete roles for messages.
func (c *Catalog) hardDeleteList() string {
	var names []string
	for _, r := range c.Roles.HardDelete {
		names = append(names, r.Quoted)
	}
	if len(names) == 0 {
		return "none configured"
	}
	return strings.Join(names, ", ")
}

// escapePercent keeps a name whole in a format() string.
func escapePercent(s string) string { return strings.ReplaceAll(s, "%", "%%") }
