package schema

import (
	"fmt"
	"strings"
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// TestGuardObjectsGolden pins the guard's generated DDL and fingerprints
// for a catalog built by hand: a plain table, a partitioned one with a
// partition, a tree under a parent outside the policy (row by row), and
// fixed roles. A change of the generated code shows here, and changes the
// fingerprints check compares.
func TestGuardObjectsGolden(t *testing.T) {
	c := &Catalog{Database: "app", ServerVersion: 150004, OwnSchema: true, OwnSchemaUsage: true, quoted: map[string]string{}}
	for _, id := range append(ownNames, "public", "contacts", "deals", "events_2024", "deleted_at", "gone") {
		c.quoted[id] = quoteDerived(id)
	}
	c.Roles = Roles{Purge: Role{Name: "softdelete_purger", Quoted: "softdelete_purger", Exists: true},
		HardDelete: []Role{{Name: "dba", Quoted: "dba", Exists: true}, {Name: "Ops", Quoted: `"Ops"`}}}
	c.Tables = []*TableInfo{
		{Table: policy.Table{Schema: "public", Name: "contacts", Column: "deleted_at", OnTruncate: "deny"}, Quoted: "public.contacts", OID: 1, Kind: "r"},
		{Table: policy.Table{Schema: "public", Name: "deals", Column: "gone", OnTruncate: "hard"}, Quoted: "public.deals", OID: 2, Kind: "p",
			Descendants: []Relative{{Quoted: "public.deals_eu", OID: 3, Kind: "r", Partition: true, Parent: "public.deals",
				Parents: []string{"public.deals"}, Clones: map[string]bool{"softdelete_privilege": true}}}},
		{Table: policy.Table{Schema: "public", Name: "events_2024", Column: "deleted_at", OnTruncate: "soft"}, Quoted: "public.events_2024", OID: 4, Kind: "r",
			Ancestors: []Relative{{Quoted: "public.events", OID: 5, Kind: "r"}}},
	}
	var b strings.Builder
	for _, o := range guardObjects(c) {
		fmt.Fprintf(&b, "-- %s %s", o.Kind, o.Name)
		if versioned(o.Kind) {
			fmt.Fprintf(&b, " (%s)", o.Fingerprint())
		}
		fmt.Fprintf(&b, "\n-- %s\n%s\n\n", o.Purpose, strings.Join(o.Create, "\n"))
	}
	golden(t, "guard_objects.sql", b.String())
}
