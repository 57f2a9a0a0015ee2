package purger

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// The monitoring shipped in deploy/ is tested here, beside the metrics it
// reads.
var (
	alertsFile     = filepath.Join("..", "deploy", "prometheus", "alerts.yml")
	alertTestsFile = filepath.Join("..", "deploy", "prometheus", "alerts_test.yml")
	dashboardFile  = filepath.Join("..", "deploy", "grafana", "softdelete.json")
)

func TestAlertRulesWithPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		const how = "promtool is not installed: apt-get install prometheus (Debian ships promtool in it; .ci/run installs it)"
		if inCI() {
			t.Fatalf("%s; CI=%q requires every check to run", how, os.Getenv("CI"))
		}
		t.Skip(how + "; CI (CI=true) fails instead of skipping")
	}
	for _, args := range [][]string{{"check", "rules", alertsFile}, {"test", "rules", alertTestsFile}} {
		out, err := exec.Command(promtool, args...).CombinedOutput()
		if err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}

// inCI reports whether the CI variable is set (to anything but "", "0" or
// "false"): a test then fails instead of skipping for a missing tool.
func inCI() bool {
	switch os.Getenv("CI") {
	case "", "0", "false":
		return false
	}
	return true
}

// knownMetrics are the series names NewMetrics exposes (histograms with
// their _bucket, _sum and _count).
func knownMetrics(t *testing.T) map[string]bool {
	t.Helper()
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	// Touch every vector so that Gather returns it.
	m.Runs.WithLabelValues("d", "success")
	m.PurgedRows.WithLabelValues("d", "t")
	m.PurgedEvicted.WithLabelValues("d", "t")
	m.TableErrors.WithLabelValues("d", "t")
	m.LastSuccess.WithLabelValues("d")
	m.Leader.WithLabelValues("d")
	m.TrashRows.WithLabelValues("d", "t")
	m.BacklogRows.WithLabelValues("d", "t")
	m.OldestAge.WithLabelValues("d", "t")
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{}
	for _, f := range families {
		known[f.GetName()] = true
		if f.GetType().String() == "HISTOGRAM" {
			for _, s := range []string{"_bucket", "_sum", "_count"} {
				known[f.GetName()+s] = true
			}
		}
	}
	return known
}

var metricName = regexp.MustCompile(`softdelete_[a-z_]+`)

func TestDeployReferencesExistingMetrics(t *testing.T) {
	known := knownMetrics(t)
	for _, want := range []string{
		"softdelete_purge_runs_total", "softdelete_purged_rows_total", "softdelete_purged_evicted_rows_total", "softdelete_purge_duration_seconds",
		"softdelete_purge_batch_duration_seconds", "softdelete_purge_last_success_timestamp_seconds",
		"softdelete_purge_leader", "softdelete_trash_rows", "softdelete_purge_backlog_rows",
		"softdelete_trash_oldest_age_seconds",
	} {
		if !known[want] {
			t.Errorf("documented metric %s is not exposed", want)
		}
	}
	alerts, err := os.ReadFile(alertsFile)
	if err != nil {
		t.Fatal(err)
	}
	used := map[string]bool{}
	for _, n := range metricName.FindAllString(string(alerts), -1) {
		used[n] = true
	}
	for _, e := range dashboardExprs(t) {
		for _, n := range metricName.FindAllString(e, -1) {
			used[n] = true
		}
	}
	var unknown []string
	for n := range used {
		if !known[n] {
			unknown = append(unknown, n)
		}
	}
	sort.Strings(unknown)
	if len(unknown) > 0 {
		t.Errorf("deploy/ uses metrics the purger does not expose: %v", unknown)
	}
}

// dashboardExprs parses the Grafana dashboard and returns every query.
func dashboardExprs(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title  string `json:"title"`
		UID    string `json:"uid"`
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if dash.Title == "" || dash.UID == "" || len(dash.Panels) == 0 {
		t.Fatalf("%s: no title, uid or panels", dashboardFile)
	}
	var exprs []string
	for _, p := range dash.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
	}
	return exprs
}
