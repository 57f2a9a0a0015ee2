package rewrite

import (
	"fmt"
	"reflect"
	"testing"
)

// keyVariant is one value of one cache key part: a session and a policy.
type keyVariant struct {
	name    string
	session Session
	policy  *Policy
}

// cacheKeyParts lists, for each part of cacheKey, variants that differ only
// in that part and must rewrite one statement differently. sql has one
// integer constant, written %d.
func cacheKeyParts() []struct {
	part     string
	sql      string
	variants []keyVariant
} {
	p := testPolicy()
	otherColumn := NewPolicy(2, []Table{{Schema: "public", Name: "contacts", Column: "gone_at"}})
	trash := Session{Visibility: VisibilityDeleted}
	trashHard := Session{Visibility: VisibilityDeleted, CanHardDelete: true}
	shadowed := Session{SearchPath: "app, public", Shadows: ShadowList([][2]string{{"app", "contacts"}})}
	return []struct {
		part     string
		sql      string
		variants []keyVariant
	}{
		{"visibility", "SELECT * FROM contacts WHERE id = %d", []keyVariant{
			{"active", Session{Visibility: VisibilityActive}, p},
			{"deleted", Session{Visibility: VisibilityDeleted}, p},
			{"all", Session{Visibility: VisibilityAll}, p},
		}},
		{"search_path", "SELECT * FROM notes WHERE id = %d", []keyVariant{
			{"public", Session{SearchPath: "public"}, p},
			{"crm", Session{SearchPath: "crm"}, p},
		}},
		{"user", "SELECT * FROM notes WHERE id = %d", []keyVariant{
			{"alice", Session{SearchPath: `"$user", public`, User: "alice"}, p},
			{"crm", Session{SearchPath: `"$user", public`, User: "crm"}, p},
		}},
		{"hard-delete right", "DELETE FROM contacts WHERE id = %d", []keyVariant{
			{"may", trashHard, p},
			{"may not", trash, p},
		}},
		{"shadows", "SELECT * FROM contacts WHERE id = %d", []keyVariant{
			{"none", Session{SearchPath: "app, public"}, p},
			{"app.contacts", shadowed, p},
		}},
		{"policy version", "SELECT * FROM contacts WHERE id = %d", []keyVariant{
			{"v1", Session{}, p},
			{"v2", Session{}, otherColumn},
		}},
	}
}

type rewriteOutcome struct {
	res Result
	err error
}

func rewriteWith(r *Rewriter, sql string, v keyVariant) rewriteOutcome {
	s := v.session
	res, err := r.Rewrite(sql, v.policy, &s)
	res.CacheHit = false
	return rewriteOutcome{res, err}
}

// TestCacheKeyParts checks that every part of the cache key is in it: one
// Rewriter serves the same text (exact cache) and the same shape with other
// constants (template cache) under each variant in turn, and each answer
// must equal an uncached rewrite, which differs between the variants.
func TestCacheKeyParts(t *testing.T) {
	for _, kp := range cacheKeyParts() {
		t.Run(kp.part, func(t *testing.T) {
			cold := func(sql string, v keyVariant) rewriteOutcome {
				return rewriteWith(New(Options{CacheBytes: -1}), sql, v)
			}
			// The variants must really rewrite differently, else the test proves nothing.
			sql := fmt.Sprintf(kp.sql, 1)
			for i, a := range kp.variants {
				for _, b := range kp.variants[i+1:] {
					if reflect.DeepEqual(cold(sql, a), cold(sql, b)) {
						t.Fatalf("test setup: %s and %s rewrite %q alike", a.name, b.name, sql)
					}
				}
			}
			for _, order := range [][]int{forward(len(kp.variants)), backward(len(kp.variants))} {
				exact, templ := New(Options{}), New(Options{})
				for n, i := range order {
					v := kp.variants[i]
					if got, want := rewriteWith(exact, sql, v), cold(sql, v); !reflect.DeepEqual(got, want) {
						t.Errorf("exact cache, %s after %v: got %+v, want %+v", v.name, order[:n], got, want)
					}
					other := fmt.Sprintf(kp.sql, 100+n) // same shape, another constant
					if got, want := rewriteWith(templ, other, v), cold(other, v); !reflect.DeepEqual(got, want) {
						t.Errorf("template cache, %s after %v: got %+v, want %+v", v.name, order[:n], got, want)
					}
				}
				if st := exact.Stats(); st.Misses != uint64(len(order)) {
					t.Errorf("exact cache: %d misses for %d variants, want one each (%+v)", st.Misses, len(order), st)
				}
				// Each variant's own template serves it again (the shape is templatable).
				ok := uint64(0)
				for n, v := range kp.variants {
					again := fmt.Sprintf(kp.sql, 500+n)
					want := cold(again, v)
					if got := rewriteWith(templ, again, v); !reflect.DeepEqual(got, want) {
						t.Errorf("template cache, %s again: got %+v, want %+v", v.name, got, want)
					}
					if want.err == nil {
						ok++
					}
				}
				if st := templ.Stats(); st.TemplateHits != ok {
					t.Errorf("template hits %d, want %d (one per variant that rewrites): %+v", st.TemplateHits, ok, st)
				}
			}
		})
	}
}

func forward(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func backward(n int) []int {
	out := forward(n)
	for i, j := 0, n-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}
