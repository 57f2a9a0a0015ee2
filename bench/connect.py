#!/usr/bin/env python3
"""bench/connect.py: connection set-up time, direct vs through the proxy vs PgBouncer.

pgbench -C opens a new connection for every transaction; with a one-statement
script its "average connection time" is what a pool or a short-lived client pays
to connect (TCP, startup, authentication, the first ReadyForQuery). Targets run
interleaved over ROUNDS rounds of COUNT connections each; the table gives the
median per target. Environment as bench/cpu.py (PGHOST, PGPORT, PGUSER, BIN,
TARGETS, ROUNDS) plus COUNT [300].
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cpu  # noqa: E402  (the shared set-up: database, targets)

COUNT = int(os.environ.get("COUNT", "300"))


def connect_ms(port, host):
    script = tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False)
    script.write("SELECT 1;\n")
    script.close()
    r = subprocess.run(["pgbench", "-n", "-C", "-c", "1", "-j", "1", "-t", str(COUNT), "-f", script.name,
                        "-h", host, "-p", str(port), "-U", cpu.PGUSER, cpu.DB], capture_output=True, text=True)
    os.unlink(script.name)
    if r.returncode != 0:
        cpu.die("pgbench -C failed:\n" + r.stdout + r.stderr)
    m = re.search(r"average connection time = ([0-9.]+) ms", r.stdout)
    if not m:
        cpu.die("no connection time in pgbench output:\n" + r.stdout)
    return float(m.group(1))


def main():
    tmp = tempfile.mkdtemp(prefix="sdbench-connect.")
    middles = {}
    try:
        cpu.psql("postgres", "CREATE DATABASE " + cpu.DB)
        cpu.run(["pgbench", "-i", "-q", "-s", "1", "-h", cpu.PGHOST, "-p", cpu.PGPORT, "-U", cpu.PGUSER, cpu.DB])
        cpu.psql(cpu.DB, *["ALTER TABLE %s ADD COLUMN deleted_at timestamptz" % t for t in cpu.TABLES])
        if "proxy-policy" in cpu.TARGETS:
            policy = cpu.Proxy("migrate", tmp, True)
            cpu.run([cpu.BIN, "migrate", "--config", policy.config, "--apply", "--database-url",
                     "postgres://%s@%s:%s/%s?sslmode=disable" % (cpu.PGUSER, cpu.PGHOST, cpu.PGPORT, cpu.DB)])
        for t in cpu.TARGETS:
            if t != "direct":
                middles[t] = cpu.make_middle(t, tmp).start()
        times = {t: [] for t in cpu.TARGETS}
        for rnd in range(cpu.ROUNDS):
            order = cpu.TARGETS[rnd % len(cpu.TARGETS):] + cpu.TARGETS[:rnd % len(cpu.TARGETS)]
            for t in order:
                m = middles.get(t)
                ms = connect_ms(m.port if m else cpu.PGPORT, "127.0.0.1" if m else cpu.PGHOST)
                times[t].append(ms)
                cpu.log("round %d %-12s %.3f ms per connection" % (rnd + 1, t, ms))
        print("Connection set-up, pgbench -C, %d connections x %d rounds, median per target\n" % (COUNT, cpu.ROUNDS))
        print("| target | ms per connection | vs direct |\n|---|---:|---:|")
        direct = statistics.median(times["direct"]) if "direct" in times else None
        for t in cpu.TARGETS:
            med = statistics.median(times[t])
            print("| %s | %.3f | %s |" % (t, med, "%.2f×" % (med / direct) if direct else "—"))
    finally:
        for m in middles.values():
            m.stop()
        subprocess.run(["psql", "-X", "-q", "-h", cpu.PGHOST, "-p", cpu.PGPORT, "-U", cpu.PGUSER, "-d", "postgres", "-c",
                        "DROP DATABASE IF EXISTS %s WITH (FORCE)" % cpu.DB], capture_output=True)


if __name__ == "__main__":
    main()
