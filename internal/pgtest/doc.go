// Package pgtest gives integration tests a real PostgreSQL.
//
// There are two ways to get one:
//
//   - Get returns the shared server of the test process. It is the server named by
//     SOFTDELETE_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres).
//     When nothing answers there and initdb and pg_ctl can be found (PATH, then the newest
//     /usr/lib/postgresql/*/bin), Get starts one throwaway cluster for the whole process;
//     Main stops it after the tests ran, so a package that calls Get must have
//
//     func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
//     Tests never share state through the server: each calls CreateDatabase, which makes a
//     fresh database from template0 (prefix "sdtest_") and drops it WITH (FORCE) in t.Cleanup.
//
//   - StartCluster initdb's and starts a private cluster with the pg_hba.conf lines, TLS
//     certificates, settings and password users a test needs (auth methods, sslmode), and
//     stops and removes it in t.Cleanup. Its unix-socket directory is the cluster's own temp
//     dir and "local all postgres trust" is always the first pg_hba.conf line, so the
//     superuser URL (Cluster.URL, over that socket) works whatever the test's HBA says, while
//     Host and Port name the TCP listener on 127.0.0.1 that clients under test use.
//
// The clusters come from internal/pgcluster (initdb and pg_ctl, run as the "postgres" OS
// user when root, certificates, users, and a reaper that stops a cluster whose process died
// without stopping it: a -timeout panic, a SIGKILL or a Ctrl-C leaves no server behind).
//
// Nothing here skips: when no server can be had the test fails, saying how to provide one.
//
// The files: main.go (Main and the process-wide shared server), server.go (Get,
// CreateDatabase, Exec), roles.go (RoleName, CreateRole: unique roles, dropped at cleanup
// with what they own in every database), cluster.go (StartCluster over pgcluster.Start,
// GenerateCerts), port.go (FreePort).
package pgtest
