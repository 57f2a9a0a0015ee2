package proxy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// Roles are global to the server, so each test makes its own, with a random
// suffix, and drops them when it ends (after its databases: call newRoles
// before CreateDatabase, since cleanups run last-in first-out).

// testRoles are the policy roles and the login users of a visibility test.
type testRoles struct {
	dba, etl           string // group roles: roles.hard_delete and roles.bypass
	alice, bob, eve    string // logins: alice in dba, bob in neither, eve in etl
	password, superURL string
}

func newRoles(t *testing.T) *testRoles {
	t.Helper()
	var b [4]byte
	_, _ = rand.Read(b[:])
	sfx := hex.EncodeToString(b[:])
	r := &testRoles{
		dba: "sdt_dba_" + sfx, etl: "sdt_etl_" + sfx,
		alice: "sdt_alice_" + sfx, bob: "sdt_bob_" + sfx, eve: "sdt_eve_" + sfx,
		password: "pw-" + sfx, superURL: pgtest.Get(t).URL,
	}
	id := func(s string) string { return pgx.Identifier{s}.Sanitize() }
	pw := "'" + r.password + "'"
	pgtest.Exec(t, r.superURL,
		"CREATE ROLE "+id(r.dba)+" NOLOGIN",
		"CREATE ROLE "+id(r.etl)+" NOLOGIN",
		"CREATE ROLE "+id(r.alice)+" LOGIN PASSWORD "+pw+" IN ROLE "+id(r.dba),
		"CREATE ROLE "+id(r.bob)+" LOGIN PASSWORD "+pw,
		"CREATE ROLE "+id(r.eve)+" LOGIN PASSWORD "+pw+" IN ROLE "+id(r.etl),
	)
	t.Cleanup(func() {
		for _, name := range []string{r.alice, r.bob, r.eve, r.dba, r.etl} {
			if err := execOnce(r.superURL, "DROP ROLE IF EXISTS "+id(name)); err != nil {
				t.Errorf("dropping role %s: %v", name, err)
			}
		}
	})
	return r
}

// as returns dbURL logging in as user (with the test password).
func (r *testRoles) as(t testing.TB, dbURL, user string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, r.password)
	return u.String()
}

// execOnce runs sql on a new connection, for cleanups (which must not
// call t.Fatal).
func execOnce(connURL, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}
