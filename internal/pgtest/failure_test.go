package pgtest_test

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// fatalTB records what Fatalf says instead of failing the real test.
type fatalTB struct {
	testing.TB
	msg      string
	cleanups []func()
}

func (f *fatalTB) Helper()           {}
func (f *fatalTB) Cleanup(fn func()) { f.cleanups = append(f.cleanups, fn) }
func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// runFatal calls fn on a fatalTB in its own goroutine and returns the Fatalf message ("" if none).
func runFatal(t *testing.T, fn func(testing.TB)) string {
	f := &fatalTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	for i := len(f.cleanups) - 1; i >= 0; i-- {
		f.cleanups[i]()
	}
	return f.msg
}

func TestStartClusterFailureReportsServerLog(t *testing.T) {
	t.Parallel()
	msg := runFatal(t, func(tb testing.TB) {
		pgtest.StartCluster(tb, pgtest.ClusterOptions{Settings: map[string]string{"no_such_setting": "1"}})
	})
	for _, want := range []string{"pg_ctl", "server log", "no_such_setting"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message lacks %q:\n%s", want, msg)
		}
	}
	m := regexp.MustCompile(`cluster in (\S+) \(now removed\)`).FindStringSubmatch(msg)
	if m == nil {
		t.Fatalf("failure message names no cluster dir:\n%s", msg)
	}
	if _, err := os.Stat(m[1]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("failed cluster's dir %s still there (%v)", m[1], err)
	}
}

func TestStartClusterBadUserMethod(t *testing.T) {
	msg := runFatal(t, func(tb testing.TB) {
		pgtest.StartCluster(tb, pgtest.ClusterOptions{Users: []pgtest.User{{Name: "u", Password: "p", Method: "trust"}}})
	})
	if !strings.Contains(msg, `unknown user method "trust"`) {
		t.Errorf("failure message: %q", msg)
	}
}
