package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/softdelete-proxy/softdelete-proxy/purger"
)

const trashUsage = `trash <list|restore|forget|empty|keep-until|stats|evicted> [TABLE] --config FILE [flags]

Works on the trash directly in the database (not through the proxy):
  trash list TABLE [--older-than D] [--limit N] [--state S] [--format table|json]
  trash restore TABLE --where SQL | --id V [--id V ...] | --ids-file F | --operation N
                                 (N: a delete operation of trash list; its
                                 cascaded rows come back with it)
  trash forget TABLE --where SQL | --id V [--id V ...] | --ids-file F   delete forever (held rows are kept)
  trash empty TABLE [--yes]                              delete every trashed row forever
  trash keep-until TABLE --until TIME|never --where SQL | --id V ... | --ids-file F
  trash stats [--format table|json]
  trash evicted [TABLE] [--older-than D] [--limit N] [--format table|json]
                                 rows key eviction deleted for good, kept in
                                 softdelete.evicted (id, table, key, reason, at, content)
  trash evicted --restore ID     put evicted record ID back into its table, trashed
                                 as it was, and delete the record (a key a row holds
                                 now fails it: 23505, the record is kept)
A row's state is trashed, pending purge (past its purge date), held or locked.
TABLE is schema.table, or a table name that only one managed table has.
The database is --database-url, else $DATABASE_URL, else the first of
purge.database_urls. Restore, forget and empty write an audit log line (to
stderr) and, when audit.table is set, audit rows in the database.
Forget and empty delete for good: the guard lets them through only when the
database user is a member of roles.purge (default softdelete_purger) or of a
roles.hard_delete role. Restore needs UPDATE on the table. Evicted records are
readable and deletable by the owner of softdelete.evicted and the purge role;
trash evicted --restore also needs INSERT on the table.`

// trashFlags are the flags shared by the trash subcommands.
type trashFlags struct {
	config, databaseURL, actor, format string
	olderThan                          time.Duration
	limit                              int
	where                              string
	ids                                multiValue
	operation                          int64
	yes                                bool
	state, idsFile, until              string
	restore                            int64 // trash evicted --restore
}

// multiValue collects a repeatable string flag.
type multiValue []string

func (m *multiValue) String() string     { return strings.Join(*m, ",") }
func (m *multiValue) Set(s string) error { *m = append(*m, s); return nil }

func trashCommand(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			printTrashHelp(stderr)
			return flagHelp
		}
		fmt.Fprintf(stderr, "Usage: softdelete-proxy %s\n", trashUsage)
		return errUsage
	}
	sub := args[0]
	fs, f, want := trashFlagSet(sub, stderr)
	if fs == nil {
		fmt.Fprintf(stderr, "softdelete-proxy trash: unknown subcommand %q\n\nUsage: softdelete-proxy %s\n", sub, trashUsage)
		return errUsage
	}
	pos, err := parseArgs(fs, args[1:], want)
	if err != nil {
		return err
	}
	if err := requireConfigAndFormat(fs, f.config, f.format); err != nil {
		return err
	}
	if err := f.readIDs(stdin); err != nil {
		return err
	}
	if selects(sub) && selectors(f) != 1 {
		msg := "give either --where or --id (or --ids-file)"
		if sub == "restore" {
			msg = "give one of --where, --id (or --ids-file) or --operation"
		}
		fmt.Fprintln(stderr, msg)
		fs.Usage()
		return errUsage
	}
	if sub == "evicted" && f.restore != 0 && len(pos) > 0 {
		fmt.Fprintf(stderr, "--restore takes no TABLE (%q): the record names its table\n", pos[0])
		fs.Usage()
		return errUsage
	}
	tr, purgeRole, closeDB, err := openTrash(ctx, f, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	err = runTrash(ctx, tr, sub, pos, f, stdin, stdout, stderr)
	if (sub == "forget" || sub == "empty") && isPermissionDenied(err) {
		return fmt.Errorf("%w\ntrash %s deletes for good: run it as a member of role %s (roles.purge; GRANT %s TO <your login role>) "+
			"or of a roles.hard_delete role", err, sub, purgeRole, purgeRole)
	}
	return err
}

// isPermissionDenied reports a 42501 from the server (the guard's refusal).
func isPermissionDenied(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "42501"
}

