package purger

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

// purgeOrder returns tables with every referencing (child) table before the
// tables it references, reading the foreign keys from pg_constraint, so that
// a child's trashed rows go before their trashed parents. Otherwise the
// config order is kept. Tables on a cycle keep config order after the rest;
// cyclic reports whether there was one.
func purgeOrder(ctx context.Context, conn *pgx.Conn, tables []policy.Table) (ordered []policy.Table, cyclic bool, err error) {
	rows, err := conn.Query(ctx, fkEdgesSQL)
	if err != nil {
		return nil, false, err
	}
	var edges [][2]string // child, parent
	var cs, cn, ps, pn string
	_, err = pgx.ForEachRow(rows, []any{&cs, &cn, &ps, &pn}, func() error {
		edges = append(edges, [2]string{cs + "." + cn, ps + "." + pn})
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	ordered, cyclic = childrenFirst(tables, edges)
	return ordered, cyclic, nil
}

// childrenFirst is a stable topological sort: repeatedly take, in config
// order, the first table that no remaining managed table references.
func childrenFirst(tables []policy.Table, edges [][2]string) ([]policy.Table, bool) {
	index := make(map[string]int, len(tables))
	for i, t := range tables {
		index[tableName(t)] = i
	}
	referencedBy := make([]map[int]bool, len(tables)) // parent -> children
	for _, e := range edges {
		c, okc := index[e[0]]
		p, okp := index[e[1]]
		if !okc || !okp || c == p {
			continue
		}
		if referencedBy[p] == nil {
			referencedBy[p] = map[int]bool{}
		}
		referencedBy[p][c] = true
	}
	done := make([]bool, len(tables))
	out := make([]policy.Table, 0, len(tables))
	for len(out) < len(tables) {
		next := -1
		for i := range tables {
			if !done[i] && !hasPending(referencedBy[i], done) {
				next = i
				break
			}
		}
		if next < 0 { // a cycle: keep config order for what is left
			for i, t := range tables {
				if !done[i] {
					out = append(out, t)
				}
			}
			return out, true
		}
		done[next] = true
		out = append(out, tables[next])
	}
	return out, false
}

func hasPending(children map[int]bool, done []bool) bool {
	for c := range children {
		if !done[c] {
			return true
		}
	}
	return false
}
