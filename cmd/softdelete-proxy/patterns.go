package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
	"github.com/softdelete-proxy/softdelete-proxy/purger"
)

// resolvePatterns resolves cfg's table patterns in the database conn is
// connected to and says, on w, which tables that makes (the same query the
// proxy's resolver runs: schema.PatternSQL).
func resolvePatterns(ctx context.Context, conn *pgx.Conn, cfg *policy.Config, w io.Writer) (*policy.Config, error) {
	if cfg.Scoped() {
		db, err := currentDatabase(ctx, conn)
		if err != nil {
			return nil, err
		}
		cfg = cfg.ForDatabase(db)
	}
	if !cfg.HasPatterns() {
		return cfg, nil
	}
	resolved, err := schema.ResolvePatterns(ctx, conn, cfg)
	if err != nil {
		return nil, err
	}
	matched := resolved.Managed[len(cfg.Managed):]
	var names []string
	for _, t := range matched[:min(len(matched), listedMatches)] {
		names = append(names, t.QualifiedName().String())
	}
	if more := len(matched) - len(names); more > 0 {
		names = append(names, fmt.Sprintf("and %d more (check --format json lists them all)", more))
	}
	fmt.Fprintf(w, "database %s: %d table(s) under the policy, %d matched by patterns: %s\n",
		conn.Config().Database, len(resolved.Managed), len(matched), strings.Join(names, ", "))
	return resolved, nil
}

// listedMatches is how many matched tables resolvePatterns names.
const listedMatches = 20

// purgeResolver resolves the patterns of cfg in each database the purger
// passes over; nil when cfg has none.
func purgeResolver(cfg *policy.Config) func(context.Context, *pgx.Conn, []policy.Table) ([]policy.Table, error) {
	if !cfg.HasPatterns() && !cfg.Scoped() {
		return nil
	}
	return func(ctx context.Context, conn *pgx.Conn, _ []policy.Table) ([]policy.Table, error) {
		db, err := currentDatabase(ctx, conn)
		if err != nil {
			return nil, err
		}
		resolved, err := schema.ResolvePatterns(ctx, conn, cfg.ForDatabase(db))
		if err != nil {
			return nil, err
		}
		return resolved.Managed, nil
	}
}

// purgeOptions are the purger's options of cfg, patterns included.
func purgeOptions(cfg *policy.Config) purger.Options {
	opts := purger.OptionsFrom(cfg)
	opts.Resolve = purgeResolver(cfg)
	return opts
}

// inspect reads the catalog for cfg through conn (a handful of queries,
// whatever the number of tables).
func inspect(ctx context.Context, conn *pgx.Conn, cfg *policy.Config) (*schema.Catalog, error) {
	return schema.Inspect(ctx, conn, cfg)
}

func currentDatabase(ctx context.Context, conn *pgx.Conn) (string, error) {
	var db string
	err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&db)
	return db, err
}
