package proxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// psqlScript exercises psql's client-side features over the wire: \copy
// from the script and to a file, \d (catalog queries), a transaction, a
// prepared statement, notices, and \lo_import/\lo_export, which libpq
// runs as FunctionCall messages.
const psqlScript = `create table ps (id int primary key, name text, note text);
insert into ps values (1, 'one', null), (2, 'two', E'tab\there');
\copy ps from stdin
3	three	\N
4	four	back\\slash
\.
\copy ps (id, name) from stdin with (format csv)
5,"five, quoted"
6,six
\.
select * from ps order by id;
\copy (select id, name, note from ps order by id) to 'out.csv' with (format csv, header)
\d ps
begin;
update ps set note = 'x' where id = 1;
rollback;
select count(*) filter (where note = 'x') as xs from ps;
prepare q(int) as select name from ps where id = $1;
execute q(3);
select 'from gset' as v \gset
\echo :v
do $$ begin raise notice 'notice from psql'; end $$;
\set QUIET on
\lo_import 'in.bin'
\lo_export :LASTOID 'out.bin'
\lo_unlink :LASTOID
\set QUIET off
drop table ps;
`

// psqlErrorScript stops at its second statement.
const psqlErrorScript = `select 1 as ok;
select 1/0;
select 2 as never;
`

// psqlRun is what one psql process did.
type psqlRun struct {
	Stdout, Stderr string
	Code           int
	Files          map[string]string // name -> content, or digest for .bin files
}

// testPsql runs a script and a failing script with psql directly and
// through the proxy and wants the same output, files and exit code.
func testPsql(t *testing.T, p *testProxy, dbURL string) {
	psql := needBinary(t, "psql")
	blob := make([]byte, 300<<10)
	_, _ = rand.Read(blob)
	t.Run("script", func(t *testing.T) {
		got := sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) psqlRun {
			r := runPsqlScript(t, psql, url, psqlScript, map[string][]byte{"in.bin": blob}, "out.csv", "out.bin")
			if r.Code != 0 {
				t.Fatalf("psql exited %d\nstdout:\n%s\nstderr:\n%s", r.Code, r.Stdout, r.Stderr)
			}
			return r
		})
		if got.Files["out.bin"] != blobDigest(blob) {
			t.Errorf("\\lo_export wrote %s, want the imported %s", got.Files["out.bin"], blobDigest(blob))
		}
		if want := "id,name,note\n1,one,\n"; len(got.Files["out.csv"]) < len(want) || got.Files["out.csv"][:len(want)] != want {
			t.Errorf("\\copy to a file wrote:\n%s", got.Files["out.csv"])
		}
	})
	t.Run("error", func(t *testing.T) {
		got := sameOverRoutes(t, routes(t, p, dbURL), func(t *testing.T, url string) psqlRun {
			return runPsqlScript(t, psql, url, psqlErrorScript, nil)
		})
		want := "psql:script.sql:2: ERROR:  division by zero\n"
		if got.Code != 3 || got.Stderr != want {
			t.Errorf("psql exited %d with stderr %q, want 3 and %q", got.Code, got.Stderr, want)
		}
	})
}

// runPsqlScript writes script (and input files) into a fresh directory,
// runs psql -X -v ON_ERROR_STOP=1 -f script.sql there, and returns its
// output, exit code and the named output files.
func runPsqlScript(t *testing.T, psql, url, script string, inputs map[string][]byte, outputs ...string) psqlRun {
	t.Helper()
	dir := t.TempDir()
	inputs = mapWith(inputs, "script.sql", []byte(script))
	for name, data := range inputs {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "-v", "ON_ERROR_STOP=1", "-f", "script.sql", "-d", url)
	cmd.Dir = dir
	cmd.Env = clientEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	r := psqlRun{Files: map[string]string{}}
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			t.Fatalf("running psql: %v", err)
		}
		r.Code = exitErr.ExitCode()
	}
	r.Stdout, r.Stderr = stdout.String(), stderr.String()
	for _, name := range outputs {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("psql did not write %s: %v\nstderr:\n%s", name, err, r.Stderr)
		}
		r.Files[name] = string(data)
		if filepath.Ext(name) == ".bin" {
			r.Files[name] = blobDigest(data)
		}
	}
	return r
}

// clientEnv is the environment for libpq programs: the test's own, minus
// PG* variables that could redirect or reshape the connection.
func clientEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if len(kv) < 2 || kv[:2] != "PG" {
			env = append(env, kv)
		}
	}
	return append(env, "PGCONNECT_TIMEOUT=10", "PAGER=cat", "PSQL_PAGER=cat")
}

// blobDigest names data by its size and SHA-256.
func blobDigest(data []byte) string {
	sum := sha256.Sum256(data)
	return fmt.Sprintf("%d bytes, sha256 %x", len(data), sum)
}

func mapWith(m map[string][]byte, k string, v []byte) map[string][]byte {
	out := map[string][]byte{k: v}
	for key, val := range m {
		out[key] = val
	}
	return out
}

// runPsqlCommand runs psql -X -At -c sql and returns its combined output
// and exit code.
func runPsqlCommand(t *testing.T, psql, url, sql string) (string, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "-At", "-c", sql, "-d", url)
	cmd.Env = clientEnv()
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return string(out), 0
	case errors.As(err, &exitErr):
		return string(out), exitErr.ExitCode()
	}
	t.Fatalf("running psql: %v", err)
	return "", 0
}
