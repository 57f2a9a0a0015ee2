package schema

import (
	"context"
	"slices"
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

func TestExpandTables(t *testing.T) {
	tn := func(s, n string) policy.TableName { return policy.TableName{Schema: s, Name: n} }
	rows := []InheritanceRow{
		{Parent: tn("public", "deals"), Child: tn("public", "deals_us"), Partition: true},
		{Parent: tn("public", "deals"), Child: tn("public", "deals_eu"), Partition: true},
		{Parent: tn("public", "deals_us"), Child: tn("public", "deals_us_low"), Partition: true},
		{Parent: tn("public", "docs"), Child: tn("public", "docs_2024")},
		{Parent: tn("public", "docs_2024"), Child: tn("public", "docs_2024_q1")}, // docs_2024 is in the policy
		{Parent: tn("public", "other"), Child: tn("public", "other_1")},          // not managed
		{Parent: tn("public", "a"), Child: tn("public", "both")},                 // two parents, listed once
		{Parent: tn("public", "docs"), Child: tn("public", "both")},
	}
	managed := []policy.Table{
		{Schema: "public", Name: "deals", Column: "deleted_at", Retention: 7},
		{Schema: "public", Name: "docs", Column: "deleted_at", Line: 3},
		{Schema: "public", Name: "docs_2024", Column: "gone", Line: 4},
	}
	var got []string
	for _, x := range ExpandTables(managed, rows) {
		got = append(got, x.Schema+"."+x.Name+"/"+x.Column)
	}
	want := []string{"public.deals/deleted_at", "public.docs/deleted_at", "public.docs_2024/gone",
		"public.deals_eu/deleted_at", "public.deals_us/deleted_at", "public.deals_us_low/deleted_at",
		"public.both/deleted_at", "public.docs_2024_q1/gone"}
	if !slices.Equal(got, want) {
		t.Errorf("ExpandTables:\n got %q\nwant %q", got, want)
	}
	if _, err := ParseInheritanceRows([][]string{{"a", "b", "c", "d", "yes"}}); err == nil {
		t.Error("a bad partition flag was accepted")
	}
}

// TestInheritanceSQL runs the query on guard.sql as the proxy would (simple
// protocol, text) and expands the guard's policy with it.
func TestInheritanceSQL(t *testing.T) {
	e := newGuardEnv(t)
	results, err := e.f.conn.PgConn().Exec(context.Background(), InheritanceSQL).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var text [][]string
	for _, r := range results[0].Rows {
		row := make([]string, len(r))
		for i, v := range r {
			row[i] = string(v)
		}
		text = append(text, row)
	}
	rows, err := ParseInheritanceRows(text)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range ExpandTables(e.f.cfg.Managed, rows)[len(e.f.cfg.Managed):] {
		got = append(got, x.Name)
	}
	want := []string{"deals_eu", "deals_us", "deals_us_low", "docs_2024"}
	if !slices.Equal(got, want) {
		t.Errorf("expanded: %q, want %q", got, want)
	}
}

func TestUnmanagedAncestors(t *testing.T) {
	name := func(s string) policy.TableName { return policy.TableName{Schema: "public", Name: s} }
	rows := []InheritanceRow{
		{Parent: name("events"), Child: name("events_2026"), Partition: true},
		{Parent: name("all_events"), Child: name("events")},
		{Parent: name("deals"), Child: name("deals_old")},
	}
	managed := []policy.Table{{Schema: "public", Name: "events_2026"}, {Schema: "public", Name: "deals"}, {Schema: "public", Name: "deals_old"}}
	got := UnmanagedAncestors(managed, rows)
	if len(got) != 2 || got[0].Table != name("all_events") || got[1].Table != name("events") ||
		len(got[1].Managed) != 1 || got[1].Managed[0] != name("events_2026") {
		t.Fatalf("got %+v", got)
	}
}
