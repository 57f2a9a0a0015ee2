package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

const migrateUsage = `migrate --config FILE [--database-url URL ...|--all-databases] [--apply] [--lock-timeout D]

Prints the DDL that adopts the policy in FILE, or with --apply runs it: the
missing columns, the purger's partial index, the audit table
(audit.table), and the server-side objects check requires (the guard: see
docs/guard.md). Objects of an older policy or version are replaced, and those
no longer wanted dropped. Every statement is idempotent; a second run does
nothing.
Every key of a managed table is made to behave as if trashed rows were gone
(docs/keys.md): unique indexes nothing references become partial, exclusion
constraints get WHERE deleted_at IS NULL, and primary keys, unique
constraints and referenced keys get the softdelete_keys trigger
(on_key_conflict: evict or refuse). After --apply, migrate reads the catalog
again and fails when anything it applied is still missing.
A migration runs in one transaction when it fits in a quarter of the
server's lock table (max_locks_per_transaction for all backends), else in
several, the guard's triggers last: until they commit, the proxy refuses the
tables (require_guard), and a run stopped half-way is finished by running
migrate again.
  --single-transaction  one transaction whatever its size: all or nothing,
            but it may fill the lock table (53200 out of shared memory), for
            other sessions too
  --unique, --guard  accepted for older scripts and ignored: both are part of
            every migration
The database is --database-url (repeat it for several, or --all-databases for
every one of purge.database_urls: one after the other), else $DATABASE_URL,
else the first of purge.database_urls. Run check first: it explains each change.`

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
	fs.BoolVar(&f.apply, "apply", false, "run the DDL instead of only printing it")
	fs.BoolVar(&f.opts.SingleTransaction, "single-transaction", false, "run the whole migration in one transaction, however large")
	fs.BoolVar(&f.opts.Unique, "unique", false, "ignored (keys are part of every migration); kept for older scripts")
	fs.BoolVar(&f.opts.Guard, "guard", false, "ignored (the guard is always installed); kept for older scripts")
	fs.DurationVar(&f.lockTimeout, "lock-timeout", 10*time.Second, "give up when a lock is not granted within `D` (a duration; 0: wait)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if f.opts.Guard {
		fmt.Fprintln(stderr, "migrate: --guard is no longer needed: the guard is part of every migration")
	}
	if f.opts.Unique {
		fmt.Fprintln(stderr, "migrate: --unique is no longer needed: keys are part of every migration (docs/keys.md)")
	}
	return f.eachDatabase(ctx, fs, func(cfg *policy.Config, conn *pgx.Conn) error {
		return migrateDatabase(ctx, cfg, conn, f, stdout)
	})
}

// migrateDatabase prints, and with --apply runs, one database's migration.
func migrateDatabase(ctx context.Context, cfg *policy.Config, conn *pgx.Conn, f migrateFlags, stdout io.Writer) error {
	cat, err := inspect(ctx, conn, cfg)
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
	committed, err := m.Apply(ctx, conn, f.lockTimeout)
	if err != nil {
		return fmt.Errorf("migrate --apply (database %s): %w", m.Database, err)
	}
	if err := verifyApplied(ctx, conn, cfg, f.opts); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "-- applied: %d statement(s) committed in %s.\n", len(m.Statements()), transactions(committed))
	return nil
}

// transactions says "one transaction" or "N transactions".
func transactions(n int) string {
	if n == 1 {
		return "one transaction"
	}
	return fmt.Sprintf("%d transactions", n)
}

// verifyApplied reads the catalog again after --apply: a statement that
// did nothing (CREATE … IF NOT EXISTS of a name another relation holds)
// leaves its step in the plan, and migrate must not say "applied".
func verifyApplied(ctx context.Context, conn *pgx.Conn, cfg *policy.Config, opts schema.Options) error {
	cat, err := inspect(ctx, conn, cfg)
	if err != nil {
		return fmt.Errorf("migrate --apply: reading the catalog again: %w", err)
	}
	left := schema.Plan(cat, opts)
	if left.Empty() {
		return nil
	}
	var what []string
	for _, s := range left.Steps {
		what = append(what, strings.SplitN(s.Comment, "\n", 2)[0]+": "+strings.Join(s.SQL, " "))
	}
	return fmt.Errorf("migrate --apply committed, but %d step(s) did not take effect (a name taken by another object?):\n  %s",
		len(left.Steps), strings.Join(what, "\n  "))
}
