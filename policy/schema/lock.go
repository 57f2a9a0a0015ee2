package schema

import (
	"fmt"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// Locked rows (lock_column, docs/trash.md): a row whose lock column says
// it is locked cannot be trashed (the proxy's rewritten DELETE, a DBA's
// UPDATE … SET deleted_at = now()) nor deleted for good (forget, empty, a
// superuser's DELETE), on every path: row triggers whose WHEN condition
// is the lock test, so an unlocked row never calls a function, and a
// statement that reaches one locked row fails whole with SQLSTATE 55006
// (object_in_use). TRUNCATE with on_truncate: hard is refused while the
// table has a locked row. Restoring a locked row is allowed.

// The lock's functions (schema softdelete) and triggers.
const (
	fnRefuseLocked      = "refuse_locked"
	fnRefuseLockedTrunc = "refuse_locked_truncate"

	lockTrigger         = "softdelete_lock"          // BEFORE UPDATE OF the soft-delete column, row
	lockDeleteTrigger   = "softdelete_lock_delete"   // BEFORE DELETE, row
	lockTruncateTrigger = "softdelete_lock_truncate" // BEFORE TRUNCATE, statement (on_truncate: hard)
)

// trashNames are the identifiers of the lock, purge date and audit
// generators, for Inspect to quote (see ownNames).
var trashNames = []string{fnRefuseLocked, fnRefuseLockedTrunc, lockTrigger, lockDeleteTrigger, lockTruncateTrigger,
	fnSetPurgeAt, purgeAtTrigger, fnAuditWrite, fnAuditUpdate, fnAuditDelete, auditTrigger, auditDeleteTrigger, auditOldTable, auditNewTable}

// lockObjects is the lock's generator: its functions when a table has a
// lock column, then the triggers on each such table and on each of its
// partitions and children.
func lockObjects(c *Catalog) []Object {
	var out []Object
	for _, t := range c.Tables {
		cond, ok := c.lockedCondition(t, "OLD.")
		if !ok {
			continue
		}
		if out == nil {
			out = c.lockFunctions()
		}
		root := lockTarget{table: t.Quoted, root: t.Quoted, col: t.Column, lockCol: t.LockColumn, cond: cond,
			hardTruncate: t.OnTruncate == "hard", foreign: t.Kind == "f"}
		out = append(out, c.lockTriggers(root)...)
		for _, d := range c.inherited(t) {
			child := root
			child.table, child.partition, child.clones, child.foreign = d.Quoted, d.Partition, d.Clones, d.Kind == "f"
			out = append(out, c.lockTriggers(child)...)
		}
	}
	return out
}

// lockedCondition is the lock test of t's rows, its column prefixed
// (OLD. in a WHEN condition, "" in a query), or false when t has no lock
// column or one of a type the lock does not know (check reports it).
func (c *Catalog) lockedCondition(t *TableInfo, prefix string) (string, bool) {
	if t.LockColumn == "" || !t.IsTable() {
		return "", false
	}
	col, ok := t.Columns[t.LockColumn]
	if !ok {
		return "", false
	}
	return policy.LockedExpr(prefix+c.Q(t.LockColumn), col.BaseType, col.Category)
}

// lockTarget is one relation the lock protects.
type lockTarget struct {
	table, root  string // quoted: the relation, and the managed table it belongs to
	col, lockCol string // raw: the soft-delete column, the lock column
	cond         string // the lock test over OLD
	hardTruncate bool
	foreign      bool
	partition    bool
	clones       map[string]bool
}

func (c *Catalog) lockFunctions() []Object {
	trigger := "RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp"
	return []Object{
		c.functionObject(fnRefuseLocked, "", "the error for trashing or deleting a locked row (SQLSTATE 55006)", trigger, refuseLockedBody),
		c.functionObject(fnRefuseLockedTrunc, "", "refuses TRUNCATE of a table that has a locked row (SQLSTATE 55006)", trigger, refuseLockedTruncateBody),
	}
}

// lockTriggers are the lock's objects on one relation.
func (c *Catalog) lockTriggers(g lockTarget) []Object {
	fn := func(name string) string { return c.QN(ownSchema, name) }
	args := quoteLiteral(g.root) + ", " + quoteLiteral(g.lockCol)
	var out []Object
	rowTrigger := func(name, purpose, def string) {
		if g.partition {
			out = append(out, c.cloneObject(guardTarget{table: g.table, root: g.root, clones: g.clones}, name))
			return
		}
		out = append(out, c.triggerObject(g.table, name, purpose, def))
	}
	col := c.Q(g.col)
	rowTrigger(lockTrigger, "a locked row of "+g.table+" ("+g.lockCol+") cannot be trashed: the statement fails with 55006",
		fmt.Sprintf("BEFORE UPDATE OF %[2]s ON %[1]s FOR EACH ROW WHEN (OLD.%[2]s IS NULL AND NEW.%[2]s IS NOT NULL AND %[3]s) "+
			"EXECUTE FUNCTION %[4]s(%[5]s)", g.table, col, g.cond, fn(fnRefuseLocked), args))
	rowTrigger(lockDeleteTrigger, "a locked row of "+g.table+" ("+g.lockCol+") cannot be deleted for good: the statement fails with 55006",
		fmt.Sprintf("BEFORE DELETE ON %s FOR EACH ROW WHEN (%s) EXECUTE FUNCTION %s(%s)", g.table, g.cond, fn(fnRefuseLocked), args))
	if g.hardTruncate && !g.foreign {
		out = append(out, c.triggerObject(g.table, lockTruncateTrigger,
			"TRUNCATE of "+g.table+" (on_truncate: hard) is refused while it has a locked row",
			fmt.Sprintf("BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s(%s, %s)",
				g.table, fn(fnRefuseLockedTrunc), args, quoteLiteral(trimOld(g.cond)))))
	}
	return out
}

// trimOld turns the lock test over OLD into one over the table's columns.
func trimOld(cond string) string {
	if len(cond) > 4 && cond[:4] == "OLD." {
		return cond[4:]
	}
	return cond
}

// refuseLockedBody raises the lock's error for the row OLD of a statement
// that would trash it or delete it for good; TG_ARGV[0] is the managed
// table (quoted), TG_ARGV[1] the lock column. The row's primary key names
// it, as PostgreSQL's own errors do: Key (id)=(42).
const refuseLockedBody = `
DECLARE
    r jsonb := to_jsonb(OLD);
    cols text;
    vals text;
    what text := CASE TG_OP WHEN 'DELETE' THEN 'delete for good' ELSE 'DELETE (trash)' END;
BEGIN
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord), string_agg(coalesce(r ->> a.attname::text, 'null'), ', ' ORDER BY k.ord)
      INTO cols, vals
      FROM pg_index i CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
     WHERE i.indrelid = TG_RELID AND i.indisprimary;
    RAISE EXCEPTION USING ERRCODE = '55006', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME, COLUMN = TG_ARGV[1],
        MESSAGE = format('%s of a locked row of %s refused: key (%s)=(%s) is locked (lock_column %I = %s)',
                         what, TG_ARGV[0], coalesce(cols, 'row'), coalesce(vals, r::text), TG_ARGV[1], coalesce(r ->> TG_ARGV[1], 'null')),
        DETAIL = 'A locked row can be neither trashed nor deleted for good; nothing of the statement was applied.',
        HINT = format('Unlock it first (UPDATE %s SET %I = … WHERE …), or leave it out of the statement.', TG_ARGV[0], TG_ARGV[1]);
END
`

// refuseLockedTruncateBody refuses TRUNCATE (on_truncate: hard) of a
// table with a locked row; TG_ARGV[2] is the lock test over its columns.
const refuseLockedTruncateBody = `
DECLARE
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM %s WHERE %s', TG_RELID::regclass, TG_ARGV[2]) INTO n;
    IF n > 0 THEN
        RAISE EXCEPTION USING ERRCODE = '55006', SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME, COLUMN = TG_ARGV[1],
            MESSAGE = format('TRUNCATE of %s refused: %s of its rows are locked (lock_column %I)', TG_ARGV[0], n, TG_ARGV[1]),
            HINT = 'Unlock them first, or delete the other rows instead.';
    END IF;
    RETURN NULL;
END
`

// trashColumnRoles are the optional columns of the trash features: the
// lock column (added as a boolean when missing), the creation time and
// the purge date (timestamptz, added nullable: rows that were there before
// count as created at an unknown time, and as purged by retention).
func trashColumnRoles(t *TableInfo) []columnRole {
	var roles []columnRole
	if t.LockColumn != "" {
		roles = append(roles, columnRole{"lock_column", t.LockColumn, "boolean NOT NULL DEFAULT false"})
	}
	if t.CreatedColumn != "" {
		roles = append(roles, columnRole{"created_column", t.CreatedColumn, "timestamptz"})
	}
	if t.PurgeAtColumn != "" {
		roles = append(roles, columnRole{"purge_at_column", t.PurgeAtColumn, "timestamptz"})
	}
	return roles
}

// trashColumnType checks the type of the trash features' columns.
func (k *checker) trashColumnType(role columnRole, q string, col Column) {
	switch role.key {
	case "lock_column":
		if _, ok := policy.LockedExpr(q, col.BaseType, col.Category); !ok {
			k.add(Error, KindColumnType, q, "use a boolean (locked), a timestamptz (locked until) or a text (locked by) column",
				"column %s (lock_column) is %s; it must be boolean, timestamptz, timestamp, date or text", q, col.Type)
		}
	case "created_column", "purge_at_column":
		if col.BaseType != oidTimestamptz {
			k.add(Error, KindColumnType, q, "use a timestamptz column",
				"column %s (%s) is %s; it must be timestamptz", q, role.key, col.Type)
		}
	}
}
