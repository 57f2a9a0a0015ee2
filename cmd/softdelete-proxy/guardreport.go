package main

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/zap"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

// reportGuards says at start, for each database serve can reach on its own
// (purge.database_urls), whether the managed tables have their guard: a
// table without one can lose rows for good to server-side code the proxy
// never sees. Databases the proxy only meets through clients are reported
// by their first session (and, with require_guard, refused).
func reportGuards(ctx context.Context, cfg *policy.Config, log *zap.Logger) {
	if len(cfg.Managed) == 0 {
		return
	}
	for i, url := range cfg.Purge.DatabaseURLs {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		problems, db, err := guardProblems(cctx, cfg, url)
		cancel()
		switch {
		case err != nil:
			log.Warn("cannot check the guard of a purge database", zap.Int("database_urls_index", i), zap.Error(err))
		case len(problems) == 0:
			log.Info("guard in place on every managed table", zap.String("database", db))
		default:
			for _, p := range problems {
				log.Error("managed table without its guard: DO blocks, functions, triggers and views can delete its rows for good; run softdelete-proxy migrate --apply",
					zap.String("database", db), zap.String("table", p.Table.String()), zap.Strings("problems", p.Objects),
					zap.Bool("statements_refused", cfg.RequireGuard))
			}
		}
	}
}

func guardProblems(ctx context.Context, cfg *policy.Config, url string) ([]schema.GuardProblem, string, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, "", err
	}
	defer conn.Close(context.Background())
	rows, err := conn.Query(ctx, schema.GuardStatusSQL(cfg), pgx.QueryExecModeSimpleProtocol)
	if err != nil {
		return nil, "", err
	}
	text, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([]string, error) {
		vals := r.RawValues()
		out := make([]string, len(vals))
		for i, v := range vals {
			out[i] = string(v)
		}
		return out, nil
	})
	if err != nil {
		return nil, "", err
	}
	problems, err := schema.GuardStatus(cfg, text)
	return problems, conn.Config().Database, err
}
