package schema

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// keysEnv is testdata/keys.sql migrated, and the application's session: a
// LOGIN role with ordinary grants, owner of nothing.
type keysEnv struct {
	f   *fixture
	app *pgx.Conn
}

func newKeysEnv(t *testing.T) *keysEnv {
	t.Helper()
	f := newFixture(t, "keys")
	f.apply(Options{})
	f.requireNoOp(Options{})
	role := pgtest.Get(t).CreateRole(t, "keysapp", "LOGIN")
	id := pgx.Identifier{role}.Sanitize()
	f.mustExec("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + id +
		"; GRANT USAGE, UPDATE ON ALL SEQUENCES IN SCHEMA public TO " + id)
	e := &guardEnv{f: f}
	return &keysEnv{f: f, app: e.connect(role, "")}
}

// run runs sql as the application and fails the test on an error.
func (e *keysEnv) run(t *testing.T, sql string) {
	t.Helper()
	if _, err := exec(e.app, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// bypass runs sql as the superuser with triggers off: states the
// application cannot make.
func (e *keysEnv) bypass(t *testing.T, sql string) {
	t.Helper()
	if _, err := exec(e.f.conn, "SET session_replication_role = replica; "+sql+"; RESET session_replication_role"); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// rows lists, as the superuser, what query returns, one string per row.
func (e *keysEnv) rows(t *testing.T, query string) string {
	t.Helper()
	var out []string
	rows, err := e.f.conn.Query(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if _, err := pgx.ForEachRow(rows, []any{&s}, func() error { out = append(out, s); return nil }); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, ",")
}

func wantCode(t *testing.T, err error, code, inMessage string) *pgconn.PgError {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != code || !strings.Contains(pgErr.Message, inMessage) {
		t.Fatalf("want %s with %q, got %v", code, inMessage, err)
	}
	return pgErr
}

// TestKeysEvictPrimaryKey: the key of a trashed row is free for every way
// of writing a row, and the trashed row goes with the trashed rows that
// reference it, recorded whole.
func TestKeysEvictPrimaryKey(t *testing.T) {
	e := newKeysEnv(t)
	trash := `INSERT INTO parent VALUES (1, 'a', 'x@y', NULL);
INSERT INTO child VALUES (10, 'a', 1, NULL); INSERT INTO grand VALUES (100, 10, NULL);
UPDATE grand SET deleted_at = now(); UPDATE child SET deleted_at = now(); UPDATE parent SET deleted_at = now();`
	cases := map[string]string{
		"insert":             `INSERT INTO parent VALUES (1, 'a', 'x@y', NULL)`,
		"insert other code":  `INSERT INTO parent VALUES (1, 'b', NULL, NULL)`,
		"insert same code":   `INSERT INTO parent VALUES (2, 'a', NULL, NULL)`,
		"on conflict update": `INSERT INTO parent VALUES (1, 'a', NULL, NULL) ON CONFLICT (id) DO UPDATE SET email = 'dup'`,
		"on conflict none":   `INSERT INTO parent VALUES (1, 'a', NULL, NULL) ON CONFLICT DO NOTHING`,
		"update key":         `INSERT INTO parent VALUES (5, 'e', NULL, NULL); UPDATE parent SET id = 1, code = 'f' WHERE id = 5`,
		"merge": `MERGE INTO parent p USING (VALUES (1)) v(id) ON p.id = v.id AND p.deleted_at IS NULL
			WHEN NOT MATCHED THEN INSERT VALUES (1, 'a', NULL, NULL)`,
	}
	for name, sql := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := exec(e.f.conn, "SET session_replication_role = replica; DELETE FROM grand; DELETE FROM child; DELETE FROM parent;"+
				"DELETE FROM softdelete.evicted; RESET session_replication_role"); err != nil {
				t.Fatal(err)
			}
			e.run(t, trash)
			e.run(t, sql)
			if got := e.rows(t, `SELECT (deleted_at IS NULL)::text FROM parent`); got != "true" {
				t.Errorf("parent: %q, want the new row alone", got)
			}
			if got := e.rows(t, `SELECT count(*)::text FROM child UNION ALL SELECT count(*)::text FROM grand`); got != "0,0" {
				t.Errorf("trashed child and grandchild left: %s", got)
			}
			if got := e.rows(t, `SELECT table_name || ' ' || (content->>'id') || ' ' || (content ? 'deleted_at') FROM softdelete.evicted ORDER BY id`); got !=
				"public.parent 1 true,public.child 10 true,public.grand 100 true" {
				t.Errorf("evicted: %s", got)
			}
		})
	}
	// two live rows with one key: still the database's own error (whichever
	// case ran last, and whatever row it left)
	e.run(t, `INSERT INTO parent VALUES (7, 'q', NULL, NULL)`)
	wantCode(t, func() error { _, err := exec(e.app, `INSERT INTO parent VALUES (7, 'z', NULL, NULL)`); return err }(), "23505", "parent_pkey")
}

