package policy

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixtureEnv is the environment the fixtures are parsed with.
func fixtureEnv(name string) (string, bool) {
	v, ok := map[string]string{
		"PURGE_URL": "postgres://purger:s3cret@db.internal:5432/app",
		"EMPTY":     "",
	}[name]
	return v, ok
}

func parseFixture(t *testing.T, path string) (*Config, error) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parse(filepath.Base(path), data, options{env: fixtureEnv})
}

// golden compares got with the file want, or rewrites it with -update.
func golden(t *testing.T, want, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatalf("%v (run go test ./policy -update to create it)", err)
	}
	if string(b) != got {
		t.Errorf("%s differs (go test ./policy -update rewrites it)\n--- want\n%s\n--- got\n%s", want, b, got)
	}
}

func fixtures(t *testing.T, dir string) []string {
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in testdata/%s: %v", dir, err)
	}
	return files
}

func TestGoodFixtures(t *testing.T) {
	for _, f := range fixtures(t, "good") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := parseFixture(t, f)
			if err != nil {
				t.Fatalf("unexpected error:\n%v", err)
			}
			if err := c.Validate(); err != nil {
				t.Fatalf("Validate after Parse: %v", err)
			}
			golden(t, strings.TrimSuffix(f, ".yaml")+".golden", dump(t, c))
		})
	}
}

func TestBadFixtures(t *testing.T) {
	for _, f := range fixtures(t, "bad") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := parseFixture(t, f)
			if err == nil {
				t.Fatalf("no error; config: %+v", c)
			}
			if c != nil {
				t.Errorf("a config was returned with the error")
			}
			if strings.Contains(err.Error(), "s3cret") {
				t.Errorf("a password leaked into the message: %v", err)
			}
			golden(t, strings.TrimSuffix(f, ".yaml")+".err", err.Error()+"\n")
		})
	}
}

// dump is the golden form of a good config: the decoded file as YAML, then
// the resolved tables.
func dump(t *testing.T, c *Config) string {
	b, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var s strings.Builder
	s.Write(b)
	s.WriteString("# managed:\n")
	for _, m := range c.Managed {
		fmt.Fprintf(&s, "#  %d: %s column=%q deleted_by=%q reason=%q hold=%q retention=%v on_truncate=%s\n",
			m.Line, m.QualifiedName(), m.Column, m.DeletedByColumn, m.ReasonColumn, m.HoldColumn, Duration(m.Retention), m.OnTruncate)
	}
	return s.String()
}
