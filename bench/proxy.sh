#!/usr/bin/env bash
# bench/proxy.sh: pgbench straight to PostgreSQL, through softdelete-proxy and
# (when installed) through PgBouncer, interleaved round-robin so that noise on
# a shared machine hits every target alike. See bench/README.md.
#
# Environment (defaults in brackets):
#   PGHOST [127.0.0.1] PGPORT [5432] PGUSER [postgres]  the server (TCP only)
#   SCALE [10] CLIENTS [8] THREADS [2] ROUNDS [3] DURATION [10] (seconds a run)
#   WORKLOADS ["select-only tpcb-like"]  PROTOCOLS ["simple prepared"] (+ extended)
#   POLICY [0]       1 = add deleted_at to the pgbench tables and manage them
#   PGBOUNCER [auto] 0 = leave PgBouncer out even when installed
#   SAMPLING_RATE [1] fraction of transactions logged for the latency figures
#   BIN [bin/softdelete-proxy]  OUT_DIR [bench/out]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
BIN=${BIN:-$root/bin/softdelete-proxy}
OUT_DIR=${OUT_DIR:-$here/out}
export PGHOST=${PGHOST:-127.0.0.1} PGPORT=${PGPORT:-5432} PGUSER=${PGUSER:-postgres}
# Plain TCP on every leg: a TLS-by-default direct connection would not be a
# fair baseline for a proxy that talks plaintext upstream.
export PGSSLMODE=disable
SCALE=${SCALE:-10} CLIENTS=${CLIENTS:-8} THREADS=${THREADS:-2}
ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-10}
WORKLOADS=${WORKLOADS:-"select-only tpcb-like"} PROTOCOLS=${PROTOCOLS:-"simple prepared"}
POLICY=${POLICY:-0} PGBOUNCER=${PGBOUNCER:-auto} SAMPLING_RATE=${SAMPLING_RATE:-1}
DB=sdbench_$$

die() { echo "bench/proxy.sh: $*" >&2; exit 1; }
log() { echo "== $*" >&2; }

