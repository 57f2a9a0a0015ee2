package schema

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

func TestCheckWarnings(t *testing.T) {
	f := newFixture(t, "warned")
	r, text := f.report(FormatText)
	golden(t, "warned.txt", text)
	_, js := f.report(FormatJSON)
	golden(t, "warned.json", js)
	for _, fd := range r.Findings {
		if fd.Severity == Error && fd.Kind != KindObjectMissing { // the guard: migrate installs it
			t.Errorf("warned.sql has an error: %+v", fd)
		}
	}
	var back Report
	if err := json.Unmarshal([]byte(js), &back); err != nil || len(back.Findings) != len(r.Findings) {
		t.Fatalf("JSON does not read back: %v", err)
	}
	want := []string{KindUnique, KindUniqueWithColumn, KindColumnDefault, KindFKChild,
		KindTriggerDelete, KindTriggerUpdate, KindView, KindMaterializedView, KindFunctionReads,
		KindFunctionDeletes, KindPurgeIndex}
	for _, k := range want {
		if !slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Kind == k }) {
			t.Errorf("no %s finding", k)
		}
	}
	// Objects that are fine for a table (the view filters contacts by alias,
	// but neither orgs nor notes).
	for _, quiet := range [][2]string{{"public.contacts", "contacts_email_live_idx"},
		{"public.contacts", "contacts_email_changed"}, {"public.contacts", "public.live_contacts"},
		{"public.contacts", "public.live_contact_count()"}, {"crm.notes", "public.notes_word()"},
		{"public.contacts", "crm.note_bodies"}, {"crm.notes", "notes_removed_at_idx"},
		{"public.orgs", "orgs_deleted_at_idx"}} {
		if slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Table == quiet[0] && f.Object == quiet[1] }) {
			t.Errorf("%s: %s reported, but it is fine", quiet[0], quiet[1])
		}
	}
}

func TestCheckErrors(t *testing.T) {
	f := newFixture(t, "errors")
	r, text := f.report(FormatText)
	golden(t, "errors.txt", text)
	_, js := f.report(FormatJSON)
	golden(t, "errors.json", js)
	if !r.HasErrors() {
		t.Fatal("no errors")
	}
	for _, k := range []string{KindTableMissing, KindNotATable, KindColumnMissing, KindColumnType,
		KindColumnNotNull, KindAuditColumns} {
		if !slices.ContainsFunc(r.Findings, func(f Finding) bool { return f.Kind == k && f.Severity == Error }) {
			t.Errorf("no %s error", k)
		}
	}
}

func TestCheckClean(t *testing.T) {
	f := newFixture(t, "warned")
	f.mustExec("DROP SCHEMA crm CASCADE; DROP TABLE public.calls, public.emails, public.invoices, public.contacts CASCADE;" +
		"DROP FUNCTION public.drop_contact(bigint), public.contact_count()")
	f.cfg.Managed = f.cfg.Managed[1:2] // public.orgs
	f.apply(Options{})
	// who can turn the guard off is always said (database-wide)
	bypass := func(f Finding) bool { return f.Kind == KindTableOwner || f.Kind == KindSuperuserLogin }
	r, text := f.report(FormatText)
	if len(r.Findings) != 2 || !bypass(r.Findings[0]) || !bypass(r.Findings[1]) {
		t.Fatalf("want no findings but who can turn the guard off:\n%s", text)
	}
	// a key gone: the keys trigger is stale until migrate runs again
	f.mustExec("ALTER TABLE public.orgs DROP CONSTRAINT orgs_handle_key")
	if r, text = f.report(FormatText); r.Errors == 0 {
		t.Fatalf("want the stale keys trigger:\n%s", text)
	}
	f.apply(Options{})
	r, text = f.report(FormatText)
	if len(r.Findings) != 2 || !bypass(r.Findings[0]) || !bypass(r.Findings[1]) {
		t.Fatalf("want no findings but who can turn the guard off:\n%s", text)
	}
	golden(t, "clean.txt", text)
}

func TestCheckSummary(t *testing.T) {
	f := newFixture(t, "warned")
	r := Check(f.inspect())
	var b strings.Builder
	if err := WriteSummary(&b, r); err != nil {
		t.Fatal(err)
	}
	text := f.anon(b.String())
	golden(t, "warned_summary.txt", text)
	cs := causes(r)
	total := 0
	for i, c := range cs {
		total += c.Count
		if i > 0 && cs[i-1].Severity == Warning && c.Severity == Error {
			t.Errorf("an error after a warning: %s", c.Kind)
		}
	}
	if total != len(r.Findings) || strings.Count(text, "\nERROR [")+strings.Count(text, "\nWARNING [") != len(cs) {
		t.Errorf("%d findings in %d causes, %d counted", len(r.Findings), len(cs), total)
	}
}
