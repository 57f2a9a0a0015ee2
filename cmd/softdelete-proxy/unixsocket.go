package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// listenUnix serves clients on dir/.s.PGSQL.<port of listenAddr>, the name
// libpq and every driver derive from host=dir port=port, as PgBouncer's
// unix_socket_dir does. A socket file no one listens on (left by a crash)
// is removed first; one in use is an error.
func listenUnix(dir, listenAddr string) (net.Listener, error) {
	_, port, err := net.SplitHostPort(listenAddr)
	if err != nil {
		return nil, fmt.Errorf("unix_socket_dir: the port comes from listen %q: %w", listenAddr, err)
	}
	path := filepath.Join(dir, ".s.PGSQL."+port)
	if err := removeStaleSocket(path); err != nil {
		return nil, err
	}
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on the Unix socket %s (setting unix_socket_dir): %w", path, err)
	}
	// As PostgreSQL's default unix_socket_permissions: who may connect is
	// for authentication to decide.
	if err := os.Chmod(path, 0o777); err != nil {
		ln.Close()
		return nil, fmt.Errorf("unix_socket_dir: %w", err)
	}
	return ln, nil
}

func removeStaleSocket(path string) error {
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	c, err := net.DialTimeout("unix", path, time.Second)
	if err == nil {
		c.Close()
		return fmt.Errorf("unix_socket_dir: %s is in use by another process", path)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) && !errors.Is(err, syscall.ENOENT) {
		return fmt.Errorf("unix_socket_dir: %s exists and cannot be checked: %w", path, err)
	}
	return os.Remove(path)
}
