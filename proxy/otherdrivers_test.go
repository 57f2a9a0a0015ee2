package proxy

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Other drivers' own protocol-sensitive behaviour, through a rewriting
// proxy: node-postgres, psycopg2 and ruby-pg run a script of cases taken
// from their own test suites (testdata/drivers), once straight on the
// twin's reference and once through the proxy on the soft database. What
// each printed must be the same, and the trash invariant must hold.
//
// The runtimes: Debian's python3-psycopg2 and ruby-pg, and node with the
// pg package installed by npm ci in testdata/drivers (.ci/run does all
// three). Without them the test fails under CI and skips elsewhere.

func TestOtherDrivers(t *testing.T) {
	tw := newTwin(t)
	for _, d := range []struct {
		name   string
		find   func(t *testing.T) []string // the command, without the script
		script string
	}{
		{"node-postgres", findNodePg, "nodepg.js"},
		{"psycopg2", findPsycopg2, "psycopg2_cases.py"},
		{"ruby-pg", findRubyPg, "rubypg.rb"},
	} {
		t.Run(d.name, func(t *testing.T) {
			cmd := d.find(t)
			script, err := filepath.Abs(filepath.Join("testdata", "drivers", d.script))
			if err != nil {
				t.Fatal(err)
			}
			tw.reset(t)
			want := runDriverScript(t, append(cmd, script), tw.ref, tw.ref)
			got := runDriverScript(t, append(cmd, script), tw.proxied, tw.soft)
			if got != want {
				t.Errorf("%s through the proxy printed:\n%s\nstraight on PostgreSQL:\n%s\nfirst difference: %s", d.name, got, want, firstDiff(want, got))
			}
			for _, p := range tw.checkTrash(t) {
				t.Error(p)
			}
		})
	}
}

// runDriverScript runs argv with SD_DSN=dsn (what the script tests) and
// SD_ADMIN_DSN=admin (the same database, straight, for pg_stat_activity),
// and returns its output, failing unless it exits 0 without a word on
// stderr after its last line, "done".
func runDriverScript(t *testing.T, argv []string, dsn, admin string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = filepath.Join("testdata", "drivers")
	cmd.Env = append(clientEnv(), "SD_DSN="+withParams(t, dsn, "sslmode", "disable"), "SD_ADMIN_DSN="+withParams(t, admin, "sslmode", "disable"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 || !strings.HasSuffix(stdout.String(), "\ndone\n") {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(argv, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// missingRuntime fails the test under CI and skips it elsewhere.
func missingRuntime(t *testing.T, what, how string) {
	t.Helper()
	msg := what + " is not available: " + how + " (.ci/run installs it)"
	switch os.Getenv("CI") {
	case "", "0", "false":
		t.Skip(msg + "; under CI=true this fails instead of skipping")
	}
	t.Fatal(msg)
}

// findPython returns a python3 that can import module: the first on PATH,
// else Debian's (a version manager's python on PATH lacks Debian's modules).
func findPython(t *testing.T, module string) (string, bool) {
	t.Helper()
	for _, c := range []string{"python3", "/usr/bin/python3"} {
		p, err := exec.LookPath(c)
		if err == nil && exec.Command(p, "-c", "import "+module).Run() == nil {
			return p, true
		}
	}
	return "", false
}

func findPsycopg2(t *testing.T) []string {
	p, ok := findPython(t, "psycopg2")
	if !ok {
		missingRuntime(t, "python3 with psycopg2", "apt-get install python3-psycopg2")
	}
	return []string{p, "-u"}
}

func findRubyPg(t *testing.T) []string {
	for _, c := range []string{"ruby", "/usr/bin/ruby"} {
		p, err := exec.LookPath(c)
		if err == nil && exec.Command(p, "-e", `require "pg"`).Run() == nil {
			return []string{p}
		}
	}
	missingRuntime(t, "ruby with the pg gem", "apt-get install ruby-pg")
	return nil
}

func findNodePg(t *testing.T) []string {
	node, err := exec.LookPath("node")
	if err != nil {
		missingRuntime(t, "node", "apt-get install nodejs npm")
	}
	check := exec.Command(node, "-e", `require.resolve("pg")`)
	check.Dir = filepath.Join("testdata", "drivers")
	if out, err := check.CombinedOutput(); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			t.Fatal(err)
		}
		missingRuntime(t, "the pg package for node", "cd proxy/testdata/drivers && npm ci\n"+string(out))
	}
	return []string{node}
}
