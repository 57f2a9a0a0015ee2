package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

const checkUsage = `check --config FILE [--database-url URL ...|--all-databases] [--format text|json] [--verbose]

Checks the policy in FILE against the live schema of the database and says,
table by table, what is wrong (errors) and what soft delete changes
(warnings: unique constraints that count trashed rows, foreign keys and
triggers that no longer fire, views and functions that read trashed rows, a
missing index for the purger), each with a fix. Reads the catalog only.
Errors include a guard that is missing, stale or disabled on a managed table
or on one of its partitions and children (run migrate --apply), roles whose
column privileges are out of step, row-level security the proxy cannot
apply exactly, and an unmanaged parent of a managed table. Warnings say who
can turn the guard off: the owners of managed tables and superuser logins
(ALTER TABLE … DISABLE TRIGGER, session_replication_role); the application
must connect as neither. See docs/guard.md.
The database is --database-url (repeat it for several, or --all-databases for
every one of purge.database_urls), else $DATABASE_URL, else the first of
purge.database_urls; each database sees the tables the policy scopes to it
(databases:) and its patterns resolve against its own catalog. Exits 1 when there are errors, 0 with warnings only.
The text report has one entry per cause (kind of finding), errors first and
the most frequent first, with how many, where, one example and the fix;
--verbose lists every finding table by table, each with its own fix.`

// schemaFlags are the flags check and migrate share.
type schemaFlags struct {
	config       string
	databaseURLs multiValue
	all          bool
}

func (f *schemaFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "config `file` with the policy (required)")
	fs.Var(&f.databaseURLs, "database-url", "database `URL`, repeatable (default $DATABASE_URL, then the first of purge.database_urls)")
	fs.BoolVar(&f.all, "all-databases", false, "every database of purge.database_urls, one after the other")
}

// eachDatabase loads the config and runs fn on each database the flags
// name, with the policy as that database sees it (databases: scoping and
// patterns resolved); it goes on after a database fails and returns every
// error.
func (f *schemaFlags) eachDatabase(ctx context.Context, fs *flag.FlagSet, fn func(*policy.Config, *pgx.Conn) error) error {
	if f.config == "" {
		fmt.Fprintln(fs.Output(), "--config is required")
		fs.Usage()
		return errUsage
	}
	cfg, err := policy.Load(f.config)
	if err != nil {
		return err
	}
	urls := []string(f.databaseURLs)
	switch {
	case f.all && len(cfg.Purge.DatabaseURLs) == 0:
		return fmt.Errorf("--all-databases: %s lists no purge.database_urls", f.config)
	case f.all:
		urls = append(urls, cfg.Purge.DatabaseURLs...)
	case len(urls) == 0:
		urls = []string{""} // $DATABASE_URL, then the first of purge.database_urls
	}
	var errs []error
	for _, u := range urls {
		if err := f.onDatabase(ctx, fs, cfg, u, fn); err != nil {
			errs = append(errs, err)
		}
	}
	return joinExit(errs)
}

func (f *schemaFlags) onDatabase(ctx context.Context, fs *flag.FlagSet, cfg *policy.Config, url string,
	fn func(*policy.Config, *pgx.Conn) error) error {
	conn, err := openDB(ctx, url, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if cfg, err = resolvePatterns(ctx, conn, cfg, fs.Output()); err != nil {
		return err
	}
	return fn(cfg, conn)
}

// joinExit joins the errors of several databases, keeping the highest
// exit status among them.
func joinExit(errs []error) error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	code := 1
	for _, err := range errs {
		var e *exitError
		if errors.As(err, &e) && e.code > code {
			code = e.code
		}
	}
	return &exitError{code: code, err: errors.Join(errs...)}
}

func checkCommand(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var f schemaFlags
	fs := newFlagSet("check", checkUsage, stderr)
	f.register(fs)
	format := fs.String("format", schema.FormatText, "output `format`: text or json")
	verbose := fs.Bool("verbose", false, "text: every finding, table by table, instead of one entry per cause")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *format != schema.FormatText && *format != schema.FormatJSON {
		fmt.Fprintf(stderr, "--format %q: use text or json\n", *format)
		return errUsage
	}
	return f.eachDatabase(ctx, fs, func(cfg *policy.Config, conn *pgx.Conn) error {
		return checkDatabase(ctx, cfg, conn, stdout, *format, *verbose)
	})
}

func checkDatabase(ctx context.Context, cfg *policy.Config, conn *pgx.Conn, stdout io.Writer, format string, verbose bool) error {
	cat, err := inspect(ctx, conn, cfg)
	if err != nil {
		return err
	}
	r := schema.Check(cat)
	write := schema.WriteReport
	if format == schema.FormatText && !verbose {
		write = func(w io.Writer, r *schema.Report, _ string) error { return schema.WriteSummary(w, r) }
	}
	if err := write(stdout, r, format); err != nil {
		return err
	}
	if r.HasErrors() {
		return &exitError{code: 1, err: fmt.Errorf("check: %d error(s) in database %s", r.Errors, r.Database)}
	}
	return nil
}
