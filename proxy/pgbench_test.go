package proxy

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testPgbench initialises pgbench's tables through the proxy (COPY FROM
// STDIN and DDL), runs the TPC-B-like script with each query protocol and
// the select-only script with a new connection per transaction, and then
// checks the TPC-B bookkeeping adds up.
func testPgbench(t *testing.T, p *testProxy, dbURL string) {
	pgbench := needBinary(t, "pgbench")
	// Commits need not wait for the disk (the shared server may fsync).
	url := withParams(t, p.URL(t, dbURL), "options", "-c synchronous_commit=off")
	runPgbench(t, pgbench, "-i", "-s", "1", "-q", url)
	conn := connect(t, dbURL)
	var accounts int
	if err := conn.QueryRow(testCtx(t), "select count(*) from pgbench_accounts").Scan(&accounts); err != nil {
		t.Fatal(err)
	}
	if accounts != 100000 {
		t.Fatalf("pgbench -i -s 1 loaded %d accounts, want 100000", accounts)
	}
	const clients, perClient = 4, 200
	tpcb := 0
	for _, mode := range []string{"simple", "extended", "prepared"} {
		t.Run(mode, func(t *testing.T) {
			out := runPgbench(t, pgbench, "-n", "-M", mode, "-c", fmt.Sprint(clients), "-j", "2",
				"-t", fmt.Sprint(perClient), url)
			checkProcessed(t, out, clients*perClient)
			tpcb += clients * perClient
		})
	}
	t.Run("select-only-connect-per-transaction", func(t *testing.T) {
		out := runPgbench(t, pgbench, "-n", "-S", "-C", "-M", "prepared", "-c", "4", "-t", "15", url)
		checkProcessed(t, out, 60)
	})
	var history int
	var accountSum, tellerSum, branchSum, deltaSum int64
	err := conn.QueryRow(testCtx(t), `select (select count(*) from pgbench_history),
		(select sum(abalance) from pgbench_accounts), (select sum(tbalance) from pgbench_tellers),
		(select sum(bbalance) from pgbench_branches), (select coalesce(sum(delta), 0) from pgbench_history)`).
		Scan(&history, &accountSum, &tellerSum, &branchSum, &deltaSum)
	if err != nil {
		t.Fatal(err)
	}
	if history != tpcb || accountSum != deltaSum || tellerSum != deltaSum || branchSum != deltaSum {
		t.Fatalf("after %d TPC-B transactions: %d history rows; balances accounts %d, tellers %d, branches %d, deltas %d",
			tpcb, history, accountSum, tellerSum, branchSum, deltaSum)
	}
}

// runPgbench runs pgbench and returns its combined output, failing the
// test unless it exits 0.
func runPgbench(t *testing.T, pgbench string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, pgbench, args...)
	cmd.Env = clientEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

var processedRE = regexp.MustCompile(`number of transactions actually processed: (\d+)/(\d+)`)

// checkProcessed fails unless pgbench reports want transactions done out
// of want, and none failed.
func checkProcessed(t *testing.T, out string, want int) {
	t.Helper()
	m := processedRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("pgbench output has no transaction count:\n%s", out)
	}
	if m[1] != fmt.Sprint(want) || m[2] != fmt.Sprint(want) {
		t.Fatalf("pgbench processed %s/%s transactions, want %d/%d:\n%s", m[1], m[2], want, want, out)
	}
	if !strings.Contains(out, "number of failed transactions: 0 ") {
		t.Fatalf("pgbench reports failed transactions:\n%s", out)
	}
}
