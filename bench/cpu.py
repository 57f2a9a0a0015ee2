#!/usr/bin/env python3
"""bench/cpu.py: CPU per transaction of the middle process at a fixed offered rate.

On a small machine pgbench and PostgreSQL fill the cores, so a throughput ratio
measures contention, not the cost of a proxy. This script offers the same load
(pgbench -R RATE) to PostgreSQL directly, through softdelete-proxy (with and
without pgbench's tables under policy) and through PgBouncer, and reads the
middle process's CPU time from /proc before and after each run: microseconds of
CPU per transaction, plus the latency it adds (p50, p99 of pgbench's
per-transaction log) over the direct run of the same round.

Targets run interleaved, round after round, rotating who goes first.
(Instructions per transaction are not counted: perf's counters are not
available on the development VM, and callgrind aborts on the Go runtime's
signals.)

Environment: PGHOST [127.0.0.1] PGPORT [5432] PGUSER [postgres]; RATES ["2000 5000"]
for select-only; TPCB_RATES ["500 1000"] for tpcb-like (a 2-core machine cannot
sustain 2000 TPC-B-like transactions a second: the queue, not the middle, would
set the latency);
MODES ["simple extended prepared"]; WORKLOADS ["select-only tpcb-like"]; TARGETS
["direct proxy proxy-policy pgbouncer"] (also: proxy-goroutines, the relay without event loops); CLIENTS [8] THREADS [2] DURATION [10]
ROUNDS [2] SCALE [10]; BIN [bin/softdelete-proxy]; OUT_DIR [bench/out].
See bench/README.md.
"""

import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ENV = os.environ
PGHOST, PGPORT, PGUSER = ENV.get("PGHOST", "127.0.0.1"), ENV.get("PGPORT", "5432"), ENV.get("PGUSER", "postgres")
# Plain TCP on every leg: a direct connection with TLS (libpq's default
# sslmode=prefer) would be no fair baseline for a proxy whose legs are plain.
os.environ["PGSSLMODE"] = "disable"
RATES = ENV.get("RATES", "2000 5000").split()
TPCB_RATES = ENV.get("TPCB_RATES", "500 1000").split()
MODES = ENV.get("MODES", "simple extended prepared").split()
WORKLOADS = ENV.get("WORKLOADS", "select-only tpcb-like").split()
TARGETS = ENV.get("TARGETS", "direct proxy proxy-policy pgbouncer").split()
CLIENTS, THREADS = int(ENV.get("CLIENTS", "8")), int(ENV.get("THREADS", "2"))
DURATION, ROUNDS, SCALE = int(ENV.get("DURATION", "10")), int(ENV.get("ROUNDS", "2")), int(ENV.get("SCALE", "10"))
BIN = ENV.get("BIN", os.path.join(ROOT, "bin", "softdelete-proxy"))
OUT_DIR = ENV.get("OUT_DIR", os.path.join(HERE, "out"))
CLK_TCK = os.sysconf("SC_CLK_TCK")
DB = "sdbench_cpu_%d" % os.getpid()
TABLES = ["pgbench_accounts", "pgbench_branches", "pgbench_tellers", "pgbench_history"]


def die(msg):
    sys.exit("bench/cpu.py: " + msg)


def log(msg):
    print("== " + msg, file=sys.stderr, flush=True)


def run(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        die("%s exited %d: %s" % (" ".join(args[:2]), r.returncode, (r.stderr or r.stdout).strip()[-2000:]))
    return r


def psql(db, *sql):
    args = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, "-d", db]
    for s in sql:
        args += ["-c", s]
    return run(args).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(port, proc, logfile):
    for _ in range(200):
        if proc.poll() is not None:
            die("process exited; log %s:\n%s" % (logfile, open(logfile).read()[-2000:]))
        r = subprocess.run(["psql", "-X", "-Atq", "-h", "127.0.0.1", "-p", str(port), "-U", PGUSER, "-d", DB,
                            "-c", "select 1"], capture_output=True)
        if r.returncode == 0:
            return
        time.sleep(0.05)
    die("nothing answers on port %d; log %s" % (port, logfile))


