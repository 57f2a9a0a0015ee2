#!/usr/bin/env bash
# Django's own test suite as an application through softdelete-proxy (see bench/README.md).
#
#   make build && bench/django-suite.sh
#
# Three runs of the same apps, each with --keepdb on the same test databases:
#   A  directly to PostgreSQL;
#   B  through the proxy, with a policy that manages no table;
#   C  through the proxy, every table under "public.*" after migrate --apply.
# Before A, one direct run creates the test databases (--keepdb keeps them), so that no
# timed run pays for creating them. Prints tests run, failures, errors, skipped and time per run,
# and the tests that fail in C and not in A. Output goes to $OUT_DIR.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)

PY=${PY:-/usr/bin/python3}                      # the Python whose django is Debian's python3-django
BIN=${BIN:-$root/bin/softdelete-proxy}
PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGSUPER=${PGSUPER:-postgres}                    # superuser: creates the role, the template, runs migrate
DJ_USER=${DJ_USER:-djsuite}                     # the application's role: LOGIN CREATEDB, not a superuser
DJ_NAME=${DJ_NAME:-djsuite}                     # test databases test_$DJ_NAME and test_${DJ_NAME}_other
DJ_TEMPLATE=${DJ_TEMPLATE:-djsuite_template}
ON_TRUNCATE=${ON_TRUNCATE:-hard}                # run C: hard (DJ_USER in roles.hard_delete), soft or deny
TABLE_OPTS=${TABLE_OPTS:-"{}"}                  # run C: the settings of "public.*" the proxy serves, e.g. "{ with_column: true }"
                                                # (migrate always runs with {}: it adds the column to every table)
