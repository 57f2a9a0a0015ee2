package schema

import (
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// TestEvictedLifecycleObjects: migrate gives softdelete.evicted its purge
// index on (table_name, at) and the purge role SELECT and DELETE on it, and
// nothing more; a database migrated before (no index, no grant) gets both,
// check reports them missing until then, and the second plan is empty.
func TestEvictedLifecycleObjects(t *testing.T) {
	e := newKeysEnv(t) // applied and checked a no-op
	purge := pgx.Identifier{e.f.cfg.Roles.Purge}.Sanitize()
	wantInstalled := func() {
		t.Helper()
		if got := e.rows(t, `SELECT pg_get_indexdef('softdelete.evicted_table_name_at_idx'::regclass)`); !strings.HasSuffix(got,
			"ON softdelete.evicted USING btree (table_name, at)") {
			t.Errorf("index: %s", got)
		}
		if got := e.rows(t, `SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p
WHERE has_table_privilege(`+quoteLiteral(e.f.cfg.Roles.Purge)+`, 'softdelete.evicted', p) ORDER BY p`); got != "DELETE,SELECT" {
			t.Errorf("the purge role's privileges on softdelete.evicted: %s, want DELETE,SELECT", got)
		}
	}
	wantInstalled()

	// as an earlier version left it
	e.f.mustExec(`DROP INDEX softdelete.evicted_table_name_at_idx; REVOKE ALL ON softdelete.evicted FROM ` + purge)
	var missing []string
	for _, fd := range Check(e.f.inspect()).Findings {
		if fd.Kind == KindObjectMissing {
			missing = append(missing, e.f.anon(fd.Object))
		}
	}
	want := []string{"grant SELECT, DELETE ON softdelete.evicted TO softdelete_purger", "index softdelete.evicted_table_name_at_idx"}
	slices.Sort(missing)
	if !slices.Equal(missing, want) {
		t.Errorf("check reports missing %q, want %q", missing, want)
	}
	m := e.f.plan(Options{})
	if got := e.f.anon(strings.Join(m.Statements(), "\n")); !strings.Contains(got,
		"CREATE INDEX IF NOT EXISTS evicted_table_name_at_idx ON softdelete.evicted (table_name, at);") ||
		!strings.Contains(got, "GRANT SELECT, DELETE ON softdelete.evicted TO softdelete_purger;") || len(m.Statements()) != 2 {
		t.Errorf("plan after an older migrate:\n%s", got)
	}
	e.f.apply(Options{})
	e.f.requireNoOp(Options{})
	wantInstalled()
}

// TestEvictedPurgeRole: a login granted the purge role and nothing else
// reads and deletes evicted records (the purger's work), and still cannot
// write one, so it cannot forge what the guard trusts.
func TestEvictedPurgeRole(t *testing.T) {
	e := newKeysEnv(t)
	login := pgtest.Get(t).CreateRole(t, "evictpurge", "LOGIN")
	e.f.mustExec("GRANT " + pgx.Identifier{e.f.cfg.Roles.Purge}.Sanitize() + " TO " + pgx.Identifier{login}.Sanitize())
	p := (&guardEnv{f: e.f}).connect(login, "")
	e.run(t, `INSERT INTO tag (id, name) VALUES (1, 'a'), (2, 'b'); UPDATE tag SET deleted_at = now();
INSERT INTO tag (id, name) VALUES (1, 'new'), (2, 'new')`)
	if got := e.rows(t, `SELECT count(*)::text FROM softdelete.evicted`); got != "2" {
		t.Fatalf("evicted records: %s, want 2", got)
	}
	n, err := exec(p, `DELETE FROM softdelete.evicted WHERE id IN (SELECT id FROM softdelete.evicted
WHERE table_name = 'public.tag' AND at < now() + interval '1 day' ORDER BY at LIMIT 1)`)
	if err != nil || n != 1 {
		t.Fatalf("the purge role's batch: %d rows, %v", n, err)
	}
	for name, sql := range map[string]string{
		"insert": `INSERT INTO softdelete.evicted (table_name, key_name, reason, content) VALUES ('public.tag', 'k', 'w', '{}')`,
		"update": `UPDATE softdelete.evicted SET xact = pg_current_xact_id()`,
		"lock":   `SELECT id FROM softdelete.evicted FOR UPDATE`,
	} {
		if _, err := exec(p, sql); err == nil {
			t.Errorf("%s: the purge role wrote softdelete.evicted", name)
		} else {
			refused(t, err, "permission denied")
		}
	}
	if got := e.rows(t, `SELECT count(*)::text FROM softdelete.evicted`); got != "1" {
		t.Errorf("evicted records left: %s, want 1", got)
	}
}
