package purger

import (
	"errors"
	"testing"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
)

func TestCheckWhere(t *testing.T) {
	ok := []string{
		"id = 1",
		"owner_id = 42 AND deleted_at > now() - interval '1 day'",
		"a = 1 OR b = 2",
		"name = 'x) OR (true'",
		"id IN (SELECT id FROM other WHERE flag)",
		"id = 1 -- trailing comment",
		"$$)$$ = name",
	}
	for _, w := range ok {
		if err := checkWhere(w); err != nil {
			t.Errorf("checkWhere(%q) = %v, want nil", w, err)
		}
	}
	bad := []string{
		"",
		"   ",
		"true) OR (true",
		"1) FROM pg_class WHERE (true",
		"id = 1); DROP TABLE t; --",
		"1), (2",
		"true)) --",
		"id = 1 /* unclosed",
		"true) UNION SELECT (1",
		"true) ORDER BY (1",
	}
	for _, w := range bad {
		if err := checkWhere(w); !errors.Is(err, ErrBadSelector) {
			t.Errorf("checkWhere(%q) = %v, want ErrBadSelector", w, err)
		}
	}
}

func TestChildrenFirst(t *testing.T) {
	tb := func(name string) policy.Table {
		return policy.Table{Schema: "public", Name: name, Column: "deleted_at", Retention: time.Hour}
	}
	names := func(ts []policy.Table) []string {
		var out []string
		for _, t := range ts {
			out = append(out, t.Name)
		}
		return out
	}
	tests := []struct {
		name   string
		tables []string
		edges  [][2]string // child, parent
		want   []string
		cyclic bool
	}{
		{"no keys keeps config order", []string{"a", "b", "c"}, nil, []string{"a", "b", "c"}, false},
		{"child first", []string{"parent", "child"}, [][2]string{{"public.child", "public.parent"}},
			[]string{"child", "parent"}, false},
		{"chain", []string{"a", "b", "c"}, [][2]string{{"public.c", "public.b"}, {"public.b", "public.a"}},
			[]string{"c", "b", "a"}, false},
		{"unmanaged and self references ignored", []string{"a", "b"},
			[][2]string{{"public.a", "public.a"}, {"public.x", "public.b"}, {"public.a", "public.y"}},
			[]string{"a", "b"}, false},
		{"diamond", []string{"top", "l", "r", "bottom"},
			[][2]string{{"public.l", "public.top"}, {"public.r", "public.top"},
				{"public.bottom", "public.l"}, {"public.bottom", "public.r"}},
			[]string{"bottom", "l", "r", "top"}, false},
		{"cycle", []string{"a", "b", "c"}, [][2]string{{"public.a", "public.b"}, {"public.b", "public.a"}},
			[]string{"c", "a", "b"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in []policy.Table
			for _, n := range tt.tables {
				in = append(in, tb(n))
			}
			got, cyclic := childrenFirst(in, tt.edges)
			if g := names(got); !equal(g, tt.want) || cyclic != tt.cyclic {
				t.Errorf("got %v cyclic=%v, want %v cyclic=%v", g, cyclic, tt.want, tt.cyclic)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