def cpu_seconds(pid):
    """utime + stime of pid (all threads) and of its waited-for children."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / CLK_TCK


class Middle:
    """A process between pgbench and PostgreSQL: softdelete-proxy or PgBouncer."""

    def __init__(self, name, tmp):
        self.name, self.tmp = name, tmp
        self.port = free_port()
        self.proc = None

    def start(self):
        logfile = os.path.join(self.tmp, self.name + ".log")
        out = open(logfile, "w")
        self.proc = subprocess.Popen(self.command(), stdout=out, stderr=subprocess.STDOUT,
                                     preexec_fn=self.preexec())
        wait_ready(self.port, self.proc, logfile)
        return self

    def preexec(self):
        return None

    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(120)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Proxy(Middle):
    def __init__(self, name, tmp, policy, loops=0):
        super().__init__(name, tmp)
        self.config = os.path.join(tmp, name + ".yaml")
        with open(self.config, "w") as f:
            f.write("upstream: %s:%s\nupstream_tls: { mode: disable }\nevent_loops: %d\n" % (PGHOST, PGPORT, loops))
            if policy:
                f.write("tables:\n" + "".join("  public.%s: {}\n" % t for t in TABLES))

    def command(self):
        return [BIN, "serve", "--config", self.config, "--listen", "127.0.0.1:%d" % self.port,
                "--metrics-listen", "off", "--log-level", "warn"]


class Bouncer(Middle):
    def __init__(self, name, tmp):
        super().__init__(name, tmp)
        d = os.path.join(tmp, "pgbouncer")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "userlist.txt"), "w") as f:
            f.write('"%s" ""\n' % PGUSER)
        self.ini = os.path.join(d, "pgbouncer.ini")
        with open(self.ini, "w") as f:
            f.write("[databases]\n%s = host=%s port=%s dbname=%s\n[pgbouncer]\nlisten_addr = 127.0.0.1\n"
                    "listen_port = %d\nunix_socket_dir =\nauth_type = trust\nauth_file = %s\npool_mode = session\n"
                    "default_pool_size = %d\nmax_client_conn = %d\nserver_tls_sslmode = disable\nlogfile = %s\n"
                    % (DB, PGHOST, PGPORT, DB, self.port, os.path.join(d, "userlist.txt"), CLIENTS + 4,
                       CLIENTS * 4 + 20, os.path.join(d, "pgbouncer.log")))
        if os.getuid() == 0:
            os.chmod(tmp, 0o755)
            shutil.chown(d, "postgres")
            for n in os.listdir(d):
                shutil.chown(os.path.join(d, n), "postgres")

    def command(self):
        return ["pgbouncer", self.ini]

    def preexec(self):
        if os.getuid() != 0:
            return None
        import pwd
        pw = pwd.getpwnam("postgres")
        return lambda: (os.setgid(pw.pw_gid), os.setuid(pw.pw_uid))


def pgbench(port, host, workload, mode, extra, logprefix):
    args = ["pgbench", "-n", "-c", str(CLIENTS), "-j", str(THREADS), "-M", mode, "-h", host, "-p", str(port),
            "-U", PGUSER, "-l", "--log-prefix", logprefix] + extra
    if workload == "select-only":
        args.append("-S")
    r = subprocess.run(args + [DB], capture_output=True, text=True)
    if r.returncode != 0:
        die("pgbench failed: %s\n%s" % (" ".join(args), r.stdout + r.stderr))
    tx = None
    for line in r.stdout.splitlines():
        if line.startswith("number of transactions actually processed:"):
            tx = int(line.split(":")[1].split("/")[0])
    if tx is None:
        die("no transaction count in pgbench output:\n" + r.stdout)
    return tx


def latencies(logprefix_dir):
    lat = []
    for n in os.listdir(logprefix_dir):
        with open(os.path.join(logprefix_dir, n)) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    lat.append(int(parts[2]) / 1000.0)
    lat.sort()
    if not lat:
        return None, None
    return lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))]


def one_run(tmp, target, middle, workload, mode, rate):
    d = tempfile.mkdtemp(dir=tmp)
    if workload == "tpcb-like":
        # The guard refuses TRUNCATE of a managed table; the benchmark's own
        # reset between runs goes around it, as only a superuser can.
        psql(DB, "SET session_replication_role = replica", "VACUUM pgbench_branches, pgbench_tellers",
             "TRUNCATE pgbench_history")
    host, port = (PGHOST, PGPORT) if middle is None else ("127.0.0.1", middle.port)
    before = cpu_seconds(middle.pid()) if middle else 0
    tx = pgbench(port, host, workload, mode, ["-R", rate, "-T", str(DURATION)], os.path.join(d, "log"))
    after = cpu_seconds(middle.pid()) if middle else 0
    p50, p99 = latencies(d)
    shutil.rmtree(d)
    return {"target": target, "workload": workload, "mode": mode, "rate": int(rate), "tx": tx,
            "cpu_us_per_tx": (after - before) * 1e6 / tx if middle else None, "p50_ms": p50, "p99_ms": p99}


def make_middle(target, tmp):
    if target == "proxy":
        return Proxy(target, tmp, False)
    if target == "proxy-policy":
        return Proxy(target, tmp, True)
    if target == "proxy-goroutines":  # no event loop: a goroutine per direction
        return Proxy(target, tmp, False, loops=-1)
    if target == "pgbouncer":
        return Bouncer(target, tmp)
    return None


def main():
    for tool in ["pgbench", "psql"] + (["pgbouncer"] if "pgbouncer" in TARGETS else []):
        if not shutil.which(tool):
            die("%s not found (apt-get install postgresql-client pgbouncer valgrind)" % tool)
    if not os.access(BIN, os.X_OK):
        die("proxy binary %s missing: run make build" % BIN)
    tmp = tempfile.mkdtemp(prefix="sdbench-cpu.")
    middles = {}
    try:
        log("creating %s (pgbench -i -s %d), pgbench's tables with deleted_at" % (DB, SCALE))
        psql("postgres", "CREATE DATABASE " + DB)
        run(["pgbench", "-i", "-q", "-s", str(SCALE), "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, DB])
        psql(DB, *["ALTER TABLE %s ADD COLUMN deleted_at timestamptz" % t for t in TABLES], "VACUUM ANALYZE")
        if "proxy-policy" in TARGETS:
            # What a DBA runs before serving: the guard's triggers (they fire
            # on DELETE, TRUNCATE and changes of deleted_at, none of which
            # pgbench does) on every target's tables alike.
            policy = Proxy("migrate", tmp, True)
            run([BIN, "migrate", "--config", policy.config, "--apply", "--database-url",
                 "postgres://%s@%s:%s/%s?sslmode=disable" % (PGUSER, PGHOST, PGPORT, DB)])
        for t in TARGETS:
            if t != "direct":
                middles[t] = make_middle(t, tmp).start()
        results = []
        started = datetime.datetime.now(datetime.timezone.utc)
        for rnd in range(ROUNDS):
            for wl in WORKLOADS:
                for mode in MODES:
                    for rate in (TPCB_RATES if wl == "tpcb-like" else RATES):
                        order = TARGETS[rnd % len(TARGETS):] + TARGETS[:rnd % len(TARGETS)]
                        for t in order:
                            r = one_run(tmp, t, middles.get(t), wl, mode, rate)
                            r["round"] = rnd
                            results.append(r)
                            log("round %d %-11s %-8s %5s/s %-12s %6d tx  cpu %s us/tx  p50 %.3f ms  p99 %.3f ms" % (
                                rnd + 1, wl, mode, rate, t, r["tx"],
                                "%.1f" % r["cpu_us_per_tx"] if r["cpu_us_per_tx"] is not None else "-",
                                r["p50_ms"] or 0, r["p99_ms"] or 0))
        report(results, started)
    finally:
        for m in middles.values():
            m.stop()
        subprocess.run(["psql", "-X", "-q", "-h", PGHOST, "-p", PGPORT, "-U", PGUSER, "-d", "postgres", "-c",
                        "DROP DATABASE IF EXISTS %s WITH (FORCE)" % DB], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


def report(results, started):
    rows = []
    keys = sorted({(r["workload"], r["mode"], r["rate"]) for r in results}, key=lambda k: (k[0], MODES.index(k[1]), k[2]))
    lines = ["| workload | mode | rate | target | CPU µs/tx | p50 ms | p99 ms | +p50 ms | +p99 ms |",
             "|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for wl, mode, rate in keys:
        for t in TARGETS:
            runs = [r for r in results if (r["workload"], r["mode"], r["rate"], r["target"]) == (wl, mode, rate, t)]
            direct = {r["round"]: r for r in results if (r["workload"], r["mode"], r["rate"], r["target"]) == (wl, mode, rate, "direct")}
            cpu = [r["cpu_us_per_tx"] for r in runs if r["cpu_us_per_tx"] is not None]
            p50 = statistics.median([r["p50_ms"] for r in runs])
            p99 = statistics.median([r["p99_ms"] for r in runs])
            d50 = statistics.median([r["p50_ms"] - direct[r["round"]]["p50_ms"] for r in runs]) if direct else 0
            d99 = statistics.median([r["p99_ms"] - direct[r["round"]]["p99_ms"] for r in runs]) if direct else 0
            lines.append("| %s | %s | %d | %s | %s | %.3f | %.3f | %s | %s |" % (
                wl, mode, rate, t, "%.1f" % statistics.median(cpu) if cpu else "—", p50, p99,
                "—" if t == "direct" else "%+.3f" % d50, "—" if t == "direct" else "%+.3f" % d99))
    meta = ("%s; %d CPUs; load %s; commit %s; %s; %s clients, %s threads, %ss runs x %d rounds, interleaved"
            % (started.strftime("%Y-%m-%dT%H:%M:%SZ"), os.cpu_count(), open("/proc/loadavg").read().split()[:3],
               subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip(),
               subprocess.run(["pgbouncer", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
               if shutil.which("pgbouncer") else "no pgbouncer", CLIENTS, THREADS, DURATION, ROUNDS))
    text = "CPU per transaction at a fixed offered rate (bench/cpu.py)\n\n" + meta + "\n\n" + "\n".join(lines) + "\n"
    print(text)
    os.makedirs(OUT_DIR, exist_ok=True)
    path = os.path.join(OUT_DIR, "cpu-" + started.strftime("%Y%m%dT%H%M%SZ"))
    with open(path + ".md", "w") as f:
        f.write(text)
    with open(path + ".jsonl", "w") as f:
        for r in results:
            f.write(json.dumps(r) + "\n")
    print("written to %s.md" % path, file=sys.stderr)


if __name__ == "__main__":
    main()
