#!/bin/bash
# bench/adopt.sh: how long check and migrate take to adopt a large schema.
#
# Creates a database of TABLES tables (default 1100), each with a primary
# key, a unique constraint and a unique expression index, every second one
# with a foreign key to the one before (ON DELETE $FK_ACTION, default NO
# ACTION), puts them all under one pattern
# ("public.*"), then times: the first migrate --apply, a second one (nothing
# to do), and check. The database is dropped at the end, however it ends.
# Environment: PGHOST [127.0.0.1] PGPORT [5432] PGUSER [postgres], TABLES,
# FK_ACTION (none: no foreign keys), BIN [bin/softdelete-proxy]. With CASCADE keys the migration
# installs about twice the objects; migrate splits it into transactions that
# fit the server's lock table (the output says how many).
set -euo pipefail
cd "$(dirname "$0")/.."
: "${PGHOST:=127.0.0.1}" "${PGPORT:=5432}" "${PGUSER:=postgres}" "${TABLES:=1100}" "${FK_ACTION:=NO ACTION}"
BIN=${BIN:-bin/softdelete-proxy}
export PGHOST PGPORT PGUSER PGSSLMODE=disable
[ -x "$BIN" ] || { echo "bench/adopt.sh: $BIN missing: run make build" >&2; exit 1; }
DB=sdbench_adopt_$$
TMP=$(mktemp -d)
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1; rm -rf "$TMP"' EXIT
psql -X -q -d postgres -c "CREATE DATABASE $DB"
for from in $(seq 1 100 "$TABLES"); do  # 100 tables a transaction: the schema alone fills a lock table
  psql -X -q -d "$DB" -v ON_ERROR_STOP=1 <<SQL
DO \$\$ BEGIN
  FOR i IN $from..$((from + 99 < TABLES ? from + 99 : TABLES)) LOOP
    EXECUTE format('CREATE TABLE t%s (id int PRIMARY KEY, code text UNIQUE, name text, deleted_at timestamptz)', i);
    EXECUTE format('CREATE UNIQUE INDEX ON t%s (lower(name))', i);
    IF i % 2 = 0 AND '$FK_ACTION' <> 'none' THEN
      EXECUTE format('ALTER TABLE t%s ADD COLUMN parent int REFERENCES t%s ON DELETE $FK_ACTION', i, i - 1);
    END IF;
  END LOOP;
END \$\$;
SQL
done
printf 'tables:\n  "public.*": {}\n' > "$TMP/config.yaml"
URL="postgres://$PGUSER@$PGHOST:$PGPORT/$DB?sslmode=disable"
t() { local s e; s=$(date +%s.%N); "$@" > "$TMP/out" 2>&1 || { tail -c 3000 "$TMP/out" >&2; exit 1; }; e=$(date +%s.%N); python3 -c "print('%.1f s' % ($e - $s))"; }
echo "tables: $TABLES; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# each assignment on its own line, so that set -e stops at a failing step
first=$(t "$BIN" migrate --config "$TMP/config.yaml" --database-url "$URL" --apply)
echo "first migrate --apply:  $first ($(grep -o 'committed in .*' "$TMP/out"))"
second=$(t "$BIN" migrate --config "$TMP/config.yaml" --database-url "$URL" --apply)
echo "second migrate --apply: $second"
check=$(t "$BIN" check --config "$TMP/config.yaml" --database-url "$URL")
echo "check:                  $check"
