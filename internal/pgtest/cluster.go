package pgtest

import (
	"context"
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgcluster"
)

// User is a login role StartCluster creates. Method "md5" stores an MD5 hash; "scram-sha-256"
// and "password" store a SCRAM verifier (pg_hba.conf decides how the password is sent).
type User = pgcluster.User

// ClusterOptions shape a throwaway cluster: HBA lines (default: trust on the local socket,
// 127.0.0.1 and ::1), SSL, extra postgresql.conf Settings, and Users to create.
type ClusterOptions = pgcluster.Options

// Certs names the PEM files GenerateCerts wrote.
type Certs = pgcluster.Certs

// Cluster is a throwaway PostgreSQL. Its URL reaches the superuser over the unix socket in Dir
// (always trusted); Host and Port are its TCP listener on 127.0.0.1.
type Cluster struct {
	Server
	Dir   string
	Certs Certs // zero unless SSL

	pc *pgcluster.Cluster
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
	pc, err := pgcluster.Start(context.Background(), opts)
	if err != nil {
		return nil, err
	}
	return &Cluster{
		Server: Server{URL: pc.URL, Host: pc.Host, Port: pc.Port},
		Dir:    pc.Dir,
		Certs:  pc.Certs,
		pc:     pc,
	}, nil
}

// ServerLog returns what the server logged so far, for failure messages.
func (c *Cluster) ServerLog() string { return c.pc.ServerLog() }

// PgCtl runs pg_ctl on the cluster's data dir with args (e.g. "stop", "-m", "smart", "-W").
func (c *Cluster) PgCtl(ctx context.Context, args ...string) (string, error) {
	return c.pc.PgCtl(ctx, args...)
}

// PostmasterPID returns the server's PID from postmaster.pid, to signal it.
func (c *Cluster) PostmasterPID() (int, error) { return c.pc.PostmasterPID() }

// stop stops the server (if it runs) and removes the cluster's dir.
func (c *Cluster) stop() error { return c.pc.Stop() }

// GenerateCerts writes a fresh self-signed CA and a server certificate signed by it, valid for
// 127.0.0.1, ::1 and localhost, into dir (key file mode 0600, readable by the postgres OS user when root).
func GenerateCerts(dir string) (Certs, error) { return pgcluster.GenerateCerts(dir) }
