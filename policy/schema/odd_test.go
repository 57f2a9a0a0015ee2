package schema

import (
	"slices"
	"testing"
)

// TestOddNames runs check and the whole migration on names that need
// quoting and on a partitioned table.
func TestOddNames(t *testing.T) {
	f := newFixture(t, "odd")
	_, text := f.report(FormatText)
	golden(t, "odd.txt", text)
	opts := Options{Unique: true, Guard: true}
	golden(t, "migrate_odd.sql", f.anon(f.plan(opts).Script(lockTimeout)))
	f.apply(opts)
	f.requireNoOp(opts)
	r := Check(f.inspect())
	var kinds []string
	for _, fd := range r.Findings {
		kinds = append(kinds, fd.Table+" "+fd.Kind+" "+fd.Object)
	}
	want := []string{`"Sales"."Big Deals" view "Sales"."Deal Codes"`,
		`"Sales"."user" function_reads "Sales".user_count()`, ` table_owner role postgres`, ` superuser_login postgres`}
	if !slices.Equal(kinds, want) {
		t.Errorf("after migrate:\n got %q\nwant %q", kinds, want)
	}
	// the guard reaches the partition
	f.mustExec(`INSERT INTO "Sales"."Big Deals" VALUES (1, 'eu', 'a', NULL, NULL)`)
	if err := f.exec(`DELETE FROM "Sales"."Big Deals EU"`); err == nil {
		t.Error("hard delete from the partition allowed")
	}
	// the partial unique index works on the partitioned table
	f.mustExec(`UPDATE "Sales"."Big Deals" SET "Deleted At" = now(); INSERT INTO "Sales"."Big Deals" VALUES (2, 'eu', 'a', NULL, NULL)`)
	if err := f.exec(`INSERT INTO "Sales"."Big Deals" VALUES (3, 'eu', 'a', NULL, NULL)`); err == nil {
		t.Error("two live rows with one key in the partitioned table")
	}
}
