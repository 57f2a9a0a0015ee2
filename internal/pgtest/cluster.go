package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// User is a login role StartCluster creates. Method "md5" stores an MD5 hash; "scram-sha-256"
// and "password" store a SCRAM verifier (pg_hba.conf decides how the password is sent).
type User struct{ Name, Password, Method string }

// ClusterOptions shape a throwaway cluster.
type ClusterOptions struct {
	HBA      []string          // pg_hba.conf lines; default: trust on the local socket, 127.0.0.1 and ::1
	SSL      bool              // generate certs and set ssl=on
	Settings map[string]string // extra postgresql.conf settings
	Users    []User            // created (as superuser, over the trust local socket) after start
}

// defaultHBA is used when ClusterOptions.HBA is empty.
var defaultHBA = []string{
	"local all all trust",
	"host all all 127.0.0.1/32 trust",
	"host all all ::1/128 trust",
}

// Cluster is a throwaway PostgreSQL. Its URL reaches the superuser over the unix socket in Dir
// (always trusted); Host and Port are its TCP listener on 127.0.0.1.
type Cluster struct {
	Server
	Dir   string
	Certs Certs // zero unless SSL

	binDir string
	owner  *owner
	reaper *reaper
}

// StartCluster initdb's and starts a new cluster; t.Cleanup stops it and removes its dir. Fails the test
// (t.Fatalf, with initdb/pg_ctl output) if it cannot.
func StartCluster(t testing.TB, opts ClusterOptions) *Cluster {
	t.Helper()
	c, err := startCluster(opts)
	if err != nil {
		t.Fatalf("pgtest: StartCluster: %v", err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Errorf("pgtest: stopping cluster in %s: %v", c.Dir, err)
		}
	})
	return c
}

// startCluster does StartCluster's work without a test, for the process-wide cluster.
func startCluster(opts ClusterOptions) (*Cluster, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	binDir, err := pgBinDir()
	if err != nil {
		return nil, err
	}
	o, err := clusterOwner()
	if err != nil {
		return nil, err
	}
	dir, err := makeClusterDir(o)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, binDir: binDir, owner: o}
	if err := c.setUp(opts); err != nil {
		return nil, errors.Join(fmt.Errorf("cluster in %s (now removed): %w", dir, err), c.stop())
	}
	return c, nil
}

// setUp runs initdb, writes the config files, starts the server and creates the users.
func (c *Cluster) setUp(opts ClusterOptions) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := c.initdb(ctx); err != nil {
		return err
	}
	if opts.SSL {
		if err := c.makeCerts(); err != nil {
			return err
		}
	}
	if err := c.writeConfig(opts); err != nil {
		return err
	}
	if err := c.start(ctx); err != nil {
		return err
	}
	c.reaper = startReaper(c)
	return createUsers(ctx, c.URL, opts.Users)
}

// makeClusterDir makes the cluster's temp dir, owned by the cluster's OS user. The unix socket
// lives in it, so its path must stay well under the 107-byte socket path limit.
func makeClusterDir(o *owner) (string, error) {
	base := os.TempDir()
	if o != nil || len(base) > 60 {
		base = "/tmp" // root's TMPDIR may not be reachable by postgres
	}
	dir, err := os.MkdirTemp(base, "pgtest-")
	if err != nil {
		return "", fmt.Errorf("pgtest: %w", err)
	}
	if err := o.chown(dir); err != nil {
		return "", errors.Join(fmt.Errorf("pgtest: %w", err), os.RemoveAll(dir))
	}
	return dir, nil
}

func (c *Cluster) dataDir() string { return filepath.Join(c.Dir, "data") }
func (c *Cluster) logFile() string { return filepath.Join(c.Dir, "server.log") }

func (c *Cluster) initdb(ctx context.Context) error {
	out, err := c.owner.run(ctx, c.Dir, c.binDir, "initdb",
		"-D", c.dataDir(), "--username=postgres", "--auth=trust",
		"--encoding=UTF8", "--locale=C", "--no-sync")
	if err != nil {
		return fmt.Errorf("%w\n%s", err, out)
	}
	return nil
}

func (c *Cluster) makeCerts() error {
	dir := filepath.Join(c.Dir, "certs")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	if err := c.owner.chown(dir); err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	certs, err := GenerateCerts(dir)
	c.Certs = certs
	return err
}

// start starts the server on a free port, trying another port if the first was taken meanwhile.
func (c *Cluster) start(ctx context.Context) error {
	var errs []error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return fmt.Errorf("pgtest: free port: %w", err)
		}
		out, err := c.owner.run(ctx, c.Dir, c.binDir, "pg_ctl",
			"-D", c.dataDir(), "-l", c.logFile(), "-w", "-t", "60",
			"-o", "-p "+strconv.Itoa(port), "start")
		if err == nil {
			c.setServer(port)
			return nil
		}
		log := c.serverLog()
		errs = append(errs, fmt.Errorf("%w\n%s\nserver log:\n%s", err, out, log))
		if !strings.Contains(log, "could not bind") && !strings.Contains(log, "already in use") {
			break
		}
	}
	return errors.Join(errs...)
}

func (c *Cluster) setServer(port int) {
	c.Server = Server{
		URL: fmt.Sprintf("postgres://postgres@/postgres?host=%s&port=%d&sslmode=disable",
			url.QueryEscape(c.Dir), port),
		Host: "127.0.0.1",
		Port: port,
	}
}

// ServerLog returns what the server logged so far, for failure messages.
func (c *Cluster) ServerLog() string { return c.serverLog() }

// serverLog returns the server log, or what went wrong reading it.
func (c *Cluster) serverLog() string {
	b, err := os.ReadFile(c.logFile())
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// stop stops the server (if it runs) and removes the cluster's dir.
func (c *Cluster) stop() error {
	c.reaper.cancel()
	var errs []error
	if _, err := os.Stat(filepath.Join(c.dataDir(), "postmaster.pid")); err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		out, err := c.owner.run(ctx, c.Dir, c.binDir, "pg_ctl",
			"-D", c.dataDir(), "-m", "immediate", "-w", "-t", "60", "stop")
		if err != nil {
			errs = append(errs, fmt.Errorf("%w\n%s", err, out))
		}
	}
	if err := os.RemoveAll(c.Dir); err != nil {
		errs = append(errs, fmt.Errorf("pgtest: %w", err))
	}
	return errors.Join(errs...)
}
