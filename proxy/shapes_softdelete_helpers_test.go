package proxy

import (
	"context"
	"flag"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The statement-shape cases live in testdata/softdelete/shapes.txt:
//
//	=== name
//	@ option …        (simple, extended, ordered, explain, nocheck, copydata a,b;c,d)
//	one step per line (a step may hold several statements in the simple protocol;
//	\n in it is a line break)
//
// Each case runs on a fresh connection to the reference directly and to the
// soft database through the proxy, in each protocol; the outcomes of every
// step must be equal and the trash invariant (checkTrash) must hold after.
// shapes.golden records the reference's outcomes (simple protocol), so a
// reviewer sees what each case really returns; regenerate it with
//
//	go test ./proxy/ -run TestSoftDeleteShapes -update-softdelete
var updateSoftdeleteGolden = flag.Bool("update-softdelete", false, "rewrite testdata/softdelete/*.golden from the reference database")

type shapeCase struct {
	name     string
	steps    []string
	only     string // "simple" or "extended": run in that protocol only
	ordered  bool   // keep row order (else rows are compared as multisets)
	explain  bool   // reduce EXPLAIN ANALYZE output to its actual row counts
	nocheck  bool   // skip checkTrash
	copyData string // input of COPY … FROM STDIN steps
}

func loadShapeCases(t testing.TB, file string) []shapeCase {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cases []shapeCase
	var c *shapeCase
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, " \t")
		switch {
		case strings.HasPrefix(line, "=== "):
			cases = append(cases, shapeCase{name: strings.TrimPrefix(line, "=== ")})
			c = &cases[len(cases)-1]
		case line == "" || strings.HasPrefix(line, "#"):
		case c == nil:
			t.Fatalf("%s:%d: step before the first case", file, n+1)
		case strings.HasPrefix(line, "@ "):
			if err := c.option(strings.TrimPrefix(line, "@ ")); err != nil {
				t.Fatalf("%s:%d: %v", file, n+1, err)
			}
		default:
			c.steps = append(c.steps, strings.ReplaceAll(line, `\n`, "\n"))
		}
	}
	return cases
}

func (c *shapeCase) option(opt string) error {
	word, arg, _ := strings.Cut(opt, " ")
	switch word {
	case "simple", "extended":
		c.only = word
	case "ordered":
		c.ordered = true
	case "explain":
		c.explain = true
	case "nocheck":
		c.nocheck = true
	case "copydata":
		c.copyData = strings.ReplaceAll(arg, ";", "\n") + "\n"
	default:
		return fmt.Errorf("unknown option %q", word)
	}
	return nil
}

var (
	copyToRE   = regexp.MustCompile(`(?i)^\s*COPY\b.*\bTO\s+STDOUT\b`)
	copyFromRE = regexp.MustCompile(`(?i)^\s*COPY\b.*\bFROM\s+STDIN\b`)
	actualRE   = regexp.MustCompile(`actual rows=(\d+)`)
	modifyRE   = regexp.MustCompile(`^\s*(Delete|Update|Insert|Merge) on `)
)

// runStep executes one step of a case and normalises its outcomes.
func (c *shapeCase) runStep(ctx context.Context, conn *pgx.Conn, m protoMode, sql string) []outcome {
	var outs []outcome
	switch {
	case copyToRE.MatchString(sql):
		outs = []outcome{copyOut(ctx, conn.PgConn(), sql)}
	case copyFromRE.MatchString(sql):
		outs = []outcome{copyIn(ctx, conn.PgConn(), sql, c.copyData)}
	default:
		outs = runStmt(ctx, conn, m, sql)
	}
	if c.explain {
		return explainCounts(outs)
	}
	if !c.ordered && !strings.Contains(strings.ToUpper(sql), "ORDER BY") {
		outs = sortRows(outs)
	}
	return outs
}

// explainCounts keeps of EXPLAIN ANALYZE output what each plan returned,
// whatever its shape (the filter may change it): the top node's "actual
// rows=" and, under a ModifyTable node (Delete/Update/Insert/Merge on …),
// its first child's, which is the number of rows modified.
func explainCounts(outs []outcome) []outcome {
	res := append([]outcome(nil), outs...)
	for i, o := range res {
		if len(o.Rows) == 0 {
			continue
		}
		var counts []string
		for j, line := range o.Rows {
			m := actualRE.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			counts = append(counts, "actual rows="+m[1])
			if j > 0 || !modifyRE.MatchString(line) || len(counts) == 2 {
				break
			}
		}
		res[i].Rows = counts
	}
	return res
}

