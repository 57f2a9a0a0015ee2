package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Roles are global to the server: a test names its own with RoleName or
// CreateRole (prefix "sdtest_", a random suffix), and t.Cleanup drops them
// whatever the order of the other cleanups: first what they own and their
// privileges in every database that still has some (DROP OWNED BY), then
// the role.

// RoleName returns a new unique role name (not created: for a role that the
// code under test creates) and drops that role, if it exists, at cleanup.
func (s *Server) RoleName(t testing.TB, prefix string) string {
	t.Helper()
	var b [5]byte
	_, _ = rand.Read(b[:])
	name := "sdtest_" + strings.ToLower(prefix) + "_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if err := s.dropRole(name); err != nil {
			t.Errorf("pgtest: dropping role %s: %v", name, err)
		}
	})
	return name
}

// CreateRole creates a new unique role with the given attributes (e.g.
// "LOGIN", "NOLOGIN IN ROLE x") and drops it at cleanup.
func (s *Server) CreateRole(t testing.TB, prefix, attrs string) string {
	t.Helper()
	name := s.RoleName(t, prefix)
	Exec(t, s.URL, "CREATE ROLE "+pgx.Identifier{name}.Sanitize()+" "+attrs)
	return name
}

// dropRole drops what the role owns and its privileges in every database,
// then the role.
func (s *Server) dropRole(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.URL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, `SELECT DISTINCT d.datname FROM pg_shdepend s JOIN pg_database d ON d.oid = s.dbid
		WHERE s.refclassid = 'pg_authid'::regclass AND s.refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1)`, name)
	if err != nil {
		return err
	}
	dbs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	ident := pgx.Identifier{name}.Sanitize()
	for _, db := range dbs {
		u, err := withDatabase(s.URL, db)
		if err != nil {
			return err
		}
		if err := execSQL(u, "DROP OWNED BY "+ident); err != nil && !strings.Contains(err.Error(), "does not exist") {
			return fmt.Errorf("in database %s: %w", db, err)
		}
	}
	_, err = conn.Exec(ctx, "DROP ROLE IF EXISTS "+ident)
	return err
}
