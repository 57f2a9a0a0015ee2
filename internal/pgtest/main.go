package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

const (
	envURL     = "SOFTDELETE_TEST_DATABASE_URL"
	defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
)

// process is the state a test process shares: its server and the throwaway cluster behind it.
// It is the one package-level variable here: Get has no other place to keep it.
type process struct {
	mu      sync.Mutex
	inMain  bool     // Main is running, so a throwaway cluster will be stopped
	server  *Server  // the shared server, once found
	err     error    // why there is none, once tried
	cluster *Cluster // the throwaway cluster Get started, if any
}

var shared process

// Main runs the tests of a package and afterwards stops any throwaway cluster this process started.
// Use: func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
func Main(m *testing.M) int {
	shared.setInMain(true)
	code := m.Run()
	shared.setInMain(false)
	if err := shared.stop(); err != nil {
		fmt.Fprintf(os.Stderr, "pgtest: stopping the throwaway cluster: %v\n", err)
		if code == 0 {
			code = 1
		}
	}
	return code
}

func (p *process) setInMain(v bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inMain = v
}

// get returns the shared server, finding or starting it on first use.
func (p *process) get() (*Server, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.server == nil && p.err == nil {
		p.server, p.err = p.find()
	}
	if p.err != nil {
		return nil, p.err
	}
	s := *p.server
	return &s, nil
}

// find returns the server at the configured URL, or else starts a throwaway cluster.
func (p *process) find() (*Server, error) {
	connString := os.Getenv(envURL)
	if connString == "" {
		connString = defaultURL
	}
	cfg, err := pgx.ParseConfig(connString)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envURL, err)
	}
	if answers(cfg.Config) {
		if err := ping(cfg); err != nil {
			return nil, fmt.Errorf("a server answers at %s but: %w", redact(connString), err)
		}
		return &Server{URL: connString, Host: cfg.Host, Port: int(cfg.Port)}, nil
	}
	return p.startThrowaway(connString)
}

// startThrowaway starts the process-wide cluster Main will stop.
func (p *process) startThrowaway(tried string) (*Server, error) {
	if !p.inMain {
		return nil, fmt.Errorf("nothing answers at %s, and a throwaway cluster is only started "+
			"for packages whose TestMain calls os.Exit(pgtest.Main(m))", redact(tried))
	}
	c, err := startCluster(ClusterOptions{})
	if err != nil {
		return nil, fmt.Errorf("nothing answers at %s, and starting a throwaway cluster failed: %w",
			redact(tried), err)
	}
	p.cluster = c
	fmt.Fprintf(os.Stderr, "pgtest: nothing answers at %s; using a throwaway cluster on %s\n",
		redact(tried), c.Addr())
	return &Server{
		URL:  fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port),
		Host: c.Host,
		Port: c.Port,
	}, nil
}

// stop stops the throwaway cluster, if one was started.
func (p *process) stop() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cluster == nil {
		return nil
	}
	err := p.cluster.stop()
	p.cluster, p.server, p.err = nil, nil, errors.New("the throwaway cluster was stopped by pgtest.Main")
	return err
}

// answers reports whether anything listens where cfg points (TCP or unix socket).
func answers(cfg pgconn.Config) bool {
	hosts := []string{cfg.Host}
	ports := []uint16{cfg.Port}
	for _, fb := range cfg.Fallbacks {
		hosts, ports = append(hosts, fb.Host), append(ports, fb.Port)
	}
	for i, host := range hosts {
		network, addr := "tcp", net.JoinHostPort(host, strconv.Itoa(int(ports[i])))
		if filepath.IsAbs(host) {
			network, addr = "unix", filepath.Join(host, ".s.PGSQL."+strconv.Itoa(int(ports[i])))
		}
		conn, err := net.DialTimeout(network, addr, 3*time.Second)
		if err == nil {
			conn.Close()
			return true
		}
	}
	return false
}

// ping connects and runs a query, to tell "answers" from "usable".
func ping(cfg *pgx.ConnConfig) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	return conn.Ping(ctx)
}
