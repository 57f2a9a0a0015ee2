package schema

import "fmt"

// The guard trigger of migrate --guard: a BEFORE DELETE row trigger on each
// managed table that refuses hard deletes unless the transaction is marked.
const (
	guardSchema   = "softdelete"
	guardFunction = "guard_hard_delete"
	guardTrigger  = "softdelete_guard"

	// PurgingSetting is set to 'on' with SET LOCAL by the purger (and the
	// trash commands) around their own hard deletes.
	PurgingSetting = "softdelete.purging"
	// HardDeleteSetting is set to 'on' with SET LOCAL by the proxy around a
	// delete forever allowed in the trash view.
	HardDeleteSetting = "softdelete.hard_delete"
)

// guardBody is the function's source; migrate compares it with prosrc to
// know whether the installed function is current.
const guardBody = `
BEGIN
    IF current_setting('` + PurgingSetting + `', true) = 'on'
       OR current_setting('` + HardDeleteSetting + `', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'hard delete from %.% refused: its rows are soft-deleted', TG_TABLE_SCHEMA, TG_TABLE_NAME
        USING ERRCODE = '42501',
              HINT = 'Delete through softdelete-proxy, which moves rows to the trash. To delete for good, '
                     'run SET LOCAL ` + HardDeleteSetting + ` = ''on'' first in the same transaction.';
END
`

// guardFunctionDDL creates (or updates) the guard function.
func guardFunctionDDL(c *Catalog) []string {
	return []string{
		"CREATE SCHEMA IF NOT EXISTS " + c.Q(guardSchema) + ";",
		fmt.Sprintf("CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS %s;",
			c.QN(guardSchema, guardFunction), dollarQuote(guardBody)),
	}
}

// guardTriggerDDL installs the guard on one table, replacing a trigger of
// the same name (CREATE OR REPLACE TRIGGER needs PostgreSQL 14).
func guardTriggerDDL(c *Catalog, t *TableInfo) []string {
	create := fmt.Sprintf("TRIGGER %s BEFORE DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s();",
		c.Q(guardTrigger), t.Quoted, c.QN(guardSchema, guardFunction))
	if c.ServerVersion >= 140000 {
		return []string{"CREATE OR REPLACE " + create}
	}
	return []string{fmt.Sprintf("DROP TRIGGER IF EXISTS %s ON %s;", c.Q(guardTrigger), t.Quoted), "CREATE " + create}
}

// hasGuard reports whether t already has the guard trigger.
func hasGuard(c *Catalog, t *TableInfo) bool {
	for _, tr := range t.Triggers {
		if tr.Name == c.Q(guardTrigger) {
			return true
		}
	}
	return false
}