// runCase runs c on both sides in mode m and returns every difference (and
// the reference's outcomes, for the golden file). x, when set, is where the
// proxy differs by design (see expectation).
func (tw *twin) runCase(t *testing.T, c *shapeCase, m protoMode, x *expectation) (problems []string, ref [][]outcome) {
	t.Helper()
	tw.reset(t)
	ctx := testCtx(t)
	refConn := connectMode(t, tw.ref, m)
	softConn := connectMode(t, tw.proxied, m)
	for i, step := range c.steps {
		refStep := step
		if x != nil && x.step == i && x.refused != nil {
			refStep = x.refused.standIn(step)
		}
		want := c.runStep(ctx, refConn, m, refStep)
		got := c.runStep(ctx, softConn, m, step)
		ref = append(ref, want)
		if x != nil && x.step == i {
			var p []string
			want, p = tw.expected(t, c, m, x, step, want)
			problems = append(problems, p...)
		}
		if !reflect.DeepEqual(got, want) {
			problems = append(problems, fmt.Sprintf("%s\n   got: %s\n  want: %s", step,
				indent(formatOutcomes(got)), indent(formatOutcomes(want))))
		}
	}
	refConn.Close(ctx)
	softConn.Close(ctx)
	if !c.nocheck {
		problems = append(problems, tw.checkTrash(t)...)
	}
	if x != nil && x.step >= len(c.steps) {
		problems = append(problems, fmt.Sprintf("the expectation names step %d of a case of %d steps", x.step, len(c.steps)))
	}
	return problems, ref
}

// expected is what the proxy must answer to step, which x says differs
// from the reference's ref by design.
func (tw *twin) expected(t *testing.T, c *shapeCase, m protoMode, x *expectation, step string, ref []outcome) ([]outcome, []string) {
	t.Helper()
	if x.refused != nil {
		want := []outcome{x.refused.outcome(step)}
		if !reflect.DeepEqual(ref, want) {
			return want, []string{fmt.Sprintf("the reference's stand-in for the refusal of %q answered %v %q, not the refusal", step, ref, ref[0].Msg)}
		}
		return want, nil
	}
	direct := connectMode(t, tw.soft, m)
	defer direct.Close(testCtx(t))
	stored := c.runStep(testCtx(t), direct, m, x.returned)
	if len(ref) != 1 || len(stored) != 1 || stored[0].Code != "" {
		return ref, []string{fmt.Sprintf("%s: reference %v, stored rows %v", step, ref, stored)}
	}
	want := []outcome{{Tag: ref[0].Tag, Rows: stored[0].Rows}}
	var problems []string
	if len(want[0].Rows) == 0 {
		problems = append(problems, fmt.Sprintf("%s: %s finds no trashed row", step, x.returned))
	}
	for i, row := range want[0].Rows {
		cut := strings.LastIndex(row, "|")
		if strings.HasSuffix(row, "|∅") || i >= len(ref[0].Rows) || row[:cut]+"|∅" != ref[0].Rows[i] {
			problems = append(problems, fmt.Sprintf("%s: the trashed row %q is not the reference's %v with deleted_at set", step, row, ref[0].Rows))
		}
	}
	return want, problems
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n        ") }

// goldenOf renders reference outcomes of every case. note marks the steps
// where the reference ran a refusal's stand-in.
func goldenOf(cases []shapeCase, refs map[string][][]outcome, note func(c string, step int) string) string {
	var b strings.Builder
	for _, c := range cases {
		outs, ok := refs[c.name]
		if !ok {
			continue
		}
		fmt.Fprintf(&b, "=== %s\n", c.name)
		for i, step := range c.steps {
			fmt.Fprintf(&b, "> %s\n%s%s\n", strings.ReplaceAll(step, "\n", `\n`), formatOutcomes(outs[i]), note(c.name, i))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// checkGolden compares got with the golden file (or rewrites it with
// -update-softdelete).
func checkGolden(t *testing.T, file, got string) {
	t.Helper()
	if *updateSoftdeleteGolden {
		if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (create it with -update-softdelete)", err)
	}
	if string(want) != got {
		t.Errorf("the reference database's outcomes differ from %s; if the cases changed, run with -update-softdelete and review the diff.\n%s",
			file, firstDiff(string(want), got))
	}
}

// firstDiff shows the first differing line of two texts.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return fmt.Sprintf("line %d:\n golden: %s\n    got: %s", i+1, wl, gl)
		}
	}
	return ""
}
