package proxy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// Where the proxy differs from the reference by design, a shape case says
// exactly how, keyed "case/protocol" (a case of
// testdata/softdelete/shapes.txt): the step that differs and what it must
// give instead. Every other step, and the trash invariant, must still be
// equal; an entry that no case uses, or whose difference is gone, fails.
type expectation struct {
	step int // the index of the step (0-based) that differs

	// refused: the proxy refuses the step with exactly this error (the
	// rewrite cannot follow what the server would do). The reference runs
	// refusalStandIn in its place, which raises the same error and does
	// nothing else, so the steps after it compare as usual.
	refused *refusal

	// returned: the step's RETURNING * shows the trashed rows as they are
	// stored now (deleted_at set), as this query reads them on the soft
	// database; the reference shows the same rows with deleted_at NULL.
	returned string
}

// refusal is an ErrorResponse as a client sees it. Message may hold
// {stmt}: the name pgx's statement cache gives the step's text.
type refusal struct{ code, message, hint string }

const (
	stalePathHint = "Prepare the statement again after changing search_path (for pgx: use a new connection or clear the statement cache), " +
		"or schema-qualify the table names."
	sameStringHint = "Send it as its own statement (a separate query string) before the statements it should affect."
)

// staleStatement is the refusal of a statement prepared under search_path
// was, run under now.
func staleStatement(now, was string) *refusal {
	return &refusal{code: "0A000",
		message: fmt.Sprintf("softdelete-proxy cannot run prepared statement {stmt} under search_path %q: "+
			"it names a soft-delete table and was prepared under search_path %q", now, was),
		hint: stalePathHint}
}

var shapeExpectations = map[string]expectation{
	// PostgreSQL 15 has no RETURNING OLD: the rewritten UPDATE returns the
	// row as trashed (README, Limits).
	"delete returning star/simple":   {step: 0, returned: "SELECT * FROM t WHERE id = 2"},
	"delete returning star/extended": {step: 0, returned: "SELECT * FROM t WHERE id = 2"},

	// A SET of search_path followed by statements on managed tables in one
	// query string: the whole string is refused before anything runs.
	"multi-statement string with a set and a delete/simple": {step: 0, refused: &refusal{code: "0A000",
		message: "softdelete-proxy cannot apply a SET of search_path to later statements of the same query string that name soft-delete tables",
		hint:    sameStringHint}},

	// pgx's statement cache runs the text prepared earlier: under another
	// search_path the server would resolve its names again, which the
	// rewrite cannot follow.
	"search_path set then reset/extended": {step: 3, refused: staleStatement(`"$user", public`, "s2")},
	"prepared statement reused across a search_path change (to an unmanaged table)/extended": {step: 2,
		refused: staleStatement("s2, public", `"$user", public`)},
	"prepared statement reused across a search_path change (to the managed table)/extended": {step: 3,
		refused: staleStatement(`"$user", public`, "s2, public")},
}

// pgxStatementName is the name pgx's statement cache prepares sql under.
func pgxStatementName(sql string) string {
	sum := sha256.Sum256([]byte(sql))
	return "stmtcache_" + hex.EncodeToString(sum[:24])
}

// outcome is the refusal as runStmt reports it, for the step sql.
func (r *refusal) outcome(sql string) outcome {
	msg := strings.ReplaceAll(r.message, "{stmt}", pgxStatementName(sql))
	if r.hint != "" {
		msg += " HINT: " + r.hint
	}
	return outcome{Code: r.code, Msg: msg}
}

// refusalStandIn is a statement that fails exactly as the refusal of sql
// does, and does nothing else.
func (r *refusal) standIn(sql string) string {
	lit := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	return fmt.Sprintf("DO $sd$ BEGIN RAISE EXCEPTION USING ERRCODE = %s, MESSAGE = %s, HINT = %s; END $sd$",
		lit(r.code), lit(strings.ReplaceAll(r.message, "{stmt}", pgxStatementName(sql))), lit(r.hint))
}

// expectations hands out the entries of a table to the cases that use
// them, and fails the test for those no case used.
type expectations struct {
	all  map[string]expectation
	used map[string]bool
}

func newExpectations(all map[string]expectation) *expectations {
	return &expectations{all: all, used: map[string]bool{}}
}

// forCase returns the entry of key, if any, and marks it used.
func (e *expectations) forCase(key string) (expectation, bool) {
	x, ok := e.all[key]
	if ok {
		e.used[key] = true
	}
	return x, ok
}

// checkAllUsed fails t for every entry no case asked for: a case renamed
// or removed leaves a stale entry behind.
func (e *expectations) checkAllUsed(t *testing.T) {
	t.Helper()
	var stale []string
	for k := range e.all {
		if !e.used[k] {
			stale = append(stale, k)
		}
	}
	sort.Strings(stale)
	for _, k := range stale {
		t.Errorf("shapeExpectations[%q] matches no case that ran: remove or rename it", k)
	}
}
