package schema

import (
	"fmt"
)

// The guard (docs/guard.md): a live row of a managed table is never
// deleted for good, a trashed one only when session_user is a member (by
// GRANT) of the purge role or of a roles.hard_delete role; TRUNCATE is
// refused (on_truncate: hard: allowed to hard_delete members only);
// trashing needs DELETE on the table and restoring UPDATE. It covers the
// managed tables and their partitions and inheritance children.
//
// Deletes are checked once per statement, after it, from its transition
// table (softdelete_guard, AFTER DELETE … REFERENCING OLD TABLE … FOR EACH
// STATEMENT): a purge batch pays for one check, not one per row, and an
// UPDATE that moves a row to another partition (a DELETE and an INSERT
// for PostgreSQL, which fires no DELETE statement trigger for it) goes
// through. Statement triggers fire only on the table a statement names, so
// every partition and child has its own. Two trees are guarded row by row
// instead (softdelete_guard_row, BEFORE DELETE … FOR EACH ROW, cloned onto
// partitions): where a table outside the policy is a parent of one of its
// tables (check reports it), whose DELETE would fire none of their
// statement triggers; and where a foreign table is a partition, since a
// DELETE that reaches one through its parent cannot collect a transition
// table.

// The guard's functions (schema softdelete) and triggers.
const (
	fnGranted       = "session_user_granted"
	fnMayHardDelete = "may_hard_delete"
	fnMayTruncate   = "may_truncate"
	fnCheckDelete   = "check_hard_delete"
	fnRefuseDelete  = "refuse_hard_delete"
	fnRefuseTrunc   = "refuse_truncate"
	fnRefuseSoft    = "refuse_soft_delete"

	guardTrigger     = "softdelete_guard"     // AFTER DELETE, statement, transition table
	guardRowTrigger  = "softdelete_guard_row" // BEFORE DELETE, row: under a parent outside the policy
	truncateTrigger  = "softdelete_truncate"  // BEFORE TRUNCATE, statement
	privilegeTrigger = "softdelete_privilege" // BEFORE UPDATE OF the column, row
)

// ownNames are the identifiers the generators use, for Inspect to quote.
var ownNames = append([]string{ownSchema, fnGranted, fnMayHardDelete, fnMayTruncate, fnCheckDelete, fnRefuseDelete, fnRefuseTrunc,
	fnRefuseSoft, guardTrigger, guardRowTrigger, truncateTrigger, privilegeTrigger, deletedTable,
	keysTrigger, evictedTable, fnEvict, fnEvictRow, fnEvicting, fnSoftColumn, fnTruncateCheck, fnStamp}, trashNames...)

// deletedTable names the transition table of softdelete_guard.
const deletedTable = "softdelete_deleted"

// guardObjects is the guard's generator: its functions, then for each
// managed table and each of its partitions and children the triggers (or,
// on a partition, the check that the cloned row triggers are enabled).
func guardObjects(c *Catalog) []Object {
	out := c.guardFunctions()
	for _, t := range c.Tables {
		if !t.IsTable() {
			continue
		}
		outside := c.rowGuarded(t)
		root := guardTarget{table: t.Quoted, kind: t.Kind, col: t.Column, root: t.Quoted, rootName: t.Name,
			onTruncate: t.OnTruncate, rowGuard: outside}
		out = append(out, c.stamped(t, gates(c.guardTriggers(root)))...)
		for _, d := range c.inherited(t) {
			out = append(out, gates(c.guardTriggers(guardTarget{table: d.Quoted, kind: d.Kind, col: t.Column, root: t.Quoted,
				rootName: t.Name, onTruncate: t.OnTruncate, partition: d.Partition, clones: d.Clones, rowGuard: outside}))...)
		}
	}
	return out
}

// stamped makes the stampTrigger among t's guard objects carry t's
// catalog stamp (stamp.go).
func (c *Catalog) stamped(t *TableInfo, objs []Object) []Object {
	name := c.Q(stampTrigger) + " on " + t.Quoted
	for i := range objs {
		if objs[i].Kind == "trigger" && objs[i].Name == name {
			objs[i].stampOf, objs[i].stamp, objs[i].stampFn = t.Quoted, t.CatalogDigest, c.QN(ownSchema, fnStamp)
		}
	}
	return objs
}

// gates marks objects as the guard's triggers (Object.Gate).
func gates(objs []Object) []Object {
	for i := range objs {
		objs[i].Gate = true
	}
	return objs
}

