package schema

import (
	"fmt"
	"slices"
)

const oidInt8 = 20

// foreignKeys reports the foreign keys whose soft action cannot be kept
// (docs/foreign-keys.md). A key between two managed tables is followed by
// the triggers of fk_objects.go, as is one from a table outside the policy
// whose action does not delete its rows; what is left:
//
//   - a managed table under a parent outside the policy: deleting a parent
//     row really deletes, and CASCADE, SET NULL and SET DEFAULT reach the
//     trash here (an error), RESTRICT and NO ACTION fail while trashed rows
//     reference it (a warning); the fix is to manage the parent too;
//   - a table outside the policy under a managed one with ON DELETE
//     CASCADE: trashing a parent row would have to delete its rows for
//     good, so the trigger refuses it (0A000); an error, fixed by managing
//     the child.
func (k *checker) foreignKeys() {
	for _, fk := range k.t.Incoming {
		if !fk.ChildManaged && fk.OnDelete == "CASCADE" {
			k.unmanagedCascade(fk)
		}
	}
	for _, fk := range k.t.Outgoing {
		if !fk.ParentManaged {
			k.outgoingKey(fk)
		}
	}
	k.operationColumn()
}

// operationColumn checks the type of the column that records delete
// operations, on a table that needs it (migrate adds it when missing).
func (k *checker) operationColumn() {
	col, ok := k.t.Columns[opColumn]
	if !ok || col.BaseType == oidInt8 || !slices.Contains(k.c.operationTables(), k.t) {
		return
	}
	q := quoteDerived(opColumn)
	k.add(Error, KindColumnType, q, fmt.Sprintf("ALTER TABLE %s ALTER COLUMN %s TYPE bigint;", k.t.Quoted, q),
		"column %s is %s; it records the delete operation of a trashed row (an ON DELETE CASCADE key between managed tables "+
			"reaches this table) and must be bigint", q, col.Type)
}

func (k *checker) unmanagedCascade(fk ForeignKey) {
	msg := fmt.Sprintf("ON DELETE CASCADE from %s, which is not managed: deleting a %s row would delete its rows there for good, "+
		"so trashing one that has any is refused (SQLSTATE 0A000)", fk.Child, fk.Parent)
	fix := fmt.Sprintf("add %s to the policy (tables:) and run softdelete-proxy migrate: its rows are then trashed with their parent", fk.Child)
	k.add(Error, KindFKParent, fk.Name+" on "+fk.Child, fix, "%s", msg)
}

func (k *checker) outgoingKey(fk ForeignKey) {
	child, parent := fk.Child, fk.Parent
	sev, msg := Error, ""
	switch fk.OnDelete {
	case "CASCADE":
		msg = fmt.Sprintf("ON DELETE CASCADE to %s (not managed): deleting a %s row hard-deletes its rows here, "+
			"trashed and live, past the trash (the guard refuses that DELETE while live rows reference it)", parent, parent)
	case "SET NULL", "SET DEFAULT":
		msg = fmt.Sprintf("ON DELETE %s to %s (not managed): deleting a %s row rewrites the key of its rows here, "+
			"trashed ones included, so a restored row no longer points at what it did", fk.OnDelete, parent, parent)
	default:
		sev = Warning
		msg = fmt.Sprintf("ON DELETE %s to %s (not managed): trashed rows here still reference it, so deleting a %s row "+
			"fails with 23503 while trashed rows point at it, until they are purged", fk.OnDelete, parent, parent)
	}
	fix := fmt.Sprintf("add %s to the policy (tables:) and run softdelete-proxy migrate: its deletes then trash, and the key acts on trashing; "+
		"or forget (trash forget %s) the trashed rows before deleting their parent", parent, child)
	k.add(sev, KindFKChild, fk.Name, fix, "%s", msg)
}
