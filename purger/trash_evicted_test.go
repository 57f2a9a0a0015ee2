package purger

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// tickets has an identity key, a generated column and a column the
// restore tests drop after the eviction.
var tickets = policy.Table{Schema: "public", Name: "tickets", Column: "deleted_at", Retention: 30 * day}

const ticketsSchema = `CREATE TABLE tickets (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL,
    title_len int GENERATED ALWAYS AS (length(title)) STORED, note text, deleted_at timestamptz)`

// evictedTrash is trash operations for contacts, deals, notes and tickets
// as the DBA login of newDB (the purge role, UPDATE and here INSERT on the
// tables), with its audit log.
func evictedTrash(t *testing.T, url string) (*Trash, *observer.ObservedLogs) {
	t.Helper()
	db := lookupDB(t, url)
	pgtest.Exec(t, url, ticketsSchema)
	install(t, db, tickets)
	pgtest.Exec(t, url, "GRANT SELECT, INSERT, UPDATE ON contacts, deals, notes, tickets TO "+pgx.Identifier{loginOf(t, db.trash)}.Sanitize())
	core, logs := observer.New(zapcore.InfoLevel)
	tr, err := NewTrash(ctxT(t), connect(t, db.trash), []policy.Table{contacts, deals, notes, tickets},
		TrashOptions{Actor: "dba:carol", Purge: Options{AuditTable: "softdelete.audit"}}, zap.New(core), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr, logs
}

// rowJSON is a row of table as jsonb text (the superuser reads it).
func rowJSON(t *testing.T, url, table, where string) string {
	t.Helper()
	var s string
	if err := connect(t, url).QueryRow(ctxT(t), "SELECT coalesce((SELECT to_jsonb(x)::text FROM "+table+" x WHERE "+where+"), '')").Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestRestoreEvicted: a record goes back into its table as the row it
// was, trashed, and the record goes; while a live row holds its key the
// restore fails with 23505, saying which key and what to do, and keeps the
// record; a row trashed in its way is evicted in turn.
func TestRestoreEvicted(t *testing.T) {
	_, url := newDB(t)
	tr, logs := evictedTrash(t, url)
	pgtest.Exec(t, url, `INSERT INTO contacts VALUES (1, 'old', NULL), (2, 'two', NULL);
UPDATE contacts SET deleted_at = now() - interval '3 days' WHERE id IN (1, 2);`)
	original := rowJSON(t, url, "contacts", "id = 1")
	pgtest.Exec(t, url, `INSERT INTO contacts VALUES (1, 'new', NULL), (2, 'new', NULL)`)
	recs, err := tr.ListEvicted(ctxT(t), EvictedOptions{Table: "contacts"})
	if err != nil || len(recs) != 2 || recs[0].Table != "public.contacts" || recs[0].Reason != "a new row took its key" ||
		!strings.Contains(recs[0].Key, "contacts_pkey") {
		t.Fatalf("ListEvicted: %v %+v", err, recs)
	}
	rec := recs[0]
	if !jsonEqual(t, string(rec.Content), original) {
		t.Fatalf("record content %s, want the row %s", rec.Content, original)
	}

	// the key is taken by a live row
	_, err = tr.RestoreEvicted(ctxT(t), rec.ID)
	var pgErr *pgconn.PgError
	var rErr *RestoreError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" || !errors.As(err, &rErr) ||
		!strings.Contains(err.Error(), "contacts_pkey") || !strings.Contains(err.Error(), "(id)=(1)") ||
		!strings.Contains(err.Error(), "--restore "+itoa(rec.ID)+" again") {
		t.Fatalf("restore onto a live row's key: %v", err)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM softdelete.evicted WHERE id = $1", rec.ID); n != 1 {
		t.Fatalf("the refused restore did not keep the record (%d)", n)
	}
	if got := rowJSON(t, url, "contacts", "id = 1"); !strings.Contains(got, `"name": "new"`) || !strings.Contains(got, `"deleted_at": null`) {
		t.Fatalf("the refused restore changed the live row: %s", got)
	}

	// the live row trashed: the restore evicts it and puts the record back
	pgtest.Exec(t, url, `UPDATE contacts SET deleted_at = now() WHERE id = 1`)
	got, err := tr.RestoreEvicted(ctxT(t), rec.ID)
	if err != nil || got.ID != rec.ID || got.Table != "public.contacts" {
		t.Fatalf("restore: %+v, %v", got, err)
	}
	if row := rowJSON(t, url, "contacts", "id = 1"); !jsonEqual(t, row, original) {
		t.Errorf("restored row %s, want %s", row, original)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM softdelete.evicted WHERE id = $1", rec.ID); n != 0 {
		t.Errorf("the record is still there after its restore")
	}
	if s := rowJSON(t, url, "softdelete.evicted", "table_name = 'public.contacts' AND content ->> 'name' = 'new' AND content ->> 'id' = '1'"); s == "" {
		t.Errorf("the trashed row in the way was not evicted into softdelete.evicted")
	}
	if lines := auditLines(logs, ActionRestoreEvicted); len(lines) != 1 || lines[0].ContextMap()["actor"] != "dba:carol" ||
		lines[0].ContextMap()["table"] != "public.contacts" {
		t.Errorf("restore-evicted audit lines: %v", lines)
	}
	if _, err := tr.RestoreEvicted(ctxT(t), rec.ID); !errors.Is(err, ErrNoEvicted) {
		t.Errorf("restore of a record restored already: %v", err)
	}
	// back to live, through the trash
	if n, err := tr.Restore(ctxT(t), "contacts", Selector{IDs: []string{"1"}}); err != nil || n != 1 {
		t.Errorf("trash restore of the restored row: %d, %v", n, err)
	}
}

// TestRestoreEvictedRoundTrip: identity values are kept, generated columns
// computed again, a column dropped since is left out and one added since
// gets its default.
func TestRestoreEvictedRoundTrip(t *testing.T) {
	_, url := newDB(t)
	tr, _ := evictedTrash(t, url)
	pgtest.Exec(t, url, `INSERT INTO tickets (title, note) VALUES ('printer jam', 'n1'), ('second', NULL);
UPDATE tickets SET deleted_at = '2024-01-02 03:04:05.678901+00' WHERE id = 1;
INSERT INTO tickets OVERRIDING SYSTEM VALUE VALUES (1, 'new', DEFAULT, NULL, NULL);
UPDATE tickets SET deleted_at = now() WHERE id = 1;`)
	recs, err := tr.ListEvicted(ctxT(t), EvictedOptions{Table: "public.tickets"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("ListEvicted: %v %+v", err, recs)
	}
	pgtest.Exec(t, url, `ALTER TABLE tickets DROP COLUMN note, ADD COLUMN prio int NOT NULL DEFAULT 3`)
	// the trashed 'new' row holds the key: the restore evicts it
	if _, err := tr.RestoreEvicted(ctxT(t), recs[0].ID); err != nil {
		t.Fatalf("restore: %v", err)
	}
	var row string
	if err := connect(t, url).QueryRow(ctxT(t), `SELECT concat_ws(' ', id, title, title_len, prio, deleted_at = '2024-01-02 03:04:05.678901+00')
FROM tickets WHERE id = 1`).Scan(&row); err != nil || row != "1 printer jam 11 3 t" {
		t.Errorf("restored row: %q, %v; want 1 printer jam 11 3 t", row, err)
	}
	if n := queryInt(t, url, "SELECT count(*) FROM tickets"); n != 2 {
		t.Errorf("tickets: %d rows, want 2", n)
	}
}

// TestListEvicted: every record or a table's, oldest first, --older-than
// and --limit, and the refusal for a role outside the purge role.
func TestListEvicted(t *testing.T) {
	_, url := newDB(t)
	tr, _ := evictedTrash(t, url)
	pgtest.Exec(t, url, `INSERT INTO contacts SELECT g, 'c', now() FROM generate_series(1, 3) g;
INSERT INTO deals VALUES (1, 'd', now(), NULL, NULL, NULL);
INSERT INTO contacts SELECT g, 'n', NULL FROM generate_series(1, 3) g;
INSERT INTO deals VALUES (1, 'n', NULL, NULL, NULL, NULL);
UPDATE softdelete.evicted SET at = now() - (content ->> 'id')::int * interval '1 day' WHERE table_name = 'public.contacts';`)
	all, err := tr.ListEvicted(ctxT(t), EvictedOptions{})
	if err != nil || len(all) != 4 {
		t.Fatalf("every record: %v %+v", err, all)
	}
	old, err := tr.ListEvicted(ctxT(t), EvictedOptions{Table: "contacts", OlderThan: 36 * time.Hour, Limit: 1})
	if err != nil || len(old) != 1 || old[0].Table != "public.contacts" || !strings.Contains(string(old[0].Content), `"id": 3`) {
		t.Fatalf("contacts --older-than 36h --limit 1 (the oldest, id 3): %v %+v", err, old)
	}
	if _, err := tr.ListEvicted(ctxT(t), EvictedOptions{Table: "nope"}); !errors.Is(err, ErrUnknownTable) {
		t.Errorf("unknown table: %v", err)
	}
	// the application's login may not read the records
	app := pgtest.Get(t).CreateRole(t, "evictapp", "LOGIN")
	appTrash, err := NewTrash(ctxT(t), connect(t, loginURL(t, url, app)), []policy.Table{contacts}, TrashOptions{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := appTrash.ListEvicted(ctxT(t), EvictedOptions{}); err == nil || !strings.Contains(err.Error(), "members of the purge role") {
		t.Errorf("ListEvicted as a role outside the purge role: %v", err)
	}
}

// jsonEqual compares two JSON texts as values.
func jsonEqual(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("%s: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	xb, _ := json.Marshal(x)
	yb, _ := json.Marshal(y)
	return string(xb) == string(yb)
}

// TestRestoreEvictedParentFirst: a row evicted with the row it referenced
// goes back after it; before, the restore fails with 23503 and keeps the
// record.
func TestRestoreEvictedParentFirst(t *testing.T) {
	_, url := newDB(t)
	tr, _ := evictedTrash(t, url)
	pgtest.Exec(t, url, `INSERT INTO deals VALUES (2, 'd', NULL, NULL, NULL, NULL); INSERT INTO notes VALUES (20, 2, NULL);
UPDATE notes SET deleted_at = now(); UPDATE deals SET deleted_at = now();
INSERT INTO deals VALUES (2, 'new', NULL, NULL, NULL, NULL);`)
	recs, err := tr.ListEvicted(ctxT(t), EvictedOptions{})
	if err != nil || len(recs) != 2 || recs[0].Table != "public.deals" || recs[1].Table != "public.notes" ||
		recs[1].Reason != "it referenced an evicted row" {
		t.Fatalf("records (the deal first: it is recorded before the rows that reference it): %v %+v", err, recs)
	}
	deal, note := recs[0].ID, recs[1].ID
	pgtest.Exec(t, url, `UPDATE deals SET id = 3 WHERE id = 2`) // no deal 2 now
	_, err = tr.RestoreEvicted(ctxT(t), note)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23503" || !strings.Contains(err.Error(), "Restore the row it references first") {
		t.Fatalf("restore of the note before its deal: %v", err)
	}
	for _, id := range []int64{deal, note} {
		if _, err := tr.RestoreEvicted(ctxT(t), id); err != nil {
			t.Fatalf("restore %d: %v", id, err)
		}
	}
	if ids(t, url, "notes") != "20" || rowJSON(t, url, "deals", "id = 2 AND title = 'd' AND deleted_at IS NOT NULL") == "" {
		t.Errorf("notes %s, deals %s", ids(t, url, "notes"), rowJSON(t, url, "deals", "id = 2"))
	}
}
