package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

var updateHelp = flag.Bool("update", false, "rewrite testdata/help with the current help texts")

// The help of every command and trash subcommand, as a user sees it, is
// pinned in testdata/help (go test -run TestHelpTexts -update rewrites it).
// Flags are printed with two dashes, like the usage lines.
func TestHelpTexts(t *testing.T) {
	cases := map[string][]string{
		"help":          {"help"},
		"no-command":    {},
		"serve":         {"serve", "--help"},
		"demo":          {"demo", "--help"},
		"check":         {"check", "--help"},
		"migrate":       {"migrate", "--help"},
		"purge":         {"purge", "--help"},
		"version":       {"version", "--help"},
		"trash":         {"trash", "--help"},
		"trash-list":    {"trash", "list", "--help"},
		"trash-restore": {"trash", "restore", "--help"},
		"trash-forget":  {"trash", "forget", "--help"},
		"trash-empty":   {"trash", "empty", "-h"},
		"trash-stats":   {"help", "trash", "stats"},
		"trash-evicted": {"trash", "evicted", "--help"},
	}
	for name, args := range cases {
		t.Run(name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, args...)
			got := fmt.Sprintf("$ softdelete-proxy %s\nexit %d\n--- stdout\n%s--- stderr\n%s", strings.Join(args, " "), code, stdout, stderr)
			path := filepath.Join("testdata", "help", name+".txt")
			if *updateHelp {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -run TestHelpTexts -update)", err)
			}
			if got != string(want) {
				t.Errorf("help text of %q changed (go test -run TestHelpTexts -update if intended)\n--- got\n%s\n--- want\n%s", args, got, want)
			}
			for _, line := range strings.Split(got, "\n") {
				if strings.HasPrefix(strings.TrimSpace(line), "-") && !strings.HasPrefix(strings.TrimSpace(line), "--") &&
					!strings.HasPrefix(line, "---") {
					t.Errorf("a flag printed with one dash: %q", line)
				}
			}
			if strings.Contains(got, "policy/example.yaml") {
				t.Errorf("help points at a source path the installed binary and the image do not have")
			}
		})
	}
}

// serve --print-example-config prints the example config, which loads.
func TestServePrintExampleConfig(t *testing.T) {
	code, stdout, stderr := runCLI(t, "serve", "--print-example-config")
	if code != 0 || stdout != policy.Example() || stderr != "" {
		t.Fatalf("exit %d, stderr %q, stdout %d bytes (want the %d of example.yaml)", code, stderr, len(stdout), len(policy.Example()))
	}
	path := filepath.Join(t.TempDir(), "example.yaml")
	if err := os.WriteFile(path, []byte(stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PURGE_DATABASE_URL", "")
	if _, err := policy.Load(path); err != nil {
		t.Errorf("the printed example does not load: %v", err)
	}
}

// Both one and two dashes are accepted, as the help says.
func TestFlagsTakeOneOrTwoDashes(t *testing.T) {
	for _, dash := range []string{"-", "--"} {
		code, stdout, _ := runCLI(t, "serve", dash+"print-example-config")
		if code != 0 || stdout != policy.Example() {
			t.Errorf("serve %sprint-example-config: exit %d", dash, code)
		}
	}
	if code, _, stderr := runCLI(t, "trash", "list", "contacts", "--actor", "x", "--config", "x.yaml"); code != 2 ||
		!strings.Contains(stderr, "actor") {
		t.Errorf("trash list --actor: exit %d, stderr %q; want a usage error (list records nothing)", code, stderr)
	}
}
