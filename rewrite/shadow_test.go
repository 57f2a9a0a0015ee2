package rewrite

import "testing"

// An unmanaged relation ahead of the managed one on search_path is what an
// unqualified name means, as in PostgreSQL: it is not filtered, and is
// written qualified with its own schema.
func TestShadowedNameResolution(t *testing.T) {
	p := NewPolicy(1, []Table{{Schema: "public", Name: "t", Column: "deleted_at"}})
	r := New(Options{})
	shadows := ShadowList([][2]string{{"s2", "t"}})
	const soft = "UPDATE public.t SET deleted_at = now() WHERE (id = 1) AND t.deleted_at IS NULL"
	cases := []struct {
		path, shadows string
		want          string
	}{
		{"s2, public", shadows, "DELETE FROM s2.t WHERE id = 1"}, // s2.t comes first
		{"public, s2", shadows, soft},                            // public.t comes first
		{"s2, public", "", soft},                                 // nothing known of s2.t
		{"s3, public", shadows, soft},                            // s2 not on the path
		{"s3", shadows, "DELETE FROM t WHERE id = 1"},            // nothing on the path: as written
	}
	for _, tc := range cases {
		res, err := r.Rewrite("DELETE FROM t WHERE id = 1", p, &Session{SearchPath: tc.path, Shadows: tc.shadows})
		if err != nil {
			t.Fatal(err)
		}
		if res.SQL != tc.want {
			t.Errorf("search_path %q shadows %q:\n got: %s\nwant: %s", tc.path, tc.shadows, res.SQL, tc.want)
		}
	}
	if !shadowed(shadows, "s2", "t") || shadowed(shadows, "s2", "u") || shadowed(shadows, "s", "2t") {
		t.Fatal("shadowed() lookup is wrong")
	}
}

// Result.Touches is MayTouch of the text, from cold rewrites, the cache and
// templates alike.
func TestResultTouches(t *testing.T) {
	r := New(Options{})
	p := NewPolicy(1, []Table{{Schema: "public", Name: "t", Column: "deleted_at"}})
	for i := 0; i < 3; i++ { // cold, cache hit, cache hit
		for _, sql := range []string{"SELECT * FROM t WHERE id = 1", "SELECT * FROM t WHERE id = 2", "SELECT 1", "SET search_path = s2"} {
			res, err := r.Rewrite(sql, p, &Session{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Touches != p.MayTouch(sql) {
				t.Errorf("round %d %q: Touches = %v, MayTouch = %v", i, sql, res.Touches, p.MayTouch(sql))
			}
		}
	}
}
