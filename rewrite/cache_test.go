package rewrite

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// mutateConsts changes every templatisable literal of sql: numbers get a
// different value, strings a different body. ok is false when sql has none.
func mutateConsts(sql string) (string, bool) {
	_, consts, ok := normalize(sql)
	if !ok {
		return "", false
	}
	var b strings.Builder
	last := int32(0)
	for i, c := range consts {
		b.WriteString(sql[last:c.start])
		lit := sql[c.start:c.end]
		if lit[0] == '\'' {
			b.WriteString("'v" + strconv.Itoa(i) + "''x'")
		} else if strings.ContainsAny(lit, ".eE") {
			b.WriteString("12.5e1")
		} else {
			b.WriteString(strconv.Itoa(700 + i))
		}
		last = c.end
	}
	b.WriteString(sql[last:])
	return b.String(), true
}

// TestTemplateMatchesCold checks, over the golden corpus, that a statement
// served from a template equals its cold rewrite.
func TestTemplateMatchesCold(t *testing.T) {
	p := testPolicy()
	templated := 0
	for _, file := range goldenFiles(t) {
		for _, c := range readGolden(t, file) {
			if strings.HasPrefix(c.out, "ERROR") {
				continue
			}
			other, ok := mutateConsts(c.in)
			if !ok {
				continue
			}
			r := New(Options{})
			s := c.session
			if _, err := r.Rewrite(c.in, p, &s); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			got, gerr := r.Rewrite(other, p, &s)
			want, werr := New(Options{CacheBytes: -1}).Rewrite(other, p, &s)
			if (gerr == nil) != (werr == nil) {
				t.Errorf("%s: template error %v, cold error %v", c.name, gerr, werr)
				continue
			}
			if got.CacheHit {
				templated++
			}
			got.CacheHit = false
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: template result differs\n in: %s\ngot: %+v\nwant: %+v", c.name, other, got, want)
			}
		}
	}
	if templated < 20 {
		t.Errorf("only %d golden cases were served from a template", templated)
	}
}

func TestCacheHitSameResult(t *testing.T) {
	p := testPolicy()
	r := New(Options{})
	sql := "SELECT * FROM contacts WHERE id = 1"
	first, err := r.Rewrite(sql, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	second, err := r.Rewrite(sql, p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.CacheHit || !second.CacheHit || first.SQL != second.SQL {
		t.Fatalf("first %+v second %+v", first, second)
	}
	if _, err := r.Rewrite("SELECT * FROM contacts WHERE id = 2", p, nil); err != nil {
		t.Fatal(err)
	}
	st := r.Stats()
	if st.Hits != 1 || st.TemplateHits != 1 || st.Misses != 1 || st.Entries != 2 || st.Bytes <= 0 {
		t.Fatalf("stats %+v", st)
	}
	r.Purge()
	if st := r.Stats(); st.Entries != 0 || st.Bytes != 0 {
		t.Fatalf("after purge %+v", st)
	}
}

// TestCacheKeyedBySession checks that everything a rewrite depends on is
// part of the key.
func TestCacheKeyedBySession(t *testing.T) {
	p := testPolicy()
	r := New(Options{})
	sql := "DELETE FROM notes WHERE id = 1"
	sessions := []Session{
		{},
		{SearchPath: "crm"},
		{User: "crm"},
		{SearchPath: "crm", Visibility: VisibilityDeleted, CanHardDelete: true},
		{SearchPath: "crm", Visibility: VisibilityAll},
	}
	for round := 0; round < 2; round++ {
		for _, s := range sessions {
			s := s
			got, gerr := r.Rewrite(sql, p, &s)
			want, werr := New(Options{CacheBytes: -1}).Rewrite(sql, p, &s)
			got.CacheHit = false
			if !reflect.DeepEqual(got, want) || (gerr == nil) != (werr == nil) {
				t.Errorf("session %+v round %d: got %+v want %+v", s, round, got, want)
			}
		}
	}
	p2 := NewPolicy(2, nil)
	if res, _ := r.Rewrite(sql, p2, &sessions[1]); res.Changed {
		t.Errorf("a new policy version must not reuse the old rewrite: %+v", res)
	}
}

func TestLRUEvictsByBytes(t *testing.T) {
	c := newLRU(4000)
	for i := 0; i < 100; i++ {
		c.put(cacheKey{text: strconv.Itoa(i)}, cached{res: Result{SQL: strings.Repeat("x", 100)}})
	}
	bytes, n := c.stats()
	if bytes > 4000 || n == 0 || n > 12 {
		t.Fatalf("bytes %d entries %d", bytes, n)
	}
	if _, ok := c.get(cacheKey{text: "99"}); !ok {
		t.Fatal("most recent entry evicted")
	}
	if _, ok := c.get(cacheKey{text: "0"}); ok {
		t.Fatal("oldest entry kept")
	}
}

func TestRewriteConcurrent(t *testing.T) {
	p := testPolicy()
	r := New(Options{CacheBytes: 64 << 10})
	corpus := benchCorpus(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 3; i++ {
				for _, sql := range corpus {
					if _, err := r.Rewrite(sql, p, nil); err != nil {
						t.Error(err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}
