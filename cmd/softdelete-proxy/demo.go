package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgcluster"
	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

const demoUsage = `demo [--database-url URL] [--listen ADDRESS] [flags]

Shows soft delete at work in a minute. Uses the PostgreSQL at 127.0.0.1:5432
(or --database-url, a superuser URL), or, when nothing answers there and the
server binaries (initdb, pg_ctl) are installed, starts a throwaway one.
Creates a database with a few sample tables under a soft-delete policy,
starts the proxy in front of it and prints what to type into psql.
Ctrl-C stops the proxy and drops the database (or the throwaway server).
A database of the demo's name that the demo did not create is never dropped.`

const (
	demoDefaultURL = "postgres://postgres@127.0.0.1:5432/postgres"
	// demoComment marks a database as a demo's own (followed by the run's id), so only
	// such a one is ever dropped. It holds no quote: it goes into SQL as a literal.
	demoComment = "created by softdelete-proxy demo; dropped when the demo stops; run "
	// demoCleanupTimeout bounds each cleanup step after Ctrl-C.
	demoCleanupTimeout = time.Minute
)

// demoFlags are the flags of the demo command.
type demoFlags struct {
	databaseURL   string
	database      string
	listen        string
	metricsListen string
	throwaway     bool
}

func (f *demoFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.databaseURL, "database-url", "", "superuser `URL` of the PostgreSQL to use (default "+demoDefaultURL+")")
	fs.StringVar(&f.database, "database", "softdelete_demo", "`name` of the demo database (created, and dropped at the end)")
	fs.StringVar(&f.listen, "listen", "127.0.0.1:6433", "`address` the proxy listens on")
	fs.StringVar(&f.metricsListen, "metrics-listen", "off", "`address` for /metrics, /healthz, /readyz")
	fs.BoolVar(&f.throwaway, "throwaway", false, "always start a throwaway PostgreSQL, even if one answers")
}

// demo is one run of the demo command: what it set up and must undo.
type demo struct {
	demoFlags
	stdout, stderr io.Writer
	log            *zap.Logger
	server         demoServer
	marker         string // the demo database's COMMENT: demoComment and a random run id
	configPath     string
	cleanups       []func() error // undone in reverse order
}

// demoServer is the PostgreSQL behind the demo proxy.
type demoServer struct {
	admin     *pgx.ConnConfig // superuser, maintenance database
	upstream  string          // host:port for the proxy
	throwaway *pgcluster.Cluster
}

func demoCommand(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) (err error) {
	d := &demo{stdout: stdout, stderr: stderr}
	fs := newFlagSet("demo", demoUsage, stderr)
	d.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := d.checkFlags(); err != nil {
		return err
	}
	if d.log, err = newLogger("info", "console", stderr); err != nil {
		return err
	}
	defer func() { _ = d.log.Sync() }()
	defer func() { err = errors.Join(err, d.cleanUp()) }()
	err = d.run(ctx)
	if err != nil && ctx.Err() != nil {
		return nil // Ctrl-C during the setup: cleaning up is all there is to do
	}
	return err
}

// checkFlags refuses what would make the printed instructions wrong.
func (d *demo) checkFlags() error {
	_, port, err := net.SplitHostPort(d.listen)
	if err != nil || port == "0" || port == "" {
		return fmt.Errorf("--listen %q: give host:port with a fixed port, e.g. 127.0.0.1:6433", d.listen)
	}
	if d.database == "" || d.database == "postgres" || d.database == "template0" || d.database == "template1" {
		return fmt.Errorf("--database %q: choose a name for a database the demo may create and drop", d.database)
	}
	return nil
}

// run sets everything up, serves until ctx ends, and leaves the undoing to cleanUp.
func (d *demo) run(ctx context.Context) error {
	if err := checkFreeAddr(d.listen); err != nil {
		return err
	}
	if err := d.findServer(ctx); err != nil {
		return err
	}
	if err := d.createDatabase(ctx); err != nil {
		return err
	}
	if err := d.writeConfig(); err != nil {
		return err
	}
	if err := d.migrate(ctx); err != nil {
		return err
	}
	return d.serveProxy(ctx)
}

// migrate runs what a DBA runs before serving (softdelete-proxy migrate
// --apply): the purger's indexes and the guard in the database.
func (d *demo) migrate(ctx context.Context) error {
	cfg, err := policy.Load(d.configPath)
	if err != nil {
		return err
	}
	admin := d.server.admin.Copy()
	admin.Database = d.database
	conn, err := pgx.ConnectConfig(ctx, admin)
	if err != nil {
		return fmt.Errorf("connecting to the demo database: %w", err)
	}
	defer conn.Close(context.Background())
	cat, err := schema.Inspect(ctx, conn, cfg)
	if err != nil {
		return err
	}
	if _, err := schema.Plan(cat, schema.Options{}).Apply(ctx, conn, 10*time.Second); err != nil {
		return fmt.Errorf("installing the guard in the demo database: %w", err)
	}
	return nil
}

