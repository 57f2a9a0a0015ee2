package schema

import (
	"slices"
	"strings"
	"testing"
)

// TestCheckKeys: check names every key a trashed row could hold — every
// unique index, unique and primary-key constraint and exclusion constraint
// of a managed table, as the catalog lists them — with the error an
// application would meet; after migrate it names none.
func TestCheckKeys(t *testing.T) {
	f := newFixture(t, "keys")
	r, text := f.report(FormatText)
	golden(t, "keys.txt", text)
	var managed []string
	for _, m := range f.cfg.Managed {
		managed = append(managed, "'"+m.Schema+"."+m.Name+"'")
	}
	keys := f.rows(`SELECT c.relnamespace::regnamespace || '.' || c.relname || ' ' || coalesce(k.conname, i.relname) || ' ' || coalesce(k.contype::text, 'i')
		FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
		LEFT JOIN pg_constraint k ON k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x')
		WHERE (x.indisunique OR k.contype = 'x') AND NOT c.relispartition
		  AND (c.relnamespace::regnamespace || '.' || c.relname) IN (` + strings.Join(managed, ", ") + `)
		ORDER BY 1`)
	if len(keys) < 12 {
		t.Fatalf("keys.sql has %d keys on managed tables, want at least 12: %v", len(keys), keys)
	}
	for _, k := range keys {
		fields := strings.Fields(k)
		table, name, kind := fields[0], fields[1], fields[2]
		i := slices.IndexFunc(r.Findings, func(fd Finding) bool {
			return fd.Table == table && fd.Object == name && fd.Kind == KindUnique
		})
		if i < 0 {
			t.Errorf("%s: key %s is not reported", table, name)
			continue
		}
		want := "23505 (unique_violation)"
		if kind == "x" {
			want = "23P01 (exclusion_violation)"
		}
		if msg := r.Findings[i].Message; !strings.Contains(msg, want) {
			t.Errorf("%s: %s: %q does not say %s", table, name, msg, want)
		}
	}
	// Under on_key_conflict: refuse (public.account) trashed rows keep
	// their keys, exclusion constraints too, and check goes on saying so.
	f.mustExec("ALTER TABLE account ADD COLUMN during tstzrange, ADD CONSTRAINT account_no_overlap EXCLUDE USING gist (during WITH &&)")
	f.apply(Options{})
	after := Check(f.inspect()).Findings
	if i := slices.IndexFunc(after, func(fd Finding) bool {
		return fd.Table == "public.account" && fd.Object == "account_no_overlap" && fd.Kind == KindUnique
	}); i < 0 {
		t.Error("under refuse: exclusion constraint account_no_overlap is not reported")
	} else if !strings.Contains(after[i].Message, "23P01 (exclusion_violation)") {
		t.Errorf("under refuse: account_no_overlap: %q does not say 23P01", after[i].Message)
	}
	for _, fd := range after {
		if fd.Kind == KindUnique && fd.Table != "public.account" {
			t.Errorf("after migrate: %s: %s still reported: %s", fd.Table, fd.Object, fd.Message)
		}
	}
}
