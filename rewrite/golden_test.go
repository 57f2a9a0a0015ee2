package rewrite

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden with the current output")

// testPolicy is the policy every golden case runs under.
func testPolicy() *Policy {
	return NewPolicy(1, []Table{
		{Schema: "public", Name: "contacts", Column: "deleted_at"},
		{Schema: "public", Name: "deals", Column: "deleted_at", DeletedByColumn: "deleted_by", ReasonColumn: "deleted_reason", OnTruncate: TruncateSoft},
		{Schema: "public", Name: "items", Column: "deleted_at", OnTruncate: TruncateSoft},
		{Schema: "public", Name: "orders", Column: "deleted_at"},
		{Schema: "crm", Name: "notes", Column: "removed_at", OnTruncate: TruncateHard},
		{Schema: "public", Name: "Mixed Case", Column: "Gone At"},
		{Schema: "public", Name: "docs", Column: "deleted_at", CreatedColumn: "created_at"},
	})
}

// goldenCase is one {in, out} case of a golden file.
type goldenCase struct {
	name    string
	session Session
	opts    []string // directive lines, kept verbatim
	in      string
	out     string // expected output section
	stmts   string // expected stmts section
}

func readGolden(t testing.TB, path string) []goldenCase {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var cases []goldenCase
	var cur *goldenCase
	section := ""
	var buf []string
	flush := func() {
		if cur == nil {
			return
		}
		text := strings.TrimRight(strings.Join(buf, "\n"), "\n")
		switch section {
		case "in":
			cur.in = text
		case "out":
			cur.out = text
		case "stmts":
			cur.stmts = text
		}
		buf = nil
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "=== "):
			flush()
			cases = append(cases, goldenCase{name: strings.TrimPrefix(line, "=== ")})
			cur, section = &cases[len(cases)-1], "in"
		case cur == nil:
		case section == "in" && len(buf) == 0 && strings.HasPrefix(line, "@ "):
			cur.opts = append(cur.opts, line)
			applyDirective(t, &cur.session, strings.TrimPrefix(line, "@ "))
		case line == "--- out":
			flush()
			section = "out"
		case line == "--- stmts":
			flush()
			section = "stmts"
		default:
			buf = append(buf, line)
		}
	}
	flush()
	return cases
}

func applyDirective(t testing.TB, s *Session, d string) {
	k, v, _ := strings.Cut(d, ":")
	v = strings.TrimSpace(v)
	switch k {
	case "vis":
		s.Visibility = map[string]Visibility{"active": VisibilityActive, "deleted": VisibilityDeleted, "all": VisibilityAll}[v]
	case "hard":
		s.CanHardDelete = v == "true"
	case "asof":
		s.AsOf = v == "true"
	case "user":
		s.User = v
	case "path":
		s.SearchPath = v
	case "shadows": // schema.name …, the unmanaged relations the proxy knows
		var pairs [][2]string
		for _, f := range strings.Fields(v) {
			schema, name, _ := strings.Cut(f, ".")
			pairs = append(pairs, [2]string{schema, name})
		}
		s.Shadows = ShadowList(pairs)
	case "db", "db-setup": // for TestGoldenOnPostgres
	default:
		t.Fatalf("unknown directive %q", d)
	}
}

func writeGolden(t *testing.T, path string, cases []goldenCase) {
	t.Helper()
	var b strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&b, "=== %s\n", c.name)
		for _, o := range c.opts {
			b.WriteString(o + "\n")
		}
		fmt.Fprintf(&b, "%s\n--- out\n%s\n--- stmts\n%s\n\n", c.in, c.out, c.stmts)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// render runs one case and renders its output and stmts sections.
func render(t *testing.T, r *Rewriter, p *Policy, in string, s Session) (string, string) {
	t.Helper()
	res, err := r.Rewrite(in, p, &s)
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error is %T, not *Error: %v", err, err)
		}
		out := fmt.Sprintf("ERROR %s: %s", e.Code, e.Message)
		if e.Position > 0 {
			out += fmt.Sprintf(" (position %d)", e.Position)
		}
		return out, ""
	}
	if !res.Changed {
		if unsafe.StringData(res.SQL) != unsafe.StringData(in) || res.SQL != in {
			t.Errorf("unchanged result is not the input string")
		}
		return "(unchanged)", renderStmts(res.Stmts)
	}
	if _, err := parse(res.SQL); err != nil {
		t.Errorf("output does not parse: %v\n%s", err, res.SQL)
	}
	return res.SQL, renderStmts(res.Stmts)
}

func renderStmts(stmts []Stmt) string {
	lines := make([]string, 0, len(stmts))
	for _, s := range stmts {
		f := []string{s.Kind}
		if s.Rewritten {
			f = append(f, "rewritten")
		}
		if s.ServerTag != "" || s.ClientTag != "" {
			f = append(f, fmt.Sprintf("tag=%s->%s", s.ServerTag, s.ClientTag))
		}
		for _, kv := range [][2]string{{"prepare", s.PrepareName}, {"execute", s.ExecuteName}, {"deallocate", s.DeallocateName}, {"show", s.ShowName}} {
			if kv[1] != "" {
				f = append(f, kv[0]+"="+kv[1])
			}
		}
		if s.DeallocateAll {
			f = append(f, "deallocate-all")
		}
		if e := s.Set; e != nil {
			f = append(f, fmt.Sprintf("set{name=%q value=%q local=%v reset=%v all=%v}", e.Name, e.Value, e.Local, e.Reset, e.ResetAll))
		}
		if op := s.Savepoint; op != nil {
			f = append(f, fmt.Sprintf("savepoint=%s:%s", [...]string{"?", "define", "release", "rollback-to"}[op.Kind], op.Name))
		}
		if op := s.Transaction; op != nil {
			f = append(f, "tx="+txKindNames[op.Kind])
			if op.Chain {
				f = append(f, "chain")
			}
		}
		if s.Unsure {
			f = append(f, "unsure")
		}
		if s.CatalogChange {
			f = append(f, "catalog")
		}
		lines = append(lines, strings.Join(f, " "))
	}
	return strings.Join(lines, "\n")
}

var txKindNames = [...]string{"?", "begin", "commit", "rollback", "prepare", "commit-prepared", "rollback-prepared"}

func goldenFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	return files
}

func TestGolden(t *testing.T) {
	p := testPolicy()
	for _, file := range goldenFiles(t) {
		t.Run(filepath.Base(file), func(t *testing.T) {
			cases := readGolden(t, file)
			for i := range cases {
				c := &cases[i]
				out, stmts := render(t, New(Options{CacheBytes: -1}), p, c.in, c.session)
				if *update {
					c.out, c.stmts = out, stmts
					continue
				}
				if out != c.out {
					t.Errorf("%s: output\n got: %s\nwant: %s", c.name, out, c.out)
				}
				if stmts != c.stmts {
					t.Errorf("%s: stmts\n got: %s\nwant: %s", c.name, stmts, c.stmts)
				}
			}
			if *update {
				writeGolden(t, file, cases)
			}
		})
	}
}