DJANGO_SRC=${DJANGO_SRC:-/tmp/django-src}       # holds tests/runtests.py
RUNS=${RUNS:-"A B C"}
KEEP_DBS=${KEEP_DBS:-0}                         # 1: leave the test databases for a look afterwards
OUT_DIR=${OUT_DIR:-$root/bench/out/django-suite-$(date -u +%Y%m%dT%H%M%SZ)}
APPS=${APPS:-"queries lookup aggregation aggregation_regress delete delete_regress fixtures
  fixtures_regress fixtures_model_package bulk_create transactions transaction_hooks
  generic_relations generic_relations_regress model_inheritance model_inheritance_regress
  many_to_one many_to_many one_to_one m2m_through foreign_object select_related select_for_update
  update basic get_or_create expressions serializers constraints postgres_tests custom_pk
  save_delete_hooks"}

die() { echo "django-suite: $*" >&2; exit 1; }
psql_super() { psql -X -q -v ON_ERROR_STOP=1 -h "$PGHOST" -p "$PGPORT" -U "$PGSUPER" "$@"; }

command -v psql >/dev/null || die "psql is missing: apt-get install postgresql-client"
[ -x "$BIN" ] || die "$BIN is missing: run make build"
dj_version=$("$PY" -c 'import django, psycopg2; print(django.get_version())') ||
	die "$PY cannot import django and psycopg2: apt-get install python3-django python3-psycopg2"

# Django's tests, of the installed version. Debian's source package carries the upstream tarball
# with tests/; it is fetched with apt-get source from deb-src lines of its own (the system's
# sources are not changed). A checkout works too: DJANGO_SRC=/path/to/django (tag $dj_version).
if [ ! -f "$DJANGO_SRC/tests/runtests.py" ]; then
	command -v apt-get >/dev/null || die "no $DJANGO_SRC/tests/runtests.py: set DJANGO_SRC to a Django $dj_version source tree"
	. /etc/os-release
	apt_dir=$(mktemp -d)
	mkdir -p "$apt_dir/lists/partial"
	key=/usr/share/keyrings/debian-archive-keyring.gpg
	cat >"$apt_dir/sources.list" <<-EOF
		deb-src [signed-by=$key] http://deb.debian.org/debian $VERSION_CODENAME main
		deb-src [signed-by=$key] http://deb.debian.org/debian $VERSION_CODENAME-updates main
		deb-src [signed-by=$key] http://deb.debian.org/debian-security $VERSION_CODENAME-security main
	EOF
	apt_opts=(-o "Dir::Etc::sourcelist=$apt_dir/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$apt_dir/lists")
	apt-get "${apt_opts[@]}" -qq update
	# Only the upstream tarball is needed; the Debian part may be gone from the mirror.
	(cd "$apt_dir" && apt-get "${apt_opts[@]}" -qq source --download-only python-django 2>/dev/null || true)
	orig=$(ls "$apt_dir"/python-django_"$dj_version".orig.tar.* 2>/dev/null | head -1)
	[ -n "$orig" ] || die "apt-get source python-django did not bring Django $dj_version; set DJANGO_SRC"
	mkdir -p "$DJANGO_SRC"
	tar -xf "$orig" -C "$DJANGO_SRC" --strip-components=1 "Django-$dj_version/tests" "Django-$dj_version/django/__init__.py"
	rm -rf "$apt_dir"
fi
if [ -f "$DJANGO_SRC/django/__init__.py" ]; then
	src_version=$(sed -n 's/^VERSION = (\([0-9]*\), \([0-9]*\), \([0-9]*\),.*/\1.\2.\3/p' "$DJANGO_SRC/django/__init__.py")
	[ "$src_version" = "$dj_version" ] || die "tests in $DJANGO_SRC are Django $src_version, the installed Django is $dj_version"
fi

mkdir -p "$OUT_DIR"
work=$(mktemp -d)
proxy_pid=
cleanup() {
	if [ -n "$proxy_pid" ]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
	if [ "$KEEP_DBS" != 1 ]; then
		psql_super -d postgres -c "DROP DATABASE IF EXISTS test_$DJ_NAME WITH (FORCE)" \
			-c "DROP DATABASE IF EXISTS test_${DJ_NAME}_other WITH (FORCE)" || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# The role, and the template: postgres_tests creates extensions (bloom) only a superuser may create.
psql_super -d postgres <<-EOF
	SELECT 'CREATE ROLE $DJ_USER LOGIN CREATEDB' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DJ_USER') \gexec
	SELECT 'CREATE DATABASE $DJ_TEMPLATE IS_TEMPLATE true' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$DJ_TEMPLATE') \gexec
	DROP DATABASE IF EXISTS test_$DJ_NAME WITH (FORCE);
	DROP DATABASE IF EXISTS test_${DJ_NAME}_other WITH (FORCE);
EOF
for ext in bloom btree_gin btree_gist citext uuid-ossp hstore pg_trgm unaccent; do
	psql_super -d "$DJ_TEMPLATE" -c "CREATE EXTENSION IF NOT EXISTS \"$ext\""
done

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
proxy_port=$(free_port)

start_proxy() { # config file
	"$BIN" serve --config "$1" >"$OUT_DIR/proxy-$(basename "$1" .yaml).log" 2>&1 &
	proxy_pid=$!
	for _ in $(seq 100); do
		pg_isready -q -h 127.0.0.1 -p "$proxy_port" && return 0
		kill -0 "$proxy_pid" 2>/dev/null || die "the proxy exited: $(cat "$OUT_DIR/proxy-$(basename "$1" .yaml).log")"
		sleep 0.1
	done
	die "the proxy does not answer on 127.0.0.1:$proxy_port"
}
stop_proxy() {
	kill "$proxy_pid"
	wait "$proxy_pid" 2>/dev/null || true
	proxy_pid=
}

write_config() { # file, policy lines
	cat >"$1" <<-EOF
		listen: 127.0.0.1:$proxy_port
		upstream: $PGHOST:$PGPORT
		metrics_listen: "off"
		log_level: warn
		require_guard: true
	EOF
	printf '%s\n' "$2" >>"$1"
}
write_config "$work/B.yaml" ""
hard_roles=
[ "$ON_TRUNCATE" = hard ] && hard_roles="roles:
  hard_delete: [$DJ_USER]"
for opts in "{}" "$TABLE_OPTS"; do
	[ "$opts" = "{}" ] && name=C-migrate || name=C
	write_config "$work/$name.yaml" "defaults:
  on_truncate: $ON_TRUNCATE
  databases: [test_$DJ_NAME, test_${DJ_NAME}_other]
$hard_roles
tables:
  \"public.*\": $opts"
done
[ -f "$work/C.yaml" ] || cp "$work/C-migrate.yaml" "$work/C.yaml"
cp "$work"/*.yaml "$OUT_DIR/"

run_suite() { # name, port
	local log="$OUT_DIR/$1.log" start end rc=0
	start=$(date +%s.%N)
	(cd "$DJANGO_SRC/tests" &&
		DJSUITE_HOST=127.0.0.1 DJSUITE_PORT=$2 DJSUITE_USER=$DJ_USER DJSUITE_NAME=$DJ_NAME DJSUITE_TEMPLATE=$DJ_TEMPLATE \
			PYTHONPATH="$here/django" PYTHONDONTWRITEBYTECODE=1 \
			"$PY" runtests.py --settings djsuite_settings --parallel 1 --keepdb --noinput $APPS) >"$log" 2>&1 || rc=$?
	end=$(date +%s.%N)
	grep -E '^(FAIL|ERROR): ' "$log" | sed -E 's/^(FAIL|ERROR): [^ ]+ \(([^)]*)\)/\1 \2/' | sort >"$OUT_DIR/$1.failed" || true
	"$PY" - "$log" "$1" "$start" "$end" "$rc" <<-'EOF' | tee -a "$OUT_DIR/summary.txt"
		import re, sys
		log, name, start, end, rc = sys.argv[1:]
		text = open(log, errors='replace').read()
		ran = re.findall(r'^Ran (\d+) tests? in ([\d.]+)s', text, re.M)
		res = re.findall(r'^(OK|FAILED)(?: \((.*)\))?$', text, re.M)
		counts = dict(failures=0, errors=0, skipped=0)
		if res:
		    for part in (res[-1][1] or '').split(', '):
		        if '=' in part:
		            k, v = part.split('=')
		            counts[k] = int(v)
		tests, secs = ran[-1] if ran else ('?', '?')
		print(f"{name:<5} tests={tests:<5} failures={counts['failures']:<4} errors={counts['errors']:<4} "
		      f"skipped={counts['skipped']:<3} suite={secs}s wall={float(end)-float(start):.1f}s exit={rc}")
	EOF
}

echo "Django $dj_version, tests from $DJANGO_SRC, output in $OUT_DIR" | tee "$OUT_DIR/summary.txt"
run_suite prep "$PGPORT"
for r in $RUNS; do
	case $r in
	A) run_suite A "$PGPORT" ;;
	B)
		start_proxy "$work/B.yaml"
		run_suite B "$proxy_port"
		stop_proxy
		;;
	C)
		urls=()
		# the test databases the suite created ('other' only when a test uses it)
		for db in $(psql_super -d postgres -Atc "SELECT datname FROM pg_database WHERE datname IN ('test_$DJ_NAME', 'test_${DJ_NAME}_other')"); do
			urls+=(--database-url "postgres://$PGSUPER@$PGHOST:$PGPORT/$db?sslmode=disable")
		done
		"$BIN" migrate --config "$work/C-migrate.yaml" "${urls[@]}" --apply >"$OUT_DIR/migrate.log" 2>&1 ||
			die "migrate --apply failed: $OUT_DIR/migrate.log"
		"$BIN" check --config "$work/C.yaml" "${urls[@]}" >"$OUT_DIR/check.log" 2>&1 ||
			die "check fails after migrate: $OUT_DIR/check.log"
		start_proxy "$work/C.yaml"
		run_suite C "$proxy_port"
		stop_proxy
		;;
	*) die "unknown run $r (RUNS: A B C)" ;;
	esac
done

if [ -f "$OUT_DIR/A.failed" ] && [ -f "$OUT_DIR/C.failed" ]; then
	comm -13 "$OUT_DIR/A.failed" "$OUT_DIR/C.failed" >"$OUT_DIR/C-not-A.failed"
	echo "tests failing in C and not in A: $(wc -l <"$OUT_DIR/C-not-A.failed") ($OUT_DIR/C-not-A.failed)" | tee -a "$OUT_DIR/summary.txt"
fi
