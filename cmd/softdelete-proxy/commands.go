package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// command is one subcommand of the CLI.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"serve", "run the proxy (and the purge loop when purge.enabled)", serveCommand},
		{"demo", "try soft delete on a sample database, in a minute", demoCommand},
		{"check", "check the policy against the live schema; say what soft delete changes", checkCommand},
		{"migrate", "print or --apply the idempotent DDL that adopts the policy", migrateCommand},
		{"purge", "run one purge pass now (for cron); --dry-run reports without deleting", func(ctx context.Context, a []string, _ io.Reader, o, e io.Writer) error {
			return purgeCommand(ctx, a, o, e)
		}},
		{"trash", "list, restore, forget or empty trashed rows; stats per table; evicted rows", trashCommand},
		{"version", "print the version", versionCommand},
	}
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return &c
		}
	}
	return nil
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `softdelete-proxy: soft delete for existing PostgreSQL applications.

Applications connect to the proxy instead of PostgreSQL. For the tables named
in the policy, DELETE becomes UPDATE … SET deleted_at = now() and every read
filters deleted rows out; everything else is relayed untouched.

Usage:
  softdelete-proxy <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "softdelete-proxy <command> --help" for a command's flags.
`)
}

// flagHelp is returned when --help was asked for; it exits 0.
var flagHelp = errors.New("help requested")

// newFlagSet returns a FlagSet that reports errors instead of exiting.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: softdelete-proxy %s\n", strings.TrimSpace(usage))
		if hasFlags(fs) {
			fmt.Fprintln(stderr, "\nFlags:")
			printFlags(stderr, fs)
		}
	}
	return fs
}

// parseFlags parses args, mapping -h/--help to flagHelp and other errors to
// errUsage (the FlagSet has already printed why).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return flagHelp
	}
	if err != nil {
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}
