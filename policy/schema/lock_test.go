package schema

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// newLockFixture is testdata/lock.sql migrated with a lock column on
// every table.
func newLockFixture(t *testing.T) *fixture {
	t.Helper()
	yaml := "audit: {table: softdelete.audit}\ntables:\n  public.contacts: { lock_column: locked }\n  public.docs: { lock_column: locked_until }\n" +
		"  public.notes: { lock_column: locked_by }\n  public.deals: { lock_column: locked }\n" +
		"  public.files: { lock_column: locked, on_truncate: hard }\n"
	cfg, err := policy.Parse("lock.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureConfig(t, "lock", cfg)
	f.apply(Options{})
	f.requireNoOp(Options{})
	return f
}

// lockRefused checks that err is the lock's refusal naming want.
func lockRefused(t *testing.T, err error, want ...string) {
	t.Helper()
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "55006" {
		t.Fatalf("want SQLSTATE 55006, got %v", err)
	}
	for _, w := range want {
		if !strings.Contains(pgErr.Message, w) {
			t.Errorf("message %q does not say %q", pgErr.Message, w)
		}
	}
}

func TestLockRefusesTrash(t *testing.T) {
	f := newLockFixture(t)
	cases := []struct {
		name, sql string
		want      []string // "" : allowed
	}{
		{"boolean locked", "UPDATE contacts SET deleted_at = now() WHERE id = 10", []string{"public.contacts", "key (id)=(10)", "lock_column locked = true"}},
		{"one locked row fails the whole statement", "UPDATE contacts SET deleted_at = now() WHERE id BETWEEN 5 AND 15", []string{"key (id)=(10)"}},
		{"boolean unlocked", "UPDATE contacts SET deleted_at = now() WHERE id = 11", nil},
		{"locked until ahead", "UPDATE docs SET deleted_at = now() WHERE id = 1", []string{"public.docs", "key (id)=(1)", "lock_column locked_until"}},
		{"locked until passed", "UPDATE docs SET deleted_at = now() WHERE id = 2", nil},
		{"locked until null", "UPDATE docs SET deleted_at = now() WHERE id = 3", nil},
		{"locked by someone", "UPDATE notes SET deleted_at = now() WHERE a = 1", []string{"public.notes", "key (a, b)=(1, 1)", "lock_column locked_by = alice"}},
		{"locked by nobody", "UPDATE notes SET deleted_at = now() WHERE a = 1 AND b > 1", nil},
		{"partition through parent", "UPDATE deals SET deleted_at = now() WHERE id IN (3, 4)", []string{"public.deals", "key"}},
		{"partition directly", "UPDATE deals_eu SET deleted_at = now() WHERE id = 1", []string{"public.deals"}},
		{"unlocked partition rows", "UPDATE deals SET deleted_at = now() WHERE id IN (2, 4)", nil},
		{"inheritance child through parent", "UPDATE files SET deleted_at = now()", []string{"public.files", "key (row)"}},
		{"inheritance child directly", "UPDATE files_2026 SET deleted_at = now() WHERE id = 2", []string{"public.files"}},
		{"delete for good of a locked trashed row", "DELETE FROM contacts WHERE id = 110", []string{"delete for good", "key (id)=(110)"}},
		{"delete for good of a locked live row", "DELETE FROM contacts WHERE id = 20", []string{"key (id)=(20)"}},
		{"restore of a locked trashed row", "UPDATE contacts SET deleted_at = NULL WHERE id = 120", nil},
		{"TRUNCATE with on_truncate hard", "TRUNCATE files", []string{"TRUNCATE of public.files refused", "1 of its rows are locked"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.countTrashed(t)
			_, err := exec(f.conn, "BEGIN; "+c.sql+"; ROLLBACK")
			if c.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			lockRefused(t, err, c.want...)
			if after := f.countTrashed(t); after != before {
				t.Errorf("trashed rows went from %d to %d", before, after)
			}
		})
	}
}

// countTrashed counts the trashed rows of every table of lock.sql.
func (f *fixture) countTrashed(t *testing.T) int {
	t.Helper()
	var n int
	err := f.conn.QueryRow(context.Background(), `SELECT (SELECT count(*) FROM contacts WHERE deleted_at IS NOT NULL) +
		(SELECT count(*) FROM docs WHERE deleted_at IS NOT NULL) + (SELECT count(*) FROM notes WHERE deleted_at IS NOT NULL) +
		(SELECT count(*) FROM deals WHERE deleted_at IS NOT NULL) + (SELECT count(*) FROM files WHERE deleted_at IS NOT NULL)`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The audit of deletions on a partitioned table and an inheritance tree:
// one row per statement and table, through the parent or on a partition.
func TestAuditOnPartitionsAndChildren(t *testing.T) {
	f := newLockFixture(t)
	f.mustExec("UPDATE deals SET deleted_at = now() WHERE id IN (2, 4)")
	f.mustExec("UPDATE files_2026 SET deleted_at = now() WHERE id = 3")
	f.mustExec("UPDATE files SET deleted_at = now() WHERE id = 1")
	f.mustExec("UPDATE deals_us SET deleted_at = NULL WHERE id = 4")
	rows, err := f.conn.Query(context.Background(), "SELECT action || ' ' || table_name || ' ' || row_count || ' ' || coalesce(keys::text, '-') FROM softdelete.audit ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := []string{"delete public.deals 2 -", "delete public.files 1 -", "delete public.files 1 -", "restore public.deals 1 -"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestLockError(t *testing.T) {
	f := newLockFixture(t)
	err := f.exec("UPDATE contacts SET deleted_at = now() WHERE id = 30")
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		t.Fatalf("not refused: %v", err)
	}
	got := strings.Join([]string{pgErr.Code, pgErr.Message, pgErr.Detail, pgErr.Hint, pgErr.SchemaName, pgErr.TableName, pgErr.ColumnName}, "\n")
	golden(t, "lock_error.txt", got+"\n")
}

// A lock column of a type the lock does not know is an error of check,
// and migrate installs no lock trigger for it.
func TestLockColumnType(t *testing.T) {
	cfg, err := policy.Parse("lock.yaml", []byte("tables:\n  public.docs: { lock_column: id }\n"))
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureConfig(t, "lock", cfg)
	r := Check(f.inspect())
	found := false
	for _, fd := range r.Findings {
		if fd.Kind == KindColumnType && strings.Contains(fd.Message, "lock_column") {
			found = true
		}
	}
	if !found {
		t.Errorf("check does not report the lock column's type: %+v", r.Findings)
	}
	for _, o := range f.inspect().expectedObjects() {
		if strings.Contains(o.Name, lockTrigger) {
			t.Errorf("lock trigger planned for an integer lock column: %s", o.Name)
		}
	}
}
