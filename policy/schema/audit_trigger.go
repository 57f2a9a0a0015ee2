package schema

import (
	"fmt"
	"strings"
)

// The audit of deletions (audit.table, docs/trash.md): statement triggers
// with transition tables on every managed table and each of its
// partitions and children write one audit row per statement, table and
// action, with the keys of the rows as a JSON array: "delete" for rows a
// statement trashed, "restore" for rows it put back (found by joining the
// old and new rows on the primary key), and for rows deleted for good the
// action the purger and the trash commands announce (purge, forget,
// empty), else "hard delete". The actor is softdelete.actor (as the
// proxy's rewritten DELETE records it) or the session user, the reason
// softdelete.reason; db_user is always the session user.

const (
	fnAuditWrite       = "audit_write"
	fnAuditUpdate      = "audit_update"
	fnAuditDelete      = "audit_delete"
	auditTrigger       = "softdelete_audit"        // AFTER UPDATE, statement, old and new tables
	auditDeleteTrigger = "softdelete_audit_delete" // AFTER DELETE, statement, old table
	auditOldTable      = "softdelete_old"
	auditNewTable      = "softdelete_new"
)

// auditActions are the values of the audit table's action column.
var auditActions = []string{"delete", "restore", "forget", "empty", "purge", "keep-until", "hard delete"}

// auditTrashColumns are the audit columns of the deletion audit, which
// migrate adds to an audit table made before them.
var auditTrashColumns = []struct{ name, ddl string }{{"keys", "jsonb"}, {"reason", "text"}, {"db_user", "text"}}

// auditObjects is the deletion audit's generator: nothing without an
// audit table.
func auditObjects(c *Catalog) []Object {
	if c.Audit == nil {
		return nil
	}
	var out []Object
	for _, t := range c.Tables {
		if !t.IsTable() {
			continue
		}
		if out == nil {
			out = c.auditFunctions()
		}
		out = append(out, c.auditTriggers(t.Quoted, t)...)
		for _, d := range c.inherited(t) {
			out = append(out, c.auditTriggers(d.Quoted, t)...)
		}
	}
	return out
}

func (c *Catalog) auditFunctions() []Object {
	trigger := "RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp"
	return []Object{
		c.functionObject(fnAuditWrite, "text, text, bigint, jsonb",
			"inserts one audit row as the audit table's owner (the roles that trash rows need no INSERT on it); it records session_user as db_user",
			"RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp", c.auditWriteBody()),
		c.functionObject(fnAuditUpdate, "", "writes the audit rows of a statement that trashed or restored rows", trigger, c.auditUpdateBody()),
		c.functionObject(fnAuditDelete, "", "writes the audit row of a statement that deleted rows for good", trigger, c.auditDeleteBody()),
	}
}

// auditTriggers are the audit's triggers on one relation of t's tree.
// Their arguments: the managed table (schema.table, as the purger's audit
// rows name it) and the query over the transition tables that counts the
// rows and collects their keys.
func (c *Catalog) auditTriggers(rel string, t *TableInfo) []Object {
	name := quoteLiteral(t.Schema + "." + t.Name)
	col := c.Q(t.Column)
	key := auditKeyExpr(t)
	agg := func(alias, filter string) string {
		if key == "" {
			return "NULL::jsonb"
		}
		return "jsonb_agg(" + strings.ReplaceAll(key, "$.", alias) + ")" + filter
	}
	trashed := fmt.Sprintf(" FILTER (WHERE o.%[1]s IS NULL AND n.%[1]s IS NOT NULL)", col)
	restored := fmt.Sprintf(" FILTER (WHERE o.%[1]s IS NOT NULL AND n.%[1]s IS NULL)", col)
	update := "SELECT count(*)" + trashed + ", " + agg("n.", trashed) + ", count(*)" + restored + ", " + agg("n.", restored) +
		" FROM " + c.auditJoin(t)
	deleted := "SELECT count(*), " + agg("o.", "") + " FROM " + c.Q(auditOldTable) + " AS o"
	return []Object{
		c.triggerObject(rel, auditTrigger, "records in the audit table the rows an UPDATE of "+rel+" trashed or restored",
			fmt.Sprintf("AFTER UPDATE ON %s REFERENCING OLD TABLE AS %s NEW TABLE AS %s FOR EACH STATEMENT EXECUTE FUNCTION %s(%s, %s)",
				rel, c.Q(auditOldTable), c.Q(auditNewTable), c.QN(ownSchema, fnAuditUpdate), name, quoteLiteral(update))),
		c.triggerObject(rel, auditDeleteTrigger, "records in the audit table the rows a DELETE of "+rel+" removed for good",
			fmt.Sprintf("AFTER DELETE ON %s REFERENCING OLD TABLE AS %s FOR EACH STATEMENT EXECUTE FUNCTION %s(%s, %s)",
				rel, c.Q(auditOldTable), c.QN(ownSchema, fnAuditDelete), name, quoteLiteral(deleted))),
	}
}