// TestKeysCopy: COPY fires the trigger for every row.
func TestKeysCopy(t *testing.T) {
	e := newKeysEnv(t)
	e.run(t, `INSERT INTO tag (id, name) SELECT g, 't' || g FROM generate_series(1, 5) g; UPDATE tag SET deleted_at = now() WHERE id <= 3`)
	_, err := e.app.PgConn().CopyFrom(context.Background(), strings.NewReader("1\tnew\n2\tnew\n"), "COPY tag (id, name) FROM STDIN")
	if err != nil {
		t.Fatal(err)
	}
	if got := e.rows(t, `SELECT id || name || (deleted_at IS NULL) FROM tag ORDER BY id`); got != "1newtrue,2newtrue,3t3false,4t4true,5t5true" {
		t.Errorf("tag: %s", got)
	}
}

// TestKeysSequenceReset: an ORM resets a sequence from max(id) of the rows
// it sees (through the proxy, the live ones), and the next id is a trashed
// row's: the row takes it and the trashed row is evicted, as it would be
// had it been deleted.
func TestKeysSequenceReset(t *testing.T) {
	e := newKeysEnv(t)
	e.run(t, `INSERT INTO tag (name) SELECT 't' || g FROM generate_series(1, 3) g; UPDATE tag SET deleted_at = now() WHERE id = 3`)
	// the statement Django's sequence reset sends, as the proxy filters it
	e.run(t, `SELECT setval(pg_get_serial_sequence('"tag"','id'), coalesce(max("id"), 1), max("id") IS NOT null) FROM "tag" WHERE deleted_at IS NULL`)
	e.run(t, `INSERT INTO tag (name) VALUES ('new')`)
	if got := e.rows(t, `SELECT id || name FROM tag ORDER BY id`); got != "1t1,2t2,3new" {
		t.Errorf("tag: %s", got)
	}
	if got := e.rows(t, `SELECT content->>'name' FROM softdelete.evicted`); got != "t3" {
		t.Errorf("evicted: %s", got)
	}
}

// TestKeysRenameReferencedKey: a change of a referenced key is not blocked
// by a trashed row that references the old value (it would be gone).
func TestKeysRenameReferencedKey(t *testing.T) {
	e := newKeysEnv(t)
	e.run(t, `INSERT INTO parent VALUES (1, 'a', NULL, NULL); INSERT INTO child VALUES (10, 'a', NULL, now()), (11, NULL, 1, NULL)`)
	e.run(t, `UPDATE parent SET code = 'b' WHERE id = 1`)
	if got := e.rows(t, `SELECT id::text FROM child`); got != "11" {
		t.Errorf("child: %s", got)
	}
	// a live row that references it still blocks it, as PostgreSQL would
	e.run(t, `INSERT INTO child VALUES (12, 'b', NULL, NULL)`)
	_, err := exec(e.app, `UPDATE parent SET code = 'c' WHERE id = 1`)
	wantCode(t, err, "23503", "child_parent_code_fkey")
}

// TestKeysSelfReference: a trashed row that references itself, or another
// trashed row of its table, is evicted once.
func TestKeysSelfReference(t *testing.T) {
	e := newKeysEnv(t)
	e.run(t, `INSERT INTO node VALUES (1, NULL, 1, 1, NULL), (2, 1, 2, 2, NULL); UPDATE node SET up = 1 WHERE id = 1;
UPDATE node SET deleted_at = now()`)
	e.run(t, `INSERT INTO node VALUES (1, NULL, 1, 1, NULL), (3, NULL, 2, 2, NULL)`)
	if got := e.rows(t, `SELECT id || ' ' || (deleted_at IS NULL) FROM node ORDER BY id`); got != "1 true,3 true" {
		t.Errorf("node: %s", got)
	}
	if got := e.rows(t, `SELECT content->>'id' FROM softdelete.evicted ORDER BY 1`); got != "1,2" {
		t.Errorf("evicted: %s", got)
	}
}

