package proxy

import (
	"fmt"
	"strings"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// What the rewrite cannot make safe is refused before it reaches the
// server: statements whose names the server would resolve under other
// settings than the proxy rewrote them with.

// prepared is a statement prepared through the proxy: its plan, and the
// search_path it was rewritten under when its text names a managed table.
// PostgreSQL resolves the names of a prepared statement again when
// search_path changes; the proxy's rewrite cannot follow, so such a
// statement is refused under another search_path rather than risk running
// an unrewritten DELETE on a managed table.
type prepared struct {
	pl      *plan
	touches bool   // the text names a managed table
	path    string // search_path at prepare time
}

// currentPath is the search_path now in force.
func (rw *rwSession) currentPath() string {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	v, _ := rw.settings.get(settingSearchPath)
	return v
}

// stale reports whether pr may no longer run as rewritten: its text names a
// managed table and search_path changed since it was prepared.
func (rw *rwSession) stale(pr *prepared) bool {
	return pr != nil && pr.touches && pr.path != rw.currentPath()
}

func staleError(name, was, now string) *rewrite.Error {
	if name == "" {
		name = "(unnamed)"
	}
	return &rewrite.Error{Code: "0A000",
		Message: fmt.Sprintf("softdelete-proxy cannot run prepared statement %s under search_path %q: it names a soft-delete table and was prepared under search_path %q", name, now, was),
		Hint:    "Prepare the statement again after changing search_path (for pgx: use a new connection or clear the statement cache), or schema-qualify the table names."}
}

// checkQuery refuses what the rewrite cannot make safe in a query string:
// EXECUTE of a statement prepared under another search_path, and a SET of a
// tracked setting followed, in the same string, by statements that name a
// managed table (they were rewritten under the settings before the SET).
func (rw *rwSession) checkQuery(res *rewrite.Result, info prepared) error {
	for i := range res.Stmts {
		st := &res.Stmts[i]
		if st.ExecuteName != "" {
			if pr := rw.sqlPrep[st.ExecuteName]; rw.stale(pr) {
				return staleError(st.ExecuteName, pr.path, rw.currentPath())
			}
		}
		if st.Set != nil && i < len(res.Stmts)-1 && info.touches && (st.Set.ResetAll || isTracked(strings.ToLower(st.Set.Name))) {
			return &rewrite.Error{Code: "0A000",
				Message: "softdelete-proxy cannot apply a SET of " + setName(st.Set) + " to later statements of the same query string that name soft-delete tables",
				Hint:    "Send the SET as its own statement (a separate query string) before the statements it should affect."}
		}
	}
	return nil
}

func setName(e *rewrite.SetEffect) string {
	if e.ResetAll {
		return "ALL"
	}
	return e.Name
}
