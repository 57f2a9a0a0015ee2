package schema

import (
	"slices"
	"strings"
	"testing"
)

// kinds lists the findings of one severity as "kind object".
func kinds(r *Report, sev Severity) []string {
	var out []string
	for _, f := range r.Findings {
		if f.Severity == sev {
			out = append(out, f.Kind+" "+f.Object)
		}
	}
	return out
}

// TestObjectsDrift changes what migrate installed in every way the registry
// notices, and checks that check reports it and migrate puts it right.
func TestObjectsDrift(t *testing.T) {
	f := newFixture(t, "warned")
	f.apply(Options{})
	f.requireNoOp(Options{})
	if errs := kinds(Check(f.inspect()), Error); len(errs) != 0 {
		t.Fatalf("errors after migrate: %q", errs)
	}
	cases := []struct {
		name, sql string
		want      []string // error findings
		plan      string   // a statement the plan must hold
	}{
		{"unexpected", `CREATE FUNCTION softdelete.leftover() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN OLD; END';
			CREATE TRIGGER softdelete_leftover BEFORE DELETE ON public.orgs FOR EACH ROW EXECUTE FUNCTION softdelete.leftover()`,
			[]string{"object_unexpected trigger softdelete_leftover on public.orgs", "object_unexpected function softdelete.leftover()"},
			"DROP FUNCTION IF EXISTS softdelete.leftover();"},
		{"body", `CREATE OR REPLACE FUNCTION softdelete.refuse_hard_delete() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN OLD; END'`,
			[]string{"object_stale function softdelete.refuse_hard_delete()"}, "CREATE OR REPLACE FUNCTION softdelete.refuse_hard_delete()"},
		{"version", `COMMENT ON TRIGGER softdelete_guard ON crm.notes IS 'softdelete-proxy 000000000000'`,
			[]string{"object_stale trigger softdelete_guard on crm.notes"}, "CREATE OR REPLACE TRIGGER softdelete_guard"},
		{"disabled", `ALTER TABLE public.contacts DISABLE TRIGGER softdelete_guard`,
			[]string{"object_stale trigger softdelete_guard on public.contacts"}, "ALTER TABLE public.contacts ENABLE TRIGGER softdelete_guard;"},
		{"dropped", `DROP TRIGGER softdelete_guard ON public.orgs`,
			[]string{"object_missing trigger softdelete_guard on public.orgs"}, "CREATE OR REPLACE TRIGGER softdelete_guard AFTER DELETE ON public.orgs"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.mustExec(tc.sql)
			got := kinds(Check(f.inspect()), Error)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("check errors:\n got %q\nwant %q", got, want)
			}
			m := f.plan(Options{})
			if script := m.Script(0); !strings.Contains(script, tc.plan) {
				t.Errorf("plan lacks %q:\n%s", tc.plan, script)
			}
			f.apply(Options{})
			f.requireNoOp(Options{})
			if errs := kinds(Check(f.inspect()), Error); len(errs) != 0 {
				t.Errorf("errors after migrate: %q", errs)
			}
		})
	}
}

// TestObjectsUnexpectedOrder: an unwanted trigger is dropped before the
// function it calls, whatever the catalog order, and both after every
// object is in place (an old guard trigger guards until then).
func TestObjectsUnexpectedOrder(t *testing.T) {
	c := &Catalog{Installed: []Installed{
		{Kind: "function", Name: "softdelete.a()"},
		{Kind: "trigger", Table: "public.t", Name: "softdelete_a on public.t"},
	}, OwnSchema: true}
	m := &Migration{}
	planObjects(m, c)
	got := strings.Join(m.Statements(), "\n")
	want := "DROP TRIGGER IF EXISTS softdelete_a ON public.t;\nDROP FUNCTION IF EXISTS softdelete.a();"
	if !strings.HasSuffix(got, "\n"+want) || strings.Count(got, "DROP ") != 2 {
		t.Errorf("statements:\n%s\nwant them to end with the trigger dropped, then the function", got)
	}
}

func TestParseComment(t *testing.T) {
	digest := "0123456789abcdef0123456789abcdef"
	for in, want := range map[string][2]string{
		"softdelete-proxy 0123456789ab":                                    {"0123456789ab", ""},
		"softdelete-proxy 0123456789ab catalog " + digest:                  {"0123456789ab", digest},
		"softdelete-proxy":                                                 {"", ""},
		"written by hand":                                                  {"", ""},
		"softdelete-proxy a b":                                             {"", ""},
		"softdelete-proxy 0123456789ab catalog 0123":                       {"", ""},
		"softdelete-proxy 0123456789ab catalog " + digest + " x":           {"", ""},
		"softdelete-proxy 0123456789ab catalog " + strings.ToUpper(digest): {"", ""},
	} {
		if fp, stamp := parseComment(in); fp != want[0] || stamp != want[1] {
			t.Errorf("parseComment(%q) = %q, %q, want %q, %q", in, fp, stamp, want[0], want[1])
		}
	}
}
