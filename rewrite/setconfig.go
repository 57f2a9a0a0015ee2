package rewrite

import (
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// set_config(name, value, is_local) is SET as a function. Its one form whose
// effect the text tells is the plain statement
//
//	SELECT set_config('name', 'value', is_local)
//
// with constant arguments (casts to text or boolean allowed) and no other
// clause: it runs exactly once, and Stmt.Set describes it. Every other call
// of set_config that may change a tracked setting (its name is tracked or
// not a constant) runs as many times as rows or conditions decide, with
// values the proxy may not know: Stmt.Unsure. So does an UPDATE of
// pg_settings, whose rule is a set_config call.

// setConfigEffect describes the plain form of s (nil when s is not one),
// and reports the call it describes so that the search for other calls
// skips it. unsure is set when it is the plain form of a tracked setting
// whose value or is_local the text does not tell.
func setConfigEffect(s *pg.SelectStmt) (e *SetEffect, plain *pg.FuncCall, unsure bool) {
	fc := plainSetConfig(s)
	if fc == nil {
		return nil, nil, false
	}
	name, ok := constText(fc.Args[0])
	if !ok {
		return nil, nil, false // the search for calls reports it
	}
	name = strings.ToLower(name)
	value, isNull, ok1 := constValue(fc.Args[1])
	local, ok2 := constBool(fc.Args[2])
	if !ok1 || !ok2 {
		return nil, fc, trackedSetting(name)
	}
	if isNull { // set_config(name, NULL, …) resets, as RESET does
		return &SetEffect{Name: name, Reset: true, Local: local}, fc, false
	}
	return &SetEffect{Name: name, Value: value, Local: local}, fc, false
}

// plainSetConfig returns the set_config call of `SELECT set_config(a, b, c)`
// when the SELECT has no other target and no clause that could make the
// call run zero or several times (FROM, WHERE, HAVING, LIMIT, a set
// operation …), else nil.
func plainSetConfig(s *pg.SelectStmt) *pg.FuncCall {
	if s == nil || len(s.TargetList) != 1 || s.Op != pg.SetOperation_SETOP_NONE ||
		len(s.FromClause) != 0 || s.WhereClause != nil || len(s.GroupClause) != 0 || s.HavingClause != nil ||
		len(s.DistinctClause) != 0 || len(s.WindowClause) != 0 || len(s.SortClause) != 0 ||
		s.LimitCount != nil || s.LimitOffset != nil || len(s.LockingClause) != 0 ||
		s.WithClause != nil || s.IntoClause != nil || len(s.ValuesLists) != 0 {
		return nil
	}
	rt := s.TargetList[0].GetResTarget()
	if rt == nil || len(rt.Indirection) != 0 {
		return nil
	}
	fc := rt.GetVal().GetFuncCall()
	if fc == nil || len(fc.Args) != 3 || !isPgSetConfig(fc.Funcname) || isAggregateLike(fc) {
		return nil
	}
	return fc
}

func isAggregateLike(fc *pg.FuncCall) bool {
	return len(fc.AggOrder) != 0 || fc.AggFilter != nil || fc.Over != nil || fc.AggStar || fc.AggDistinct || fc.FuncVariadic
}

// isPgSetConfig reports set_config or pg_catalog.set_config.
func isPgSetConfig(names []*pg.Node) bool {
	switch len(names) {
	case 1:
		return names[0].GetString_().GetSval() == "set_config"
	case 2:
		return names[0].GetString_().GetSval() == "pg_catalog" && names[1].GetString_().GetSval() == "set_config"
	}
	return false
}

// namedSetConfig reports a function named set_config in any schema: a
// wrapper of that name is treated like the real one.
func namedSetConfig(names []*pg.Node) bool {
	return len(names) > 0 && names[len(names)-1].GetString_().GetSval() == "set_config"
}

// setConfigUnsure reports whether n holds a call of set_config, other than
// skip, that may change a tracked setting: its name is tracked, or is not
// a constant the text tells. An UPDATE of pg_settings is one too (its rule
// calls set_config for each row).
func setConfigUnsure(n *pg.Node, skip *pg.FuncCall) bool {
	unsure := false
	visit(n, func(m any) bool {
		if unsure {
			return false
		}
		if u, ok := m.(*pg.UpdateStmt); ok && u.GetRelation().GetRelname() == "pg_settings" {
			unsure = true
			return false
		}
		fc, ok := m.(*pg.FuncCall)
		if !ok || fc == skip || !namedSetConfig(fc.Funcname) {
			return true
		}
		if len(fc.Args) != 3 {
			unsure = true
			return false
		}
		name, ok := constText(fc.Args[0])
		unsure = !ok || trackedSetting(strings.ToLower(name))
		return true
	})
	return unsure
}

// constText is a string constant, or one cast to text or varchar.
func constText(n *pg.Node) (string, bool) {
	if tc := n.GetTypeCast(); tc != nil {
		if !isTypeName(tc.TypeName, "text") && !isTypeName(tc.TypeName, "varchar") {
			return "", false
		}
		n = tc.Arg
	}
	c := n.GetAConst()
	if c == nil || c.Isnull || c.GetSval() == nil {
		return "", false
	}
	return c.GetSval().GetSval(), true
}

// constValue is constText, or NULL (isNull set).
func constValue(n *pg.Node) (v string, isNull, ok bool) {
	if tc := n.GetTypeCast(); tc != nil && (isTypeName(tc.TypeName, "text") || isTypeName(tc.TypeName, "varchar")) {
		if c := tc.Arg.GetAConst(); c != nil && c.Isnull {
			return "", true, true
		}
	}
	if c := n.GetAConst(); c != nil && c.Isnull {
		return "", true, true
	}
	v, ok = constText(n)
	return v, false, ok
}

// constBool is a boolean constant as PostgreSQL reads one for a boolean
// parameter: true/false, a string boolin accepts ('on', 'yes', 't' …),
// either cast to boolean, or NULL (which set_config takes as false).
func constBool(n *pg.Node) (bool, bool) {
	if tc := n.GetTypeCast(); tc != nil {
		if !isTypeName(tc.TypeName, "bool") {
			return false, false
		}
		n = tc.Arg
	}
	c := n.GetAConst()
	switch {
	case c == nil:
		return false, false
	case c.Isnull:
		return false, true
	case c.GetBoolval() != nil:
		return c.GetBoolval().GetBoolval(), true
	case c.GetSval() != nil:
		return parseBool(c.GetSval().GetSval())
	}
	return false, false
}

// isTypeName reports the type name `name` or `pg_catalog.name` with no
// modifier or array bounds.
func isTypeName(t *pg.TypeName, name string) bool {
	if t == nil || t.Setof || t.PctType || len(t.Typmods) != 0 || len(t.ArrayBounds) != 0 {
		return false
	}
	switch n := t.Names; len(n) {
	case 1:
		return n[0].GetString_().GetSval() == name
	case 2:
		return n[0].GetString_().GetSval() == "pg_catalog" && n[1].GetString_().GetSval() == name
	}
	return false
}

// parseBool reads a boolean as PostgreSQL's boolin does: surrounding
// whitespace ignored, any case, a unique prefix of true/false/yes/no, on,
// off (at least "of"), 1 or 0.
func parseBool(s string) (bool, bool) {
	s = strings.ToLower(strings.Trim(s, " \t\n\r\f\v"))
	if s == "" {
		return false, false
	}
	switch {
	case s == "1" || s == "on":
		return true, true
	case s == "0" || len(s) >= 2 && strings.HasPrefix("off", s):
		return false, true
	case strings.HasPrefix("true", s) || strings.HasPrefix("yes", s):
		return true, true
	case strings.HasPrefix("false", s) || strings.HasPrefix("no", s):
		return false, true
	}
	return false, false
}
