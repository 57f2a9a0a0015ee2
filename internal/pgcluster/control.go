package pgcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// PgCtl runs pg_ctl on the cluster's data dir (as the cluster's OS user) with args, for tests
// that drive the server through its life: "stop -m smart -W", "restart", "promote".
func (c *Cluster) PgCtl(ctx context.Context, args ...string) (string, error) {
	all := append([]string{"-D", c.dataDir(), "-l", c.logFile()}, args...)
	return c.owner.run(ctx, c.Dir, c.binDir, "pg_ctl", all...)
}

// PostmasterPID returns the PID in postmaster.pid, for tests that signal the server.
func (c *Cluster) PostmasterPID() (int, error) {
	b, err := os.ReadFile(filepath.Join(c.dataDir(), "postmaster.pid"))
	if err != nil {
		return 0, fmt.Errorf("pgcluster: %w", err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(first))
	if err != nil {
		return 0, fmt.Errorf("pgcluster: postmaster.pid: %w", err)
	}
	return pid, nil
}

// writeStandbySignal makes the server start in standby mode (Options.Standby).
func (c *Cluster) writeStandbySignal() error {
	return writeNewFile(filepath.Join(c.dataDir(), "standby.signal"), c.owner)
}

// writeNewFile creates an empty file owned by o.
func writeNewFile(path string, o *owner) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	return o.chown(path)
}