// inherited are the descendants of t that are managed through t: all of
// them but those the policy names itself, and their own descendants (they
// are managed with their own settings).
func (c *Catalog) inherited(t *TableInfo) []Relative {
	named := c.policyTables()
	own := func(rel string) bool { return rel != t.Quoted && named[rel] }
	skip := map[string]bool{}
	var out []Relative
	for _, d := range t.Descendants { // parents come before their children
		if own(d.Quoted) || own(d.Parent) || skip[d.Parent] {
			skip[d.Quoted] = true
			continue
		}
		out = append(out, d)
	}
	return out
}

// policyTables are the quoted names of the policy's tables that exist,
// computed once.
func (c *Catalog) policyTables() map[string]bool {
	if c.named == nil {
		c.named = map[string]bool{}
		for _, m := range c.Tables {
			if m.Exists() {
				c.named[m.Quoted] = true
			}
		}
	}
	return c.named
}

// guardTarget is one relation the guard protects.
type guardTarget struct {
	table, kind string
	col         string // the soft-delete column, raw
	root        string // the managed table it belongs to (itself for a managed table)
	rootName    string // the managed table's name, raw
	onTruncate  string
	partition   bool            // its row triggers are clones of its parent's
	clones      map[string]bool // cloned trigger -> enabled
	rowGuard    bool            // a table outside the policy reaches it: softdelete_guard_row too
}

// rowGuarded reports whether t's tree needs the guard row by row: a
// DELETE of a table outside the policy reaches its rows (t has an
// ancestor outside the managed relations, or one of its partitions and
// children has a parent outside them), which fires no statement trigger
// of theirs; or it has a foreign table under it, and a DELETE that
// reaches a foreign table through its parent cannot collect a transition
// table.
func (c *Catalog) rowGuarded(t *TableInfo) bool {
	managed := c.managedRelations()
	for _, d := range c.inherited(t) {
		if d.Kind == "f" {
			return true
		}
	}
	for _, a := range t.Ancestors {
		if !managed[a.Quoted] {
			return true
		}
	}
	for _, d := range c.inherited(t) {
		for _, p := range d.Parents {
			if !managed[p] {
				return true
			}
		}
	}
	return false
}

func (c *Catalog) guardFunctions() []Object {
	hard := make([]string, 0, len(c.Roles.HardDelete))
	for _, r := range c.Roles.HardDelete {
		hard = append(hard, r.Quoted)
	}
	trigger := "RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp"
	return []Object{
		c.returnFunctionObject(fnGranted, "oid[]",
			"the guard's membership test: is session_user, through GRANTs, one of these roles (superusers included only when granted)",
			"RETURNS boolean LANGUAGE sql STABLE", grantedBody),
		c.returnFunctionObject(fnMayHardDelete, "",
			"the guard's test for deleting trashed rows for good: session_user is a member of "+c.Roles.Purge.Quoted+
				" (roles.purge) or of a roles.hard_delete role ("+c.hardDeleteList()+")",
			"RETURNS boolean LANGUAGE sql STABLE", c.memberExpr(append([]string{c.Roles.Purge.Quoted}, hard...))),
		c.returnFunctionObject(fnMayTruncate, "",
			"the guard's test for TRUNCATE of a table with on_truncate: hard: session_user is a member of a roles.hard_delete role ("+
				c.hardDeleteList()+")",
			"RETURNS boolean LANGUAGE sql STABLE", c.memberExpr(hard)),
		c.functionObject(fnCheckDelete, "", "the guard's check of a DELETE statement's rows, and its error (SQLSTATE 42501)", trigger, c.checkDeleteBody()),
		c.functionObject(fnRefuseDelete, "", "the guard's error for a row it refuses (SQLSTATE 42501)", trigger, c.refuseDeleteBody()),
		c.functionObject(fnRefuseTrunc, "", "the guard's decision on TRUNCATE, and its error (SQLSTATE 42501)", trigger, c.refuseTruncateBody()),
		c.functionObject(fnRefuseSoft, "",
			"the error for a trash without DELETE or a restore without UPDATE on the table (PostgreSQL's own: permission denied)",
			trigger, refuseSoftDeleteBody),
		c.truncateCheckObject(),
		c.stampObject(),
	}
}