// serveProxy runs the proxy in-process with the demo's policy until ctx ends, printing the
// script once it accepts connections.
func (d *demo) serveProxy(ctx context.Context) error {
	reg := newRegistry()
	src, err := openConfig(d.configPath, func(*policy.Config) {}, policy.NewMetrics(reg))
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	var serveErr error
	served := make(chan struct{})
	go func() { serveErr = serve(sctx, src, reg, d.log); close(served) }()
	if err := waitListening(sctx, d.listen, served); err != nil {
		stop()
		<-served
		return errors.Join(err, serveErr)
	}
	if ctx.Err() == nil {
		d.printScript()
	}
	<-served
	return serveErr
}

// onCleanup registers an undo step for cleanUp.
func (d *demo) onCleanup(fn func() error) { d.cleanups = append(d.cleanups, fn) }

// cleanUp undoes the setup in reverse order, going on after a failed step.
func (d *demo) cleanUp() error {
	var errs []error
	for i := len(d.cleanups) - 1; i >= 0; i-- {
		errs = append(errs, d.cleanups[i]())
	}
	d.cleanups = nil
	return errors.Join(errs...)
}

// checkFreeAddr fails early, with a hint, when something already listens on addr.
func checkFreeAddr(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("the proxy cannot listen on %s (choose another address with --listen): %w", addr, err)
	}
	return ln.Close()
}

// findServer picks the PostgreSQL to use: --database-url, else the local default, else a
// throwaway cluster when nothing answers there (or when --throwaway asks for one).
func (d *demo) findServer(ctx context.Context) error {
	if d.throwaway {
		return d.startThrowaway(ctx, "--throwaway was given")
	}
	connString := d.databaseURL
	if connString == "" {
		connString = demoDefaultURL
	}
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return fmt.Errorf("--database-url: %w", err)
	}
	if filepath.IsAbs(cfg.Host) {
		return fmt.Errorf("--database-url: the proxy reaches PostgreSQL over TCP; give a host and port, not the socket %s", cfg.Host)
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	if conn, err := net.DialTimeout("tcp", addr, 3*time.Second); err == nil {
		conn.Close()
		d.server = demoServer{admin: cfg, upstream: addr}
		d.log.Info("demo: using the PostgreSQL at "+addr, zap.String("user", cfg.User))
		return nil
	} else if d.databaseURL != "" {
		return fmt.Errorf("nothing answers at %s (--database-url): %w", addr, err)
	}
	return d.startThrowaway(ctx, "nothing answers at "+addr)
}

// startThrowaway starts a private cluster with pgcluster; cleanUp stops and removes it.
func (d *demo) startThrowaway(ctx context.Context, why string) error {
	bin, err := pgcluster.Find()
	if err != nil {
		return fmt.Errorf("%s, and no PostgreSQL server binaries to start a throwaway one (%w): "+
			"start PostgreSQL, give --database-url, or install it (e.g. apt-get install postgresql)", why, err)
	}
	d.log.Info("demo: "+why+"; starting a throwaway PostgreSQL", zap.String("bin", bin))
	c, err := pgcluster.Start(ctx, pgcluster.Options{})
	if err != nil {
		return fmt.Errorf("starting a throwaway PostgreSQL: %w", err)
	}
	d.onCleanup(func() error {
		err := c.Stop()
		d.log.Info("demo: stopped the throwaway PostgreSQL and removed " + c.Dir)
		return err
	})
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://postgres@%s/postgres?sslmode=disable", c.Addr()))
	if err != nil {
		return err
	}
	d.server = demoServer{admin: cfg, upstream: c.Addr(), throwaway: c}
	d.log.Info("demo: throwaway PostgreSQL running", zap.String("addr", c.Addr()), zap.String("dir", c.Dir))
	return nil
}

// createDatabase makes a fresh demo database (dropping a previous demo's one) with the
// sample schema; cleanUp drops it, unless the whole throwaway cluster goes anyway.
func (d *demo) createDatabase(ctx context.Context) error {
	conn, err := pgx.ConnectConfig(ctx, d.server.admin)
	if err != nil {
		return fmt.Errorf("connecting to PostgreSQL as %q: %w", d.server.admin.User, err)
	}
	defer conn.Close(context.Background())
	if err := d.dropOldDatabase(ctx, conn); err != nil {
		return err
	}
	ident := pgx.Identifier{d.database}.Sanitize()
	d.marker = demoComment + randomHex()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+ident+" TEMPLATE template0"); err != nil {
		return fmt.Errorf("creating the demo database: %w", err)
	}
	if d.server.throwaway == nil {
		d.onCleanup(d.dropDatabase)
	}
	if _, err := conn.Exec(ctx, "COMMENT ON DATABASE "+ident+" IS '"+d.marker+"'"); err != nil {
		return fmt.Errorf("marking the demo database: %w", err)
	}
	return d.loadSchema(ctx)
}

