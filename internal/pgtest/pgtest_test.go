package pgtest_test

import (
	"context"
	"errors"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// queryString runs one query returning one text value.
func queryString(t *testing.T, connURL, sql string, args ...any) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	var s string
	if err := conn.QueryRow(ctx, sql, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return s
}

func databaseExists(t *testing.T, srv *pgtest.Server, name string) bool {
	t.Helper()
	return queryString(t, srv.URL, "SELECT count(*)::text FROM pg_database WHERE datname = $1", name) == "1"
}

func TestGetCreateDatabaseExec(t *testing.T) {
	srv := pgtest.Get(t)
	if srv.Addr() != net.JoinHostPort(srv.Host, strconv.Itoa(srv.Port)) || srv.Port == 0 {
		t.Fatalf("Addr() = %q, Host %q, Port %d", srv.Addr(), srv.Host, srv.Port)
	}
	if again := pgtest.Get(t); again.URL != srv.URL {
		t.Fatalf("second Get = %q, first %q", again.URL, srv.URL)
	}
	var name string
	t.Run("inner", func(t *testing.T) {
		var dbURL string
		name, dbURL = srv.CreateDatabase(t)
		if !strings.HasPrefix(name, "sdtest_") {
			t.Errorf("name %q lacks the sdtest_ prefix", name)
		}
		pgtest.Exec(t, dbURL,
			"CREATE TABLE t (id int PRIMARY KEY, deleted_at timestamptz); INSERT INTO t VALUES (1, NULL)",
			"INSERT INTO t VALUES (2, now())")
		if got := queryString(t, dbURL, "SELECT current_database()"); got != name {
			t.Errorf("URL reaches %q, want %q", got, name)
		}
		if got := queryString(t, dbURL, "SELECT count(*)::text FROM t WHERE deleted_at IS NULL"); got != "1" {
			t.Errorf("live rows = %s, want 1", got)
		}
		// a lingering session must not stop the drop (WITH (FORCE))
		conn, err := pgx.Connect(context.Background(), dbURL)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { conn.Close(context.Background()) })
	})
	if name == "" {
		t.Fatal("inner test made no database")
	}
	if databaseExists(t, srv, name) {
		t.Errorf("database %s still exists after cleanup", name)
	}
}

func TestCreateDatabaseUnique(t *testing.T) {
	srv := pgtest.Get(t)
	a, _ := srv.CreateDatabase(t)
	b, _ := srv.CreateDatabase(t)
	if a == b {
		t.Fatalf("two databases named %q", a)
	}
}

func TestConcurrentGet(t *testing.T) {
	for i := range 4 {
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			srv := pgtest.Get(t)
			_, dbURL := srv.CreateDatabase(t)
			pgtest.Exec(t, dbURL, "CREATE TABLE x (id int)")
		})
	}
}

var (
	md5User   = pgtest.User{Name: "md5user", Password: "md5 pass'word", Method: "md5"}
	scramUser = pgtest.User{Name: "scramuser", Password: "scram-secret", Method: "scram-sha-256"}
	plainUser = pgtest.User{Name: "plainuser", Password: "plain-secret", Method: "password"}
)

func startAuthCluster(t *testing.T) *pgtest.Cluster {
	return pgtest.StartCluster(t, pgtest.ClusterOptions{
		SSL: true,
		HBA: []string{
			"hostssl all md5user 127.0.0.1/32 md5",
			"hostssl all scramuser 127.0.0.1/32 scram-sha-256",
			"hostssl all plainuser 127.0.0.1/32 password",
			"host all all 127.0.0.1/32 reject",
		},
		Settings: map[string]string{"work_mem": "7MB"},
		Users:    []pgtest.User{md5User, scramUser, plainUser},
	})
}

// userURL is a TCP URL for u that verifies the server certificate against the cluster's CA.
func userURL(c *pgtest.Cluster, host string, u pgtest.User, password, sslmode string) string {
	q := url.Values{"sslmode": {sslmode}, "sslrootcert": {c.Certs.CAFile}}
	return (&url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(u.Name, password),
		Host:     net.JoinHostPort(host, strconv.Itoa(c.Port)),
		Path:     "/postgres",
		RawQuery: q.Encode(),
	}).String()
}

