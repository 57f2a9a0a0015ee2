package purger

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"
)

// newTrash opens trash operations on the newDB database of url as actor,
// connected as a DBA login granted the purge role.
func newTrash(t *testing.T, url, actor string) (*Trash, *observer.ObservedLogs) {
	t.Helper()
	core, logs := observer.New(zapcore.InfoLevel)
	tr, err := NewTrash(ctxT(t), connect(t, lookupDB(t, url).trash), []policy.Table{contacts, deals, notes}, TrashOptions{
		Actor: actor, Purge: Options{BatchSize: 2, AuditTable: "softdelete.audit"},
	}, zap.New(core), nil)
	if err != nil {
		t.Fatal(err)
	}
	return tr, logs
}

func TestTrashListAndStats(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, seed)
	tr, _ := newTrash(t, url, "")
	rows, err := tr.List(ctxT(t), "deals", ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0].Key != "5" || rows[1].Key != "2" && rows[1].Key != "3" {
		t.Fatalf("list: %+v", rows)
	}
	for _, r := range rows {
		switch r.Key {
		case "2":
			if r.DeletedBy == nil || *r.DeletedBy != "alice" || *r.Reason != "dup" || r.PurgeAt == nil ||
				r.PurgeAt.Sub(r.DeletedAt) != 90*day {
				t.Errorf("row 2: %+v", r)
			}
		case "3":
			if !r.Held || r.PurgeAt != nil {
				t.Errorf("held row 3 must show no purge date: %+v", r)
			}
		}
	}
	rows, err = tr.List(ctxT(t), "public.contacts", ListOptions{OlderThan: 20 * day, Limit: 2})
	if err != nil || len(rows) != 2 || rows[0].Key != "10" || rows[1].Key != "9" {
		t.Fatalf("list --older-than 20d --limit 2: %v %+v", err, rows)
	}
	if _, err := tr.List(ctxT(t), "nope", ListOptions{}); !errors.Is(err, ErrUnknownTable) {
		t.Errorf("unknown table: %v", err)
	}

	stats, err := tr.Stats(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]int64{"public.contacts": {7, 4}, "public.deals": {4, 2}, "public.notes": {1, 1}}
	for _, s := range stats {
		if got := [2]int64{s.Trashed, s.PendingPurge}; got != want[s.Table] || s.Oldest == nil {
			t.Errorf("%s: trashed, pending = %v, want %v (%+v)", s.Table, got, want[s.Table], s)
		}
	}
	if age := stats[2].OldestAge; age < 1000*day || age > 1000*day+time.Minute {
		t.Errorf("notes oldest age %v", age)
	}
}

