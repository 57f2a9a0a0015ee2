// Package pgcluster starts and stops throwaway PostgreSQL clusters: initdb into a fresh
// temp dir, pg_ctl start on a free port of 127.0.0.1, and on Stop, pg_ctl stop and the dir
// removed. The test harness (internal/pgtest) and the demo command (softdelete-proxy demo)
// both use it, so it does not import "testing".
//
// Find locates initdb and pg_ctl (PATH, then the newest /usr/lib/postgresql/*/bin). Start
// takes Options: pg_hba.conf lines, TLS (a fresh CA and server certificate from
// GenerateCerts), extra postgresql.conf settings, and password users to create. The
// settings favour speed over durability (fsync off): a cluster here never holds data
// anyone wants to keep.
//
// The unix-socket directory is the cluster's own dir and "local all postgres trust" is
// always the first pg_hba.conf line, so Cluster.URL (the superuser over that socket) works
// whatever the HBA lines say, while Host and Port name the TCP listener clients use.
//
// Running as root, the cluster is created and run as the "postgres" OS user (initdb
// refuses root), and its files are handed to that user.
//
// Every cluster has a reaper: a small shell process in its own process group that reads
// its stdin until this process dies, then stops the cluster and removes its dir, so a
// SIGKILL, a panic or a Ctrl-C of a test run leaves no server behind. Stop ends it first.
//
// The files: cluster.go (Start, Stop), pgctl.go (Find, running initdb/pg_ctl as another
// user if need be), config.go (pg_hba.conf and postgresql.conf), users.go (password
// roles), control.go (PgCtl, PostmasterPID, standby.signal for tests that drive the
// server through its states), reaper.go, certs.go (GenerateCerts), port.go (FreePort).
package pgcluster