func TestStartClusterSSLAndAuth(t *testing.T) {
	t.Parallel()
	c := startAuthCluster(t)
	if c.Host != "127.0.0.1" || c.Certs.CAFile == "" {
		t.Fatalf("cluster Host %q, Certs %+v", c.Host, c.Certs)
	}
	if log := c.ServerLog(); !strings.Contains(log, "ready to accept connections") {
		t.Errorf("server log lacks the ready line:\n%s", log)
	}
	if got := queryString(t, c.URL, "SHOW work_mem"); got != "7MB" {
		t.Errorf("work_mem = %q, want 7MB", got)
	}
	stored := map[string]string{md5User.Name: "md5", scramUser.Name: "SCRAM-SHA-256$", plainUser.Name: "SCRAM-SHA-256$"}
	for name, prefix := range stored {
		got := queryString(t, c.URL, "SELECT rolpassword FROM pg_authid WHERE rolname = $1", name)
		if !strings.HasPrefix(got, prefix) {
			t.Errorf("%s password stored as %.14q…, want prefix %q", name, got, prefix)
		}
	}
	for _, u := range []pgtest.User{md5User, scramUser, plainUser} {
		for _, host := range []string{"127.0.0.1", "localhost"} {
			t.Run(u.Name+"@"+host, func(t *testing.T) {
				if host == "localhost" && !resolvesToLoopback4() {
					host = "127.0.0.1"
				}
				got := queryString(t, userURL(c, host, u, u.Password, "verify-full"),
					"SELECT current_user || ' ' || ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
				if want := u.Name + " true"; got != want {
					t.Errorf("got %q, want %q", got, want)
				}
			})
		}
		t.Run(u.Name+"/wrong-password", func(t *testing.T) {
			expectConnectError(t, userURL(c, "127.0.0.1", u, "nope", "verify-full"), "28P01")
		})
		t.Run(u.Name+"/no-ssl", func(t *testing.T) {
			expectConnectError(t, userURL(c, "127.0.0.1", u, u.Password, "disable"), "28000")
		})
	}
}

// resolvesToLoopback4 reports whether "localhost" has 127.0.0.1, which the cluster listens on.
func resolvesToLoopback4() bool {
	addrs, err := net.LookupHost("localhost")
	return err == nil && len(addrs) > 0 && addrs[0] == "127.0.0.1"
}

func expectConnectError(t *testing.T, connURL, sqlstate string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err == nil {
		conn.Close(context.Background())
		t.Fatalf("connected, want SQLSTATE %s", sqlstate)
	}
	var pgErr interface{ SQLState() string }
	if !errors.As(err, &pgErr) || pgErr.SQLState() != sqlstate {
		t.Fatalf("error %v, want SQLSTATE %s", err, sqlstate)
	}
}

func TestClusterGoneAfterCleanup(t *testing.T) {
	t.Parallel()
	var c *pgtest.Cluster
	t.Run("inner", func(t *testing.T) {
		c = pgtest.StartCluster(t, pgtest.ClusterOptions{})
		pgtest.Exec(t, c.URL, "CREATE TABLE t (id int)")
		if _, err := os.Stat(c.Dir); err != nil {
			t.Fatalf("cluster dir: %v", err)
		}
	})
	if c == nil {
		t.Fatal("inner test started no cluster")
	}
	if _, err := os.Stat(c.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("cluster dir %s still there (%v)", c.Dir, err)
	}
	if conn, err := net.DialTimeout("tcp", c.Addr(), time.Second); err == nil {
		conn.Close()
		t.Errorf("something still listens on %s", c.Addr())
	}
}

func TestFreePort(t *testing.T) {
	port := pgtest.FreePort(t)
	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatalf("port %d is not free: %v", port, err)
	}
	ln.Close()
}
