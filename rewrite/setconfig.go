package rewrite

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// setConfigEffect reports `SELECT set_config('name', 'value', is_local)`
// with constant arguments, the function form of SET, so that the proxy can
// follow search_path and softdelete.* changed that way. Any other shape
// (more targets, a FROM clause, computed arguments) returns nil: its effect
// cannot be known from the text.
func setConfigEffect(s *pg.SelectStmt) *SetEffect {
	if s == nil || len(s.TargetList) != 1 || len(s.FromClause) != 0 || s.WhereClause != nil ||
		s.Op != pg.SetOperation_SETOP_NONE {
		return nil
	}
	fc := s.TargetList[0].GetResTarget().GetVal().GetFuncCall()
	if fc == nil || len(fc.Args) != 3 || !isSetConfig(fc.Funcname) {
		return nil
	}
	name, ok1 := constString(fc.Args[0])
	value, ok2 := constString(fc.Args[1])
	local, ok3 := constBool(fc.Args[2])
	if !ok1 || !ok2 || !ok3 {
		return nil
	}
	return &SetEffect{Name: strings.ToLower(name), Value: value, Local: local}
}

func isSetConfig(names []*pg.Node) bool {
	switch len(names) {
	case 1:
		return names[0].GetString_().GetSval() == "set_config"
	case 2:
		return names[0].GetString_().GetSval() == "pg_catalog" && names[1].GetString_().GetSval() == "set_config"
	}
	return false
}

func constString(n *pg.Node) (string, bool) {
	c := n.GetAConst()
	if c == nil || c.Isnull || c.GetSval() == nil {
		return "", false
	}
	return c.GetSval().GetSval(), true
}

func constBool(n *pg.Node) (bool, bool) {
	c := n.GetAConst()
	if c == nil || c.Isnull || c.GetBoolval() == nil {
		return false, false
	}
	return c.GetBoolval().GetBoolval(), true
}
