package schema

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Cause is the findings of one kind and severity, which share a cause and
// usually a fix: what check says first, one line each, most important
// first.
type Cause struct {
	Severity Severity
	Kind     string
	Count    int
	Tables   []string // tables concerned, in report order ("" database-wide)
	Sample   Finding  // the first of them
	Fix      string   // the fix they share, or the general one
}

// causes groups r's findings by severity and kind, errors first, then the
// most frequent.
func causes(r *Report) []Cause {
	var out []Cause
	at := map[[2]string]int{}
	for _, f := range r.Findings {
		key := [2]string{string(f.Severity), f.Kind}
		i, ok := at[key]
		if !ok {
			i = len(out)
			at[key] = i
			out = append(out, Cause{Severity: f.Severity, Kind: f.Kind, Sample: f, Fix: f.Fix})
		}
		c := &out[i]
		c.Count++
		if len(c.Tables) == 0 || c.Tables[len(c.Tables)-1] != f.Table {
			if !containsString(c.Tables, f.Table) {
				c.Tables = append(c.Tables, f.Table)
			}
		}
		if c.Fix != f.Fix {
			c.Fix = sharedFix(f.Kind)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Severity != b.Severity {
			return a.Severity == Error
		}
		return a.Count > b.Count
	})
	return out
}

// sharedFix is the fix of a cause whose findings each have their own.
func sharedFix(kind string) string {
	switch kind {
	case KindObjectMissing, KindObjectStale, KindObjectUnexpected, KindUnique, KindColumnMissing, KindPurgeIndex:
		return "softdelete-proxy migrate --apply"
	}
	return "each finding has its own fix: check --verbose"
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// WriteSummary writes r as one entry per cause (kind and severity), the
// most important first, with its count, the tables it concerns, one
// example and the fix; WriteReport has every finding.
func WriteSummary(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "softdelete-proxy check, database %s: %d managed table(s), %s, %s\n",
		r.Database, len(r.Tables), plural(r.Errors, "error"), plural(r.Warnings, "warning"))
	for _, c := range causes(r) {
		writeCause(&b, c)
	}
	b.WriteString("\n" + verdict(r) + "\n")
	if len(r.Findings) > 0 {
		b.WriteString("Every finding, table by table, with its own fix: check --verbose (or --format json).\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeCause(b *strings.Builder, c Cause) {
	label := "WARNING"
	if c.Severity == Error {
		label = "ERROR"
	}
	head := fmt.Sprintf("\n%s [%s] %s", label, c.Kind, plural(c.Count, "finding"))
	if n := len(c.Tables); n > 0 && !(n == 1 && c.Tables[0] == "") {
		head += " in " + tableList(c.Tables)
	}
	b.WriteString(head + "\n")
	example := c.Sample.Message
	if c.Count > 1 {
		example = "e.g. " + example
	}
	for _, line := range wrap(example, textWidth-3) {
		b.WriteString("   " + line + "\n")
	}
	prefix := "   fix: "
	for _, line := range strings.Split(c.Fix, "\n") {
		lines := []string{line}
		if !looksLikeSQL(line) {
			lines = wrap(line, textWidth-len(prefix))
		}
		for _, l := range lines {
			b.WriteString(prefix + l + "\n")
			prefix = "        "
		}
	}
}

// tableList names up to three tables and counts the rest.
func tableList(tables []string) string {
	names := make([]string, 0, 3)
	for _, t := range tables {
		if t == "" {
			t = "the database"
		}
		if len(names) == 3 {
			break
		}
		names = append(names, t)
	}
	s := strings.Join(names, ", ")
	if more := len(tables) - len(names); more > 0 {
		s += fmt.Sprintf(" and %d more table(s)", more)
	}
	return s
}
