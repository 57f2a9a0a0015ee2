package proxy

import (
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/internal/pgtest"
)

// The randomized differential test: a seeded workload runs on
// the reference database (real deletes) directly and on the soft database
// through the proxy. Every statement's command tag, rows (order-normalised)
// and error class must match, and at the end the soft database must hold,
// trashed, every row the reference deleted.
//
// Length and seeds (flags after -args, or the environment):
//
//	SOFTDELETE_DIFFTEST_SEEDS=N    run seeds 1..N (default 3)
//	SOFTDELETE_DIFFTEST_SEED=a,b   run exactly these seeds (to replay a failure)
//	SOFTDELETE_DIFFTEST_STEPS=M    statements per seed (default 200)
//	SOFTDELETE_DIFFTEST_CHECK_EACH=1  check the trash invariant after every
//	                               statement outside a transaction (slow; to
//	                               find where a replayed seed diverges)
//
// Each seed runs in the simple and in the extended protocol.
var (
	difftestSeeds = flag.String("softdelete.difftest.seeds", os.Getenv("SOFTDELETE_DIFFTEST_SEEDS"), "number of seeds of the differential test (default 3)")
	difftestSeed  = flag.String("softdelete.difftest.seed", os.Getenv("SOFTDELETE_DIFFTEST_SEED"), "comma-separated seeds of the differential test, to replay")
	difftestSteps = flag.String("softdelete.difftest.steps", os.Getenv("SOFTDELETE_DIFFTEST_STEPS"), "statements per seed of the differential test (default 200)")
	difftestEach  = flag.Bool("softdelete.difftest.checkeach", os.Getenv("SOFTDELETE_DIFFTEST_CHECK_EACH") != "", "check the trash invariant after every statement outside a transaction")
)

// goneLog records, in the reference only, every row a DELETE removed.
const goneLog = `
CREATE TABLE gone (tbl text, id int);
CREATE FUNCTION log_gone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO gone VALUES (TG_TABLE_NAME, OLD.id); RETURN OLD; END $$;
CREATE TRIGGER t_gone AFTER DELETE ON t FOR EACH ROW EXECUTE FUNCTION log_gone();
CREATE TRIGGER t2_gone AFTER DELETE ON t2 FOR EACH ROW EXECUTE FUNCTION log_gone();
`

func TestSoftDeleteDifferential(t *testing.T) {
	seeds, steps := difftestConfig(t)
	tw := newTwin(t)
	pgtest.Exec(t, tw.ref, goneLog)
	for _, seed := range seeds {
		for _, m := range protoModes {
			t.Run(fmt.Sprintf("seed=%d/%s", seed, m.name), func(t *testing.T) {
				tw.reset(t)
				pgtest.Exec(t, tw.ref, "DELETE FROM gone")
				if msg := tw.difftest(t, seed, steps, m); msg != "" {
					t.Errorf("%s\nreplay: SOFTDELETE_DIFFTEST_SEED=%d SOFTDELETE_DIFFTEST_STEPS=%d go test ./proxy/ -run 'TestSoftDeleteDifferential/seed=%d/%s'",
						msg, seed, steps, seed, m.name)
				}
			})
		}
	}
}

func difftestConfig(t *testing.T) (seeds []int64, steps int) {
	t.Helper()
	steps = 200
	if *difftestSteps != "" {
		n, err := strconv.Atoi(*difftestSteps)
		if err != nil || n <= 0 {
			t.Fatalf("SOFTDELETE_DIFFTEST_STEPS=%q: want a positive number", *difftestSteps)
		}
		steps = n
	}
	if *difftestSeed != "" {
		for _, f := range strings.Split(*difftestSeed, ",") {
			s, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
			if err != nil {
				t.Fatalf("SOFTDELETE_DIFFTEST_SEED=%q: want comma-separated numbers", *difftestSeed)
			}
			seeds = append(seeds, s)
		}
		return seeds, steps
	}
	n := 3
	if *difftestSeeds != "" {
		v, err := strconv.Atoi(*difftestSeeds)
		if err != nil || v <= 0 {
			t.Fatalf("SOFTDELETE_DIFFTEST_SEEDS=%q: want a positive number", *difftestSeeds)
		}
		n = v
	}
	for i := 1; i <= n; i++ {
		seeds = append(seeds, int64(i))
	}
	return seeds, steps
}

