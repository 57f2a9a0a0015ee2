package policy

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse checks that no input makes Parse panic, and that an accepted
// config is valid and resolved.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	files = append(files, "example.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("tables: {\"\\x00\": {}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A pathologically slow input is a finding too: crash so the fuzzer keeps it.
		tm := time.AfterFunc(10*time.Second, func() { panic("Parse took over 10s") })
		c, err := parse("fuzz.yaml", data, options{env: fixtureEnv})
		tm.Stop()
		if err != nil {
			if c != nil {
				t.Fatal("config returned with an error")
			}
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted config does not validate: %v", err)
		}
		if len(c.Managed)+len(c.Patterns()) != len(c.Tables) {
			t.Fatalf("%d managed and %d patterns for %d tables", len(c.Managed), len(c.Patterns()), len(c.Tables))
		}
		c.RewritePolicy(1)
	})
}
