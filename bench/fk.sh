#!/usr/bin/env bash
# bench/fk.sh: the cost of the soft referential actions (docs/foreign-keys.md).
#
#  1. pgbench with --foreign-keys on tables managed by the policy, straight to
#     PostgreSQL: once with every trigger migrate installs, once with the
#     foreign-key triggers (softdelete_fk_*, softdelete_op*) dropped. Runs
#     alternate, ROUNDS times each, so that noise on a shared machine hits
#     both alike. Workloads: update-only (the accounts UPDATE of tpcb-like:
#     touches no key and no soft-delete column, so no trigger fires) and
#     tpcb-like (its INSERT into pgbench_history is checked against three
#     parents).
#  2. A cascading soft delete: one parent with CHILDREN children, trashed
#     with one UPDATE; the same UPDATE of the children run directly (what
#     trashing them costs, cascade or not); a real DELETE … ON DELETE
#     CASCADE of as many rows in tables outside the policy.
#
# Environment (defaults in brackets):
#   PGHOST [127.0.0.1] PGPORT [5432] PGUSER [postgres]
#   SCALE [10] CLIENTS [4] THREADS [2] ROUNDS [3] DURATION [20] CHILDREN [10000]
#   BIN [bin/softdelete-proxy]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
BIN=${BIN:-$root/bin/softdelete-proxy}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres} PGSSLMODE=disable
SCALE=${SCALE:-10} CLIENTS=${CLIENTS:-4} THREADS=${THREADS:-2} ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-20}
CHILDREN=${CHILDREN:-10000}
DB=sdfk_$$
work=$(mktemp -d)
trap 'psql -qX -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

command -v pgbench >/dev/null || { echo "pgbench not found: apt-get install postgresql-client" >&2; exit 1; }
[[ -x $BIN ]] || { echo "proxy binary $BIN missing: run 'make build'" >&2; exit 1; }

url="postgres://$PGUSER@$PGHOST:$PGPORT/$DB?sslmode=disable"
cat >"$work/policy.yaml" <<'EOF'
tables:
  public.pgbench_accounts: {}
  public.pgbench_branches: {}
  public.pgbench_tellers: {}
  public.pgbench_history: {}
  public.parent: {}
  public.child: {}
EOF
cat >"$work/update.sql" <<'EOF'
\set aid random(1, 100000 * :scale)
\set delta random(-5000, 5000)
UPDATE pgbench_accounts SET abalance = abalance + :delta WHERE aid = :aid;
EOF

psql -qX -d postgres -c "CREATE DATABASE $DB"
pgbench -i -q -s "$SCALE" --foreign-keys "$DB" 2>/dev/null
psql -qX -d "$DB" <<'EOF'
CREATE TABLE parent (id int PRIMARY KEY, deleted_at timestamptz);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent ON DELETE CASCADE, deleted_at timestamptz);
CREATE INDEX ON child (parent_id);
CREATE TABLE hard_parent (id int PRIMARY KEY);
CREATE TABLE hard_child (id int PRIMARY KEY, parent_id int REFERENCES hard_parent ON DELETE CASCADE);
CREATE INDEX ON hard_child (parent_id);
EOF
migrate() { "$BIN" migrate --config "$work/policy.yaml" --database-url "$url" --apply >/dev/null; }
drop_fk_triggers() {
	psql -qX -d "$DB" -At -c "SELECT format('DROP TRIGGER %I ON %s;', tgname, tgrelid::regclass) FROM pg_trigger
		WHERE (tgname LIKE 'softdelete\_fk\_%' OR tgname LIKE 'softdelete\_op%') AND tgparentid = 0" | psql -qX -d "$DB"
}
tps() { pgbench -n -c "$CLIENTS" -j "$THREADS" -T "$DURATION" -M prepared "$@" "$DB" 2>/dev/null | awk '/^tps/ {print $3; exit}'; }

migrate
echo "pgbench -s $SCALE -c $CLIENTS -j $THREADS -T $DURATION -M prepared, $ROUNDS rounds (tps)"
for round in $(seq "$ROUNDS"); do
	for mode in with without; do
		if [[ $mode == without ]]; then drop_fk_triggers; else migrate; fi
		u=$(tps -f "$work/update.sql")
		t=$(tps -b tpcb-like)
		echo "round $round, $mode foreign-key triggers: update-only $u, tpcb-like $t"
	done
done
migrate

psql -qX -d "$DB" <<EOF
INSERT INTO parent VALUES (1); INSERT INTO child SELECT g, 1 FROM generate_series(1, $CHILDREN) g;
INSERT INTO hard_parent VALUES (1); INSERT INTO hard_child SELECT g, 1 FROM generate_series(1, $CHILDREN) g;
VACUUM ANALYZE parent, child, hard_parent, hard_child;
EOF
# timed prints the milliseconds of one statement run between BEGIN and
# ROLLBACK (psql's \timing: the second Time line is the statement's).
timed() {
	printf '\\timing on\nBEGIN;\n%s\nROLLBACK;\n' "$1" | psql -qX -d "$DB" | awk '/^Time:/ {n++; if (n == 2) print $2}'
}
echo "cascade of $CHILDREN children (ms, psql \\timing, each in a transaction rolled back):"
for round in $(seq "$ROUNDS"); do
	soft=$(timed "UPDATE parent SET deleted_at = now() WHERE id = 1;")
	floor=$(timed "UPDATE child SET deleted_at = now(), deleted_op = 1 WHERE parent_id = 1;" )
	hard=$(timed "DELETE FROM hard_parent WHERE id = 1;")
	echo "round $round: soft delete of the parent $soft (the children's UPDATE alone: $floor), real DELETE with ON DELETE CASCADE $hard"
done
