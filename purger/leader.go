package purger

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
)

// lockKeyPrefix and the database name make the advisory lock key. Changing
// it would let an old and a new version purge one database at once.
const lockKeyPrefix = "softdelete-proxy purge"

// LockKey is the pg_try_advisory_lock key the purger of database dbName
// holds while it leads: FNV-1a 64 of lockKeyPrefix, a NUL and the name.
func LockKey(dbName string) int64 {
	h := fnv.New64a()
	h.Write([]byte(lockKeyPrefix))
	h.Write([]byte{0})
	h.Write([]byte(dbName))
	return int64(h.Sum64())
}

// database is one purged database: its own connection (never from a pool)
// that holds the advisory lock while this instance leads, and on which the
// batches run, so that losing the session loses the lock and the batch
// together (see doc.go).
type database struct {
	url     string
	name    string // label and lock key; "" until the URL parses
	cfgErr  error  // the URL did not parse
	conn    *pgx.Conn
	leader  bool     // set only by setLeader, which keeps the gauge in step
	actor   string   // session_user of conn
	metrics *Metrics // may be nil
}

func newDatabase(url string, i int, m *Metrics) *database {
	db := &database{url: url, metrics: m}
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		db.cfgErr = fmt.Errorf("database_urls[%d]: %w", i, err)
		db.name = fmt.Sprintf("database_urls[%d]", i)
		return db
	}
	db.name = cfg.Database
	return db
}

// connect opens the connection unless it is open and answers.
func (db *database) connect(ctx context.Context) error {
	if db.cfgErr != nil {
		return db.cfgErr
	}
	if db.conn != nil && !db.conn.IsClosed() && db.conn.Ping(ctx) == nil {
		return nil
	}
	db.drop()
	cfg, err := pgx.ParseConfig(db.url)
	if err != nil {
		return err
	}
	if _, ok := cfg.RuntimeParams["application_name"]; !ok {
		cfg.RuntimeParams["application_name"] = "softdelete-proxy purger"
	}
	// On cancellation ask the server to cancel the running statement (its
	// transaction then rolls back) instead of only dropping the socket.
	cfg.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: 2 * time.Second}
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	if err := conn.QueryRow(ctx, "SELECT session_user").Scan(&db.actor); err != nil {
		conn.Close(context.Background())
		return err
	}
	db.conn = conn
	return nil
}

// lead makes this instance the leader if the lock is free. A leader keeps
// the lock as long as its session lives; connect found it alive.
func (db *database) lead(ctx context.Context) (bool, error) {
	if db.leader {
		return true, nil
	}
	var ok bool
	if err := db.conn.QueryRow(ctx, "SELECT pg_try_advisory_lock($1)", LockKey(db.name)).Scan(&ok); err != nil {
		return false, err
	}
	db.setLeader(ok)
	return ok, nil
}

// setLeader records whether this instance holds the lock, in db.leader and
// in softdelete_purge_leader at once: 1 the moment the lock is taken, 0 the
// moment it is known lost.
func (db *database) setLeader(leads bool) {
	db.leader = leads
	db.metrics.leader(db.name, leads)
}

// broken reports whether err or the connection's state means the session is
// gone (and with it the lock): the next pass reconnects.
func (db *database) broken(err error) bool {
	if db.conn == nil || db.conn.IsClosed() {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "57P01", "57P02", "57P03": // admin_shutdown, crash_shutdown, cannot_connect_now
			return true
		}
	}
	return false
}

// drop closes the connection, which ends the session and frees the lock.
func (db *database) drop() {
	if db.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		db.conn.Close(ctx)
		cancel()
	}
	db.conn = nil
	db.setLeader(false)
}