// trashSubs are the trash subcommands with their usage lines, in help order.
var trashSubs = []struct{ name, usage string }{
	{"list", "trash list TABLE [--older-than D] [--limit N] [--state S] [--format table|json] --config FILE"},
	{"restore", "trash restore TABLE --where SQL | --id V [--id V ...] | --ids-file F | --operation N [--actor NAME] --config FILE"},
	{"forget", "trash forget TABLE --where SQL | --id V [--id V ...] | --ids-file F [--actor NAME] --config FILE"},
	{"empty", "trash empty TABLE [--yes] [--actor NAME] --config FILE"},
	{"keep-until", "trash keep-until TABLE --until TIME|never --where SQL | --id V [--id V ...] | --ids-file F [--actor NAME] --config FILE"},
	{"stats", "trash stats [--format table|json] --config FILE"},
	{"evicted", "trash evicted [TABLE] [--older-than D] [--limit N] [--format table|json] --config FILE\n" +
		"       softdelete-proxy trash evicted --restore ID [--actor NAME] --config FILE"},
}

// trashFlagSet builds the FlagSet of a subcommand and says how many
// positional arguments it takes (-1: at most one); nil for an unknown
// subcommand.
func trashFlagSet(sub string, stderr io.Writer) (*flag.FlagSet, *trashFlags, int) {
	for _, s := range trashSubs {
		if s.name != sub {
			continue
		}
		f := &trashFlags{format: purger.FormatTable}
		fs := newFlagSet(sub, s.usage, stderr)
		f.registerCommon(fs)
		f.registerOwn(fs, sub)
		switch sub {
		case "stats":
			return fs, f, 0
		case "evicted":
			return fs, f, -1
		}
		return fs, f, 1
	}
	return nil, nil, 0
}

// registerCommon defines the flags every trash subcommand takes.
func (f *trashFlags) registerCommon(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "config `file` with the policy (required)")
	fs.StringVar(&f.databaseURL, "database-url", "", "database `URL` (default $DATABASE_URL, then the first of purge.database_urls)")
}

// registerOwn defines the flags of subcommand sub alone.
func (f *trashFlags) registerOwn(fs *flag.FlagSet, sub string) {
	switch sub {
	case "list":
		fs.Var(durationValue{&f.olderThan}, "older-than", "only rows trashed at least `D` ago (a duration: 7d, 12h)")
		fs.IntVar(&f.limit, "limit", 100, "at most `N` rows, oldest first")
		fs.StringVar(&f.state, "state", "", "only rows in state `S`: "+strings.Join(purger.States, ", "))
	case "evicted":
		fs.Var(durationValue{&f.olderThan}, "older-than", "only records of rows evicted at least `D` ago (a duration: 7d, 12h)")
		fs.IntVar(&f.limit, "limit", 100, "at most `N` records, oldest first")
		fs.Int64Var(&f.restore, "restore", 0, "put evicted record `ID` back into its table (trashed, as it was) and delete the record")
	case "restore", "forget", "keep-until":
		fs.StringVar(&f.where, "where", "", "`SQL` condition on the table's columns selecting trashed rows")
		fs.Var(&f.ids, "id", "primary key value `V` of a trashed row (repeatable)")
		fs.StringVar(&f.idsFile, "ids-file", "", "read primary key values from `F`, one a line (- for stdin)")
		if sub == "restore" {
			fs.Int64Var(&f.operation, "operation", 0, "restore the rows delete operation `N` trashed (trash list shows it), and what it cascaded to")
		}
	case "empty":
		fs.BoolVar(&f.yes, "yes", false, "do not ask for confirmation")
	}
	if sub == "keep-until" {
		fs.StringVar(&f.until, "until", "", "new purge date `TIME` (2027-01-31, 2027-01-31T12:00:00Z) or never (required)")
	}
	switch sub {
	case "list", "stats":
		fs.StringVar(&f.format, "format", purger.FormatTable, "output `format`: table or json")
	case "restore", "forget", "empty", "keep-until":
		fs.StringVar(&f.actor, "actor", "", "`name` to record in the audit as who did it (default: the database user)")
	case "evicted":
		fs.StringVar(&f.format, "format", purger.FormatTable, "output `format`: table or json")
		fs.StringVar(&f.actor, "actor", "", "`name` to record in the audit log as who restored (default: the database user)")
	}
}

