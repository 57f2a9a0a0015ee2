package policy

import (
	"reflect"
	"testing"
)

func TestPatternsLike(t *testing.T) {
	cases := []struct{ key, schema, name string }{
		{"public.*", "public", "%"},
		{"Billing.Invoice_*", "billing", `invoice\_%`},
		{`"Odd%".t?`, `Odd\%`, "t_"},
		{`*.*`, "%", "%"},
	}
	for _, c := range cases {
		got, err := parseLike(c.key)
		if err != nil || got != [2]string{c.schema, c.name} {
			t.Errorf("parseLike(%q) = %q, %v; want %q %q", c.key, got, err, c.schema, c.name)
		}
	}
}

// TestWithMatches: named tables keep their entry, the first pattern wins,
// the audit table is never managed, and each table comes once.
func TestWithMatches(t *testing.T) {
	c, err := Parse("p.yaml", []byte(`
audit: { table: public.audit }
tables:
  "public.*": { retention: 7d }
  public.users: { deleted_by_column: by }
  "public.u*": { retention: forever }
`))
	if err != nil {
		t.Fatal(err)
	}
	pub := func(n string) TableName { return TableName{Schema: "public", Name: n} }
	got := c.WithMatches([]Match{{0, pub("users")}, {0, pub("audit")}, {0, pub("orders")}, {1, pub("units")}, {1, pub("orders")}, {0, pub("units")}})
	var names []string
	var retention []Duration
	for _, m := range got.Managed {
		names = append(names, m.QualifiedName().String())
		retention = append(retention, Duration(m.Retention))
	}
	want := []string{"public.users", "public.orders", "public.units"}
	if !reflect.DeepEqual(names, want) || got.Managed[0].DeletedByColumn != "by" || got.Managed[1].Retention != 7*24*3600e9 {
		t.Errorf("managed %v (retention %v), want %v", names, retention, want)
	}
	if len(c.Managed) != 1 {
		t.Errorf("WithMatches changed its receiver: %d managed", len(c.Managed))
	}
}
