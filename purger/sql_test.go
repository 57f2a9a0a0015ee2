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
	"dated": {Schema: "public", Name: "files", Column: "deleted_at", HoldColumn: "legal_hold", LockColumn: "locked",
		LockTest: `"locked" IS TRUE`, PurgeAtColumn: "purge_at", Retention: 30 * 24 * time.Hour},
	"dated_forever": {Schema: "public", Name: "files", Column: "deleted_at", PurgeAtColumn: "purge_at"},
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
				"-- evicted batch\n" + evictedBatchSQL(tbl),
				"-- evicted count\n" + evictedCountSQL(tbl),
			}
			golden(t, filepath.Join("sql", name+".sql"), strings.Join(stmts, ";\n\n")+";\n")
		})
	}
}

func TestLockKeyStable(t *testing.T) {
	// The key is part of the contract between versions: two versions must
	// never purge one database at once, so these values must never change.
	// They were computed outside Go (Python, FNV-1a 64 of
	// "softdelete-proxy purge\x00" + name, as a signed int64).
	for name, want := range map[string]int64{
		"app":      1674134244180262059,
		"postgres": -8684650199920349689,
		"":         6705189524913641312,
	} {
		if got := LockKey(name); got != want {
			t.Errorf("LockKey(%q) = %d, want %d: the purge lock key must never change", name, got, want)
		}
	}
	// And the function is FNV-1a 64 as doc.go says, for any name.
	for _, name := range []string{"app2", "My DB", "crm_ümlaut", strings.Repeat("x", 63)} {
		if got, want := LockKey(name), fnv1a64("softdelete-proxy purge\x00"+name); got != want {
			t.Errorf("LockKey(%q) = %d, want FNV-1a 64 %d", name, got, want)
		}
	}
	if LockKey("app") == LockKey("app2") {
		t.Fatalf("databases share a key")
	}
}

// fnv1a64 is FNV-1a 64 written out (offset basis and prime from the FNV spec),
// independent of hash/fnv.
func fnv1a64(s string) int64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return int64(h)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
