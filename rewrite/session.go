package rewrite

import (
	"strconv"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// trackedSetting reports the settings whose SET/RESET the proxy follows:
// everything under softdelete., search_path, the role switches that change
// current_user (and so what "$user" means), and the two settings that
// change how the server lexes a statement (standard_conforming_strings,
// client_encoding, which SET NAMES sets).
func trackedSetting(name string) bool {
	switch name {
	case "search_path", "role", "session_authorization", "standard_conforming_strings", "client_encoding":
		return true
	}
	return strings.HasPrefix(name, "softdelete.")
}

// setEffect describes a SET/RESET statement, or nil when it changes nothing
// the proxy tracks.
func setEffect(v *pg.VariableSetStmt) *SetEffect {
	switch v.Kind {
	case pg.VariableSetKind_VAR_RESET_ALL:
		return &SetEffect{ResetAll: true, Reset: true, Local: v.IsLocal}
	case pg.VariableSetKind_VAR_SET_VALUE:
		if !trackedSetting(v.Name) {
			return nil
		}
		return &SetEffect{Name: v.Name, Value: flattenArgs(v.Args, v.Name == "search_path"), Local: v.IsLocal}
	case pg.VariableSetKind_VAR_SET_DEFAULT, pg.VariableSetKind_VAR_RESET:
		if !trackedSetting(v.Name) {
			return nil
		}
		return &SetEffect{Name: v.Name, Reset: true, Local: v.IsLocal}
	}
	return nil
}

// flattenArgs renders SET arguments the way PostgreSQL stores them
// (flatten_set_variable_args): list items joined by ", ", and for a list of
// identifiers such as search_path each string quoted as an identifier.
func flattenArgs(args []*pg.Node, identList bool) string {
	parts := make([]string, 0, len(args))
	for _, a := range args {
		if tc := a.GetTypeCast(); tc != nil {
			a = tc.Arg
		}
		c := a.GetAConst()
		if c == nil {
			continue
		}
		switch v := c.Val.(type) {
		case *pg.A_Const_Sval:
			s := v.Sval.Sval
			if identList {
				s = quoteIdent(s)
			}
			parts = append(parts, s)
		case *pg.A_Const_Ival:
			parts = append(parts, strconv.Itoa(int(v.Ival.Ival)))
		case *pg.A_Const_Fval:
			parts = append(parts, v.Fval.Fval)
		case *pg.A_Const_Boolval:
			parts = append(parts, strconv.FormatBool(v.Boolval.Boolval))
		}
	}
	return strings.Join(parts, ", ")
}
