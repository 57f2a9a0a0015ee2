package rewrite

import (
	"os"
	"strings"
	"testing"

	pg "github.com/pganalyze/pg_query_go/v6"
)

// benchCorpus reads testdata/corpus.sql: one statement per line.
func benchCorpus(tb testing.TB) []string {
	tb.Helper()
	data, err := os.ReadFile("testdata/corpus.sql")
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			out = append(out, line)
		}
	}
	return out
}

// benchPolicy is the test policy plus pgbench's tables.
func benchPolicy() *Policy {
	tables := testPolicy().Tables
	for _, n := range []string{"pgbench_accounts", "pgbench_tellers", "pgbench_branches", "pgbench_history"} {
		tables = append(tables, Table{Schema: "public", Name: n, Column: "deleted_at"})
	}
	return NewPolicy(1, tables)
}

func TestCorpusRewrites(t *testing.T) {
	p := benchPolicy()
	for _, sql := range benchCorpus(t) {
		res, err := New(Options{CacheBytes: -1}).Rewrite(sql, p, nil)
		if err != nil {
			t.Errorf("%s: %v", sql, err)
			continue
		}
		if res.Changed {
			if _, err := parse(res.SQL); err != nil {
				t.Errorf("output does not parse: %v\n%s", err, res.SQL)
			}
		}
	}
}

// BenchmarkPrecheckMiss: statements that name no managed table.
func BenchmarkPrecheckMiss(b *testing.B) {
	corpus := benchCorpus(b)
	p := NewPolicy(1, []Table{{Schema: "public", Name: "no_such_table", Column: "deleted_at"}})
	r := New(Options{})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		sql := corpus[i%len(corpus)]
		if res, _ := r.Rewrite(sql, p, nil); res.Changed {
			b.Fatal("changed")
		}
	}
}

// BenchmarkCacheHit: the same texts again (prepared statements, ORMs).
func BenchmarkCacheHit(b *testing.B) {
	corpus := benchCorpus(b)
	p := benchPolicy()
	r := New(Options{})
	for _, sql := range corpus {
		if _, err := r.Rewrite(sql, p, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Rewrite(corpus[i%len(corpus)], p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTemplateHit: the same statements with other literals (legacy
// apps sending literal SQL). Only statements with literals take part.
func BenchmarkTemplateHit(b *testing.B) {
	p := benchPolicy()
	r := New(Options{})
	var variants []string
	for _, sql := range benchCorpus(b) {
		other, ok := mutateConsts(sql)
		if !ok || !p.MayTouch(sql) {
			continue
		}
		if _, err := r.Rewrite(sql, p, nil); err != nil {
			b.Fatal(err)
		}
		if res, _ := r.Rewrite(other, p, nil); res.CacheHit {
			variants = append(variants, other)
		}
	}
	if len(variants) < 30 {
		b.Fatalf("only %d template hits in the corpus", len(variants))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, err := r.Rewrite(variants[i%len(variants)], p, nil); err != nil || !res.CacheHit {
			b.Fatal("template miss", err)
		}
	}
}

// benchSession is a session as the proxy passes it: search_path, current
// user, a shadow, and the client encoding the server reports.
func benchSession() *Session {
	return &Session{SearchPath: `"$user", public`, User: "app", ClientEncoding: "UTF8",
		Shadows: ShadowList([][2]string{{"archive", "contacts"}})}
}

// BenchmarkCacheHitSession is BenchmarkCacheHit under benchSession.
func BenchmarkCacheHitSession(b *testing.B) {
	corpus := benchCorpus(b)
	p, s := benchPolicy(), benchSession()
	r := New(Options{})
	for _, sql := range corpus {
		if _, err := r.Rewrite(sql, p, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Rewrite(corpus[i%len(corpus)], p, s); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTemplateHitSession is BenchmarkTemplateHit under benchSession.
func BenchmarkTemplateHitSession(b *testing.B) {
	p, s := benchPolicy(), benchSession()
	r := New(Options{})
	var variants []string
	for _, sql := range benchCorpus(b) {
		other, ok := mutateConsts(sql)
		if !ok || !p.MayTouch(sql) {
			continue
		}
		if _, err := r.Rewrite(sql, p, s); err != nil {
			b.Fatal(err)
		}
		if res, _ := r.Rewrite(other, p, s); res.CacheHit {
			variants = append(variants, other)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res, err := r.Rewrite(variants[i%len(variants)], p, s); err != nil || !res.CacheHit {
			b.Fatal("template miss", err)
		}
	}
}

// BenchmarkColdRewrite: parse, rewrite and splice, no cache.
func BenchmarkColdRewrite(b *testing.B) {
	corpus := benchCorpus(b)
	p := benchPolicy()
	r := New(Options{CacheBytes: -1})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Rewrite(corpus[i%len(corpus)], p, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseDeparse is the baseline: pg_query parse plus deparse.
func BenchmarkParseDeparse(b *testing.B) {
	corpus := benchCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tree, err := pg.Parse(corpus[i%len(corpus)])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := pg.Deparse(tree); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse is pg_query's parse alone, for scale.
func BenchmarkParse(b *testing.B) {
	corpus := benchCorpus(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := pg.Parse(corpus[i%len(corpus)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMayTouch is the pre-check scan alone.
func BenchmarkMayTouch(b *testing.B) {
	corpus := benchCorpus(b)
	p := NewPolicy(1, []Table{{Schema: "public", Name: "no_such_table", Column: "deleted_at"}})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p.MayTouch(corpus[i%len(corpus)]) {
			b.Fatal("touch")
		}
	}
}
