package purger

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// Output formats of the Write functions, for the CLI's --format.
const (
	FormatTable = "table"
	FormatJSON  = "json"
)

// WriteRows writes List's rows as an aligned table or as JSON.
func WriteRows(w io.Writer, rows []TrashedRow, format string) error {
	if format == FormatJSON {
		return writeJSON(w, nonNil(rows))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tSTATE\tDELETED_AT\tDELETED_BY\tREASON\tPURGE_AT\tOPERATION")
	for _, r := range rows {
		purge := "never"
		switch {
		case r.Held:
			purge = "never (held)"
		case r.State == StateLocked:
			purge = "never (locked)"
		case r.PurgeAt != nil:
			purge = stamp(*r.PurgeAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Key, r.State, stamp(r.DeletedAt), str(r.DeletedBy), str(r.Reason), purge, operation(r.Operation))
	}
	return tw.Flush()
}

// WriteStats writes Stats' tables as an aligned table or as JSON.
func WriteStats(w io.Writer, stats []TableStats, format string) error {
	if format == FormatJSON {
		return writeJSON(w, nonNil(stats))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TABLE\tRETENTION\tTRASHED\tPENDING_PURGE\tHELD\tLOCKED\tOLDEST")
	for _, s := range stats {
		oldest := "-"
		if s.Oldest != nil {
			oldest = stamp(*s.Oldest) + " (" + days(s.OldestAge) + " ago)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\n", s.Table, retention(s.Retention), s.Trashed, s.PendingPurge, s.Held, s.Locked, oldest)
	}
	return tw.Flush()
}

// WriteEvicted writes ListEvicted's records as an aligned table (the
// content as compact JSON) or as JSON.
func WriteEvicted(w io.Writer, recs []EvictedRecord, format string) error {
	if format == FormatJSON {
		return writeJSON(w, nonNil(recs))
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTABLE\tKEY\tREASON\tAT\tCONTENT")
	for _, r := range recs {
		var content bytes.Buffer
		if err := json.Compact(&content, r.Content); err != nil {
			return fmt.Errorf("evicted record %d: %w", r.ID, err)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Table, r.Key, r.Reason, stamp(r.At), content.String())
	}
	return tw.Flush()
}

// WriteReport writes a pass's report as an aligned table or as JSON.
func WriteReport(w io.Writer, rep Report, format string) error {
	if format == FormatJSON {
		return writeJSON(w, rep)
	}
	verb := "PURGED"
	if rep.DryRun {
		verb = "WOULD_PURGE"
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "DATABASE\tRESULT\tTABLE\tRETENTION\t%s\tBATCHES\tEVICTED\tERROR\n", verb)
	for _, d := range rep.Databases {
		if len(d.Tables) == 0 {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\t%s\n", d.Database, d.Result, d.Error)
		}
		for _, t := range d.Tables {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\n", d.Database, d.Result, t.Table,
				retention(t.Retention), t.Purged, t.Batches, t.Evicted, t.Error)
		}
	}
	return tw.Flush()
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func str(s *string) string {
	if s == nil || *s == "" {
		return "-"
	}
	return *s
}

func retention(d time.Duration) string {
	if d <= 0 {
		return "forever"
	}
	return days(d)
}

// days renders d as whole days when it is one, else as Go does.
func days(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d"
	}
	if d >= 24*time.Hour {
		return strconv.FormatInt(int64(d/(24*time.Hour)), 10) + "d" + (d % (24 * time.Hour)).Truncate(time.Second).String()
	}
	return d.Truncate(time.Second).String()
}

// operation prints a row's delete operation, "-" without one.
func operation(op *int64) string {
	if op == nil {
		return "-"
	}
	return fmt.Sprint(*op)
}
