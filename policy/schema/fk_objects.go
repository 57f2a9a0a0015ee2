package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Soft referential actions (docs/foreign-keys.md): for every foreign key
// whose referenced table is managed, triggers that do on trashing a
// parent row what PostgreSQL does on deleting it, and refuse a child row
// that references a trashed parent, as if trashed rows were gone.
//
//   - on the parent, softdelete_fk_<key>_trash, AFTER UPDATE OF the
//     soft-delete column, fires when it goes NULL → set: CASCADE trashes
//     the live children (sharing the parent's delete operation), SET NULL
//     and SET DEFAULT set their keys, RESTRICT raises at the end of the
//     statement, NO ACTION (a constraint trigger deferrable as the key) at
//     the end of the statement or when the constraint is checked;
//   - on the parent of a CASCADE key between managed tables,
//     softdelete_fk_<key>_restore: restoring the row restores the children
//     its delete trashed (same operation), and only those;
//   - on the child, softdelete_fk_<key>_ins and _upd, constraint triggers
//     deferrable as the key, on INSERT and on UPDATE of the key columns (and
//     of the soft-delete column: a restore): the referenced row must be live.
//   - on each table of such a CASCADE key, the column deleted_op and the
//     triggers softdelete_op (a trash that did not come with an operation
//     gets a new one from the sequence softdelete.delete_operation) and
//     softdelete_op_restore (a restore clears it).
//
// Every trigger fires only when the columns it watches are set, and its
// WHEN condition decides before any function is called: an UPDATE of other
// columns pays nothing.

// The objects of the soft referential actions.
const (
	opColumn         = OperationColumn
	operationSeq     = "delete_operation" // in schema softdelete
	fnNewOperation   = "new_operation"
	fnClearOperation = "clear_operation"
	opTrigger        = "softdelete_op"
	opRestoreTrigger = "softdelete_op_restore"
	fkTriggerPrefix  = "softdelete_fk_"
)

// OperationColumn is the column migrate adds to each table of an ON
// DELETE CASCADE key between managed tables: the delete operation that
// trashed the row (shared by everything one delete cascaded to), NULL for
// a live row or one trashed before the column existed.
const OperationColumn = "deleted_op"

// fkObjects is the generator of the soft referential actions.
func fkObjects(c *Catalog) []Object {
	var out []Object
	ops := c.operationTables()
	if len(ops) > 0 {
		out = append(out, c.operationObjects(ops)...)
	}
	for _, k := range c.FKeys {
		if k.Parent.Table == nil || !k.Parent.Table.IsTable() {
			continue
		}
		out = append(out, c.fkGen(k).objects()...)
	}
	return out
}

// operationTables are the managed tables on either side of an ON DELETE
// CASCADE key between managed tables, in policy order: their rows record
// the delete operation that trashed them.
func (c *Catalog) operationTables() []*TableInfo {
	want := map[*TableInfo]bool{}
	for _, k := range c.FKeys {
		if k.cascadesSoftly() {
			want[k.Parent.Table], want[k.Child.Table] = true, true
		}
	}
	var out []*TableInfo
	for _, t := range c.Tables {
		if want[t] {
			out = append(out, t)
		}
	}
	return out
}

// cascadesSoftly reports an ON DELETE CASCADE key between two managed tables.
func (k FKey) cascadesSoftly() bool {
	return k.OnDelete == "CASCADE" && k.Parent.Table != nil && k.Child.Table != nil &&
		k.Parent.Table.IsTable() && k.Child.Table.IsTable()
}