// guardTriggers are the guard's objects on one relation.
func (c *Catalog) guardTriggers(g guardTarget) []Object {
	col := c.Q(g.col)
	fn := func(name string) string { return c.QN(ownSchema, name) }
	var out []Object
	rowTrigger := func(name, purpose, def string) {
		if g.partition {
			out = append(out, c.cloneObject(g, name))
		} else {
			out = append(out, c.triggerObject(g.table, name, purpose, def))
		}
	}
	if g.rowGuard {
		rowTrigger(guardRowTrigger, "the guard, row by row (a DELETE of a parent outside the policy, or of a partitioned table "+
			"with foreign partitions, reaches "+g.table+" without a statement trigger of its own): refuses live rows, and trashed ones unless the session user may",
			fmt.Sprintf("BEFORE DELETE ON %s FOR EACH ROW WHEN (OLD.%s IS NULL OR NOT %s()) EXECUTE FUNCTION %s(%s)",
				g.table, col, fn(fnMayHardDelete), fn(fnRefuseDelete), quoteLiteral(g.col)))
	} else {
		out = append(out, c.triggerObject(g.table, guardTrigger,
			"the guard: refuses a DELETE of "+g.table+" that removed live rows, or trashed ones unless the session user may",
			fmt.Sprintf("AFTER DELETE ON %s REFERENCING OLD TABLE AS %s FOR EACH STATEMENT EXECUTE FUNCTION %s(%s)",
				g.table, c.Q(deletedTable), fn(fnCheckDelete), quoteLiteral(g.col))))
	}
	rowTrigger(privilegeTrigger, "trashing a row of "+g.table+" needs DELETE on "+g.root+", restoring it UPDATE, as deleting and updating would",
		fmt.Sprintf("BEFORE UPDATE OF %[2]s ON %[1]s FOR EACH ROW WHEN ("+
			"(OLD.%[2]s IS NULL AND NEW.%[2]s IS NOT NULL AND NOT pg_catalog.has_table_privilege(%[3]s::regclass, 'DELETE') "+
			"AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'DELETE')) OR "+
			"(OLD.%[2]s IS NOT NULL AND NEW.%[2]s IS NULL AND NOT pg_catalog.has_table_privilege(%[3]s::regclass, 'UPDATE') "+
			"AND NOT pg_catalog.has_table_privilege(OLD.tableoid, 'UPDATE'))) EXECUTE FUNCTION %[4]s(%[5]s)",
			g.table, col, quoteLiteral(g.root), fn(fnRefuseSoft), quoteLiteral(g.rootName)))
	if g.kind == "f" {
		return out // foreign tables cannot have TRUNCATE triggers (check warns)
	}
	return append(out, c.triggerObject(g.table, truncateTrigger,
		"refuses TRUNCATE of "+g.table+" (on_truncate: "+g.onTruncate+")",
		fmt.Sprintf("BEFORE TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION %s(%s)", g.table, fn(fnRefuseTrunc), quoteLiteral(g.onTruncate))))
}

// cloneObject is a row trigger PostgreSQL clones onto a partition from its
// parent: it must be enabled there. A missing clone comes with its
// parent's trigger.
func (c *Catalog) cloneObject(g guardTarget, name string) Object {
	q := c.Q(name)
	enabled, ok := g.clones[q]
	return Object{Kind: "trigger clone", Table: g.table, Name: q + " on " + g.table, Present: !ok || enabled,
		Purpose: "the " + name + " trigger of " + g.root + ", cloned onto its partition " + g.table + ", must be enabled",
		Create:  []string{"ALTER TABLE " + g.table + " ENABLE TRIGGER " + q + ";"}}
}

// triggerObject is a trigger named name on table, defined by def (what
// follows CREATE TRIGGER name). A stale one is dropped and created again:
// CREATE OR REPLACE TRIGGER (PostgreSQL 14) cannot turn a row trigger of a
// partitioned table into a statement trigger (the clones on its partitions
// stay) nor change one of another kind, and dropping the parent's trigger
// drops its clones.
func (c *Catalog) triggerObject(table, name, purpose, def string) Object {
	q := c.Q(name)
	o := Object{Kind: "trigger", Table: table, Name: q + " on " + table, Purpose: purpose,
		Drop: []string{"DROP TRIGGER IF EXISTS " + q + " ON " + table + ";"}}
	if c.ServerVersion >= 140000 {
		o.Create = []string{"CREATE OR REPLACE TRIGGER " + q + " " + def + ";"}
		return o
	}
	o.Create = []string{"CREATE TRIGGER " + q + " " + def + ";"}
	return o
}
