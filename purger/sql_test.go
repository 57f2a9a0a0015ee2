package purger

import (
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
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
		t.Fatalf("%v (run go test ./purger -run %s -update to create it)", err, t.Name())
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

var sqlTables = map[string]policy.Table{
	"plain": {Schema: "public", Name: "contacts", Column: "deleted_at", Retention: 30 * 24 * time.Hour},
	"full": {Schema: "crm", Name: "Deals", Column: "removed_at", DeletedByColumn: "deleted_by",
		ReasonColumn: "deleted_reason", HoldColumn: "legal_hold", Retention: 90 * 24 * time.Hour},
	"forever": {Schema: "public", Name: "keep", Column: "deleted_at"},
}

func TestSQLGolden(t *testing.T) {
	for name, tbl := range sqlTables {
		t.Run(name, func(t *testing.T) {
			stmts := []string{
				"-- batch\n" + batchSQL(tbl),
				"-- count\n" + countSQL(tbl),
				"-- stats\n" + statsSQL(tbl),
				"-- restore\n" + restoreSQL(tbl, "id = 1\n"),
				"-- forget\n" + forgetSQL(tbl, "id = 1\n"),
				"-- list (one-column key)\n" + listSQL(tbl, keyText([]keyColumn{{"id", "bigint"}})),
				"-- list (composite key)\n" + listSQL(tbl, keyText([]keyColumn{{"a", "int"}, {"b", "text"}})),
				"-- list (no key)\n" + listSQL(tbl, keyText(nil)),
				"-- ids\n" + idPredicate(keyColumn{"id", "character varying(20)"}),
			}
			golden(t, filepath.Join("sql", name+".sql"), strings.Join(stmts, ";\n\n")+";\n")
		})
	}
}

func TestLockKeyStable(t *testing.T) {
	// The key is part of the contract between versions: two versions must
	// never purge one database at once.
	if got, want := LockKey("app"), LockKey("app"); got != want {
		t.Fatalf("unstable key")
	}
	if LockKey("app") == LockKey("app2") {
		t.Fatalf("databases share a key")
	}
	golden(t, "lockkey.txt", strings.Join([]string{
		"app " + itoa(LockKey("app")),
		"postgres " + itoa(LockKey("postgres")),
	}, "\n")+"\n")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
