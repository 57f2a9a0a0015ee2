package pgcluster

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// User is a login role Start creates. Method "md5" stores an MD5 hash; "scram-sha-256"
// and "password" store a SCRAM verifier (pg_hba.conf decides how the password is sent).
type User struct{ Name, Password, Method string }

// Options shape a throwaway cluster.
type Options struct {
	HBA      []string          // pg_hba.conf lines; default: trust on the local socket, 127.0.0.1 and ::1
	SSL      bool              // generate certs and set ssl=on
	Settings map[string]string // extra postgresql.conf settings
	Users    []User            // created (as superuser, over the trust local socket) after start
	// Standby starts the server in standby mode (standby.signal) with no primary: it stays in
	// recovery, so with hot_standby = off it refuses every connection with SQLSTATE 57P03.
	Standby bool
}

// defaultHBA is used when Options.HBA is empty.
var defaultHBA = []string{
	"local all all trust",
	"host all all 127.0.0.1/32 trust",
	"host all all ::1/128 trust",
}

// setUpTimeout bounds initdb, start and user creation together.
const setUpTimeout = 3 * time.Minute

// Cluster is a running throwaway PostgreSQL. URL reaches the superuser "postgres" over the
// unix socket in Dir (always trusted); Host and Port are its TCP listener on 127.0.0.1.
type Cluster struct {
	URL   string
	Host  string
	Port  int
	Dir   string
	Certs Certs // zero unless Options.SSL

	binDir string
	owner  *owner
	reaper *reaper
}

// Addr returns the TCP listener as "host:port".
func (c *Cluster) Addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.Port)) }

// Start initdb's a new cluster in a fresh temp dir and starts it on a free port of 127.0.0.1.
// ctx bounds the setup (initdb, pg_ctl start, user creation), not the cluster's life: the
// cluster runs until Stop, or until this process dies (a reaper then stops and removes it).
// On error nothing is left behind; the error holds initdb/pg_ctl output and the server log.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	binDir, err := Find()
	if err != nil {
		return nil, err
	}
	o, err := clusterOwner()
	if err != nil {
		return nil, fmt.Errorf("pgcluster: %w", err)
	}
	dir, err := makeClusterDir(o)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, binDir: binDir, owner: o}
	ctx, cancel := context.WithTimeout(ctx, setUpTimeout)
	defer cancel()
	if err := c.setUp(ctx, opts); err != nil {
		return nil, errors.Join(fmt.Errorf("cluster in %s (now removed): %w", dir, err), c.Stop())
	}
	return c, nil
}

// setUp runs initdb, writes the config files, starts the server and creates the users.
func (c *Cluster) setUp(ctx context.Context, opts Options) error {
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
	if opts.Standby {
		if err := c.writeStandbySignal(); err != nil {
			return err
		}
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
	dir, err := os.MkdirTemp(base, "pgcluster-")
	if err != nil {
		return "", fmt.Errorf("pgcluster: %w", err)
	}
	if err := o.chown(dir); err != nil {
		return "", errors.Join(fmt.Errorf("pgcluster: %w", err), os.RemoveAll(dir))
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
		return fmt.Errorf("pgcluster: %w", err)
	}
	if err := c.owner.chown(dir); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	certs, err := GenerateCerts(dir)
	c.Certs = certs
	return err
}

// start starts the server on a free port, trying another port if the first was taken meanwhile.
func (c *Cluster) start(ctx context.Context) error {
	var errs []error
	for range 3 {
		port, err := FreePort()
		if err != nil {
			return fmt.Errorf("pgcluster: free port: %w", err)
		}
		out, err := c.owner.run(ctx, c.Dir, c.binDir, "pg_ctl",
			"-D", c.dataDir(), "-l", c.logFile(), "-w", "-t", "60",
			"-o", "-p "+strconv.Itoa(port), "start")
		if err == nil {
			c.setAddress(port)
			return nil
		}
		log := c.ServerLog()
		errs = append(errs, fmt.Errorf("%w\n%s\nserver log:\n%s", err, out, log))
		if ctx.Err() != nil || !strings.Contains(log, "could not bind") && !strings.Contains(log, "already in use") {
			break
		}
	}
	return errors.Join(errs...)
}

func (c *Cluster) setAddress(port int) {
	c.URL = fmt.Sprintf("postgres://postgres@/postgres?host=%s&port=%d&sslmode=disable",
		url.QueryEscape(c.Dir), port)
	c.Host = "127.0.0.1"
	c.Port = port
}

// ServerLog returns what the server logged so far (or what went wrong reading it), for
// failure messages.
func (c *Cluster) ServerLog() string {
	b, err := os.ReadFile(c.logFile())
	if err != nil {
		return err.Error()
	}
	return string(b)
}

// Stop stops the server (if it runs, in immediate mode: a throwaway cluster keeps nothing)
// and removes the cluster's dir. It may be called more than once.
func (c *Cluster) Stop() error {
	c.reaper.cancel()
	c.reaper = nil
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
		errs = append(errs, fmt.Errorf("pgcluster: %w", err))
	}
	return errors.Join(errs...)
}
