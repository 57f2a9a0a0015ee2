// Package purger removes trashed rows for good once their table's retention
// has passed, and gives DBAs direct operations on the trash.
//
// # The pieces
//
//   - Purger (purger.go, pass.go, batch.go): the purge loop. Run starts a
//     pass at once and then every Options.Interval (serve uses it when
//     purge.enabled); PassOnce runs one pass (the purge command, for cron).
//     Reconfigure (after a config reload) takes effect at the next pass
//     and keeps the connections, and so the locks, of databases still listed.
//   - Leadership (leader.go): per database, one connection of its own.
//   - Order (order.go): children before parents, from pg_constraint.
//   - Trash (trash.go, trash_list.go, trash_ops.go, selector.go): List,
//     Restore, Forget, Empty and Stats for the trash command;
//     trash_evicted.go: ListEvicted and RestoreEvicted, the records of
//     softdelete.evicted (rows key eviction deleted, docs/keys.md).
//   - Evicted records (evicted.go): after a table's trashed rows, the
//     purge deletes the table's records in softdelete.evicted past its
//     retention.
//   - Audit (audit.go): every restore, forget, empty and purge is a
//     structured log line (actor, action, database, table, count, when) and,
//     with audit.table, a row in the table that migrate creates
//     (schema.AuditTableDDL).
//   - Metrics (metrics.go, record.go), report and output formats (report.go,
//     format.go); every SQL statement is built in sql.go and kept as golden
//     files under testdata/sql/.
//
// # A pass over one database
//
//  1. Connect, unless the database's connection is open and answers a ping.
//     The connection is dedicated (never from a pool) and stays open across
//     passes; it is named "softdelete-proxy purger" in pg_stat_activity.
//  2. Read the foreign keys between managed tables and order the tables so
//     that every referencing table comes before the tables it references:
//     a child's trashed rows go before their trashed parent, and a foreign
//     key does not block the parent's purge. Tables on a cycle keep config
//     order (logged).
//  3. Try pg_try_advisory_lock(LockKey(database name)) unless this instance
//     already holds it. The key is FNV-1a 64 of "softdelete-proxy purge",
//     NUL and the database name: stable across versions and instances.
//     Advisory locks are per database, so each database has its own leader.
//     An instance that does not get the lock counts the pass as "skipped",
//     refreshes the gauges, and tries again on its next pass.
//  4. As leader, for each table whose retention is not forever: batches
//     until one comes back short; then, when softdelete.evicted exists,
//     the same for the records of the table's evicted rows (those of its
//     partitions and children with them), relation by relation, records of
//     rows on hold kept. A failing table is logged, counted
//     (softdelete_purge_table_errors_total, result="error") and the pass
//     goes on with the next table; the next pass retries it.
//  5. Refresh the gauges of every table, leader or not.
//
// The lock is a session lock held by the same connection the batches run
// on. That is the point: if the session ends (the process dies, the network
// drops, someone runs pg_terminate_backend), PostgreSQL frees the lock and
// rolls back the open batch in the same instant, so there is never a moment
// when a former leader still deletes while a new one has the lock. A lock
// held on one connection with the batches on another could not promise
// that. The next instance to try the lock, on its next pass, becomes the
// leader. A leader checks its session with a ping at the start of each pass;
// a lost session means a reconnect and a new try, never an assumed lock.
// softdelete_purge_leader follows the lock itself: 1 the moment
// pg_try_advisory_lock succeeds, 0 the moment the session is known lost (a
// batch fails with a broken session, the ping at a pass's start fails, Close
// or a reload drops the database), so a long pass reports its leader
// throughout. A session that dies while the purger idles between passes is
// noticed by that ping.
//
// # A batch
//
// Each batch is its own short transaction:
//
//	BEGIN;
//	SELECT set_config('statement_timeout', '30000ms', true);   -- SET LOCAL
//	DELETE FROM t AS x USING (
//	    SELECT tableoid AS toid, ctid AS tid FROM t
//	    WHERE deleted_at IS NOT NULL AND deleted_at < now() - <retention>
//	      AND NOT coalesce(hold, false)
//	    ORDER BY deleted_at LIMIT <batch_size> FOR UPDATE SKIP LOCKED) AS b
//	WHERE x.tableoid = b.toid AND x.ctid = b.tid;
//	INSERT INTO <audit table> ...;                          -- when configured
//	COMMIT;
//
// statement_timeout bounds every statement, lock waits included. Nothing
// marks the transaction: the guard migrate installs (docs/guard.md) lets
// trashed rows go because the session user, the purger's login role, is a
// member of the purge role (roles.purge, default softdelete_purger), which
// a DBA grants it; that role has SELECT, DELETE and UPDATE of the policy
// columns (FOR UPDATE needs an UPDATE privilege) on the managed tables,
// USAGE on their schemas and INSERT on the audit table. A live row is never
// deleted, whoever asks. Run as anyone else, every batch fails with the
// guard's 42501, which names the role to grant.
//
// Why (tableoid, ctid) and not the primary key: it works for every table
// the policy may name (no primary key, composite keys, any key type) with
// one statement shape; the sub-select walks the partial index
// (deleted_at) WHERE deleted_at IS NOT NULL oldest first and stops after
// batch_size rows, and the delete then reaches each row by a TID scan, with
// no second index lookup per row. A ctid is only stable while the row
// cannot be updated; FOR UPDATE locks every picked row in the same
// statement, so none can move before it is deleted. tableoid makes the pair
// unique across the partitions of a partitioned table (and inheritance
// children), where a ctid alone is not. SKIP LOCKED passes over rows an
// application transaction holds (a restore in progress, say) instead of
// waiting for it: they are purged on a later pass. The time is taken from
// the database's now(), so the instances' clocks do not matter.
//
// A batch of evicted records is DELETE FROM softdelete.evicted WHERE id
// IN (up to batch_size ids of one table_name past retention, oldest first,
// through the index on (table_name, at)), without FOR UPDATE: the purge
// role has SELECT and DELETE on the table and no UPDATE, which would let it
// forge the records the guard trusts.
//
// A batch holds its row locks for its own duration only, which
// softdelete_purge_batch_duration_seconds shows; batch_pause between batches
// leaves room for other work.
//
// # Shutdown
//
// Cancelling Run's or PassOnce's context stops before the next batch; a
// batch in flight is cancelled with a cancel request, and its transaction
// rolls back whole (a batch is one DELETE in one transaction: it is never
// half done). Run then closes the connections, which frees the locks. A
// commit already sent when the context ends is either done or not, never
// partly. Connections use pgconn's CancelRequestContextWatcherHandler with
// a 2 s deadline, so a cancelled pass returns within about 2 s even when the
// server does not answer.
//
// # Metrics
//
// NewMetrics(reg) registers:
//
//	softdelete_purge_runs_total{database,result}          success | error | skipped
//	softdelete_purged_rows_total{database,table}
//	softdelete_purged_evicted_rows_total{database,table}  records of softdelete.evicted
//	softdelete_purge_table_errors_total{database,table}
//	softdelete_purge_duration_seconds                     histogram, per pass (leader or failed)
//	softdelete_purge_batch_duration_seconds               histogram, per batch (evicted records' too)
//	softdelete_purge_last_success_timestamp_seconds{database}
//	softdelete_purge_leader{database}                     1 on the lock holder
//	softdelete_trash_rows{database,table}
//	softdelete_purge_backlog_rows{database,table}         past retention, not held
//	softdelete_trash_oldest_age_seconds{database,table}
//
// The three gauges come from one query per table over the partial index
// (tableStats). The database label is the database name of the URL.
// deploy/prometheus/alerts.yml and deploy/grafana/softdelete.json read them.
//
// # Trash operations
//
// Trash works directly on one database with the caller's credentials.
// Restore sets the deleted column (and who/why) back to NULL; Forget deletes
// selected trashed rows for good; Empty deletes all of a table's trashed
// rows in batches like the purger's. Rows on hold are never deleted by
// either. Rows are selected by primary key values (one-column keys) or by a
// where clause, which must be a single expression: it is checked with the
// PostgreSQL parser (pg_query) so that it cannot leave the parentheses it is
// put in and reach live rows. Every statement only ever touches rows whose
// deleted column is set.
package purger
