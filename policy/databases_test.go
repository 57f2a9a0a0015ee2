package policy

import (
	"strings"
	"testing"
)

// TestForDatabase: entries scoped to databases, with defaults and patterns.
func TestForDatabase(t *testing.T) {
	c, err := Parse("d.yaml", []byte(`
defaults: { databases: [app] }
tables:
  public.users: {}
  billing.invoices: { databases: [billing, app] }
  "audit.*": { databases: [ops] }
`))
	if err != nil {
		t.Fatal(err)
	}
	names := func(c *Config) string {
		var out []string
		for _, m := range c.Managed {
			out = append(out, m.QualifiedName().String())
		}
		return strings.Join(out, ",") + "/" + strings.Repeat("p", len(c.Patterns()))
	}
	for db, want := range map[string]string{"app": "public.users,billing.invoices/", "billing": "billing.invoices/", "ops": "/p", "other": "/"} {
		if got := names(c.ForDatabase(db)); got != want {
			t.Errorf("%s: %s, want %s", db, got, want)
		}
	}
	if !c.Managed[1].InDatabase("billing") || c.Managed[0].InDatabase("billing") {
		t.Errorf("InDatabase: %+v", c.Managed)
	}
	if _, err := Parse("d.yaml", []byte("tables:\n  public.a: { databases: [\"\"] }\n")); err == nil || !strings.Contains(err.Error(), "empty database name") {
		t.Errorf("an empty database name: %v", err)
	}
}
