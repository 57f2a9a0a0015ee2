package schema

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Output formats of WriteReport.
const (
	FormatText = "text"
	FormatJSON = "json"
)

// WriteReport writes r as text (for a person) or JSON (for scripts; the
// field names and kinds are stable).
func WriteReport(w io.Writer, r *Report, format string) error {
	if format == FormatJSON {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	_, err := io.WriteString(w, textReport(r))
	return err
}

// textWidth is where messages wrap; fixes are never wrapped (they are
// meant to be copied).
const textWidth = 100

func textReport(r *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "softdelete-proxy check, database %s: %d managed table(s), %s, %s\n",
		r.Database, len(r.Tables), plural(r.Errors, "error"), plural(r.Warnings, "warning"))
	byTable := map[string][]Finding{}
	order := slices.Clone(r.Tables)
	for _, f := range r.Findings {
		if !slices.Contains(order, f.Table) {
			order = append(order, f.Table)
		}
		byTable[f.Table] = append(byTable[f.Table], f)
	}
	for _, t := range order {
		label := t
		if t == "" {
			label = "database " + r.Database + " (database-wide)"
		}
		fmt.Fprintf(&b, "\n== %s\n", label)
		if kids := r.Children[t]; len(kids) > 0 {
			for _, line := range wrap("managed with its partitions and children: "+strings.Join(kids, ", "), textWidth-3) {
				b.WriteString("   " + line + "\n")
			}
		}
		if len(byTable[t]) == 0 {
			b.WriteString("   ok\n")
		}
		for _, f := range byTable[t] {
			writeFinding(&b, f)
		}
	}
	b.WriteString("\n" + verdict(r) + "\n")
	return b.String()
}

func writeFinding(b *strings.Builder, f Finding) {
	label := "WARNING"
	if f.Severity == Error {
		label = "ERROR"
	}
	head := fmt.Sprintf("   %s [%s]", label, f.Kind)
	if f.Object != "" {
		head += " " + f.Object
	}
	b.WriteString(head + "\n")
	for _, line := range wrap(f.Message, textWidth-6) {
		b.WriteString("      " + line + "\n")
	}
	if f.Fix == "" {
		return
	}
	prefix := "      fix: "
	for _, line := range strings.Split(f.Fix, "\n") {
		lines := []string{line}
		if !looksLikeSQL(line) {
			lines = wrap(line, textWidth-len(prefix))
		}
		for _, l := range lines {
			b.WriteString(prefix + l + "\n")
			prefix = "           "
		}
	}
}

// looksLikeSQL reports a fix line meant to be copied whole.
func looksLikeSQL(line string) bool {
	for _, verb := range []string{"ALTER ", "CREATE ", "DROP ", "DO ", "UPDATE "} {
		if strings.HasPrefix(line, verb) {
			return true
		}
	}
	return strings.Contains(line, " CONCURRENTLY ")
}

func verdict(r *Report) string {
	switch {
	case r.Errors > 0:
		return fmt.Sprintf("FAILED: %s. The proxy must not serve this policy until they are fixed "+
			"(softdelete-proxy migrate adds missing columns and installs the guard).", plural(r.Errors, "error"))
	case r.Warnings > 0:
		return fmt.Sprintf("OK with %s: nothing blocks the policy, but read what soft delete changes above.",
			plural(r.Warnings, "warning"))
	}
	return "OK: the schema is ready for the policy."
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// wrap breaks text into lines of at most width bytes at spaces (a longer
// word stays whole).
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case len(line)+1+len(word) > width:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}
