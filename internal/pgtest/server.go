package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a PostgreSQL reachable for tests, with a superuser URL.
type Server struct {
	URL  string // superuser URL, e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable
	Host string
	Port int
}

// Addr returns "host:port".
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Get returns the shared server of this test process (see the package documentation).
// If no server can be had it fails the test, saying how to provide one. Safe for concurrent use.
func Get(t testing.TB) *Server {
	t.Helper()
	s, err := shared.get()
	if err != nil {
		t.Fatalf("pgtest: no PostgreSQL for tests: %v\n%s", err, howToProvide)
	}
	return s
}

const howToProvide = "Provide one: set " + envURL + " to a superuser URL of a running PostgreSQL " +
	"(e.g. postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable), or install PostgreSQL " +
	"(apt-get install postgresql) so that initdb and pg_ctl are in PATH or /usr/lib/postgresql/*/bin " +
	"and a throwaway cluster can be started."

// CreateDatabase creates a new, uniquely named database (prefix "sdtest_") from template0 and
// returns its name and a URL with the same credentials; t.Cleanup drops it WITH (FORCE).
func (s *Server) CreateDatabase(t testing.TB) (name, dbURL string) {
	t.Helper()
	name = databaseName(t.Name())
	dbURL, err := withDatabase(s.URL, name)
	if err != nil {
		t.Fatalf("pgtest: CreateDatabase: %v", err)
	}
	ident := pgx.Identifier{name}.Sanitize()
	Exec(t, s.URL, "CREATE DATABASE "+ident+" TEMPLATE template0 ENCODING 'UTF8'")
	t.Cleanup(func() {
		if err := execSQL(s.URL, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: dropping database %s: %v", name, err)
		}
	})
	return name, dbURL
}

var notIdent = regexp.MustCompile(`[^a-z0-9]+`)

// databaseName makes "sdtest_<some of the test name>_<random>", at most 63 bytes.
func databaseName(testName string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	slug := strings.Trim(notIdent.ReplaceAllString(strings.ToLower(testName), "_"), "_")
	if len(slug) > 40 {
		slug = slug[len(slug)-40:]
	}
	return "sdtest_" + slug + "_" + hex.EncodeToString(b[:])
}

// withDatabase returns connString pointing at database name, in URL or keyword/value form.
func withDatabase(connString, name string) (string, error) {
	if !strings.HasPrefix(connString, "postgres://") && !strings.HasPrefix(connString, "postgresql://") {
		return connString + " dbname='" + name + "'", nil
	}
	u, err := url.Parse(connString)
	if err != nil {
		return "", fmt.Errorf("parsing server URL: %w", err)
	}
	u.Path = "/" + name
	u.RawPath = ""
	q := u.Query()
	if q.Has("dbname") {
		q.Set("dbname", name)
		u.RawQuery = q.Encode()
	}
	return u.String(), nil
}

// Exec runs SQL statements (simple protocol, so each may hold several statements) on the given
// URL, failing the test on error.
func Exec(t testing.TB, url string, sql ...string) {
	t.Helper()
	if err := execSQL(url, sql...); err != nil {
		t.Fatalf("pgtest: Exec: %v", err)
	}
}

// execSQL runs statements over one connection with the simple protocol.
func execSQL(url string, sql ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", redact(url), err)
	}
	defer conn.Close(context.Background())
	for _, q := range sql {
		if _, err := conn.PgConn().Exec(ctx, q).ReadAll(); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// redact hides the password of a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	return u.Redacted()
}