// operationObjects are the sequence, column, functions and triggers that
// record delete operations on tables ts.
func (c *Catalog) operationObjects(ts []*TableInfo) []Object {
	seq := c.Q(ownSchema) + "." + quoteDerived(operationSeq)
	definer := "RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp"
	out := []Object{
		{Kind: "sequence", Name: seq, Present: c.OperationSeq,
			Purpose: "numbers delete operations: a trashed row and every row its delete cascaded to share one",
			Create:  []string{"CREATE SEQUENCE IF NOT EXISTS " + seq + ";"}},
		c.ownFunction(fnNewOperation, "a trashed row that did not come with a delete operation (from a cascade) starts a new one",
			definer, "\nBEGIN\n    NEW."+opColumn+" := nextval("+quoteLiteral(seq)+"::regclass);\n    RETURN NEW;\nEND\n"),
		c.ownFunction(fnClearOperation, "a restored row belongs to no delete operation",
			definer, "\nBEGIN\n    NEW."+opColumn+" := NULL;\n    RETURN NEW;\nEND\n"),
	}
	for _, t := range ts {
		col, op := c.Q(t.Column), quoteDerived(opColumn)
		_, has := t.Columns[opColumn]
		out = append(out,
			Object{Kind: "column", Table: t.Quoted, Name: op + " on " + t.Quoted, Present: has,
				Purpose: "the delete operation that trashed the row: restoring a row restores what its delete cascaded to",
				Create:  []string{addColumnDDL(t.Quoted, op, "bigint")}},
			c.derivedTrigger(t.Quoted, opTrigger, "a row of "+t.Quoted+" trashed on its own starts a delete operation",
				fmt.Sprintf("BEFORE UPDATE OF %[2]s ON %[1]s FOR EACH ROW WHEN (OLD.%[2]s IS NULL AND NEW.%[2]s IS NOT NULL "+
					"AND NEW.%[3]s IS NOT DISTINCT FROM OLD.%[3]s) EXECUTE FUNCTION %[4]s()", t.Quoted, col, op, c.ownName(fnNewOperation))),
			c.derivedTrigger(t.Quoted, opRestoreTrigger, "a restored row of "+t.Quoted+" leaves its delete operation",
				fmt.Sprintf("BEFORE UPDATE OF %[2]s ON %[1]s FOR EACH ROW WHEN (OLD.%[2]s IS NOT NULL AND NEW.%[2]s IS NULL "+
					"AND NEW.%[3]s IS NOT NULL) EXECUTE FUNCTION %[4]s()", t.Quoted, col, op, c.ownName(fnClearOperation))))
	}
	return out
}

// ownName is schema softdelete's function name, quoted.
func (c *Catalog) ownName(name string) string { return c.Q(ownSchema) + "." + quoteDerived(name) }

// ownFunction is a trigger function of schema softdelete without arguments.
func (c *Catalog) ownFunction(name, purpose, header, body string) Object {
	fn := c.ownName(name) + "()"
	return Object{Kind: "function", Name: fn, Purpose: purpose, source: body,
		Create: []string{"CREATE OR REPLACE FUNCTION " + fn + " " + header + " AS " + dollarQuote(body) + ";"}}
}

// fkGenerator writes the objects of one foreign key.
type fkGenerator struct {
	c          *Catalog
	k          FKey
	pdel, cdel string // quoted soft-delete columns; cdel "" when the child is not managed
	id         string // short hash naming its functions
	parentOnly string // "ONLY " for a plain parent table, "" for a partitioned one
	childOnly  string
	ambiguous  bool // another key into the same parent has the same name
	// parentRank and childRank order the key among the keys into its
	// parent and of its child by creation, as PostgreSQL fires theirs:
	// trigger names start with them.
	parentRank, childRank int
}

