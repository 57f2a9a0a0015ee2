package rewrite

//go:generate go run ./internal/genvisit -o visit_gen.go

import pg "github.com/pganalyze/pg_query_go/v6"

// One visitor serves every traversal of the parse tree: visit calls f for a
// message and, when f returns true, for each of its children, which
// visitChildren (generated from pg_query_go's types, visit_gen.go) lists for
// every message type, so no node type or field can be missed. f sees both a
// *pg.Node and the message it wraps (a *pg.SelectStmt, a *pg.A_Const …).

// visit calls f for m and, while f returns true, for everything below m.
func visit(m any, f func(any) bool) {
	if f(m) {
		visitChildren(m, f)
	}
}

// visitNodes visits each non-nil node of l.
func visitNodes(l []*pg.Node, f func(any) bool) {
	for _, n := range l {
		if n != nil {
			visit(n, f)
		}
	}
}

// walk visits every node under n, handing each nested statement (a
// subquery, a CTE, a data-modifying statement) to its rewriter, which walks
// that statement's own parts.
func (w *walker) walk(n *pg.Node) {
	if n == nil || w.err != nil {
		return
	}
	visit(n, w.enterFn)
}

// walkParts walks every part of statement stmt but its WITH clause, which
// pushWith walked in the scope each CTE sees.
func (w *walker) walkParts(stmt any, with *pg.WithClause) {
	visitChildren(stmt, func(part any) bool {
		if wc, ok := part.(*pg.WithClause); !ok || wc != with {
			visit(part, w.enterFn)
		}
		return false
	})
}

// enter is the walk's visitor: statements go to their rewriter (which
// walks below them itself), everything else is descended into.
func (w *walker) enter(m any) bool {
	if w.err != nil {
		return false
	}
	switch x := m.(type) {
	case *pg.SelectStmt:
		w.selectStmt(x)
	case *pg.InsertStmt:
		w.insertStmt(x)
	case *pg.UpdateStmt:
		w.updateStmt(x)
	case *pg.DeleteStmt:
		w.deleteStmt(x)
	case *pg.MergeStmt:
		w.mergeStmt(x)
	case *pg.MultiAssignRef:
		// SET (a, b) = (SELECT …) repeats the source for every column.
		if x.Colno <= 1 {
			w.walk(x.Source)
		}
	default:
		return true
	}
	return false
}

type locator interface{ GetLocation() int32 }

// minLocation returns the smallest location of any node under n, or -1.
func minLocation(n *pg.Node) int32 {
	if n == nil {
		return -1
	}
	min := int32(-1)
	visit(n, func(m any) bool {
		if l, ok := m.(locator); ok {
			if loc := l.GetLocation(); loc >= 0 && (min < 0 || loc < min) {
				min = loc
			}
		}
		return true
	})
	return min
}

// constLocations records the location of every A_Const of the tree.
func constLocations(tree *pg.ParseResult, out map[int32]bool) {
	visit(tree, func(m any) bool {
		if c, ok := m.(*pg.A_Const); ok {
			out[c.Location] = true
		}
		return true
	})
}