need() {
	command -v pgbench >/dev/null || die "pgbench not found: install postgresql-client (apt-get install postgresql-client)"
	command -v psql >/dev/null || die "psql not found: install postgresql-client"
	command -v python3 >/dev/null || die "python3 not found (used for the statistics)"
	[[ -x $BIN ]] || die "proxy binary $BIN missing: run 'make build' (or make bench-proxy)"
	case $PGHOST in /*) die "PGHOST=$PGHOST is a socket directory; the proxy needs a TCP host" ;; esac
	for w in $WORKLOADS; do [[ $w == select-only || $w == tpcb-like ]] || die "unknown workload $w"; done
	for p in $PROTOCOLS; do [[ $p == simple || $p == extended || $p == prepared ]] || die "unknown protocol $p"; done
}

sql() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$@"; }

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_ready PORT PID LOG: until a query through 127.0.0.1:PORT answers.
wait_ready() {
	local i
	for i in $(seq 100); do
		kill -0 "$2" 2>/dev/null || die "process $2 exited; its log ($3):$(printf '\n'; tail -20 "$3")"
		if psql -X -Atq -h 127.0.0.1 -p "$1" -U "$PGUSER" -d "$DB" -c 'select 1' >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	die "nothing answers on 127.0.0.1:$1 after 10s; log ($3):$(printf '\n'; tail -20 "$3")"
}

proxy_pid="" bouncer_pid="" tmp="" db_created=""
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	set +e
	[[ -n $proxy_pid ]] && kill "$proxy_pid" 2>/dev/null && wait "$proxy_pid" 2>/dev/null
	[[ -n $bouncer_pid ]] && kill "$bouncer_pid" 2>/dev/null && wait "$bouncer_pid" 2>/dev/null
	[[ -s $tmp/proxy.log ]] && grep -q panic "$tmp/proxy.log" && { echo "the proxy panicked:" >&2; cat "$tmp/proxy.log" >&2; }
	if [[ -n $db_created ]]; then
		sql -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || echo "could not drop database $DB" >&2
	fi
	[[ -n $tmp ]] && rm -rf "$tmp"
	exit "$rc"
}

setup_database() {
	log "creating database $DB (pgbench -i -s $SCALE)"
	sql -d postgres -c "CREATE DATABASE $DB"
	db_created=1
	pgbench -i -q -s "$SCALE" -h "$PGHOST" -p "$PGPORT" -U "$PGUSER" "$DB" >"$tmp/init.log" 2>&1 ||
		die "pgbench -i failed:$(printf '\n'; cat "$tmp/init.log")"
	if [[ $POLICY == 1 ]]; then
		# The probe table tells whether the proxy filters managed tables:
		# its only row is soft-deleted, so a rewriting proxy counts 0.
		sql -d "$DB" -c "
			ALTER TABLE pgbench_accounts ADD COLUMN deleted_at timestamptz;
			ALTER TABLE pgbench_branches ADD COLUMN deleted_at timestamptz;
			ALTER TABLE pgbench_tellers ADD COLUMN deleted_at timestamptz;
			ALTER TABLE pgbench_history ADD COLUMN deleted_at timestamptz;
			CREATE TABLE sdbench_probe (id int, deleted_at timestamptz);
			INSERT INTO sdbench_probe VALUES (1, now());" -c "VACUUM ANALYZE"
	fi
}

write_proxy_config() {
	{
		echo "upstream: $PGHOST:$PGPORT"
		echo "upstream_tls: { mode: disable }"
		if [[ $POLICY == 1 ]]; then
			echo "tables:"
			for t in pgbench_accounts pgbench_branches pgbench_tellers pgbench_history sdbench_probe; do
				echo "  public.$t: {}"
			done
		fi
	} >"$tmp/proxy.yaml"
}

start_proxy() {
	proxy_port=$(free_port)
	write_proxy_config
	"$BIN" serve --config "$tmp/proxy.yaml" --listen "127.0.0.1:$proxy_port" \
		--metrics-listen off --log-level warn >"$tmp/proxy.log" 2>&1 &
	proxy_pid=$!
	wait_ready "$proxy_port" "$proxy_pid" "$tmp/proxy.log"
	log "softdelete-proxy pid $proxy_pid on 127.0.0.1:$proxy_port"
}

# start_pgbouncer: session pooling, a pool as large as the clients, trust.
# PgBouncer refuses to run as root, so as root it switches to postgres.
start_pgbouncer() {
	[[ $PGBOUNCER == 0 ]] && return 0
	if ! command -v pgbouncer >/dev/null; then
		log "pgbouncer not installed (apt-get install pgbouncer): comparing direct and proxy only"
		return 0
	fi
	local dir=$tmp/pgbouncer user_opt=()
	bouncer_port=$(free_port)
	mkdir -p "$dir"
	printf '"%s" ""\n' "$PGUSER" >"$dir/userlist.txt"
	cat >"$dir/pgbouncer.ini" <<-EOF
		[databases]
		$DB = host=$PGHOST port=$PGPORT dbname=$DB
		[pgbouncer]
		listen_addr = 127.0.0.1
		listen_port = $bouncer_port
		unix_socket_dir =
		auth_type = trust
		auth_file = $dir/userlist.txt
		pool_mode = session
		default_pool_size = $((CLIENTS + 4))
		max_client_conn = $((CLIENTS * 4 + 20))
		server_tls_sslmode = disable
		logfile = $dir/pgbouncer.log
		pidfile = $dir/pgbouncer.pid
	EOF
	if [[ $(id -u) == 0 ]]; then
		chmod 755 "$tmp"
		chown -R postgres "$dir"
		user_opt=(-u postgres)
	fi
	pgbouncer "${user_opt[@]}" "$dir/pgbouncer.ini" >"$dir/stdout.log" 2>&1 &
	bouncer_pid=$!
	wait_ready "$bouncer_port" "$bouncer_pid" "$dir/pgbouncer.log"
	log "pgbouncer pid $bouncer_pid on 127.0.0.1:$bouncer_port"
}

# probe_policy: under POLICY=1, does the proxy hide the soft-deleted probe row?
probe_policy() {
	[[ $POLICY == 1 ]] || return 0
	local n
	n=$(psql -X -Atq -h 127.0.0.1 -p "$proxy_port" -U "$PGUSER" -d "$DB" -c 'select count(*) from sdbench_probe' 2>&1) || true
	case $n in
	0) rewrite_state="active (the probe's soft-deleted row is hidden through the proxy)" ;;
	1) rewrite_state="NOT active: the proxy still relays unchanged (probe row visible)" ;;
	*) rewrite_state="unknown: probe query failed: $n" ;;
	esac
	log "rewrite engine: $rewrite_state"
}

target_port() {
	case $1 in
	direct) echo "$PGPORT" ;;
	proxy) echo "$proxy_port" ;;
	pgbouncer) echo "$bouncer_port" ;;
	esac
}

target_host() { if [[ $1 == direct ]]; then echo "$PGHOST"; else echo 127.0.0.1; fi; }

# run_one WORKLOAD PROTOCOL TARGET ROUND
run_one() {
	local wl=$1 proto=$2 target=$3 rnd=$4 dir rc=0 args result
	dir=$tmp/runs/$wl.$proto.$target.$rnd
	mkdir -p "$dir"
	if [[ $wl == tpcb-like ]]; then
		# What pgbench does before a run, done here on a direct connection
		# (-n below) so every target starts alike.
		sql -d "$DB" -c "VACUUM pgbench_branches, pgbench_tellers" -c "TRUNCATE pgbench_history" >/dev/null
	fi
	args=(-n -c "$CLIENTS" -j "$THREADS" -T "$DURATION" -M "$proto"
		-h "$(target_host "$target")" -p "$(target_port "$target")" -U "$PGUSER"
		-l --log-prefix "$dir/log")
	[[ $wl == select-only ]] && args+=(-S)
	[[ $SAMPLING_RATE != 1 ]] && args+=(--sampling-rate "$SAMPLING_RATE")
	pgbench "${args[@]}" "$DB" >"$dir/out" 2>&1 || rc=$?
	shopt -s nullglob
	local logs=("$dir"/log.*)
	shopt -u nullglob
	result=$(python3 "$here/stats.py" ingest "$tmp/results.jsonl" "$wl" "$proto" "$target" "$rnd" "$rc" "$dir/out" "${logs[@]}")
	rm -rf "$dir"
	printf '   round %d/%d  %-11s %-9s %-9s tps %s\n' "$rnd" "$ROUNDS" "$wl" "$proto" "$target" "$result" >&2
}

main() {
	need
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	tmp=$(mktemp -d /tmp/sdbench.XXXXXX)
	setup_database
	start_proxy
	start_pgbouncer
	rewrite_state="n/a (POLICY=0)"
	probe_policy
	local targets=(direct proxy) r i n wl proto start
	[[ -n $bouncer_pid ]] && targets+=(pgbouncer)
	n=${#targets[@]}
	local started load_before
	started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	load_before=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')
	log "$ROUNDS rounds x {$WORKLOADS} x {$PROTOCOLS} x {${targets[*]}}, ${DURATION}s each, $CLIENTS clients"
	for ((r = 1; r <= ROUNDS; r++)); do
		for wl in $WORKLOADS; do
			for proto in $PROTOCOLS; do
				start=$(((r - 1) % n)) # rotate who goes first
				for ((i = 0; i < n; i++)); do
					run_one "$wl" "$proto" "${targets[(start + i) % n]}" "$r"
				done
			done
		done
	done
	mkdir -p "$OUT_DIR"
	local md
	md=$OUT_DIR/$(date -u +%Y%m%dT%H%M%SZ).md
	BENCH_META=$(
		echo "started $started; $(nproc) CPUs; load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
		echo "commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$root" diff --quiet HEAD 2>/dev/null || echo ' (+ uncommitted changes)'); binary $BIN ($("$BIN" version 2>/dev/null | head -1), built $(date -u -r "$BIN" +%Y-%m-%dT%H:%M:%SZ))"
		echo "$(sql -d "$DB" -Atc 'select version()' | cut -d' ' -f1-2) at $PGHOST:$PGPORT; $(pgbench --version)"
		[[ -n $bouncer_pid ]] && echo "$(pgbouncer --version | head -1), session pooling, pool $((CLIENTS + 4))"
		echo "pgbench scale $SCALE, $CLIENTS clients, $THREADS threads, $ROUNDS rounds x ${DURATION}s per target, interleaved; sampling rate $SAMPLING_RATE"
		echo "policy: $([[ $POLICY == 1 ]] && echo 'on (pgbench tables managed, deleted_at added)' || echo off); rewrite engine: $rewrite_state"
	)
	export BENCH_META
	echo
	python3 "$here/stats.py" report "$tmp/results.jsonl" "$md"
	cp "$tmp/results.jsonl" "${md%.md}.jsonl"
	echo
	echo "written to $md (raw runs in ${md%.md}.jsonl: BENCH_META=... bench/stats.py report FILE.jsonl OUT.md)"
	if [[ -s $tmp/proxy.log ]]; then
		echo "proxy log (warnings and errors, last 10 lines):"
		tail -10 "$tmp/proxy.log"
	fi
}

main "$@"
