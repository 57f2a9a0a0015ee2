package schema

import (
	"strings"
)

// The bodies of the soft referential actions' functions, one set per
// foreign key (static SQL, so PL/pgSQL keeps their plans). They run as
// their owner (SECURITY DEFINER, search_path = pg_catalog, pg_temp), as
// PostgreSQL runs its referential actions as the tables' owner: a role
// that may trash a parent needs no privilege on its children. Errors are
// PostgreSQL's own (ri_triggers.c): SQLSTATE 23503 with its message,
// DETAIL and the child table and constraint in the error's fields.

// pairs joins "left[i] op[i] right[i]" with AND.
func pairs(left []string, ops []string, right []string) string {
	parts := make([]string, len(left))
	for i := range left {
		parts[i] = left[i] + " " + opAt(ops, i) + " " + right[i]
	}
	return strings.Join(parts, " AND ")
}

func opAt(ops []string, i int) string {
	if i < len(ops) && ops[i] != "" {
		return ops[i]
	}
	return "="
}

func prefixed(prefix string, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + c
	}
	return out
}

// childRows matches the children x of the parent row OLD (live ones when
// the child is managed).
func (g *fkGenerator) childRows() string {
	w := pairs(prefixed("OLD.", g.k.Parent.Cols), g.k.PFEq, prefixed("x.", g.k.Child.Cols))
	if g.cdel != "" {
		w += " AND x." + g.cdel + " IS NULL"
	}
	return w
}

// assignments are "col = value" for the columns of one side.
func assignments(cols []string, value func(string) string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c + " = " + value(c)
	}
	return strings.Join(parts, ", ")
}

func (g *fkGenerator) trashBody() string {
	k := g.k
	switch {
	case k.OnDelete == "CASCADE" && g.cdel == "":
		return g.refuseCascadeBody()
	case k.OnDelete == "CASCADE":
		return "\nBEGIN\n    UPDATE " + g.childOnly + k.Child.Quoted + " x SET " + g.cascadeSet() + "\n    WHERE " + g.childRows() +
			";\n    RETURN NULL;\nEND\n"
	case k.OnDelete == "SET NULL" || k.OnDelete == "SET DEFAULT":
		cols := k.SetCols
		if len(cols) == 0 {
			cols = k.Child.Cols
		}
		value := "NULL"
		if k.OnDelete == "SET DEFAULT" {
			value = "DEFAULT"
		}
		update := "    UPDATE " + g.childOnly + k.Child.Quoted + " x SET " + assignments(cols, func(string) string { return value }) +
			"\n    WHERE " + g.childRows() + ";\n"
		if k.OnDelete == "SET DEFAULT" {
			// A child whose default is the trashed key kept its value, and
			// its check did not fire: as PostgreSQL, check as NO ACTION.
			return g.stillReferencedBody(update)
		}
		return "\nBEGIN\n" + update + "    RETURN NULL;\nEND\n"
	}
	return g.stillReferencedBody("")
}

// cascadeSet trashes a child as its parent NEW was trashed: same time,
// same delete operation, and who and why when both tables record them.
func (g *fkGenerator) cascadeSet() string {
	p, ch := g.k.Parent.Table, g.k.Child.Table
	set := []string{g.cdel + " = NEW." + g.pdel, quoteDerived(opColumn) + " = NEW." + quoteDerived(opColumn)}
	if p.DeletedByColumn != "" && ch.DeletedByColumn != "" {
		set = append(set, g.c.Q(ch.DeletedByColumn)+" = NEW."+g.c.Q(p.DeletedByColumn))
	}
	if p.ReasonColumn != "" && ch.ReasonColumn != "" {
		set = append(set, g.c.Q(ch.ReasonColumn)+" = NEW."+g.c.Q(p.ReasonColumn))
	}
	return strings.Join(set, ", ")
}

// refuseCascadeBody: the children are outside the policy, so a cascade
// would delete them for good.
func (g *fkGenerator) refuseCascadeBody() string {
	k := g.k
	msg := "soft delete of a row of " + k.Parent.Quoted + " refused: foreign key " + k.Name + " of " + k.Child.Quoted +
		" is ON DELETE CASCADE and " + k.Child.Quoted + " is not managed, so deleting the row would delete its rows there for good"
	hint := "Add " + k.Child.Quoted + " to the policy (tables:) and run softdelete-proxy migrate, or delete or re-point its rows first."
	return "\nBEGIN\n    IF EXISTS (SELECT 1 FROM " + g.childOnly + k.Child.Quoted + " x WHERE " + g.childRows() + ") THEN\n" +
		"        RAISE EXCEPTION USING ERRCODE = '0A000', SCHEMA = " + quoteLiteral(k.Child.Schema) + ", TABLE = " + quoteLiteral(k.Child.Name) +
		", CONSTRAINT = " + quoteLiteral(k.RawName) + ",\n            MESSAGE = " + quoteLiteral(msg) + ",\n            HINT = " + quoteLiteral(hint) + ";\n" +
		"    END IF;\n    RETURN NULL;\nEND\n"
}

