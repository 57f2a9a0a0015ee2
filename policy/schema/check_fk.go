package schema

import "fmt"

// foreignKeys reports keys that reference this table (their ON DELETE no
// longer fires on soft delete) and keys this table holds to tables outside
// the policy (a hard delete there reaches the trash). A key between two
// managed tables is reported once, on the referenced table.
func (k *checker) foreignKeys() {
	for _, fk := range k.t.Incoming {
		k.incomingKey(fk)
	}
	for _, fk := range k.t.Outgoing {
		if !fk.ParentManaged {
			k.outgoingKey(fk)
		}
	}
}

func (k *checker) incomingKey(fk ForeignKey) {
	child, parent := fk.Child, fk.Parent
	var msg, fix string
	switch fk.OnDelete {
	case "CASCADE":
		msg = fmt.Sprintf("ON DELETE CASCADE from %s no longer fires on soft delete: its rows stay live when their %s row is trashed; "+
			"when the purger later removes that row, the cascade hard-deletes them, live or not", child, parent)
		fix = fmt.Sprintf("trash the %s rows together with their parent (add %s to the policy and delete both in one transaction), "+
			"or use an AFTER UPDATE OF %s trigger on %s that sets it on the children", child, child, k.col, parent)
	case "SET NULL", "SET DEFAULT":
		msg = fmt.Sprintf("ON DELETE %s from %s no longer fires on soft delete: its rows keep pointing at a trashed %s row "+
			"until the purger removes it", fk.OnDelete, child, parent)
		fix = fmt.Sprintf("clear the key in the application when trashing, or with an AFTER UPDATE OF %s trigger on %s", k.col, parent)
	default:
		msg = fmt.Sprintf("ON DELETE %s from %s no longer protects %s: a row can be trashed while %s rows still reference it, "+
			"and the purger's DELETE of it then fails with 23503 until they are gone", fk.OnDelete, child, parent, child)
		fix = fmt.Sprintf("refuse trashing a referenced row (a BEFORE UPDATE OF %s trigger on %s), or trash the children first", k.col, parent)
	}
	if fk.ChildManaged && fk.OnDelete != "CASCADE" {
		fix += fmt.Sprintf("; %s is managed too: the purger removes its rows before this table's", child)
	}
	k.add(Warning, KindFKParent, fk.Name+" on "+child, fix, "%s", msg)
}

func (k *checker) outgoingKey(fk ForeignKey) {
	child, parent := fk.Child, fk.Parent
	var msg string
	switch fk.OnDelete {
	case "CASCADE":
		msg = fmt.Sprintf("ON DELETE CASCADE to %s (not managed): deleting a %s row hard-deletes its rows here, "+
			"trashed and live, past the trash (with the migrate --guard trigger that DELETE is refused)", parent, parent)
	case "SET NULL", "SET DEFAULT":
		msg = fmt.Sprintf("ON DELETE %s to %s (not managed): deleting a %s row rewrites the key of its rows here, "+
			"trashed ones included", fk.OnDelete, parent, parent)
	default:
		msg = fmt.Sprintf("ON DELETE %s to %s (not managed): trashed rows here still reference it, so deleting a %s row "+
			"fails with 23503 while trashed rows point at it, until they are purged", fk.OnDelete, parent, parent)
	}
	fix := fmt.Sprintf("add %s to the policy too, or forget (trash forget %s) the trashed rows before deleting their parent", parent, child)
	k.add(Warning, KindFKChild, fk.Name, fix, "%s", msg)
}