// printTrashHelp prints the trash usage with the flags of every subcommand.
func printTrashHelp(w io.Writer) {
	fmt.Fprintf(w, "Usage: softdelete-proxy %s\n\nFlags of every subcommand:\n", trashUsage)
	common := flag.NewFlagSet("trash", flag.ContinueOnError)
	(&trashFlags{}).registerCommon(common)
	printFlags(w, common)
	for _, s := range trashSubs {
		own := flag.NewFlagSet(s.name, flag.ContinueOnError)
		(&trashFlags{}).registerOwn(own, s.name)
		if hasFlags(own) {
			fmt.Fprintf(w, "\nFlags of trash %s:\n", s.name)
			printFlags(w, own)
		}
	}
}

// openTrash loads the config, connects and prepares the trash operations;
// it also returns the policy's purge role, for messages.
func openTrash(ctx context.Context, f *trashFlags, stderr io.Writer) (*purger.Trash, string, func(), error) {
	cfg, log, err := loadForPurge(f.config, stderr)
	if err != nil {
		return nil, "", nil, err
	}
	conn, err := openDB(ctx, f.databaseURL, cfg)
	if err != nil {
		return nil, "", nil, err
	}
	closeDB := func() { conn.Close(context.Background()); _ = log.Sync() }
	if cfg, err = resolvePatterns(ctx, conn, cfg, io.Discard); err != nil {
		closeDB()
		return nil, "", nil, err
	}
	tr, err := purger.NewTrash(ctx, conn, cfg.Managed, purger.TrashOptions{Actor: f.actor, Purge: purger.OptionsFrom(cfg)}, log, time.Now)
	if err != nil {
		closeDB()
		return nil, "", nil, err
	}
	return tr, cfg.Roles.Purge, closeDB, nil
}

// runTrash runs one subcommand and prints its outcome.
func runTrash(ctx context.Context, tr *purger.Trash, sub string, pos []string, f *trashFlags, stdin io.Reader, stdout, stderr io.Writer) error {
	switch sub {
	case "stats":
		stats, err := tr.Stats(ctx)
		if err != nil {
			return err
		}
		return purger.WriteStats(stdout, stats, f.format)
	case "list":
		rows, err := tr.List(ctx, pos[0], purger.ListOptions{OlderThan: f.olderThan, Limit: f.limit, State: f.state})
		if err != nil {
			return err
		}
		return purger.WriteRows(stdout, rows, f.format)
	case "restore", "forget":
		op, verb := tr.Restore, "restored"
		if sub == "forget" {
			op, verb = tr.Forget, "deleted forever"
		}
		n, err := op(ctx, pos[0], purger.Selector{Where: f.where, IDs: f.ids, Operation: f.operation})
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %d rows of %s\n", verb, n, pos[0])
		return nil
	case "keep-until":
		return keepUntil(ctx, tr, pos[0], f, stdout)
	case "evicted":
		return evicted(ctx, tr, pos, f, stdout)
	}
	return emptyTrash(ctx, tr, pos[0], f.yes, stdin, stdout, stderr)
}

// emptyTrash asks for confirmation (unless yes) and empties table's trash.
func emptyTrash(ctx context.Context, tr *purger.Trash, table string, yes bool, stdin io.Reader, stdout, stderr io.Writer) error {
	t, err := tr.Table(table)
	if err != nil {
		return err
	}
	name := t.Schema + "." + t.Name
	if !yes {
		fmt.Fprintf(stderr, "Delete forever every trashed row of %s (rows on hold are kept)? Type yes to go on: ", name)
		line, _ := bufio.NewReader(stdin).ReadString('\n')
		if strings.TrimSpace(line) != "yes" {
			return &exitError{code: 1, err: fmt.Errorf("not confirmed; nothing deleted (use --yes in scripts)")}
		}
	}
	n, err := tr.Empty(ctx, name)
	if err != nil {
		return fmt.Errorf("%w (%d rows were deleted before the failure)", err, n)
	}
	fmt.Fprintf(stdout, "deleted forever %d rows of %s\n", n, name)
	return nil
}

// selectors counts the row selections given: --where, --id, --operation.
func selectors(f *trashFlags) int {
	n := 0
	for _, given := range []bool{f.where != "", len(f.ids) > 0, f.operation != 0} {
		if given {
			n++
		}
	}
	return n
}