// difftest runs one seed's workload and returns the first difference, or "".
func (tw *twin) difftest(t *testing.T, seed int64, steps int, m protoMode) string {
	ctx := testCtx(t)
	refConn := connectMode(t, tw.ref, m)
	softConn := connectMode(t, tw.proxied, m)
	w := newWorkload(seed)
	var history []string
	var stats diffStats
	defer func() { t.Logf("seed %d, %s: %s", seed, m.name, stats) }()
	for i := 0; i <= steps; i++ {
		st := w.next()
		if i == steps {
			var ok bool
			if st, ok = w.end(); !ok {
				break
			}
		}
		history = append(history, fmt.Sprintf("%d: %s %v", i, st.sql, st.args))
		want := diffOutcome(ctx, refConn, m, st)
		got := diffOutcome(ctx, softConn, m, st)
		stats.add(st, want)
		if !reflect.DeepEqual(got, want) {
			return fmt.Sprintf("seed %d, %s protocol, statement %d differs:\n%s %v\n   got: %s\n  want: %s\nstatements before it:\n%s",
				seed, m.name, i, st.sql, st.args, got, want, strings.Join(lastN(history[:len(history)-1], 15), "\n"))
		}
		if *difftestEach && !w.inTx {
			if problems := tw.checkTrash(t); len(problems) > 0 {
				return fmt.Sprintf("seed %d, %s protocol, the databases diverge after statement %d (%s %v):\n%s\nstatements before it:\n%s",
					seed, m.name, i, st.sql, st.args, strings.Join(problems, "\n"), strings.Join(lastN(history[:len(history)-1], 15), "\n"))
			}
		}
	}
	refConn.Close(ctx)
	softConn.Close(ctx)
	problems := tw.checkTrash(t)
	problems = append(problems, tw.checkGone(t)...)
	if len(problems) > 0 {
		return fmt.Sprintf("seed %d, %s protocol, after %d statements:\n%s", seed, m.name, steps, strings.Join(problems, "\n"))
	}
	return ""
}

// diffOutcome runs one statement with pgx (arguments bound by the server in
// the extended protocol, interpolated by pgx in the simple one) and reduces
// the answer to what must match: tag, sorted rows, SQLSTATE class.
func diffOutcome(ctx context.Context, conn *pgx.Conn, m protoMode, st genStmt) outcome {
	if len(st.args) == 0 {
		// Without arguments, send the text as it is (pgx would try to
		// interpolate the $1 of a PREPARE in the simple protocol).
		outs := runStmt(ctx, conn, m, st.sql)
		return codeClass(sortRows(outs[len(outs)-1:]))[0]
	}
	rows, err := conn.Query(ctx, st.sql, st.args...)
	if err != nil {
		return codeClass([]outcome{{Code: codeOf(err)}})[0]
	}
	var o outcome
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			rows.Close()
			return outcome{Code: codeOf(err)}
		}
		o.Rows = append(o.Rows, joinValues(vals))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return codeClass([]outcome{{Code: codeOf(err)}})[0]
	}
	sort.Strings(o.Rows)
	o.Tag = rows.CommandTag().String()
	return o
}

func lastN(s []string, n int) []string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// checkGone verifies that every row the reference deleted is in the soft
// database with deleted_at set.
func (tw *twin) checkGone(t testing.TB) []string {
	t.Helper()
	var problems []string
	for _, table := range []string{"t", "t2"} {
		gone := adminRows(t, tw.refAdmin, "SELECT id FROM gone WHERE tbl = '"+table+"' ORDER BY id")
		if len(gone) == 0 {
			continue
		}
		kept := adminRows(t, tw.softAdmin, fmt.Sprintf(
			"SELECT id FROM %s WHERE id IN (%s) AND deleted_at IS NOT NULL ORDER BY id", table, strings.Join(gone, ",")))
		if !reflect.DeepEqual(kept, gone) {
			problems = append(problems, fmt.Sprintf("rows of %s deleted in the reference: %v; trashed in the soft database: %v", table, gone, kept))
		}
	}
	return problems
}

// diffStats tells how much a seed exercised, so that a workload that
// degenerated (everything failing, nothing deleted) shows in the log.
type diffStats struct {
	statements, errors, deletes, deleted, reads, rows int
}

func (s *diffStats) add(st genStmt, o outcome) {
	s.statements++
	switch {
	case o.Code != "":
		s.errors++
	case strings.HasPrefix(o.Tag, "DELETE") || strings.HasPrefix(o.Tag, "MERGE"):
		s.deletes++
		n, _ := strconv.Atoi(o.Tag[strings.LastIndexByte(o.Tag, ' ')+1:])
		s.deleted += n
	case strings.HasPrefix(o.Tag, "SELECT"):
		s.reads++
		s.rows += len(o.Rows)
	}
}

func (s diffStats) String() string {
	return fmt.Sprintf("%d statements: %d failed, %d deletes removing %d rows, %d reads returning %d rows",
		s.statements, s.errors, s.deletes, s.deleted, s.reads, s.rows)
}
