package rewrite

import (
	pg "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// walk visits every node under n, handing each nested statement (a
// subquery, a CTE, a data-modifying statement) to its rewriter. Common
// expression nodes are walked directly; everything else generically through
// protobuf reflection so that no node type can hide a subquery.
func (w *walker) walk(n *pg.Node) {
	if n == nil || w.err != nil {
		return
	}
	switch v := n.Node.(type) {
	case nil:
	case *pg.Node_SelectStmt:
		w.selectStmt(v.SelectStmt)
	case *pg.Node_InsertStmt:
		w.insertStmt(v.InsertStmt)
	case *pg.Node_UpdateStmt:
		w.updateStmt(v.UpdateStmt)
	case *pg.Node_DeleteStmt:
		w.deleteStmt(v.DeleteStmt)
	case *pg.Node_MergeStmt:
		w.mergeStmt(v.MergeStmt)
	case *pg.Node_ColumnRef, *pg.Node_AConst, *pg.Node_String_, *pg.Node_ParamRef,
		*pg.Node_AStar, *pg.Node_RangeVar, *pg.Node_Integer, *pg.Node_Float,
		*pg.Node_Boolean, *pg.Node_TypeName, *pg.Node_BitString, *pg.Node_SqlvalueFunction,
		*pg.Node_Alias:
	case *pg.Node_AExpr:
		w.walk(v.AExpr.Lexpr)
		w.walk(v.AExpr.Rexpr)
	case *pg.Node_BoolExpr:
		w.walkList(v.BoolExpr.Args)
	case *pg.Node_ResTarget:
		w.walk(v.ResTarget.Val)
		w.walkList(v.ResTarget.Indirection)
	case *pg.Node_TypeCast:
		w.walk(v.TypeCast.Arg)
	case *pg.Node_List:
		w.walkList(v.List.Items)
	case *pg.Node_SubLink:
		w.walk(v.SubLink.Testexpr)
		w.walk(v.SubLink.Subselect)
	case *pg.Node_NullTest:
		w.walk(v.NullTest.Arg)
	case *pg.Node_SortBy:
		w.walk(v.SortBy.Node)
	case *pg.Node_JoinExpr:
		w.walk(v.JoinExpr.Larg)
		w.walk(v.JoinExpr.Rarg)
		w.walk(v.JoinExpr.Quals)
	case *pg.Node_RangeSubselect:
		w.walk(v.RangeSubselect.Subquery)
	case *pg.Node_MultiAssignRef:
		// SET (a, b) = (SELECT …) repeats the source for every column.
		if v.MultiAssignRef.Colno <= 1 {
			w.walk(v.MultiAssignRef.Source)
		}
	default:
		w.walkFields(n.ProtoReflect())
	}
}

func (w *walker) walkList(l []*pg.Node) {
	for _, n := range l {
		w.walk(n)
	}
}

// walkFields walks every message-valued field of m.
func (w *walker) walkFields(m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len() && w.err == nil; i++ {
				w.walkMessage(l.Get(i).Message())
			}
		} else {
			w.walkMessage(v.Message())
		}
		return w.err == nil
	})
}

func (w *walker) walkMessage(m protoreflect.Message) {
	switch x := m.Interface().(type) {
	case *pg.Node:
		w.walk(x)
	case *pg.SelectStmt:
		w.selectStmt(x)
	case *pg.RangeVar, *pg.Alias, *pg.TypeName:
	default:
		w.walkFields(m)
	}
}

// minLocation returns the smallest location of any node under m, or -1.
func minLocation(n *pg.Node) int32 {
	if n == nil {
		return -1
	}
	min := int32(-1)
	eachLocation(n.ProtoReflect(), func(loc int32) {
		if loc >= 0 && (min < 0 || loc < min) {
			min = loc
		}
	})
	return min
}

type locator interface{ GetLocation() int32 }

// eachLocation calls f with the location of every node under m.
func eachLocation(m protoreflect.Message, f func(int32)) {
	if l, ok := m.Interface().(locator); ok {
		f(l.GetLocation())
	}
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				eachLocation(l.Get(i).Message(), f)
			}
		} else {
			eachLocation(v.Message(), f)
		}
		return true
	})
}

// constLocations records the location of every A_Const of the tree.
func constLocations(tree *pg.ParseResult, out map[int32]bool) {
	for _, raw := range tree.Stmts {
		eachNode(raw.Stmt, func(n *pg.Node) {
			if c, ok := n.Node.(*pg.Node_AConst); ok {
				out[c.AConst.Location] = true
			}
		})
	}
}

// eachNode calls f for n and every node below it. Common node types are
// walked directly, everything else through protobuf reflection.
func eachNode(n *pg.Node, f func(*pg.Node)) {
	if n == nil {
		return
	}
	f(n)
	switch v := n.Node.(type) {
	case nil, *pg.Node_AConst, *pg.Node_ColumnRef, *pg.Node_String_, *pg.Node_ParamRef,
		*pg.Node_AStar, *pg.Node_Integer, *pg.Node_Float, *pg.Node_Boolean, *pg.Node_RangeVar:
	case *pg.Node_AExpr:
		eachNode(v.AExpr.Lexpr, f)
		eachNode(v.AExpr.Rexpr, f)
	case *pg.Node_BoolExpr:
		eachNodes(v.BoolExpr.Args, f)
	case *pg.Node_ResTarget:
		eachNode(v.ResTarget.Val, f)
		eachNodes(v.ResTarget.Indirection, f)
	case *pg.Node_List:
		eachNodes(v.List.Items, f)
	case *pg.Node_SubLink:
		eachNode(v.SubLink.Testexpr, f)
		eachNode(v.SubLink.Subselect, f)
	case *pg.Node_NullTest:
		eachNode(v.NullTest.Arg, f)
	case *pg.Node_JoinExpr:
		eachNode(v.JoinExpr.Larg, f)
		eachNode(v.JoinExpr.Rarg, f)
		eachNode(v.JoinExpr.Quals, f)
	case *pg.Node_SelectStmt:
		eachSelect(v.SelectStmt, f)
	default:
		eachField(n.ProtoReflect(), f)
	}
}

func eachNodes(l []*pg.Node, f func(*pg.Node)) {
	for _, n := range l {
		eachNode(n, f)
	}
}

func eachSelect(s *pg.SelectStmt, f func(*pg.Node)) {
	if s == nil {
		return
	}
	for _, l := range [][]*pg.Node{s.DistinctClause, s.TargetList, s.FromClause, s.GroupClause,
		s.WindowClause, s.ValuesLists, s.SortClause, s.LockingClause} {
		eachNodes(l, f)
	}
	for _, n := range []*pg.Node{s.WhereClause, s.HavingClause, s.LimitOffset, s.LimitCount} {
		eachNode(n, f)
	}
	if s.WithClause != nil {
		eachField(s.WithClause.ProtoReflect(), f)
	}
	if s.IntoClause != nil {
		eachField(s.IntoClause.ProtoReflect(), f)
	}
	eachSelect(s.Larg, f)
	eachSelect(s.Rarg, f)
}

// eachField walks the message-valued fields of m.
func eachField(m protoreflect.Message, f func(*pg.Node)) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				eachMessage(l.Get(i).Message(), f)
			}
		} else {
			eachMessage(v.Message(), f)
		}
		return true
	})
}

func eachMessage(m protoreflect.Message, f func(*pg.Node)) {
	switch x := m.Interface().(type) {
	case *pg.Node:
		eachNode(x, f)
	case *pg.SelectStmt:
		eachSelect(x, f)
	default:
		eachField(m, f)
	}
}
