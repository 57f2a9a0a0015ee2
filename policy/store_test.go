package policy

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.uber.org/zap"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

// metricValue reads one sample from reg; labels are name=value pairs.
func metricValue(t *testing.T, reg *prometheus.Registry, name string, labels ...string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
	next:
		for _, m := range mf.GetMetric() {
			for i := 0; i+1 < len(labels); i += 2 {
				found := false
				for _, l := range m.GetLabel() {
					found = found || (l.GetName() == labels[i] && l.GetValue() == labels[i+1])
				}
				if !found {
					continue next
				}
			}
			if c := m.GetCounter(); c != nil {
				return c.GetValue()
			}
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no sample %s%v", name, labels)
	return 0
}

func newTestStore(t *testing.T, body string) (*Store, string, *prometheus.Registry) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	writeFile(t, path, body)
	reg := prometheus.NewRegistry()
	clock := time.Unix(1700000000, 0)
	s, err := NewStore(path, StoreOptions{
		Metrics: NewMetrics(reg),
		Adjust:  func(c *Config) { c.Listen = "127.0.0.1:0" },
		Now:     func() time.Time { return clock },
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, path, reg
}

func TestStoreReload(t *testing.T) {
	s, path, reg := newTestStore(t, "tables: {public.a: {}}\n")
	first := s.Current()
	if first.Version != 1 || first.Policy.Lookup("public", "a") == nil || first.Config.Listen != "127.0.0.1:0" {
		t.Fatalf("first snapshot %+v", first)
	}
	if got := metricValue(t, reg, "softdelete_config_last_reload_success_timestamp_seconds"); got != 1700000000 {
		t.Errorf("last success = %v", got)
	}
	var hooked []uint64
	s.OnChange(func(c *Config, v uint64) { hooked = append(hooked, v) })

	writeFile(t, path, "tables: {public.a: {}, public.b: {}}\n")
	if err := s.Reload(); err != nil {
		t.Fatal(err)
	}
	if s.Version() != 2 || s.Policy().Lookup("public", "b") == nil || s.Policy().Version != 2 {
		t.Errorf("after reload: version %d, policy %+v", s.Version(), s.Policy())
	}
	if s.Config().Listen != "127.0.0.1:0" {
		t.Errorf("Adjust not applied on reload")
	}

	writeFile(t, path, "tables: {public.a: {retension: 1d}}\n")
	if err := s.Reload(); err == nil {
		t.Fatal("invalid file accepted")
	}
	if s.Version() != 2 || s.Policy().Lookup("public", "b") == nil {
		t.Errorf("invalid file replaced the config: version %d", s.Version())
	}
	if first.Policy.Lookup("public", "b") != nil {
		t.Errorf("an old snapshot changed")
	}
	if len(hooked) != 1 || hooked[0] != 2 {
		t.Errorf("hooks saw %v", hooked)
	}
	if ok, bad := metricValue(t, reg, "softdelete_config_reloads_total", "result", "success"),
		metricValue(t, reg, "softdelete_config_reloads_total", "result", "failure"); ok != 1 || bad != 1 {
		t.Errorf("reloads success=%v failure=%v", ok, bad)
	}
}

func TestNewStoreInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	writeFile(t, path, "listen: [\n")
	if _, err := NewStore(path, StoreOptions{}); err == nil {
		t.Fatal("invalid file accepted")
	}
}

// waitVersion waits until the store reaches version v.
func waitVersion(t *testing.T, s *Store, v uint64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.Version() < v {
		if time.Now().After(deadline) {
			t.Fatalf("version %d, want %d", s.Version(), v)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWatchSignal(t *testing.T) {
	s, path, _ := newTestStore(t, "tables: {public.a: {}}\n")
	ctx, cancel := context.WithCancel(context.Background())
	sighup := make(chan os.Signal, 1)
	done := make(chan struct{})
	go func() { s.Watch(ctx, sighup, zap.NewNop(), 0); close(done) }()

	writeFile(t, path, "tables: {public.b: {}}\n")
	sighup <- syscall.SIGHUP
	waitVersion(t, s, 2)
	writeFile(t, path, "tables: {public.c: {}}\n")
	sighup <- syscall.SIGHUP
	waitVersion(t, s, 3)
	close(sighup) // stops signal reloads, not Watch
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Watch did not return after cancel")
	}
	if s.Policy().Lookup("public", "c") == nil {
		t.Errorf("policy not reloaded")
	}
}

func TestWatchPoll(t *testing.T) {
	s, path, reg := newTestStore(t, "tables: {public.a: {}}\n")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Watch(ctx, nil, nil, 10*time.Millisecond)

	writeFile(t, path, "tables: {public.a: {}, public.bb: {}}\n")
	waitVersion(t, s, 2)
	writeFile(t, path, "tables: {public.a: {}, public.bb: {}, bad}\n")
	deadline := time.Now().Add(5 * time.Second)
	for metricValue(t, reg, "softdelete_config_reloads_total", "result", "failure") < 1 {
		if time.Now().After(deadline) {
			t.Fatal("broken file not noticed")
		}
		time.Sleep(5 * time.Millisecond)
	}
	time.Sleep(50 * time.Millisecond) // an unchanged broken file is not retried
	if got := metricValue(t, reg, "softdelete_config_reloads_total", "result", "failure"); got != 1 {
		t.Errorf("failures = %v, want 1", got)
	}
	if s.Version() != 2 {
		t.Errorf("version %d", s.Version())
	}
}

// TestReloadRefusesEmptyFile: a reload that finds the file empty (being
// written, or emptied by mistake) keeps the current config, which would
// otherwise manage no table at all.
func TestReloadRefusesEmptyFile(t *testing.T) {
	s, path, reg := newTestStore(t, "tables: {public.a: {}}\n")
	writeFile(t, path, "")
	if err := s.Reload(); err == nil || !strings.Contains(err.Error(), "is empty") {
		t.Fatalf("reload of an empty file: %v, want an error saying it is empty", err)
	}
	if s.Version() != 1 || s.Policy().Lookup("public", "a") == nil {
		t.Errorf("the current config must stay: version %d", s.Version())
	}
	if got := metricValue(t, reg, "softdelete_config_reloads_total", "result", "failure"); got != 1 {
		t.Errorf("failures = %v, want 1", got)
	}
}

// TestReloadUnderReaders swaps the config while readers use snapshots; run
// with -race.
func TestReloadUnderReaders(t *testing.T) {
	s, path, _ := newTestStore(t, "tables: {public.a: {}}\n")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				snap := s.Current()
				if snap.Policy.Version != snap.Version || snap.Policy.Lookup("public", "a") == nil {
					t.Errorf("inconsistent snapshot %d/%d", snap.Version, snap.Policy.Version)
					return
				}
			}
		}()
	}
	for i := 0; i < 50; i++ {
		body := "tables: {public.a: {}}\n"
		if i%2 == 1 {
			body = "tables: {public.a: {}, public.x: {}}\n"
		}
		writeFile(t, path, body)
		if err := s.Reload(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	if s.Version() != 51 {
		t.Errorf("version %d", s.Version())
	}
}

func TestRestartNeeded(t *testing.T) {
	a, b := Default(), Default()
	b.Listen, b.LogLevel = "127.0.0.1:1", "debug"
	b.Tables["public.x"] = TableSettings{}
	got := RestartNeeded(a, b)
	if len(got) != 2 || got[0] != "listen" || got[1] != "log_level" {
		t.Errorf("RestartNeeded = %v", got)
	}
}

// Every setting the running process cannot apply is named, alone, when it
// alone changes; the policy's keys never are.
func TestRestartNeededEveryKey(t *testing.T) {
	cases := map[string]func(c *Config){
		"listen":           func(c *Config) { c.Listen = "127.0.0.1:1" },
		"unix_socket_dir":  func(c *Config) { c.UnixSocketDir = "/run/x" },
		"event_loops":      func(c *Config) { c.EventLoops = -1 },
		"metrics_listen":   func(c *Config) { c.MetricsListen = "off" },
		"log_level":        func(c *Config) { c.LogLevel = "debug" },
		"log_format":       func(c *Config) { c.LogFormat = "console" },
		"tls":              func(c *Config) { c.TLS.CertFile = "c.pem" },
		"upstream":         func(c *Config) { c.Upstream = "10.0.0.1:5432" },
		"upstream_tls":     func(c *Config) { c.UpstreamTLS.Mode = "require" },
		"connect_timeout":  func(c *Config) { c.ConnectTimeout = Duration(time.Second) },
		"max_message_size": func(c *Config) { c.MaxMessageSize = 1 << 20 },
		"shutdown_timeout": func(c *Config) { c.ShutdownTimeout = Duration(time.Second) },
		"":                 func(c *Config) { c.RequireGuard = false; c.Defaults.Retention = "7d"; c.Roles.Bypass = []string{"x"} },
	}
	for key, change := range cases {
		a, b := Default(), Default()
		change(b)
		got := RestartNeeded(a, b)
		if key == "" {
			if len(got) != 0 {
				t.Errorf("policy changes need no restart, got %v", got)
			}
			continue
		}
		if len(got) != 1 || got[0] != key {
			t.Errorf("changing %s: RestartNeeded = %v", key, got)
		}
	}
}
