package purger

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"go.uber.org/zap"
)

// files has a lock column: rows 1-6 trashed 40 days ago, 2 and 4 locked.
var files = policy.Table{Schema: "public", Name: "files", Column: "deleted_at", LockColumn: "locked", Retention: 30 * day}

const filesSchema = `CREATE TABLE files (id bigint PRIMARY KEY, locked boolean NOT NULL DEFAULT false, deleted_at timestamptz);
INSERT INTO files SELECT g, g IN (2, 4), now() - interval '40 days' FROM generate_series(1, 6) g;`

// trashFor opens trash operations on url's database for tables, as the DBA
// login of newDB (granted the purge role and UPDATE).
func trashFor(t *testing.T, url string, tables ...policy.Table) *Trash {
	t.Helper()
	db := lookupDB(t, url)
	install(t, db, tables...)
	conn := connect(t, db.trash)
	for _, tb := range tables {
		pgtest.Exec(t, url, "GRANT UPDATE ON "+qualified(tb)+" TO "+pgx.Identifier{loginOf(t, db.trash)}.Sanitize())
	}
	tr, err := NewTrash(ctxT(t), conn, tables, TrashOptions{Purge: Options{BatchSize: 2, AuditTable: "softdelete.audit"}}, zap.NewNop(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestPurgeLeavesLockedRows(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, filesSchema)
	f := newFixture(t, Options{DatabaseURLs: []string{url}, BatchSize: 2}, files)
	if rep, err := f.p.PassOnce(ctxT(t), false); err != nil || rep.Purged() != 4 {
		t.Fatalf("pass: purged %d, %v; want 4 (ids 1, 3, 5, 6)", rep.Purged(), err)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM files WHERE id IN (2, 4)"); n != 2 {
		t.Fatalf("%d of the 2 locked rows left", n)
	}
}

func TestTrashCommandsAndLockedRows(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, filesSchema)
	tr := trashFor(t, url, files)
	_, err := tr.Forget(ctxT(t), "files", Selector{IDs: []string{"1", "2"}})
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55006" {
		t.Fatalf("forget of a locked row: %v, want 55006", err)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM files"); n != 6 {
		t.Fatalf("forget refused, yet %d of 6 rows left", n)
	}
	if n, err := tr.Empty(ctxT(t), "files"); err != nil || n != 4 {
		t.Fatalf("empty: %d, %v; want 4", n, err)
	}
	if n, err := tr.Restore(ctxT(t), "files", Selector{IDs: []string{"2"}}); err != nil || n != 1 {
		t.Fatalf("restore of a locked row: %d, %v", n, err)
	}
}
