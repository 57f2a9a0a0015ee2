package schema

import "fmt"

// The guard: the function softdelete.guard_hard_delete() and a BEFORE
// DELETE row trigger softdelete_guard on each managed table, which refuse
// hard deletes unless the transaction is marked.
const (
	guardFunction = "guard_hard_delete"
	guardTrigger  = "softdelete_guard"

	// PurgingSetting is set to 'on' with SET LOCAL by the purger (and the
	// trash commands) around their own hard deletes.
	PurgingSetting = "softdelete.purging"
	// HardDeleteSetting is set to 'on' with SET LOCAL by the proxy around a
	// delete forever allowed in the trash view.
	HardDeleteSetting = "softdelete.hard_delete"
)

// guardBody is the function's source.
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

// guardObjects is the guard's generator.
func guardObjects(c *Catalog) []Object {
	fn := c.QN(ownSchema, guardFunction)
	out := []Object{c.functionObject(guardFunction, "",
		"the guard function: refuses hard deletes unless "+PurgingSetting+" or "+HardDeleteSetting+
			" is 'on' in the transaction (SET LOCAL)",
		"RETURNS trigger LANGUAGE plpgsql", guardBody)}
	for _, t := range c.Tables {
		if !t.IsTable() {
			continue
		}
		out = append(out, c.triggerObject(t.Quoted, guardTrigger,
			"refuse hard deletes of "+t.Quoted+" that are not marked as a purge or an allowed delete forever",
			fmt.Sprintf("BEFORE DELETE ON %s FOR EACH ROW EXECUTE FUNCTION %s()", t.Quoted, fn)))
	}
	return out
}

// triggerObject is a trigger named name on table, defined by def (what
// follows CREATE TRIGGER name), replaced in place where the server can
// (CREATE OR REPLACE TRIGGER needs PostgreSQL 14).
func (c *Catalog) triggerObject(table, name, purpose, def string) Object {
	q := c.Q(name)
	o := Object{Kind: "trigger", Table: table, Name: q + " on " + table, Purpose: purpose}
	if c.ServerVersion >= 140000 {
		o.Create = []string{"CREATE OR REPLACE TRIGGER " + q + " " + def + ";"}
		return o
	}
	o.Create = []string{"CREATE TRIGGER " + q + " " + def + ";"}
	o.Drop = []string{"DROP TRIGGER IF EXISTS " + q + " ON " + table + ";"}
	return o
}