// TestKeysEvictTwice: a trashed row whose content is that of a row
// evicted before it in the transaction is evicted too: the same key
// trashed and taken twice in one transaction (its now(), so its
// deleted_at, does not move: Django's bulk_create, delete, bulk_create of
// the same objects in a test's transaction), and identical trashed rows of
// a table without a key that reference an evicted row.
func TestKeysEvictTwice(t *testing.T) {
	e := newKeysEnv(t)
	// (tag: a table no foreign key touches, whose trashed rows hold nothing
	// but their values)
	take := `UPDATE tag SET deleted_at = now(); INSERT INTO tag VALUES (1, 'a', NULL);`
	e.run(t, `BEGIN; INSERT INTO tag VALUES (1, 'a', NULL); `+take+take+take+` COMMIT`)
	if got := e.rows(t, `SELECT id || ' ' || (deleted_at IS NULL) FROM tag`); got != "1 true" {
		t.Errorf("tag: %s, want the last row alone", got)
	}
	if got := e.rows(t, `SELECT count(*)::text FROM softdelete.evicted WHERE table_name = 'public.tag'`); got != "3" {
		t.Errorf("evicted: %s rows, want 3", got)
	}
	e.run(t, `BEGIN; INSERT INTO parent VALUES (2, 'b', NULL, NULL); INSERT INTO twin VALUES (2, NULL), (2, NULL);
UPDATE twin SET deleted_at = now(); UPDATE parent SET deleted_at = now() WHERE id = 2; INSERT INTO parent VALUES (2, 'c', NULL, NULL); COMMIT`)
	if got := e.rows(t, `SELECT count(*)::text FROM twin UNION ALL SELECT count(*)::text FROM softdelete.evicted WHERE table_name = 'public.twin'`); got != "0,2" {
		t.Errorf("twin left, evicted: %s, want 0,2", got)
	}
}

// TestKeysOutsideReference: a row of a table outside the policy that
// references the trashed row keeps it (it is real): the database refuses.
func TestKeysOutsideReference(t *testing.T) {
	e := newKeysEnv(t)
	// (the soft referential actions refuse to trash a row a table outside
	// the policy references: make the state directly)
	e.bypass(t, `INSERT INTO parent VALUES (1, 'a', NULL, NULL); INSERT INTO outsider VALUES (1, 1); UPDATE parent SET deleted_at = now()`)
	_, err := exec(e.app, `INSERT INTO parent VALUES (1, 'b', NULL, NULL)`)
	wantCode(t, err, "23503", "outsider_parent_id_fkey")
	if got := e.rows(t, `SELECT count(*)::text FROM softdelete.evicted UNION ALL SELECT count(*)::text FROM parent`); got != "0,1" {
		t.Errorf("after the refusal: %s", got)
	}
}

// TestKeysLiveChild: a live row of a managed table that references the
// trashed row (a state only a direct write makes) stops the eviction, with
// an error that says so.
func TestKeysLiveChild(t *testing.T) {
	e := newKeysEnv(t)
	e.bypass(t, `INSERT INTO parent VALUES (1, 'a', NULL, NULL); UPDATE parent SET deleted_at = now(); INSERT INTO child VALUES (10, NULL, 1, NULL)`)
	_, err := exec(e.app, `INSERT INTO parent VALUES (1, 'b', NULL, NULL)`)
	pgErr := wantCode(t, err, "23503", "live rows of public.child still reference")
	if pgErr.ConstraintName != "child_parent_id_fkey" {
		t.Errorf("constraint %q", pgErr.ConstraintName)
	}
}

