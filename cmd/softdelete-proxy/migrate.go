package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

const migrateUsage = `migrate --config FILE [--database-url URL] [--apply] [--unique] [--lock-timeout D]

Prints the DDL that adopts the policy in FILE, or with --apply runs it in one
transaction: the missing columns, the purger's partial index, the audit table
(audit.table), and the server-side objects check requires (the guard: see
docs/guard.md). Objects of an older policy or version are replaced, and those
no longer wanted dropped. Every statement is idempotent; a second run does
nothing.
  --unique  turns each plain unique constraint or index of a managed table into
            a partial unique index of live rows (WHERE deleted_at IS NULL)
  --guard   accepted for older scripts and ignored: the guard is always installed
The database is --database-url, else $DATABASE_URL, else the first of
purge.database_urls. Run check first: it explains each change.`

// migrateFlags are the flags of the migrate command.
type migrateFlags struct {
	schemaFlags
	apply       bool
	opts        schema.Options
	lockTimeout time.Duration
}

func migrateCommand(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	var f migrateFlags
	fs := newFlagSet("migrate", migrateUsage, stderr)
	f.register(fs)
	fs.BoolVar(&f.apply, "apply", false, "run the DDL (in one transaction) instead of only printing it")
	fs.BoolVar(&f.opts.Unique, "unique", false, "turn plain unique constraints and indexes into partial ones of live rows")
	fs.BoolVar(&f.opts.Guard, "guard", false, "ignored (the guard is always installed); kept for older scripts")
	fs.DurationVar(&f.lockTimeout, "lock-timeout", 10*time.Second, "give up when a lock is not granted within `D` (a duration; 0: wait)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, conn, err := f.open(ctx, fs)
	if err != nil {
		return err
	}
	if f.opts.Guard {
		fmt.Fprintln(stderr, "migrate: --guard is no longer needed: the guard is part of every migration")
	}
	defer conn.Close(context.WithoutCancel(ctx))
	cat, err := schema.Inspect(ctx, conn, cfg)
	if err != nil {
		return err
	}
	m := schema.Plan(cat, f.opts)
	if _, err := io.WriteString(stdout, m.Script(f.lockTimeout)); err != nil {
		return err
	}
	if !f.apply || m.Empty() {
		return nil
	}
	if err := m.Apply(ctx, conn, f.lockTimeout); err != nil {
		return fmt.Errorf("migrate --apply: %w", err)
	}
	fmt.Fprintf(stdout, "-- applied: %d statement(s) committed in one transaction.\n", len(m.Statements()))
	return nil
}