// primaryKeyColumns are t's primary key columns, quoted, in key order.
func primaryKeyColumns(t *TableInfo) []string {
	for _, ix := range t.Indexes {
		if ix.Primary {
			return strings.Split(strings.TrimSuffix(strings.TrimPrefix(ix.Columns, "("), ")"), ", ")
		}
	}
	return nil
}

// auditKeyExpr is a row's key as JSON, over "$." (replaced by the alias):
// the primary key value, an array of a composite key's values; "" without
// a primary key (the audit row's keys are NULL).
func auditKeyExpr(t *TableInfo) string {
	pk := primaryKeyColumns(t)
	switch len(pk) {
	case 0:
		return ""
	case 1:
		return "to_jsonb($." + pk[0] + ")"
	}
	cols := make([]string, len(pk))
	for i, k := range pk {
		cols[i] = "$." + k
	}
	return "jsonb_build_array(" + strings.Join(cols, ", ") + ")"
}

// auditJoin pairs each old row with its new version: on the primary key,
// or without one by position (PostgreSQL writes both transition tables in
// the same order, row by row).
func (c *Catalog) auditJoin(t *TableInfo) string {
	pk := primaryKeyColumns(t)
	if len(pk) == 0 {
		return "(SELECT row_number() OVER () AS softdelete_n, * FROM " + c.Q(auditOldTable) + ") AS o JOIN " +
			"(SELECT row_number() OVER () AS softdelete_n, * FROM " + c.Q(auditNewTable) + ") AS n USING (softdelete_n)"
	}
	on := make([]string, len(pk))
	for i, k := range pk {
		on[i] = "o." + k + " = n." + k
	}
	return c.Q(auditOldTable) + " AS o JOIN " + c.Q(auditNewTable) + " AS n ON " + strings.Join(on, " AND ")
}

// auditInsert writes one audit row (action, count, keys: plpgsql
// expressions) of the table TG_ARGV[0].
func (c *Catalog) auditInsert(action, count, keys string) string {
	return "PERFORM " + c.QN(ownSchema, fnAuditWrite) + "(TG_ARGV[0], " + action + ", " + count + ", " + keys + ");"
}

// auditWriteBody inserts the audit row ($1 table, $2 action, $3 rows, $4
// keys) with who, why and the detail the session announced.
func (c *Catalog) auditWriteBody() string {
	return `
BEGIN
    INSERT INTO ` + c.Audit.Quoted + ` (at, actor, action, table_name, row_count, detail, keys, reason, db_user)
    VALUES (now(), coalesce(nullif(current_setting('softdelete.actor', true), ''), session_user), $2, $1, $3,
            coalesce(nullif(current_setting('softdelete.audit_detail', true), ''), '{}')::jsonb, $4,
            nullif(current_setting('softdelete.reason', true), ''), session_user);
END
`
}

func (c *Catalog) auditUpdateBody() string {
	return `
DECLARE
    trashed bigint;
    trashed_keys jsonb;
    restored bigint;
    restored_keys jsonb;
BEGIN
    EXECUTE TG_ARGV[1] INTO trashed, trashed_keys, restored, restored_keys;
    IF trashed > 0 THEN
        ` + c.auditInsert("'delete'", "trashed", "trashed_keys") + `
    END IF;
    IF restored > 0 THEN
        ` + c.auditInsert("'restore'", "restored", "restored_keys") + `
    END IF;
    RETURN NULL;
END
`
}

func (c *Catalog) auditDeleteBody() string {
	return `
DECLARE
    deleted bigint;
    deleted_keys jsonb;
    announced text := current_setting('softdelete.audit_action', true);
BEGIN
    EXECUTE TG_ARGV[1] INTO deleted, deleted_keys;
    IF deleted > 0 THEN
        ` + c.auditInsert("CASE WHEN announced IN ('purge', 'forget', 'empty') THEN announced ELSE 'hard delete' END", "deleted", "deleted_keys") + `
    END IF;
    RETURN NULL;
END
`
}

// auditOutdated reports an audit table without the deletion audit's columns.
func (c *Catalog) auditOutdated() bool {
	if c.Audit == nil || !c.Audit.Exists {
		return false
	}
	for _, col := range auditTrashColumns {
		if _, ok := c.Audit.Columns[col.name]; !ok {
			return true
		}
	}
	return false
}

// planAuditUpgrade adds the deletion audit's columns to an audit table
// made before them.
func planAuditUpgrade(m *Migration, c *Catalog) {
	if c.auditOutdated() {
		m.add("", "the audit table's columns for the audit of deletions (keys, reason, db_user) and its new actions",
			auditUpgradeDDL(c.Audit.Quoted)...)
	}
}

// checkAuditUpgrade reports an audit table that lacks the deletion
// audit's columns (migrate adds them).
func (c *Catalog) checkAuditUpgrade() []Finding {
	if !c.auditOutdated() {
		return nil
	}
	return []Finding{{Severity: Error, Table: c.Audit.Quoted, Kind: KindAuditColumns,
		Message: fmt.Sprintf("audit table %s lacks the columns of the audit of deletions (keys, reason, db_user)", c.Audit.Quoted),
		Fix:     "softdelete-proxy migrate --apply adds them"}}
}
