package pgcluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// ErrNoBinaries says initdb/pg_ctl are nowhere to be found.
var ErrNoBinaries = errors.New("initdb and pg_ctl not found in PATH or /usr/lib/postgresql/*/bin")

// Find returns the directory holding initdb and pg_ctl: the one in PATH if any,
// else the newest /usr/lib/postgresql/<version>/bin.
func Find() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(p)
		if isExecutable(filepath.Join(dir, "pg_ctl")) {
			return dir, nil
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, dir := range dirs {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "pg_ctl")) {
			return dir, nil
		}
	}
	return "", ErrNoBinaries
}

// versionOf reads the major version out of /usr/lib/postgresql/<version>/bin.
func versionOf(binDir string) float64 {
	v, err := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	if err != nil {
		return -1
	}
	return v
}

func isExecutable(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// owner is the OS user clusters run as: nil means this process's own user,
// otherwise the "postgres" user when this process is root.
type owner struct{ uid, gid int }

// clusterOwner picks who runs initdb and the server. initdb refuses to run as root.
func clusterOwner() (*owner, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no \"postgres\" OS user to run initdb as: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("postgres OS user: %w", err)
	}
	return &owner{uid: uid, gid: gid}, nil
}

// chown hands path to the owner (no-op when not root).
func (o *owner) chown(path string) error {
	if o == nil {
		return nil
	}
	return os.Chown(path, o.uid, o.gid)
}

// run runs a program from binDir as the owner, in dir, and returns its combined output.
func (o *owner) run(ctx context.Context, dir, binDir, prog string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, prog), args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(), "LC_ALL=C", "LANG=C")
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	cmd.WaitDelay = 5 * time.Second // a server holding our pipes must not hang us
	if o != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Credential: &syscall.Credential{Uid: uint32(o.uid), Gid: uint32(o.gid)},
		}
	}
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s %s: %w", prog, strings.Join(args, " "), err)
	}
	return out.String(), err
}

// cleanEnv drops PG* and locale variables that would steer initdb, pg_ctl or the server.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