func (c *Catalog) fkGen(k FKey) *fkGenerator {
	sum := sha256.Sum256([]byte(k.Child.Quoted + "." + k.Name))
	g := &fkGenerator{c: c, k: k, pdel: c.Q(k.Parent.Table.Column), id: hex.EncodeToString(sum[:4])}
	if k.Child.Table != nil && k.Child.Table.IsTable() {
		g.cdel = c.Q(k.Child.Table.Column)
	}
	if k.Parent.Kind != "p" {
		g.parentOnly = "ONLY "
	}
	if k.Child.Kind != "p" {
		g.childOnly = "ONLY "
	}
	for _, o := range c.FKeys {
		if o.Parent.OID == k.Parent.OID && o.RawName == k.RawName && o.Child.OID != k.Child.OID {
			g.ambiguous = true
		}
		if o.Parent.OID == k.Parent.OID && o.OID < k.OID {
			g.parentRank++
		}
		if o.Child.OID == k.Child.OID && o.OID < k.OID {
			g.childRank++
		}
	}
	return g
}

func (g *fkGenerator) objects() []Object {
	out := g.trashObjects()
	if g.k.cascadesSoftly() {
		out = append(out, g.restoreObjects()...)
	}
	return append(out, g.checkObjects()...)
}

// triggerName names one of the key's triggers:
// softdelete_fk_<rank>_<key>_<suffix>, rank ordering the keys of the table
// the trigger is on as PostgreSQL orders theirs (by creation), with a hash
// when the key's name is too long or not unique on the table.
func (g *fkGenerator) triggerName(suffix string, parentSide bool) string {
	rank := g.childRank
	if parentSide {
		rank = g.parentRank
	}
	prefix := fmt.Sprintf("%s%02d_", fkTriggerPrefix, rank)
	name := prefix + g.k.RawName + "_" + suffix
	if len(name) <= 63 && !(parentSide && g.ambiguous) {
		return name
	}
	room := 63 - len(prefix) - len(suffix) - len(g.id) - 2
	raw := g.k.RawName
	for len(raw) > room {
		_, size := utf8.DecodeLastRuneInString(raw)
		raw = raw[:len(raw)-size]
	}
	return prefix + raw + "_" + g.id + "_" + suffix
}

// fnName names one of the key's functions.
func (g *fkGenerator) fnName(suffix string) string { return "fk_" + g.id + "_" + suffix }

// keyName is how a purpose names the key.
func (g *fkGenerator) keyName() string {
	return "foreign key " + g.k.Name + " of " + g.k.Child.Quoted + " (ON DELETE " + g.k.OnDelete + ")"
}

// deferrability is the constraint trigger clause of the key.
func (g *fkGenerator) deferrability() string {
	switch {
	case !g.k.Deferrable:
		return "NOT DEFERRABLE"
	case g.k.Deferred:
		return "DEFERRABLE INITIALLY DEFERRED"
	}
	return "DEFERRABLE INITIALLY IMMEDIATE"
}

// constraintTrigger is a constraint trigger object: there is no CREATE OR
// REPLACE for those, so its DDL drops it first (and runs again as a no-op).
func (g *fkGenerator) constraintTrigger(table, name, purpose, def string) Object {
	q := quoteDerived(name)
	return Object{Kind: "trigger", Table: table, Name: q + " on " + table, Purpose: purpose,
		Create: []string{"DROP TRIGGER IF EXISTS " + q + " ON " + table + ";", "CREATE CONSTRAINT TRIGGER " + q + " " + def + ";"}}
}

// derivedTrigger is triggerObject for a name this package makes up
// (quoted as quote_ident would: quoteDerived).
func (c *Catalog) derivedTrigger(table, name, purpose, def string) Object {
	q := quoteDerived(name)
	verb := "CREATE TRIGGER "
	if c.ServerVersion >= 140000 {
		verb = "CREATE OR REPLACE TRIGGER "
	}
	return Object{Kind: "trigger", Table: table, Name: q + " on " + table, Purpose: purpose,
		Drop:   []string{"DROP TRIGGER IF EXISTS " + q + " ON " + table + ";"},
		Create: []string{verb + q + " " + def + ";"}}
}

func (g *fkGenerator) function(suffix, purpose, body string) Object {
	return g.c.ownFunction(g.fnName(suffix), purpose,
		"RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp", body)
}