// dropOldDatabase drops a database of the demo's name if, and only if, a demo created it.
func (d *demo) dropOldDatabase(ctx context.Context, conn *pgx.Conn) error {
	var comment *string
	err := conn.QueryRow(ctx, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1",
		d.database).Scan(&comment)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("looking for an old demo database: %w", err)
	}
	if comment == nil || !strings.HasPrefix(*comment, demoComment) {
		return fmt.Errorf("a database %q exists that the demo did not create; it is left alone: "+
			"choose another name with --database", d.database)
	}
	d.log.Info("demo: dropping the database of an earlier demo", zap.String("database", d.database))
	_, err = conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{d.database}.Sanitize()+" WITH (FORCE)")
	return err
}

// dropDatabase drops the demo database at the end (WITH (FORCE): psql sessions may
// linger), unless another demo has replaced it meanwhile.
func (d *demo) dropDatabase() error {
	ctx, cancel := context.WithTimeout(context.Background(), demoCleanupTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, d.server.admin)
	if err != nil {
		return fmt.Errorf("dropping the demo database %q: %w", d.database, err)
	}
	defer conn.Close(context.Background())
	var ours bool
	err = conn.QueryRow(ctx, "SELECT coalesce(shobj_description(oid, 'pg_database') = $2, false) FROM pg_database WHERE datname = $1",
		d.database, d.marker).Scan(&ours)
	if errors.Is(err, pgx.ErrNoRows) || err == nil && !ours {
		d.log.Info("demo: the demo database was dropped or replaced by someone else", zap.String("database", d.database))
		return nil
	}
	if err == nil {
		_, err = conn.Exec(ctx, "DROP DATABASE "+pgx.Identifier{d.database}.Sanitize()+" WITH (FORCE)")
	}
	if err != nil {
		return fmt.Errorf("dropping the demo database %q: %w", d.database, err)
	}
	d.log.Info("demo: dropped the demo database", zap.String("database", d.database))
	return nil
}

// randomHex is a short random id.
func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// loadSchema creates the sample tables and rows in the demo database.
func (d *demo) loadSchema(ctx context.Context) error {
	cfg := d.server.admin.Copy()
	cfg.Database = d.database
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return fmt.Errorf("connecting to the demo database: %w", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.PgConn().Exec(ctx, demoSchema).ReadAll(); err != nil {
		return fmt.Errorf("creating the sample schema: %w", err)
	}
	return nil
}

// writeConfig writes the demo's policy file into a temp dir that cleanUp removes.
func (d *demo) writeConfig() error {
	dir, err := os.MkdirTemp("", "softdelete-demo-")
	if err != nil {
		return err
	}
	d.onCleanup(func() error { return os.RemoveAll(dir) })
	d.configPath = filepath.Join(dir, "softdelete.yaml")
	text := fmt.Sprintf(demoConfig, d.listen, d.server.upstream, d.metricsListen)
	return os.WriteFile(d.configPath, []byte(text), 0o600)
}

// waitListening waits until the proxy accepts connections on addr, serve ends, or ctx ends.
func waitListening(ctx context.Context, addr string, served <-chan struct{}) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-served:
			return errors.New("the proxy stopped before it was ready")
		case <-ctx.Done():
			return nil
		case <-time.After(20 * time.Millisecond):
		}
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			return nil
		} else if time.Now().After(deadline) {
			return fmt.Errorf("the proxy does not accept connections on %s: %w", addr, err)
		}
	}
}

// psqlURL is what psql connects to: the demo database at addr, as the admin user.
func (d *demo) psqlURL(addr string) string {
	u := url.URL{Scheme: "postgres", User: url.User(d.server.admin.User), Host: addr, Path: "/" + d.database}
	return u.String()
}

// printScript tells the user how to connect and what to try.
func (d *demo) printScript() {
	direct := d.psqlURL(d.server.upstream)
	fmt.Fprintf(d.stdout, demoScript, d.psqlURL(d.listen), d.configPath, direct)
	if d.server.throwaway != nil {
		fmt.Fprintln(d.stdout, "\nPress Ctrl-C to stop the proxy and the throwaway PostgreSQL.")
	} else {
		fmt.Fprintf(d.stdout, "\nPress Ctrl-C to stop the proxy and drop the database %s.\n", d.database)
	}
}
