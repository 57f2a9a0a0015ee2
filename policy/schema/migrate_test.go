package schema

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

const lockTimeout = 5 * time.Second

func (f *fixture) plan(opts Options) *Migration {
	f.t.Helper()
	return Plan(f.inspect(), opts)
}

func (f *fixture) apply(opts Options) *Migration {
	f.t.Helper()
	m := f.plan(opts)
	if _, err := m.Apply(context.Background(), f.conn, lockTimeout); err != nil {
		f.t.Fatalf("Apply: %v\n%s", err, m.Script(lockTimeout))
	}
	return m
}

// requireNoOp checks that a second migration has nothing to do.
func (f *fixture) requireNoOp(opts Options) {
	f.t.Helper()
	if m := f.plan(opts); !m.Empty() {
		f.t.Fatalf("second run is not a no-op:\n%s", m.Script(lockTimeout))
	}
}

func TestMigratePrint(t *testing.T) {
	f := newFixture(t, "warned")
	golden(t, "migrate_warned.sql", f.anon(f.plan(Options{}).Script(lockTimeout)))
	golden(t, "migrate_warned_all.sql", f.anon(f.plan(Options{Unique: true, Guard: true}).Script(lockTimeout)))
	e := newFixture(t, "errors")
	golden(t, "migrate_errors.sql", e.anon(e.plan(Options{Guard: true}).Script(lockTimeout)))
}

func TestMigrateApplyIdempotent(t *testing.T) {
	cases := map[string]Options{"plain": {}, "unique": {Unique: true}, "guard": {Guard: true},
		"unique_guard": {Unique: true, Guard: true}}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, "warned")
			if m := f.apply(opts); m.Empty() {
				t.Fatal("nothing to do on warned.sql")
			}
			f.requireNoOp(opts)
			r := Check(f.inspect())
			for _, fd := range r.Findings {
				if fd.Kind == KindPurgeIndex || fd.Kind == KindUnique {
					t.Errorf("still reported after migrate: %+v", fd)
				}
			}
		})
	}
}

// TestMigrateScriptRunsTwice runs the printed script itself, twice: each
// statement is idempotent.
func TestMigrateScriptRunsTwice(t *testing.T) {
	for _, name := range []string{"warned", "errors"} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, name)
			if name == "errors" {
				f.mustExec("DROP TABLE softdelete.audit")
			}
			script := f.plan(Options{Unique: true, Guard: true}).Script(lockTimeout)
			for i := 0; i < 2; i++ {
				if err := f.exec(script); err != nil {
					t.Fatalf("run %d: %v\n%s", i+1, err, script)
				}
			}
			f.requireNoOp(Options{Unique: true, Guard: true})
		})
	}
}

func TestMigrateErrorsSchema(t *testing.T) {
	f := newFixture(t, "errors")
	f.mustExec("DROP TABLE softdelete.audit")
	f.apply(Options{Guard: true})
	f.requireNoOp(Options{Guard: true})
	r := Check(f.inspect())
	var left []string
	for _, fd := range r.Findings {
		if fd.Severity == Error {
			left = append(left, fd.Table+" "+fd.Kind)
		}
	}
	// What migrate cannot fix: types, NOT NULL, a view, a missing table.
	want := "public.naive column_type,public.typed column_type,public.typed column_type,public.typed column_type," +
		"public.strict column_not_null,public.looks_like_a_table not_a_table,public.missing table_missing"
	if got := strings.Join(left, ","); got != want {
		t.Errorf("errors left after migrate:\n got %s\nwant %s", got, want)
	}
	// The audit table is the purger's: a row it would write fits.
	f.mustExec(`INSERT INTO softdelete.audit (at, actor, action, table_name, row_count, detail)
		VALUES (now(), 'alice', 'purge', 'public.bare', 3, '{}'::jsonb)`)
}

// TestMigrateUnique: every migration makes the keys of warned.sql behave
// as if trashed rows were gone, --unique or not.
func TestMigrateUnique(t *testing.T) {
	f := newFixture(t, "warned")
	f.apply(Options{})
	f.mustExec(`INSERT INTO public.contacts (id, email, code, nick) VALUES (1, 'a@x', 'A', 'al')`)
	f.mustExec(`UPDATE public.contacts SET deleted_at = now() WHERE id = 1`)
	// contacts_email_deleted_idx is not migrate's to fix (it includes the
	// column), and contacts_email_live_idx duplicates contacts_email_key:
	// drop both so contacts_email_key speaks
	f.mustExec(`DROP INDEX public.contacts_email_deleted_idx, public.contacts_email_live_idx`)
	// the same key (id, email, lower(code)) as the trashed row: it is evicted
	f.mustExec(`INSERT INTO public.contacts (id, email, code, nick) VALUES (1, 'a@x', 'a', 'al')`)
	err := f.exec(`INSERT INTO public.contacts (id, email, code, nick) VALUES (3, 'a@x', 'b', 'bo')`)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" || pgErr.ConstraintName != "contacts_email_key" {
		t.Fatalf("two live rows with one email: want 23505 on contacts_email_key, got %v", err)
	}
	// the existing predicate of contacts_nick_idx is kept: '' is still allowed twice
	f.mustExec(`INSERT INTO public.contacts (id, email, code, nick) VALUES (4, 'b@x', 'c', ''), (5, 'c@x', 'd', '')`)
	// the constraints stay constraints, the unique indexes become partial
	var n int
	if err := f.conn.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_constraint WHERE conname IN ('orgs_handle_key', 'contacts_email_key') AND contype = 'u'`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("constraints: %d, %v", n, err)
	}
	if err := f.conn.QueryRow(context.Background(),
		`SELECT count(*) FROM pg_index WHERE indexrelid = 'public.contacts_code_idx'::regclass AND indpred IS NOT NULL`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("contacts_code_idx is not partial: %d, %v", n, err)
	}
	var evicted string
	if err := f.conn.QueryRow(context.Background(),
		`SELECT string_agg(table_name || ' ' || (content->>'id'), ',') FROM softdelete.evicted`).Scan(&evicted); err != nil || evicted != "public.contacts 1" {
		t.Fatalf("evicted: %q, %v", evicted, err)
	}
}

func TestMigrateGuardOutdatedFunction(t *testing.T) {
	f := newFixture(t, "warned")
	f.apply(Options{Guard: true})
	f.mustExec(`CREATE OR REPLACE FUNCTION softdelete.refuse_hard_delete() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`)
	m := f.plan(Options{Guard: true})
	if len(m.Steps) != 1 || !strings.Contains(m.Steps[0].SQL[0], "CREATE OR REPLACE FUNCTION") {
		t.Fatalf("want the function replaced only:\n%s", m.Script(0))
	}
}
