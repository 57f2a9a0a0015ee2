package tracker

import (
	"fmt"
	"strings"

	"github.com/softdelete-proxy/softdelete-proxy/rewrite"
)

// What the rewrite cannot make safe is refused before it reaches the
// server: statements the server would read under other settings than the
// proxy rewrote them with, and what the proxy could not learn.

// checkQuery refuses, in a Query's text: a SET of a tracked setting (or a
// statement whose effect on one is unsure) followed by statements that
// name a managed table (they were rewritten under the settings before
// it), and an invalid softdelete.visibility.
func (s *Session) checkQuery(res *rewrite.Result) error {
	for i := range res.Stmts {
		st := &res.Stmts[i]
		if err := checkVisibilityValue(st.Set); err != nil {
			return err
		}
		last := i == len(res.Stmts)-1
		if !last && res.Touches && changesResolution(st) {
			return &rewrite.Error{Code: "0A000",
				Message: "softdelete-proxy cannot apply " + effectName(st) + " to later statements of the same query string that name soft-delete tables",
				Hint:    "Send it as its own statement (a separate query string) before the statements it should affect."}
		}
	}
	return nil
}

// checkParse refuses a Parse the proxy cannot rewrite exactly.
func (s *Session) checkParse(res *rewrite.Result) error {
	for i := range res.Stmts {
		if err := checkVisibilityValue(res.Stmts[i].Set); err != nil {
			return err
		}
	}
	return nil
}

// unknownFactsError refuses a statement that names a managed table when
// the proxy does not know the session's settings (its probe failed).
func (s *Session) unknownFactsError() error {
	why := s.facts.failed
	if why == "" {
		why = "it has not been learned yet"
	}
	return &rewrite.Error{Code: "0A000",
		Message: "softdelete-proxy does not know this session's search_path and roles (" + why + "), so it cannot rewrite a statement on soft-delete tables",
		Hint:    "End the current transaction (the proxy asks the server again before the next one), or reconnect."}
}

// changesResolution reports statements after which, in the same text, the
// server would resolve names or rows otherwise than the proxy rewrote them.
func changesResolution(st *rewrite.Stmt) bool {
	if st.Unsure || st.CatalogChange {
		return true
	}
	if st.Set == nil {
		return false
	}
	if st.Set.ResetAll {
		return true
	}
	switch strings.ToLower(st.Set.Name) {
	case SearchPath, Visibility, AsOf, Role, SessionAuthorization:
		return true
	}
	return strings.HasPrefix(strings.ToLower(st.Set.Name), "softdelete.")
}

func effectName(st *rewrite.Stmt) string {
	switch {
	case st.Set != nil && st.Set.ResetAll:
		return "RESET ALL"
	case st.Set != nil:
		return "a SET of " + st.Set.Name
	case st.CatalogChange:
		return "a change of the catalog"
	}
	return "a set_config() call"
}

// checkVisibilityValue refuses a SET of softdelete.visibility to a value
// the proxy does not know, as PostgreSQL refuses a bad enum value.
func checkVisibilityValue(e *rewrite.SetEffect) error {
	if e == nil || e.Reset || !strings.EqualFold(e.Name, Visibility) {
		return nil
	}
	if _, ok := ParseVisibility(e.Value); ok {
		return nil
	}
	return &rewrite.Error{Code: "22023",
		Message: fmt.Sprintf("invalid value for parameter \"%s\": \"%s\"", Visibility, e.Value),
		Hint:    "Available values: active, deleted, all."}
}

// checkBind refuses to bind a statement that cannot run as rewritten.
func (s *Session) checkBind(name string, st *statement) error {
	return s.checkStatement(name, st)
}

// checkStatement refuses to run (Bind, EXECUTE) a prepared statement that
// names a managed table and was rewritten under another search_path
// (PostgreSQL would resolve its names again; the rewrite cannot follow),
// or under another policy that rewrites it differently now (checked under
// the settings in force now, with the visibility it was prepared under).
func (s *Session) checkStatement(name string, st *statement) error {
	if st == nil {
		return nil
	}
	now := s.rewriteSession()
	if st.touches && st.session.SearchPath != now.SearchPath {
		return staleError(name, st.session.SearchPath, now.SearchPath)
	}
	if err := s.checkAsOf(name, st, now); err != nil {
		return err
	}
	pol, err := s.rewritePolicy(st.text)
	if err != nil {
		return err
	}
	if st.version == pol.Version {
		return nil
	}
	same, touches, err := s.rewriteAsPrepared(st, pol, now)
	if err == nil && same {
		if touches && st.session.SearchPath != now.SearchPath {
			return staleError(name, st.session.SearchPath, now.SearchPath)
		}
		st.version, st.touches = pol.Version, touches
		return nil
	}
	return &rewrite.Error{Code: "0A000",
		Message: fmt.Sprintf("softdelete-proxy cannot run prepared statement %s: it was prepared before the soft-delete policy applied to it as it does now", unnamed(name)),
		Hint:    "Prepare the statement again (for pgx: reconnect or clear the statement cache)."}
}

// rewriteAsPrepared rewrites st's text again under pol and the settings in
// force now, with the visibility st was prepared under (a prepared
// statement keeps it), and says whether that is what the server was sent.
func (s *Session) rewriteAsPrepared(st *statement, pol *rewrite.Policy, now rewrite.Session) (same, touches bool, err error) {
	check := now
	check.Visibility = st.session.Visibility
	res, err := s.env.Rewriter.Rewrite(st.text, pol, &check)
	if err != nil {
		return false, false, err
	}
	return res.SQL == st.sent, res.Touches, nil
}

// unnamed is how errors name a prepared statement: the unnamed one too.
func unnamed(name string) string {
	if name == "" {
		return "(unnamed)"
	}
	return name
}

func staleError(name, was, now string) *rewrite.Error {
	return &rewrite.Error{Code: "0A000",
		Message: fmt.Sprintf("softdelete-proxy cannot run prepared statement %s under search_path %q: it names a soft-delete table and was prepared under search_path %q", unnamed(name), now, was),
		Hint:    "Prepare the statement again after changing search_path (for pgx: use a new connection or clear the statement cache), or schema-qualify the table names."}
}