// TestKeysPartialAndExclusion: keys nothing references ignore trashed rows.
func TestKeysPartialAndExclusion(t *testing.T) {
	e := newKeysEnv(t)
	e.run(t, `INSERT INTO parent VALUES (1, 'a', 'X@y', NULL); UPDATE parent SET deleted_at = now();
INSERT INTO parent VALUES (2, 'b', 'x@Y', NULL)`) // lower(email) is free
	e.run(t, `INSERT INTO node VALUES (1, NULL, 1, 1, now()), (2, NULL, 1, 1, NULL)`)
	e.run(t, `INSERT INTO booking (room, during) VALUES (1, '[2024-01-01,2024-01-05)'); UPDATE booking SET deleted_at = now();
INSERT INTO booking (room, during) VALUES (1, '[2024-01-02,2024-01-03)')`)
	_, err := exec(e.app, `INSERT INTO booking (room, during) VALUES (1, '[2024-01-02,2024-01-04)')`)
	wantCode(t, err, "23P01", "booking_no_overlap")
	// still deferrable: a swap inside a transaction
	e.run(t, `BEGIN; SET CONSTRAINTS booking_no_overlap DEFERRED;
INSERT INTO booking (room, during) VALUES (1, '[2024-01-02,2024-01-04)'); UPDATE booking SET room = 2 WHERE during = '[2024-01-02,2024-01-03)'; COMMIT`)
	if got := e.rows(t, `SELECT count(*)::text FROM softdelete.evicted`); got != "0" {
		t.Errorf("nothing is evicted for a partial key: %s", got)
	}
	// NULLS NOT DISTINCT, deferred: the trashed (NULL, NULL) goes
	e.run(t, `INSERT INTO slot VALUES (NULL, NULL, NULL); UPDATE slot SET deleted_at = now(); INSERT INTO slot VALUES (NULL, NULL, NULL)`)
	if got := e.rows(t, `SELECT count(*)::text FROM slot`); got != "1" {
		t.Errorf("slot: %s", got)
	}
	// partitioned
	e.run(t, `INSERT INTO event VALUES (1, 'eu', NULL); UPDATE event SET deleted_at = now(); INSERT INTO event VALUES (1, 'eu', NULL)`)
	if got := e.rows(t, `SELECT tableoid::regclass || ' ' || (deleted_at IS NULL) FROM event`); got != "event_eu true" {
		t.Errorf("event: %s", got)
	}
}

// TestKeysRefuse: on_key_conflict: refuse keeps the trashed row and says why.
func TestKeysRefuse(t *testing.T) {
	e := newKeysEnv(t)
	e.run(t, `INSERT INTO account VALUES (1, 'al', NULL); UPDATE account SET deleted_at = now()`)
	for _, sql := range []string{`INSERT INTO account VALUES (1, 'bo', NULL)`, `INSERT INTO account VALUES (2, 'al', NULL)`} {
		_, err := exec(e.app, sql)
		pgErr := wantCode(t, err, "23505", "a trashed row holds the key (on_key_conflict: refuse)")
		if pgErr.ConstraintName == "" || pgErr.TableName != "account" || !strings.Contains(pgErr.Hint, "trash restore") {
			t.Errorf("%s: constraint %q, table %q, hint %q", sql, pgErr.ConstraintName, pgErr.TableName, pgErr.Hint)
		}
	}
	if got := e.rows(t, `SELECT count(*)::text FROM account`); got != "1" {
		t.Errorf("account: %s", got)
	}
}

// TestKeysForge: an eviction opens the guard for exactly the rows it
// recorded; a client can neither record one nor call eviction itself.
func TestKeysForge(t *testing.T) {
	e := newKeysEnv(t)
	e.run(t, `INSERT INTO tag (id, name) VALUES (1, 'a'), (2, 'b'); UPDATE tag SET deleted_at = now()`)
	attacks := map[string]string{
		"record a row":       `INSERT INTO softdelete.evicted (table_name, key_name, reason, content) SELECT 'public.tag', 'k', 'w', to_jsonb(t) FROM tag t`,
		"call evict":         `SELECT softdelete.evict('tag'::regclass, 'tag'::regclass, ctid, 'k', 'w') FROM tag`,
		"call evict_row":     `SELECT softdelete.evict_row('tag'::regclass, 'tag'::regclass, ctid, 'k', 'w', '{}') FROM tag`,
		"call the trigger":   `SELECT softdelete.` + keysFunction(&TableInfo{Quoted: "public.tag", Table: e.f.cfg.Managed[8]}) + `()`,
		"evict then delete":  `BEGIN; INSERT INTO tag (id, name) VALUES (1, 'new'); DELETE FROM tag WHERE id = 2; COMMIT`,
		"new row trashed":    `BEGIN; INSERT INTO tag (id, name) VALUES (1, 'new'); UPDATE tag SET deleted_at = now() WHERE id = 1; DELETE FROM tag WHERE id = 1; COMMIT`,
		"read the evictions": `SELECT * FROM softdelete.evicted`,
	}
	for name, sql := range attacks {
		t.Run(name, func(t *testing.T) {
			if _, err := exec(e.app, sql); err == nil {
				t.Fatalf("%s: no error", sql)
			}
		})
	}
	if got := e.rows(t, `SELECT id || name || (deleted_at IS NULL) FROM tag ORDER BY id`); got != "1afalse,2bfalse" {
		t.Errorf("tag: %s", got)
	}
}
