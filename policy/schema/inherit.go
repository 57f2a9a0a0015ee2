package schema

import (
	"fmt"
	"sort"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// The partitions and inheritance children of a managed table are managed
// too: guarded (guard.go), filtered by the proxy and purged through their
// parent. The proxy learns them from InheritanceSQL, run once per database
// on an upstream connection (simple protocol, text results), and expands
// the policy's tables with ExpandTables.

// InheritanceSQL lists every inheritance edge of the database (partitions
// and inheritance children alike), one row per edge, outside the system
// schemas. No parameters; every column is text:
//
//	parent_schema, parent_name   the parent table (raw names, as in pg_class)
//	child_schema, child_name     the partition or child
//	partition                    't' when the child is a partition, else 'f'
const InheritanceSQL = `SELECT pn.nspname::text, p.relname::text, cn.nspname::text, c.relname::text,
       CASE WHEN c.relispartition THEN 't' ELSE 'f' END
FROM pg_inherits i
JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = p.relnamespace
JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_namespace cn ON cn.oid = c.relnamespace
WHERE cn.nspname NOT IN ('pg_catalog', 'information_schema') AND cn.nspname NOT LIKE 'pg\_%'
ORDER BY 1, 2, 3, 4`

// InheritanceRow is one row of InheritanceSQL.
type InheritanceRow struct {
	Parent, Child policy.TableName
	Partition     bool
}

// ParseInheritanceRows reads the text rows of InheritanceSQL.
func ParseInheritanceRows(rows [][]string) ([]InheritanceRow, error) {
	out := make([]InheritanceRow, 0, len(rows))
	for i, r := range rows {
		if len(r) != 5 || (r[4] != "t" && r[4] != "f") {
			return nil, fmt.Errorf("inheritance row %d: want 5 columns ending in t or f, got %q", i+1, r)
		}
		out = append(out, InheritanceRow{Parent: policy.TableName{Schema: r[0], Name: r[1]},
			Child: policy.TableName{Schema: r[2], Name: r[3]}, Partition: r[4] == "t"})
	}
	return out, nil
}

// ExpandTables returns managed followed by the partitions and inheritance
// children, at any depth, of each of its tables (in the policy's order,
// parents before their children, siblings by name), each with the settings
// of the policy table it descends from. A descendant the policy names
// itself keeps its own settings, and so do its own descendants; a table is
// listed once. Line is the policy table's.
func ExpandTables(managed []policy.Table, rows []InheritanceRow) []policy.Table {
	children := map[policy.TableName][]policy.TableName{}
	for _, r := range rows {
		children[r.Parent] = append(children[r.Parent], r.Child)
	}
	for _, kids := range children {
		sort.Slice(kids, func(i, j int) bool { return kids[i].String() < kids[j].String() })
	}
	out := append([]policy.Table(nil), managed...)
	seen := map[policy.TableName]bool{}
	for _, t := range managed {
		seen[t.QualifiedName()] = true
	}
	for _, t := range managed {
		queue := append([]policy.TableName(nil), children[t.QualifiedName()]...)
		for len(queue) > 0 {
			n := queue[0]
			queue = queue[1:]
			if seen[n] {
				continue // in the policy itself, or reached twice
			}
			seen[n] = true
			d := t
			d.Schema, d.Name = n.Schema, n.Name
			out = append(out, d)
			queue = append(queue, children[n]...)
		}
	}
	return out
}
