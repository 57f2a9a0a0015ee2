package main

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// connPool is a few connections to one database that goroutines share,
// one query at a time each: a schema.Concurrent for Inspect.
type connPool struct {
	all   []*pgx.Conn
	ready chan *pgx.Conn
}

func openConnPool(ctx context.Context, cfg *pgx.ConnConfig, n int) (*connPool, error) {
	p := &connPool{ready: make(chan *pgx.Conn, n)}
	for i := 0; i < n; i++ {
		c, err := pgx.ConnectConfig(ctx, cfg.Copy())
		if err != nil {
			p.close()
			return nil, err
		}
		p.all = append(p.all, c)
		p.ready <- c
	}
	return p, nil
}

func (p *connPool) close() {
	for _, c := range p.all {
		c.Close(context.Background())
	}
}

// Concurrent says the pool may be shared.
func (p *connPool) Concurrent() bool { return true }

// Query runs sql on a free connection, which goes back when the rows close.
func (p *connPool) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	c := <-p.ready
	rows, err := c.Query(ctx, sql, args...)
	if err != nil {
		p.ready <- c
		return nil, err
	}
	return &pooledRows{Rows: rows, release: func() { p.ready <- c }}, nil
}

// QueryRow runs sql on a free connection, which goes back after Scan.
func (p *connPool) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	rows, err := p.Query(ctx, sql, args...)
	return pooledRow{rows: rows, err: err}
}

type pooledRows struct {
	pgx.Rows
	release func()
	done    bool
}

func (r *pooledRows) Close() {
	r.Rows.Close()
	if !r.done {
		r.done = true
		r.release()
	}
}

func (r *pooledRows) Next() bool {
	if r.Rows.Next() {
		return true
	}
	r.Close()
	return false
}

func (r *pooledRows) CommandTag() pgconn.CommandTag { return r.Rows.CommandTag() }

type pooledRow struct {
	rows pgx.Rows
	err  error
}

func (r pooledRow) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := r.rows.Scan(dest...); err != nil {
		return err
	}
	r.rows.Close()
	return r.rows.Err()
}
