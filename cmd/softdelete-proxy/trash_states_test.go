package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/purger"
)

// TestTrashStatesAndBulk: every deletion state in list and stats, the
// --state filter, a bulk restore from --ids-file and keep-until.
func TestTrashStatesAndBulk(t *testing.T) {
	_, url := pgtest.Get(t).CreateDatabase(t)
	pgtest.Exec(t, url, `
CREATE TABLE files (id bigint PRIMARY KEY, legal_hold boolean NOT NULL DEFAULT false, locked_by text,
    purge_at timestamptz, deleted_at timestamptz);
INSERT INTO files (id, deleted_at) SELECT g, now() - interval '1 day' FROM generate_series(1, 200) g;
UPDATE files SET legal_hold = true WHERE id = 1;
UPDATE files SET locked_by = 'alice' WHERE id = 2;
UPDATE files SET purge_at = now() - interval '1 hour' WHERE id IN (3, 4);`)
	config := filepath.Join(t.TempDir(), "config.yaml")
	yaml := "roles:\n  purge: " + pgtest.Get(t).RoleName(t, "purge") + "\ntables:\n" +
		"  public.files: { hold_column: legal_hold, lock_column: locked_by, purge_at_column: purge_at, retention: 30d }\n" +
		"purge:\n  database_urls: [ \"" + url + "\" ]\n"
	if err := os.WriteFile(config, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(stdin string, args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := trashCommand(cliCtx(t), append(args, "--config", config), strings.NewReader(stdin), &out, &errOut)
		return out.String() + errOut.String(), err
	}
	for state, want := range map[string]string{"held": "1", "locked": "2", "pending purge": "3 4", "trashed": ""} {
		out, err := run("", "list", "files", "--state", state, "--format", "json", "--limit", "1000")
		var rows []purger.TrashedRow
		if err != nil || json.Unmarshal([]byte(out), &rows) != nil {
			t.Fatalf("list --state %s: %v\n%s", state, err, out)
		}
		var keys []string
		for _, r := range rows {
			if r.State != state {
				t.Errorf("--state %s listed a row in state %s", state, r.State)
			}
			keys = append(keys, r.Key)
		}
		if want != "" && strings.Join(keys, " ") != want || want == "" && len(keys) != 196 {
			t.Errorf("--state %s: %v", state, keys)
		}
	}
	out, err := run("", "list", "files", "--limit", "1000")
	if err != nil || !strings.Contains(out, "never (locked)") || !strings.Contains(out, "pending purge") {
		t.Fatalf("list:\n%s", out)
	}
	if out, err := run("", "list", "files", "--state", "gone"); err == nil {
		t.Fatalf("unknown state accepted:\n%s", out)
	}
	out, err = run("", "stats", "--format", "json")
	var stats []purger.TableStats
	if err != nil || json.Unmarshal([]byte(out), &stats) != nil || len(stats) != 1 ||
		stats[0].Trashed != 200 || stats[0].Held != 1 || stats[0].Locked != 1 || stats[0].PendingPurge != 2 {
		t.Fatalf("stats: %v\n%s", err, out)
	}
	var ids strings.Builder
	for i := 100; i <= 200; i++ {
		ids.WriteString(strings.Repeat(" ", i%3) + strconv.Itoa(i) + "\n\n")
	}
	if out, err := run(ids.String(), "restore", "files", "--ids-file", "-"); err != nil || !strings.Contains(out, "restored 101 rows") {
		t.Fatalf("bulk restore: %v\n%s", err, out)
	}
	if out, err := run("", "keep-until", "files", "--id", "3", "--until", "never"); err != nil || !strings.Contains(out, "1 rows of files to never") {
		t.Fatalf("keep-until never: %v\n%s", err, out)
	}
	if out, err := run("", "keep-until", "files", "--id", "5", "--until", "2031-01-31"); err != nil || !strings.Contains(out, "2031-01-31T00:00:00Z") {
		t.Fatalf("keep-until a date: %v\n%s", err, out)
	}
	if _, err := run("", "keep-until", "files", "--id", "5"); err == nil {
		t.Fatal("keep-until without --until accepted")
	}
	if _, err := run("", "keep-until", "files", "--id", "5", "--until", "soon"); err == nil {
		t.Fatal("keep-until --until soon accepted")
	}
}
