package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

const checkUsage = `check --config FILE [--database-url URL] [--format text|json] [--verbose]

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
The database is --database-url, else $DATABASE_URL, else the first of
purge.database_urls. Exits 1 when there are errors, 0 with warnings only.
The text report has one entry per cause (kind of finding), errors first and
the most frequent first, with how many, where, one example and the fix;
--verbose lists every finding table by table, each with its own fix.`

// schemaFlags are the flags check and migrate share.
type schemaFlags struct {
	config, databaseURL string
}

func (f *schemaFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.config, "config", "", "config `file` with the policy (required)")
	fs.StringVar(&f.databaseURL, "database-url", "", "database `URL` (default $DATABASE_URL, then the first of purge.database_urls)")
}

// open loads the config and connects to the database it names.
func (f *schemaFlags) open(ctx context.Context, fs *flag.FlagSet) (*policy.Config, *pgx.Conn, error) {
	if f.config == "" {
		fmt.Fprintln(fs.Output(), "--config is required")
		fs.Usage()
		return nil, nil, errUsage
	}
	cfg, err := policy.Load(f.config)
	if err != nil {
		return nil, nil, err
	}
	conn, err := openDB(ctx, f.databaseURL, cfg)
	if err != nil {
		return nil, nil, err
	}
	if cfg, err = resolvePatterns(ctx, conn, cfg, fs.Output()); err != nil {
		conn.Close(context.WithoutCancel(ctx))
		return nil, nil, err
	}
	return cfg, conn, nil
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
	cfg, conn, err := f.open(ctx, fs)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	cat, err := inspect(ctx, conn, cfg)
	if err != nil {
		return err
	}
	r := schema.Check(cat)
	write := schema.WriteReport
	if *format == schema.FormatText && !*verbose {
		write = func(w io.Writer, r *schema.Report, _ string) error { return schema.WriteSummary(w, r) }
	}
	if err := write(stdout, r, *format); err != nil {
		return err
	}
	if r.HasErrors() {
		return &exitError{code: 1, err: fmt.Errorf("check: %d error(s) in database %s", r.Errors, r.Database)}
	}
	return nil
}
