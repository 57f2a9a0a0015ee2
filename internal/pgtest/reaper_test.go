package pgtest_test

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

const helperEnv = "PGTEST_REAPER_HELPER"

// TestReaperHelper is the child of TestClusterReapedAfterKill: it starts a cluster, says where,
// and waits to be killed. Run directly it does nothing.
func TestReaperHelper(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		return
	}
	c := pgtest.StartCluster(t, pgtest.ClusterOptions{})
	fmt.Printf("CLUSTER %s %s\n", c.Dir, c.Addr())
	time.Sleep(5 * time.Minute)
}

// TestClusterReapedAfterKill kills a test process holding a cluster with SIGKILL, so no cleanup
// runs in it, and expects the cluster to be stopped and removed anyway.
func TestClusterReapedAfterKill(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(os.Args[0], "-test.run=^TestReaperHelper$", "-test.v", "-test.timeout=6m")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	defer cmd.Process.Kill()
	dir, addr := readClusterLine(t, bufio.NewScanner(stdout))
	if conn, err := net.DialTimeout("tcp", addr, time.Second); err != nil {
		t.Fatalf("helper's cluster does not answer on %s: %v", addr, err)
	} else {
		conn.Close()
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	deadline := time.Now().Add(30 * time.Second)
	for !clusterGone(dir, addr) {
		if time.Now().After(deadline) {
			t.Fatalf("cluster %s (%s) still there 30s after its test process was killed", dir, addr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func readClusterLine(t *testing.T, sc *bufio.Scanner) (dir, addr string) {
	t.Helper()
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 3 && f[0] == "CLUSTER" {
			return f[1], f[2]
		}
	}
	t.Fatalf("helper process ended without starting a cluster (%v)", sc.Err())
	return "", ""
}

func clusterGone(dir, addr string) bool {
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		return false
	}
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		conn.Close()
		return false
	}
	return true
}
