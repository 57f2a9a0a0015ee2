package purger

import (
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// FuzzCheckWhere: whatever checkWhere accepts stays one operand of the AND
// it is put in (as restoreSQL and forgetSQL use it), so it can never widen
// the statement beyond the trashed rows.
func FuzzCheckWhere(f *testing.F) {
	for _, s := range []string{"id = 1", "a = 1 OR b = 2", "true) OR (true", "x -- c", "$$)$$ = n",
		"1) FROM t WHERE (true", "id = 1 /* c */", "(a)", "'('", `")" = 1`, "id IN (SELECT 1)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, where string) {
		if checkWhere(where) != nil {
			return
		}
		sql := "SELECT 1 FROM t WHERE false AND (" + where + "\n) AND true"
		res, err := pg_query.Parse(sql)
		if err != nil {
			t.Fatalf("accepted %q but %q does not parse: %v", where, sql, err)
		}
		if len(res.Stmts) != 1 {
			t.Fatalf("accepted %q gives %d statements", where, len(res.Stmts))
		}
		sel := res.Stmts[0].GetStmt().GetSelectStmt()
		and := sel.GetWhereClause().GetBoolExpr()
		if and == nil || and.Boolop != pg_query.BoolExprType_AND_EXPR || len(and.Args) != 3 {
			t.Fatalf("accepted %q is not one AND operand in %q", where, sql)
		}
		if c := and.Args[0].GetAConst(); c == nil || c.GetBoolval() == nil || c.GetBoolval().Boolval {
			t.Fatalf("accepted %q changed the first operand of %q", where, sql)
		}
		if c := and.Args[2].GetAConst(); c == nil || c.GetBoolval() == nil || !c.GetBoolval().Boolval {
			t.Fatalf("accepted %q changed the last operand of %q", where, sql)
		}
	})
}
