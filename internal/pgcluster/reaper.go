package pgcluster

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
)

// reaperScript waits for its stdin to reach EOF, which happens when the test process dies
// without stopping the cluster (a -timeout panic, a kill), then stops the cluster and removes it.
const reaperScript = `read _; "$0" -D "$1" -m immediate -w stop >/dev/null 2>&1; rm -rf "$2"`

// reaper is a small shell process that cleans up after a test process that died.
type reaper struct {
	cmd *exec.Cmd
	w   *os.File
}

// startReaper starts the reaper of c; nil when it cannot (the cluster then works without one).
func startReaper(c *Cluster) *reaper {
	r, w, err := os.Pipe()
	if err != nil {
		return nil
	}
	defer r.Close()
	cmd := exec.Command("/bin/sh", "-c", reaperScript,
		filepath.Join(c.binDir, "pg_ctl"), c.dataDir(), c.Dir)
	cmd.Stdin = r
	cmd.Env = cleanEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // outlive a Ctrl-C of the test run
	if c.owner != nil {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(c.owner.uid), Gid: uint32(c.owner.gid)}
	}
	if err := cmd.Start(); err != nil {
		w.Close()
		return nil
	}
	return &reaper{cmd: cmd, w: w}
}

// cancel ends the reaper without letting it act: the test process stops the cluster itself.
func (r *reaper) cancel() {
	if r == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	_ = r.w.Close()
}
