package schema

import (
	"fmt"
	"slices"
)

// triggers reports user triggers whose firing soft delete changes: DELETE
// triggers stop firing (a DELETE becomes an UPDATE), UPDATE triggers start
// firing on every soft delete and restore.
func (k *checker) triggers() {
	col, hasCol := k.t.Columns[k.t.Column]
	for _, tr := range k.t.Triggers {
		if k.c.ownsTrigger(tr) {
			continue
		}
		if tr.Type&triggerDelete != 0 {
			k.deleteTrigger(tr)
		}
		if tr.Type&triggerUpdate != 0 && (len(tr.Columns) == 0 || (hasCol && slices.Contains(tr.Columns, col.Num))) {
			k.updateTrigger(tr)
		}
	}
}

func triggerTiming(tr Trigger) string {
	timing := "AFTER"
	switch {
	case tr.Type&triggerInstead != 0:
		timing = "INSTEAD OF"
	case tr.Type&triggerBefore != 0:
		timing = "BEFORE"
	}
	level := "statement"
	if tr.Type&triggerRow != 0 {
		level = "row"
	}
	return timing + " " + level
}

func (k *checker) deleteTrigger(tr Trigger) {
	fix := "if it must run when a row is trashed, also fire it on UPDATE of " + k.col
	if tr.Type&triggerRow != 0 {
		fix = fmt.Sprintf("if it must run when a row is trashed, add this (its function then sees TG_OP = 'UPDATE'):\n"+
			"CREATE TRIGGER %s AFTER UPDATE OF %s ON %s FOR EACH ROW WHEN (OLD.%s IS NULL AND NEW.%s IS NOT NULL) EXECUTE FUNCTION %s();",
			quoteDerived(truncateIdent(unquoted(tr.Name)+"_trashed")), k.col, k.t.Quoted, k.col, k.col, tr.Function)
	}
	k.add(Warning, KindTriggerDelete, tr.Name, fix,
		"%s DELETE trigger %s (%s) no longer fires when a row is deleted through the proxy (the DELETE becomes an UPDATE); "+
			"it fires only when the purger or trash forget removes the row", triggerTiming(tr), tr.Name, tr.Function)
}

func (k *checker) updateTrigger(tr Trigger) {
	fix := fmt.Sprintf("skip soft deletes and restores in %s with IF OLD.%s IS DISTINCT FROM NEW.%s THEN RETURN NEW; END IF", tr.Function, k.col, k.col)
	if tr.Type&triggerRow != 0 {
		fix = fmt.Sprintf("recreate it with WHEN (OLD.%s IS NOT DISTINCT FROM NEW.%s) to skip soft deletes and restores, "+
			"or test that in %s", k.col, k.col, tr.Function)
	}
	k.add(Warning, KindTriggerUpdate, tr.Name, fix,
		"%s UPDATE trigger %s (%s) now also fires on every soft delete and restore (an UPDATE of %s)",
		triggerTiming(tr), tr.Name, tr.Function, k.col)
}