// trashObjects are the action on trashing a parent row.
func (g *fkGenerator) trashObjects() []Object {
	k, p := g.k, g.k.Parent.Quoted
	fn := g.function("trash", "what "+g.keyName()+" does when a row of "+p+" is trashed", g.trashBody())
	when := fmt.Sprintf("WHEN (OLD.%[1]s IS NULL AND NEW.%[1]s IS NOT NULL)", g.pdel)
	name := g.triggerName("trash", true)
	purpose := "trashing a row of " + p + " does what deleting it would: " + g.keyName()
	exec := " EXECUTE FUNCTION " + g.c.ownName(g.fnName("trash")) + "()"
	if k.OnDelete == "NO ACTION" {
		return []Object{fn, g.constraintTrigger(p, name, purpose,
			fmt.Sprintf("AFTER UPDATE OF %s ON %s %s FOR EACH ROW %s", g.pdel, p, g.deferrability(), when)+exec)}
	}
	return []Object{fn, g.c.derivedTrigger(p, name, purpose, fmt.Sprintf("AFTER UPDATE OF %s ON %s FOR EACH ROW %s", g.pdel, p, when)+exec)}
}

// restoreObjects restore the children a parent's delete trashed.
func (g *fkGenerator) restoreObjects() []Object {
	p, op := g.k.Parent.Quoted, quoteDerived(opColumn)
	fn := g.function("restore", "restoring a row of "+p+" restores the rows of "+g.k.Child.Quoted+" its delete trashed ("+g.keyName()+")",
		g.restoreBody())
	return []Object{fn, g.c.derivedTrigger(p, g.triggerName("restore", true),
		"restoring a row of "+p+" restores what its delete cascaded to through "+g.keyName(),
		fmt.Sprintf("AFTER UPDATE OF %[1]s ON %[2]s FOR EACH ROW WHEN (OLD.%[1]s IS NOT NULL AND NEW.%[1]s IS NULL AND OLD.%[3]s IS NOT NULL)"+
			" EXECUTE FUNCTION %[4]s()", g.pdel, p, op, g.c.ownName(g.fnName("restore"))))}
}

// checkObjects refuse a child row that references a trashed parent row.
func (g *fkGenerator) checkObjects() []Object {
	k, ch := g.k, g.k.Child.Quoted
	fn := g.function("check", "a row of "+ch+" must reference a live row of "+k.Parent.Quoted+" ("+g.keyName()+")", g.checkBody())
	var present, changed []string
	for _, col := range k.Child.Cols {
		present = append(present, "NEW."+col+" IS NOT NULL")
		changed = append(changed, "OLD."+col+" IS DISTINCT FROM NEW."+col)
	}
	watched := append([]string(nil), k.Child.Cols...)
	if g.cdel != "" {
		present = append(present, "NEW."+g.cdel+" IS NULL")
		changed = append(changed, "OLD."+g.cdel+" IS NOT NULL")
		watched = append(watched, g.cdel)
	}
	exec := " EXECUTE FUNCTION " + g.c.ownName(g.fnName("check")) + "()"
	purpose := "a row of " + ch + " inserted, changed or restored must reference a live row of " + k.Parent.Quoted + " (" + k.Name + ")"
	return []Object{fn,
		g.constraintTrigger(ch, g.triggerName("ins", false), purpose,
			fmt.Sprintf("AFTER INSERT ON %s %s FOR EACH ROW WHEN (%s)", ch, g.deferrability(), strings.Join(present, " AND "))+exec),
		g.constraintTrigger(ch, g.triggerName("upd", false), purpose,
			fmt.Sprintf("AFTER UPDATE OF %s ON %s %s FOR EACH ROW WHEN (%s AND (%s))", strings.Join(watched, ", "), ch, g.deferrability(),
				strings.Join(present, " AND "), strings.Join(changed, " OR "))+exec),
	}
}
