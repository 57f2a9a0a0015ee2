package rewrite

import (
	"fmt"
	"strings"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// walker rewrites the statements of one parsed query text. It collects text
// edits instead of changing the tree; err stops the walk.
type walker struct {
	sql  string
	toks []token
	pol  *Policy
	path []string // resolved search_path
	// shadows are unmanaged relations named like managed ones (Session.Shadows)
	shadows string
	vis     Visibility
	asOf    bool     // Session.AsOf
	hard    bool     // Session.CanHardDelete
	edits   []edit   // spliced into sql at the end
	ctes    []string // CTE names in scope, innermost last
	// quals are the qualifications of resolved names not yet spliced
	quals []pendingQual
	// setConfig: the text names set_config, so statements are searched
	// for its calls; plainCall is the call Stmt.Set describes.
	setConfig bool
	plainCall *pg.FuncCall
	err       *Error
	enterFn   func(any) bool // w.enter, bound once by cold (walk.go)
}

// fail records the first error; the walk stops at the next check.
func (w *walker) fail(code, format string, args ...any) {
	if w.err == nil {
		w.err = &Error{Code: code, Message: fmt.Sprintf(format, args...)}
	}
}

// internal reports a statement the splicer could not map onto its text.
func (w *walker) internal(what string) {
	w.fail(codeInternal, "softdelete-proxy cannot rewrite this statement safely (%s)", what)
}

func (w *walker) insert(pos int32, text string) {
	w.edits = append(w.edits, edit{start: pos, end: pos, text: text})
}

func (w *walker) replace(start, end int32, text string) {
	w.edits = append(w.edits, edit{start: start, end: end, text: text})
}

// managed returns the policy table rv names, resolving unqualified names
// through the search_path; nil for other tables and for CTE references.
func (w *walker) managed(rv *pg.RangeVar) *Table {
	if rv == nil {
		return nil
	}
	if rv.Schemaname != "" {
		return w.refused(w.pol.Lookup(rv.Schemaname, rv.Relname), rv)
	}
	if rv.Schemaname == "" && w.isCTE(rv.Relname) {
		return nil
	}
	return w.resolve(rv)
}

// target resolves a DML target (never a CTE reference).
func (w *walker) target(rv *pg.RangeVar) *Table {
	if rv == nil {
		return nil
	}
	return w.resolve(rv)
}

func (w *walker) isCTE(name string) bool {
	for i := len(w.ctes) - 1; i >= 0; i-- {
		if w.ctes[i] == name {
			return true
		}
	}
	return false
}

// qualifier is how the statement refers to rv: its alias, else its name as
// written (schema-qualified if it was).
func qualifier(rv *pg.RangeVar) string {
	if rv.Alias != nil && rv.Alias.Aliasname != "" {
		return quoteIdent(rv.Alias.Aliasname)
	}
	q := quoteIdent(rv.Relname)
	if rv.Schemaname != "" {
		q = quoteIdent(rv.Schemaname) + "." + q
	}
	if rv.Catalogname != "" {
		q = quoteIdent(rv.Catalogname) + "." + q
	}
	return q
}

// liveTest is the predicate for rows visible in mode vis: "" when every row is.
func liveTest(vis Visibility) string {
	switch vis {
	case VisibilityDeleted:
		return " IS NOT NULL"
	case VisibilityAll:
		return ""
	}
	return " IS NULL"
}

// readPred is the filter a read of rv needs, "" when none.
func (w *walker) readPred(rv *pg.RangeVar, t *Table) string {
	return w.visiblePred(qualifier(rv)+".", t)
}

// softSet is the SET list that trashes a row of t.
func softSet(t *Table) string {
	var b strings.Builder
	b.WriteString(quoteIdent(t.Column))
	b.WriteString(" = now()")
	if t.DeletedByColumn != "" {
		b.WriteString(", ")
		b.WriteString(quoteIdent(t.DeletedByColumn))
		b.WriteString(" = ")
		b.WriteString(actorExpr)
	}
	if t.ReasonColumn != "" {
		b.WriteString(", ")
		b.WriteString(quoteIdent(t.ReasonColumn))
		b.WriteString(" = ")
		b.WriteString(reasonExpr)
	}
	return b.String()
}

const (
	actorExpr    = `coalesce(nullif(current_setting('softdelete.actor', true), ''), session_user)`
	reasonExpr   = `current_setting('softdelete.reason', true)`
	codeInternal = "XX000"
	codeSyntax   = "42601"
	codeNotSupp  = "0A000"
	codePriv     = "42501"
)

// tableName is schema.name for messages.
func tableName(t *Table) string {
	return quoteIdent(t.Schema) + "." + quoteIdent(t.Name)
}

// addPreds splices preds into a WHERE clause located at wp.
func (w *walker) addPreds(wp wherePos, preds []string) {
	if len(preds) == 0 || w.err != nil {
		return
	}
	all := strings.Join(preds, " AND ")
	if wp.where < 0 {
		w.insert(w.toks[wp.at-1].end, " WHERE "+all)
		return
	}
	w.insert(w.toks[wp.where+1].start, "(")
	w.insert(w.toks[wp.end-1].end, ") AND "+all)
}
