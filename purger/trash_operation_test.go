package purger

import (
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestTrashRestoreOperation: with notes ON DELETE CASCADE from deals, a
// trashed deal and the notes its delete trashed share one operation, which
// trash list shows and trash restore --operation brings back, notes with
// it; a note trashed on its own stays in the trash.
func TestTrashRestoreOperation(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, `ALTER TABLE notes DROP CONSTRAINT notes_deal_id_fkey;
ALTER TABLE notes ADD FOREIGN KEY (deal_id) REFERENCES deals ON DELETE CASCADE;`)
	install(t, lookupDB(t, url))
	pgtest.Exec(t, url, `INSERT INTO deals (id, title) VALUES (1, 'a'), (2, 'b');
INSERT INTO notes (id, deal_id) VALUES (1, 1), (2, 1), (3, 1), (4, 2);
UPDATE notes SET deleted_at = now() WHERE id = 3;
UPDATE deals SET deleted_at = now() WHERE id = 1;`)
	tr, _ := newTrash(t, url, "")
	deals, err := tr.List(ctxT(t), "deals", ListOptions{})
	if err != nil || len(deals) != 1 || deals[0].Operation == nil {
		t.Fatalf("trashed deals: %v %+v", err, deals)
	}
	op := *deals[0].Operation
	notes, err := tr.List(ctxT(t), "notes", ListOptions{})
	if err != nil || len(notes) != 3 {
		t.Fatalf("trashed notes: %v %+v", err, notes)
	}
	for _, n := range notes {
		if same := n.Operation != nil && *n.Operation == op; same != (n.Key != "3") {
			t.Errorf("note %s: operation %v, deal's %d", n.Key, n.Operation, op)
		}
	}
	n, err := tr.Restore(ctxT(t), "deals", Selector{Operation: op})
	if err != nil || n != 1 {
		t.Fatalf("restore --operation %d: %d rows, %v", op, n, err)
	}
	if got := queryInt(t, url, "SELECT count(*) FROM notes WHERE deleted_at IS NOT NULL"); got != 1 {
		t.Errorf("%d notes still trashed after restoring the deal, want 1 (note 3)", got)
	}
	if _, err := tr.Restore(ctxT(t), "deals", Selector{Operation: op, Where: "true"}); err == nil {
		t.Error("restore with both an operation and a where clause was accepted")
	}
}
