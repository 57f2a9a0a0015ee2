package policy

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

func TestDefaultIsValid(t *testing.T) {
	if err := Default().Validate(); err != nil {
		t.Fatal(err)
	}
	c, err := Parse("empty.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	d := Default()
	d.Source, d.pos, d.Managed = c.Source, c.pos, c.Managed
	if !reflect.DeepEqual(c, d) {
		t.Errorf("empty file:\n%+v\nDefault:\n%+v", c, d)
	}
}

func TestLoadNamesTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	body := "tables:\n  public.deals:\n    retension: 90d\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	want := path + `:3: unknown key "retension" in table public.deals (did you mean "retention"?)`
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.File != path || ce.Line != 3 {
		t.Errorf("errors.As: %+v", ce)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("missing file: %v", err)
	}
}

// TestExampleHasEveryKey parses example.yaml and checks that it sets every
// key a Config has, so the README's reference stays complete.
func TestExampleHasEveryKey(t *testing.T) {
	t.Setenv("PURGE_DATABASE_URL", "")
	c, err := Load("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Managed) == 0 || len(c.Purge.DatabaseURLs) != 1 {
		t.Errorf("example: %d tables, urls %v", len(c.Managed), c.Purge.DatabaseURLs)
	}
	for _, key := range allKeys(reflect.TypeOf(Config{}), "") {
		if _, ok := c.pos[key]; !ok {
			t.Errorf("example.yaml does not show %s", key)
		}
	}
}

func allKeys(t reflect.Type, prefix string) []string {
	var out []string
	for name, i := range yamlFields(t) {
		f := t.Field(i).Type
		out = append(out, joinPath(prefix, name))
		if f.Kind() == reflect.Struct {
			out = append(out, allKeys(f, joinPath(prefix, name))...)
		}
	}
	return out
}

func TestValidateBuiltInCode(t *testing.T) {
	c := Default()
	c.Tables["public.deals"] = TableSettings{Retention: "90d", OnTruncate: "soft"}
	c.Tables["crm.notes"] = TableSettings{Column: "Removed_At"}
	if err := c.Resolve(); err != nil {
		t.Fatal(err)
	}
	want := []Table{
		{Schema: "crm", Name: "notes", Column: "removed_at", Retention: 30 * day, OnTruncate: "deny", OnKeyConflict: "evict"},
		{Schema: "public", Name: "deals", Column: "deleted_at", Retention: 90 * day, OnTruncate: "soft", OnKeyConflict: "evict"},
	}
	if !reflect.DeepEqual(c.Managed, want) {
		t.Errorf("Managed = %+v", c.Managed)
	}
	c.Tables["x"] = TableSettings{}
	c.Purge.BatchSize = 0
	err := c.Validate()
	if err == nil || err.Error() != "table x: \"x\" is not schema.table (e.g. public.x)\npurge.batch_size: must be at least 1, got 0" {
		t.Errorf("got %q", err)
	}
}

func TestRewritePolicy(t *testing.T) {
	c, err := Parse("p.yaml", []byte(`
defaults: { deleted_by_column: by }
tables:
  public.deals: { on_truncate: soft, reason_column: why }
  Crm."Notes": { on_truncate: hard, column: gone }
  public.contacts: {}
`))
	if err != nil {
		t.Fatal(err)
	}
	p := c.RewritePolicy(7)
	if p.Version != 7 || len(p.Tables) != 3 {
		t.Fatalf("policy %+v", p)
	}
	want := rewrite.Table{Schema: "crm", Name: "Notes", Column: "gone", DeletedByColumn: "by", OnTruncate: rewrite.TruncateHard}
	if got := p.Lookup("crm", "Notes"); got == nil || *got != want {
		t.Errorf("crm.Notes = %+v", got)
	}
	if got := p.Lookup("public", "deals"); got == nil || got.OnTruncate != rewrite.TruncateSoft || got.ReasonColumn != "why" {
		t.Errorf("public.deals = %+v", got)
	}
	if got := p.Lookup("public", "contacts"); got == nil || got.OnTruncate != rewrite.TruncateDeny {
		t.Errorf("public.contacts = %+v", got)
	}
	if c.Managed[2].Line != 6 || c.Managed[0].Retention != 30*24*time.Hour {
		t.Errorf("Managed = %+v", c.Managed)
	}
}

func TestAliasesAndAuditTable(t *testing.T) {
	c, err := Parse("a.yaml", []byte("audit: {table: Softdelete.Audit}\nroles: {hard_delete: &r [dba], bypass: *r}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if n, ok := c.AuditTable(); !ok || n != (TableName{"softdelete", "audit"}) {
		t.Errorf("AuditTable = %v, %v", n, ok)
	}
	if !reflect.DeepEqual(c.Roles.Bypass, []string{"dba"}) {
		t.Errorf("bypass = %v", c.Roles.Bypass)
	}
}

func TestYAML11Words(t *testing.T) {
	c, err := Parse("w.yaml", []byte("metrics_listen: off\nlog_level: warn\npurge: {enabled: true, database_urls: [host=db]}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsListen != "off" || !c.Purge.Enabled {
		t.Errorf("metrics_listen %q, enabled %v", c.MetricsListen, c.Purge.Enabled)
	}
}