// stillReferencedBody is RESTRICT and NO ACTION (and SET DEFAULT after
// its update, first): no live child may reference the trashed row. NO
// ACTION, checked when the constraint is, first looks whether the row is
// still trashed by then.
func (g *fkGenerator) stillReferencedBody(first string) string {
	k := g.k
	var b strings.Builder
	b.WriteString("\nDECLARE\n    conname text := " + quoteLiteral(k.RawName) + ";\nBEGIN\n" + first)
	if k.OnDelete == "NO ACTION" || k.OnDelete == "SET DEFAULT" {
		b.WriteString("    IF EXISTS (SELECT 1 FROM " + g.parentOnly + k.Parent.Quoted + " y WHERE " +
			pairs(prefixed("y.", k.Parent.Cols), k.PPEq, prefixed("OLD.", k.Parent.Cols)) + " AND y." + g.pdel + " IS NULL) THEN\n" +
			"        RETURN NULL;\n    END IF;\n")
	}
	b.WriteString("    IF NOT EXISTS (SELECT 1 FROM " + g.childOnly + k.Child.Quoted + " x WHERE " + g.childRows() + ") THEN\n" +
		"        RETURN NULL;\n    END IF;\n")
	if k.Parent.Kind == "p" {
		b.WriteString("    conname := coalesce(" + g.partitionConstraint() + ", conname);\n")
	}
	detail := quoteLiteral("Key ("+strings.Join(k.Parent.RawCols, ", ")+")=(") + " || concat_ws(', ', " +
		strings.Join(textValues("OLD.", k.Parent.Cols), ", ") + ") || " +
		quoteLiteral(`) is still referenced from table "`+k.Child.Name+`".`)
	b.WriteString("    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = " + quoteLiteral(k.Child.Schema) + ", TABLE = " + quoteLiteral(k.Child.Name) +
		", CONSTRAINT = conname,\n        MESSAGE = 'update or delete on table \"' || TG_TABLE_NAME || '\" violates foreign key constraint \"' || conname || " +
		quoteLiteral(`" on table "`+k.Child.Name+`"`) + ",\n        DETAIL = " + detail + ";\nEND\n")
	return b.String()
}

// partitionConstraint finds, for a row of a partition of the referenced
// table, the clone of the key PostgreSQL names in its error.
func (g *fkGenerator) partitionConstraint() string {
	child := quoteLiteral(g.k.Child.Quoted) + "::regclass"
	return "(WITH RECURSIVE d AS (\n" +
		"        SELECT f.oid, f.conname, f.confrelid FROM pg_constraint f WHERE f.contype = 'f' AND f.conrelid = " + child +
		" AND f.conname = " + quoteLiteral(g.k.RawName) + " AND f.conparentid = 0\n" +
		"        UNION ALL\n" +
		"        SELECT f.oid, f.conname, f.confrelid FROM pg_constraint f JOIN d ON f.conparentid = d.oid WHERE f.conrelid = " + child + ")\n" +
		"    SELECT d.conname::text FROM d WHERE d.confrelid = TG_RELID LIMIT 1)"
}

func textValues(prefix string, cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = prefix + c + "::text"
	}
	return out
}

// restoreBody restores the children the parent OLD's delete trashed.
func (g *fkGenerator) restoreBody() string {
	k, ch := g.k, g.k.Child.Table
	set := []string{g.cdel + " = NULL"}
	if ch.DeletedByColumn != "" {
		set = append(set, g.c.Q(ch.DeletedByColumn)+" = NULL")
	}
	if ch.ReasonColumn != "" {
		set = append(set, g.c.Q(ch.ReasonColumn)+" = NULL")
	}
	op := quoteDerived(opColumn)
	where := pairs(prefixed("OLD.", k.Parent.Cols), k.PFEq, prefixed("x.", k.Child.Cols)) + " AND x." + op + " = OLD." + op
	return "\nBEGIN\n    UPDATE " + g.childOnly + k.Child.Quoted + " x SET " + strings.Join(set, ", ") + "\n    WHERE " + where +
		";\n    RETURN NULL;\nEND\n"
}

// checkBody: the row NEW must reference a live parent row, locked FOR
// SHARE so that it cannot be trashed before this transaction ends. A
// deferred check first looks whether such a live child row still exists
// (it may have changed since).
func (g *fkGenerator) checkBody() string {
	k := g.k
	var b strings.Builder
	b.WriteString("\nBEGIN\n    PERFORM 1 FROM " + g.parentOnly + k.Parent.Quoted + " y WHERE " +
		pairs(prefixed("y.", k.Parent.Cols), k.PFEq, prefixed("NEW.", k.Child.Cols)) + " AND y." + g.pdel + " IS NULL FOR SHARE OF y;\n" +
		"    IF FOUND THEN\n        RETURN NULL;\n    END IF;\n")
	if k.Deferrable {
		live := pairs(prefixed("x.", k.Child.Cols), k.FFEq, prefixed("NEW.", k.Child.Cols))
		if g.cdel != "" {
			live += " AND x." + g.cdel + " IS NULL"
		}
		b.WriteString("    IF NOT EXISTS (SELECT 1 FROM " + g.childOnly + k.Child.Quoted + " x WHERE " + live + ") THEN\n" +
			"        RETURN NULL;\n    END IF;\n")
	}
	detail := quoteLiteral("Key ("+strings.Join(k.Child.RawCols, ", ")+")=(") + " || concat_ws(', ', " +
		strings.Join(textValues("NEW.", k.Child.Cols), ", ") + ") || " +
		quoteLiteral(`) is not present in table "`+k.Parent.Name+`".`)
	b.WriteString("    RAISE EXCEPTION USING ERRCODE = '23503', SCHEMA = " + quoteLiteral(k.Child.Schema) + ", TABLE = TG_TABLE_NAME, CONSTRAINT = " +
		quoteLiteral(k.RawName) + ",\n        MESSAGE = 'insert or update on table \"' || TG_TABLE_NAME || " +
		quoteLiteral(`" violates foreign key constraint "`+k.RawName+`"`) + ",\n        DETAIL = " + detail + ";\nEND\n")
	return b.String()
}
