#!/bin/bash
# bench/ab.sh: CPU per transaction of two proxy binaries, A and B, side by
# side: both run at once on their own ports, and pgbench runs alternate
# between them at a fixed rate, ROUNDS times, so load from elsewhere falls on
# both alike. Prints µs of CPU per transaction of each, per round.
#
#   BIN_A=old/softdelete-proxy BIN_B=bin/softdelete-proxy bench/ab.sh
#
# Environment: PGHOST [127.0.0.1] PGPORT [5432] PGUSER [postgres]; RATES
# ["2000 5000"]; MODE [prepared]; ROUNDS [3]; DURATION [10]; SCALE [10].
set -euo pipefail
: "${PGHOST:=127.0.0.1}" "${PGPORT:=5432}" "${PGUSER:=postgres}" "${ROUNDS:=3}" "${DURATION:=10}" "${SCALE:=10}"
: "${BIN_A:?BIN_A: the first binary}" "${BIN_B:?BIN_B: the second binary}"
export PGHOST PGPORT PGUSER PGSSLMODE=disable
DB=sdbench_ab_$$
TMP=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1 || true
	rm -rf "$TMP"
}
trap cleanup EXIT
psql -X -q -d postgres -c "CREATE DATABASE $DB"
pgbench -i -q -s "$SCALE" "$DB" >/dev/null 2>&1
start() { # name port binary
	printf 'listen: 127.0.0.1:%s\nupstream: %s:%s\nupstream_tls: { mode: disable }\nmetrics_listen: "off"\nlog_level: warn\n' \
		"$2" "$PGHOST" "$PGPORT" > "$TMP/$1.yaml"
	"$3" serve --config "$TMP/$1.yaml" > "$TMP/$1.log" 2>&1 &
	PIDS+=($!)
}
start a 6491 "$BIN_A"
start b 6492 "$BIN_B"
for port in 6491 6492; do
	for _ in $(seq 50); do pg_isready -q -h 127.0.0.1 -p $port && break; sleep 0.1; done
done
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)
for round in $(seq "$ROUNDS"); do
	for rate in ${RATES:-2000 5000}; do
		for i in 0 1; do
			pid=${PIDS[$i]} port=$((6491 + i)) name=$([ $i = 0 ] && echo A || echo B)
			t0=$(ticks "$pid")
			tx=$(pgbench -h 127.0.0.1 -p $port -n -S -M "${MODE:-prepared}" -c 8 -j 2 -R "$rate" -T "$DURATION" "$DB" 2>/dev/null |
				awk '/number of transactions actually processed/{split($NF, a, "/"); print a[1]}')
			t1=$(ticks "$pid")
			python3 -c "print('round $round  rate $rate  $name  %d tx  %.1f us/tx' % ($tx, ($t1 - $t0) * 1e6 / $hz / $tx))"
		done
	done
done
