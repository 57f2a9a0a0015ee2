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

// UnmanagedAncestors returns, for each ancestor (parent, grandparent …) of
// a table of tables that is not itself in tables, the tables of tables
// below it: reads of such an ancestor reach their rows unfiltered, so the
// proxy refuses statements that name it. Ancestors come in name order.
func UnmanagedAncestors(tables []policy.Table, rows []InheritanceRow) []Ancestor {
	parents := map[policy.TableName][]policy.TableName{}
	for _, r := range rows {
		parents[r.Child] = append(parents[r.Child], r.Parent)
	}
	in := map[policy.TableName]bool{}
	for _, t := range tables {
		in[t.QualifiedName()] = true
	}
	below := map[policy.TableName]map[policy.TableName]bool{}
	for _, t := range tables {
		start := t.QualifiedName()
		seen := map[policy.TableName]bool{}
		queue := append([]policy.TableName(nil), parents[start]...)
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			if seen[p] {
				continue
			}
			seen[p] = true
			queue = append(queue, parents[p]...)
			if in[p] {
				continue
			}
			if below[p] == nil {
				below[p] = map[policy.TableName]bool{}
			}
			below[p][start] = true
		}
	}
	out := make([]Ancestor, 0, len(below))
	for p, kids := range below {
		a := Ancestor{Table: p}
		for k := range kids {
			a.Managed = append(a.Managed, k)
		}
		sort.Slice(a.Managed, func(i, j int) bool { return a.Managed[i].String() < a.Managed[j].String() })
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Table.String() < out[j].Table.String() })
	return out
}

// Ancestor is an unmanaged table above managed ones.
type Ancestor struct {
	Table   policy.TableName
	Managed []policy.TableName // the managed tables below it
}
