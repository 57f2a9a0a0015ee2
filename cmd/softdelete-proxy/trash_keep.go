package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/purger"
)

// selects reports the trash subcommands that select rows.
func selects(sub string) bool { return sub == "restore" || sub == "forget" || sub == "keep-until" }

// readIDs adds the ids of --ids-file (one a line, blank lines skipped; -
// reads stdin) to --id's: a bulk restore of many rows is one statement.
func (f *trashFlags) readIDs(stdin io.Reader) error {
	if f.idsFile == "" {
		return nil
	}
	in := stdin
	if f.idsFile != "-" {
		file, err := os.Open(f.idsFile)
		if err != nil {
			return err
		}
		defer file.Close()
		in = file
	}
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		if id := strings.TrimSpace(sc.Text()); id != "" {
			f.ids = append(f.ids, id)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("reading --ids-file %s: %w", f.idsFile, err)
	}
	if len(f.ids) == 0 {
		return fmt.Errorf("--ids-file %s holds no id", f.idsFile)
	}
	return nil
}

// parseUntil reads --until: never, a date, or an RFC 3339 time.
func parseUntil(s string) (time.Time, error) {
	switch {
	case s == "":
		return time.Time{}, fmt.Errorf("--until is required: a date (2027-01-31), a time (2027-01-31T12:00:00Z) or never")
	case strings.EqualFold(s, "never"):
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("--until %q: want a date (2027-01-31), a time (2027-01-31T12:00:00Z) or never", s)
}

// keepUntil runs trash keep-until.
func keepUntil(ctx context.Context, tr *purger.Trash, table string, f *trashFlags, stdout io.Writer) error {
	until, err := parseUntil(f.until)
	if err != nil {
		return &exitError{code: 2, err: err}
	}
	n, err := tr.KeepUntil(ctx, table, purger.Selector{Where: f.where, IDs: f.ids}, until)
	if err != nil {
		return err
	}
	label := "never"
	if !until.IsZero() {
		label = until.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(stdout, "set the purge date of %d rows of %s to %s\n", n, table, label)
	return nil
}
