package pgtest

import (
	"testing"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgcluster"
)

// FreePort returns a free TCP port on 127.0.0.1.
func FreePort(t testing.TB) int {
	t.Helper()
	port, err := pgcluster.FreePort()
	if err != nil {
		t.Fatalf("pgtest: no free port on 127.0.0.1: %v", err)
	}
	return port
}
