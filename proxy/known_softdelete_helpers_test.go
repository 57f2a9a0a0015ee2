package proxy

import (
	"regexp"
	"strings"
	"testing"
)

// knownFailures lists the cases that fail because the rewrite engine or the
// proxy wiring does not handle them (yet), keyed "case/protocol": a case of
// testdata/softdelete/shapes.txt, or a test name of visibility_test.go. They
// run, their differences are logged (KNOWN FAILURE …) and counted, and they
// do not fail the test. Keep the list short and honest: remove an entry as
// soon as the log says it passes.
var knownFailures = func() map[string]string {
	k := map[string]string{}
	both := func(name, reason string) {
		k[name+"/simple"] = reason
		k[name+"/extended"] = reason
	}

	// RETURNING * of a DELETE must show the row as it was (deleted_at NULL);
	// the rewritten UPDATE returns the new deleted_at.
	both("delete returning star", "RETURNING * shows the new deleted_at instead of NULL")

	// By design the proxy refuses (0A000) what it cannot rewrite safely: a
	// SET of search_path followed by statements on managed tables in one
	// query string, and a prepared statement naming a managed table run
	// under another search_path than it was prepared under (the server would
	// re-resolve its names; unrewritten, that could be a hard delete). The
	// reference database runs them.
	k["multi-statement string with a set and a delete/simple"] = "refused by design: SET search_path and a DELETE in one query string"
	k["search_path set then reset/extended"] = "refused by design: a DELETE prepared under search_path=s2 run after RESET search_path"
	k["prepared statement reused across a search_path change (to an unmanaged table)/extended"] = "refused by design: a SELECT prepared under search_path public run under s2, public"
	k["prepared statement reused across a search_path change (to the managed table)/extended"] = "refused by design: a SELECT prepared under search_path s2, public run under public"

	k["TestVisibilityInOneQueryString/simple"] = "refused by design: a SET of softdelete.visibility followed by statements on t in one query string"
	return k
}()

// refusedByDesign starts the reason of cases where the proxy refuses with
// 0A000 what it cannot rewrite safely; report checks that it did.
const refusedByDesign = "refused by design"

var refusal0A000 = regexp.MustCompile(`got:\s*ERROR 0A000`)

// knownList tracks cases that are known to fail: they are run and logged,
// counted, and do not fail the test.
type knownList struct {
	reasons         map[string]string
	failing, passed []string
}

// report records the problems of the case key; it fails t unless key is a
// known failure.
func (k *knownList) report(t *testing.T, key string, problems []string) {
	t.Helper()
	reason, known := k.reasons[key]
	switch {
	case known && strings.HasPrefix(reason, refusedByDesign) && !refusal0A000.MatchString(strings.Join(problems, "\n")):
		// A designed refusal is asserted: the difference must be the 0A000.
		t.Errorf("%s: want the proxy's 0A000 refusal (%s), got:\n%s", key, reason, strings.Join(problems, "\n"))
	case known && len(problems) > 0:
		k.failing = append(k.failing, key)
		t.Logf("KNOWN FAILURE (%s): %s", reason, strings.Join(problems, "\n"))
	case known:
		k.passed = append(k.passed, key)
		t.Logf("known failure %q now passes: remove it from knownFailures", key)
	case len(problems) > 0:
		t.Errorf("%s", strings.Join(problems, "\n"))
	}
}

func (k *knownList) summary(t *testing.T) {
	t.Logf("known failures: %d still failing %v; %d now passing %v", len(k.failing), k.failing, len(k.passed), k.passed)
}