func TestTrashRestoreForgetEmpty(t *testing.T) {
	name, url := newDB(t)
	pgtest.Exec(t, url, seed)
	tr, logs := newTrash(t, url, "dba-alice")
	ctx := ctxT(t)

	// restore by id: only trashed rows; 1 is live and is not counted.
	n, err := tr.Restore(ctx, "deals", Selector{IDs: []string{"1", "2"}})
	if err != nil || n != 1 {
		t.Fatalf("restore: %d, %v", n, err)
	}
	if queryInt(t, url, `SELECT count(*) FROM deals WHERE id = 2 AND deleted_at IS NULL AND deleted_by IS NULL AND deleted_reason IS NULL`) != 1 {
		t.Errorf("deal 2 not restored with who and why cleared")
	}
	// forget by where: the held row stays, live rows are never touched.
	n, err = tr.Forget(ctx, "deals", Selector{Where: "id IN (1, 3, 5)"})
	if err != nil || n != 1 {
		t.Fatalf("forget: %d, %v (want 1: 5; 1 is live, 3 held)", n, err)
	}
	if got := ids(t, url, "deals"); got != "1,2,3,4" {
		t.Errorf("deals left %s, want 1,2,3,4", got)
	}
	// a trashed parent with a trashed child still referencing it fails whole.
	if _, err := tr.Forget(ctx, "deals", Selector{IDs: []string{"4"}}); err == nil {
		t.Errorf("forgetting deal 4, referenced by note 1, succeeded")
	}
	// a where clause that tries to leave its parentheses is refused.
	if _, err := tr.Forget(ctx, "contacts", Selector{Where: "true) OR (true"}); !errors.Is(err, ErrBadSelector) {
		t.Errorf("escaping where: %v", err)
	}
	if _, err := tr.Restore(ctx, "contacts", Selector{}); !errors.Is(err, ErrBadSelector) {
		t.Errorf("empty selector: %v", err)
	}
	// empty: all 7 trashed contacts, in batches of 2.
	n, err = tr.Empty(ctx, "contacts")
	if err != nil || n != 7 {
		t.Fatalf("empty: %d, %v", n, err)
	}
	if got := ids(t, url, "contacts"); got != "1,2,3" {
		t.Errorf("contacts left %s", got)
	}

	// Audit: one line per operation, rows in the audit table.
	for action, count := range map[string]int64{ActionRestore: 1, ActionForget: 1, ActionEmpty: 7} {
		lines := auditLines(logs, action)
		if len(lines) != 1 {
			t.Errorf("%s: %d audit lines, want 1", action, len(lines))
			continue
		}
		c := lines[0].ContextMap()
		if c["actor"] != "dba-alice" || c["count"] != count || c["database"] != name {
			t.Errorf("%s audit line: %v", action, c)
		}
		if _, ok := c["when"].(time.Time); !ok {
			t.Errorf("%s audit line has no time: %v", action, c)
		}
		if n := queryInt(t, url, `SELECT sum(row_count) FROM softdelete.audit WHERE action = $1 AND actor = 'dba-alice'`, action); n != count {
			t.Errorf("%s: audit table rows sum to %d, want %d", action, n, count)
		}
	}
	if n := queryInt(t, url, `SELECT count(*) FROM softdelete.audit WHERE action = 'empty'`); n != 4 {
		t.Errorf("empty wrote %d audit rows, want one per batch (4)", n)
	}
	if n := queryInt(t, url, `SELECT count(*) FROM softdelete.audit WHERE action = 'forget' AND detail->>'where' = 'id IN (1, 3, 5)'`); n != 1 {
		t.Errorf("the forget audit row does not record the where clause")
	}
}

// TestTrashNeedsThePurgeRole: with the guard migrate installs, forget and
// empty run as a session user that is not a member of the purge role (nor
// of a roles.hard_delete role) fail whole with the guard's 42501, which
// names the role; so does the purger.
func TestTrashNeedsThePurgeRole(t *testing.T) {
	_, url := newDB(t)
	pgtest.Exec(t, url, seed)
	db := lookupDB(t, url)
	core, _ := observer.New(zapcore.InfoLevel)
	tr, err := NewTrash(ctxT(t), connect(t, url), []policy.Table{contacts, deals, notes}, TrashOptions{
		Purge: Options{AuditTable: "softdelete.audit"}}, zap.New(core), nil) // the superuser: not a member
	if err != nil {
		t.Fatal(err)
	}
	wantRefused := func(what string, err error) {
		t.Helper()
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.Contains(pgErr.Message, "not a member of role "+db.purgeRole) {
			t.Errorf("%s as a non-member: %v, want the guard's 42501 naming %s", what, err, db.purgeRole)
		}
	}
	_, err = tr.Forget(ctxT(t), "contacts", Selector{IDs: []string{"7"}})
	wantRefused("forget", err)
	_, err = tr.Empty(ctxT(t), "contacts")
	wantRefused("empty", err)
	p := New(Options{DatabaseURLs: []string{url}, AuditTable: "softdelete.audit"}, []policy.Table{contacts}, nil, nil, nil)
	t.Cleanup(p.Close)
	_, err = p.PassOnce(ctxT(t), false)
	wantRefused("purge", err)
	if n := queryInt(t, url, `SELECT count(*) FROM contacts`); n != 10 {
		t.Errorf("%d contacts left, want all 10", n)
	}
	// A member cannot delete live rows either: forget only ever reaches
	// trashed ones, and a plain DELETE of a live row is refused.
	_, err = connect(t, db.trash).Exec(ctxT(t), `DELETE FROM contacts WHERE id = 1`)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "42501" || !strings.Contains(pgErr.Message, "live row of public.contacts") {
		t.Errorf("deleting a live row as a member: %v", err)
	}
}
