package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
	"github.com/softdelete-proxy/softdelete-proxy/purger"
)

// TestTrashEvictedCommand: trash evicted lists the records of evicted rows
// and --restore puts one back; onto a key a live row holds it fails with
// 23505, says what to do, and keeps the record.
func TestTrashEvictedCommand(t *testing.T) {
	url, config := cliDB(t)
	if code, out, errOut := runCLI(t, "migrate", "--config", config, "--database-url", url, "--apply"); code != 0 {
		t.Fatalf("migrate: exit %d\n%s%s", code, out, errOut)
	}
	pgtest.Exec(t, url, `INSERT INTO contacts VALUES (7, 'new', NULL)`) // evicts trashed contact 7
	code, out, errOut := runCLI(t, "trash", "evicted", "contacts", "--format", "json", "--config", config)
	var recs []purger.EvictedRecord
	if code != 0 || json.Unmarshal([]byte(out), &recs) != nil || len(recs) != 1 || recs[0].Table != "public.contacts" ||
		!strings.Contains(string(recs[0].Content), `"id": 7`) {
		t.Fatalf("trash evicted contacts: exit %d\n%s%s", code, out, errOut)
	}
	id := strconv.FormatInt(recs[0].ID, 10)
	code, out, _ = runCLI(t, "trash", "evicted", "--older-than", "1h", "--config", config)
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "ID  TABLE  KEY  REASON  AT  CONTENT") {
		t.Errorf("trash evicted --older-than 1h: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "trash", "evicted", "--config", config)
	if code != 0 || !strings.Contains(out, "public.contacts  primary key contacts_pkey (id)  a new row took its key") {
		t.Errorf("trash evicted: exit %d\n%s", code, out)
	}

	code, out, errOut = runCLI(t, "trash", "evicted", "--restore", id, "--config", config)
	if code == 0 || !strings.Contains(errOut, "SQLSTATE 23505") || !strings.Contains(errOut, "Key (id)=(7) already exists") ||
		!strings.Contains(errOut, "then run trash evicted --restore "+id+" again") {
		t.Fatalf("restore onto a live row's key: exit %d\n%s%s", code, out, errOut)
	}
	pgtest.Exec(t, url, `UPDATE contacts SET deleted_at = now() WHERE id = 7`)
	code, out, errOut = runCLI(t, "trash", "evicted", "--restore", id, "--actor", "dba:carol", "--config", config)
	if code != 0 || !strings.Contains(out, "restored evicted record "+id+" into public.contacts") ||
		!strings.Contains(errOut, `"action":"restore-evicted"`) || !strings.Contains(errOut, `"actor":"dba:carol"`) {
		t.Fatalf("restore: exit %d\n%s%s", code, out, errOut)
	}
	code, out, _ = runCLI(t, "trash", "list", "contacts", "--config", config)
	if code != 0 || !strings.Contains(out, "\n7 ") {
		t.Errorf("the restored contact 7 is not in the trash: exit %d\n%s", code, out)
	}
	if code, _, errOut = runCLI(t, "trash", "evicted", "contacts", "--restore", id, "--config", config); code != 2 ||
		!strings.Contains(errOut, "--restore takes no TABLE") {
		t.Errorf("--restore with a TABLE: exit %d\n%s", code, errOut)
	}
	if code, _, _ = runCLI(t, "trash", "evicted", "contacts", "deals", "--config", config); code != 2 {
		t.Errorf("two tables: exit %d", code)
	}
}
