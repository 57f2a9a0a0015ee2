package main

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/softdelete-proxy/softdelete-proxy/policy"
	"github.com/softdelete-proxy/softdelete-proxy/policy/schema"
)

// inspectConns is how many connections inspect opens besides conn.
const inspectConns = 4

// sharedPool is a pgxpool.Pool that Inspect may use from several
// goroutines at once (a schema.Concurrent).
type sharedPool struct{ *pgxpool.Pool }

func (sharedPool) Concurrent() bool { return true }

// openInspectPool opens n connections to the database of cfg, all of
// them at once, so that a server without room for them is found now.
func openInspectPool(ctx context.Context, cfg *pgx.ConnConfig, n int) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig("")
	if err != nil {
		return nil, err
	}
	pc.ConnConfig, pc.MaxConns = cfg.Copy(), int32(n)
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, err
	}
	held := make([]*pgxpool.Conn, 0, n)
	defer func() {
		for _, c := range held {
			c.Release()
		}
	}()
	for i := 0; i < n; i++ {
		c, err := pool.Acquire(ctx)
		if err != nil {
			pool.Close()
			return nil, err
		}
		held = append(held, c)
	}
	return pool, nil
}

// inspect reads the catalog for cfg through a few more connections to
// conn's database (Inspect reads several tables at once through them),
// or through conn alone when they cannot connect.
func inspect(ctx context.Context, conn *pgx.Conn, cfg *policy.Config) (*schema.Catalog, error) {
	pool, err := openInspectPool(ctx, conn.Config(), inspectConns)
	if err != nil {
		return schema.Inspect(ctx, conn, cfg)
	}
	defer pool.Close()
	return schema.Inspect(ctx, sharedPool{pool}, cfg)
}
