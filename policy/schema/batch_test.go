package schema

import (
	"fmt"
	"strings"
	"testing"
)

func TestBatches(t *testing.T) {
	step := func(name string, n int, gate bool) Step {
		s := Step{Comment: name}
		if gate {
			s.Phase = phaseGate
		}
		for i := 0; i < n; i++ {
			s.SQL = append(s.SQL, fmt.Sprintf("-- %s %d;", name, i))
		}
		return s
	}
	for _, tc := range []struct {
		name  string
		limit int
		steps []Step
		want  string // batches separated by " | ", steps by ","
	}{
		{"no limit: one transaction", 0, []Step{step("a", 3, false), step("g", 2, true), step("b", 5, false)}, "a,b,g"},
		{"the guard's triggers last", 100, []Step{step("g1", 1, true), step("a", 1, false), step("g2", 1, true), step("b", 1, false)}, "a,b,g1,g2"},
		{"packed up to the limit", 4, []Step{step("a", 2, false), step("b", 2, false), step("c", 1, false), step("g", 3, true)}, "a,b | c,g"},
		{"a step is never split", 3, []Step{step("a", 2, false), step("big", 7, false), step("c", 1, false)}, "a | big | c"},
		{"empty", 10, nil, ""},
		{"drops after the guard's triggers", 0, []Step{{Comment: "drop", Phase: phaseCleanup}, step("g", 1, true), step("a", 1, false)}, "a,g,drop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &Migration{Steps: tc.steps, BatchStatements: tc.limit}
			var got []string
			total := 0
			for _, b := range m.Batches() {
				var names []string
				for _, s := range b {
					names = append(names, s.Comment)
					total += len(s.SQL)
				}
				got = append(got, strings.Join(names, ","))
			}
			if g := strings.Join(got, " | "); g != tc.want {
				t.Errorf("batches %q, want %q", g, tc.want)
			}
			if total != len(m.Statements()) {
				t.Errorf("%d statements in batches, %d in the migration", total, len(m.Statements()))
			}
		})
	}
}

func TestBatchStatements(t *testing.T) {
	for capacity, want := range map[int]int{0: 0, -1: 0, 1: 1, 7808: 976, 64 * 1024: 8192} {
		if got := batchStatements(capacity); got != want {
			t.Errorf("batchStatements(%d) = %d, want %d", capacity, got, want)
		}
	}
}
