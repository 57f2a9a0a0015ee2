#!/usr/bin/env python3
"""Statistics for bench/proxy.sh (standard library only).

  stats.py ingest RESULTS.jsonl WORKLOAD PROTOCOL TARGET ROUND PGBENCH_RC OUTPUT_FILE LOG_FILE...
      Reads one pgbench run (its stdout/stderr and its per-transaction logs)
      and appends one JSON line: tps, failures and a latency histogram (us).
      Prints the run's tps.

  stats.py report RESULTS.jsonl MARKDOWN_OUT
      Groups the runs by (workload, protocol, target) and prints a table:
      median tps over rounds, p50/p99 latency over all transactions of all
      rounds, and the median over rounds of tps / the same round's direct tps. Writes the
      same table as markdown, after the header lines given in the BENCH_META
      environment variable (one per line).
"""

import collections
import json
import os
import re
import statistics
import sys

TPS_RE = re.compile(r"^tps = ([0-9.]+)", re.M)
FAILED_RE = re.compile(r"^number of failed transactions: (\d+)", re.M)
PROCESSED_RE = re.compile(r"^number of transactions actually processed: (\d+)", re.M)


def parse_logs(paths):
    """Histogram of latencies (us) and the count of failed/skipped lines.

    A pgbench log line is: client_id transaction_no time script_no
    time_epoch time_us [schedule_lag] [retries]; time is the latency in us,
    or "failed"/"skipped".
    """
    hist = collections.Counter()
    bad = 0
    for path in paths:
        with open(path, encoding="ascii", errors="replace") as f:
            for line in f:
                fields = line.split(None, 3)
                if len(fields) < 3:
                    continue
                if fields[2].isdigit():
                    hist[int(fields[2])] += 1
                else:
                    bad += 1
    return hist, bad


def first_error(text):
    for line in text.splitlines():
        low = line.lower()
        if "error" in low or "fatal" in low or "abort" in low:
            return line.strip()[:200]
    lines = [l for l in text.splitlines() if l.strip()]
    return lines[-1].strip()[:200] if lines else "no output"


def ingest(args):
    results, workload, protocol, target, rnd, rc, out_file = args[:7]
    logs = args[7:]
    with open(out_file, encoding="utf-8", errors="replace") as f:
        out = f.read()
    hist, bad = parse_logs(logs)
    m = TPS_RE.search(out)
    failed = int(FAILED_RE.search(out).group(1)) if FAILED_RE.search(out) else 0
    processed = int(PROCESSED_RE.search(out).group(1)) if PROCESSED_RE.search(out) else 0
    ok = rc == "0" and m is not None and failed == 0
    rec = {
        "workload": workload, "protocol": protocol, "target": target, "round": int(rnd),
        "ok": ok, "tps": float(m.group(1)) if m else 0.0,
        "processed": processed, "failed": failed + bad,
        "error": "" if ok else first_error(out),
        "hist": {str(k): v for k, v in hist.items()},
    }
    with open(results, "a", encoding="utf-8") as f:
        f.write(json.dumps(rec) + "\n")
    print("%.0f" % rec["tps"] if ok else "FAILED: " + rec["error"])


def percentile(hist, q):
    """Nearest-rank percentile of a histogram {value: count}."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, int(-(-q * total // 1)))  # ceil(q * total)
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return max(hist)


def summarise(records):
    groups = collections.OrderedDict()
    for r in records:
        groups.setdefault((r["workload"], r["protocol"], r["target"]), []).append(r)
    # tps of the direct run of each (workload, protocol, round): the pair
    # each other target's run of that round is compared with.
    direct_tps = {(r["workload"], r["protocol"], r["round"]): r["tps"]
                  for r in records if r["target"] == "direct" and r["ok"]}
    rows = []
    for key, runs in groups.items():
        good = [r for r in runs if r["ok"]]
        hist = collections.Counter()
        for r in good:
            hist.update({int(k): v for k, v in r["hist"].items()})
        tps = [r["tps"] for r in good]
        ratios = [r["tps"] / direct_tps[key[:2] + (r["round"],)] for r in good
                  if direct_tps.get(key[:2] + (r["round"],))]
        row = {
            "key": key, "runs": len(runs), "good": len(good),
            "tps": statistics.median(tps) if tps else None,
            "tps_min": min(tps) if tps else None, "tps_max": max(tps) if tps else None,
            "p50": percentile(hist, 0.50), "p99": percentile(hist, 0.99),
            "ratio": statistics.median(ratios) if ratios else None,
            "error": next((r["error"] for r in runs if not r["ok"]), ""),
        }
        rows.append(row)
    return rows


HEAD = ["workload", "protocol", "target", "tps", "tps min-max", "p50 ms", "p99 ms", "vs direct", "runs ok"]


def cells(row):
    def ms(us):
        return "-" if us is None else "%.3f" % (us / 1000.0)

    def num(x):
        return "-" if x is None else "%.0f" % x

    return [
        row["key"][0], row["key"][1], row["key"][2],
        num(row["tps"]),
        "-" if row["tps"] is None else "%s-%s" % (num(row["tps_min"]), num(row["tps_max"])),
        ms(row["p50"]), ms(row["p99"]),
        "-" if row["ratio"] is None else "%.2f" % row["ratio"],
        "%d/%d" % (row["good"], row["runs"]),
    ]


def text_table(rows):
    table = [HEAD] + [cells(r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEAD))]
    lines = []
    for n, r in enumerate(table):
        lines.append("  ".join(c.ljust(w) if i < 3 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def markdown_table(rows):
    lines = ["| " + " | ".join(HEAD) + " |", "|" + "|".join(["---"] * 3 + ["---:"] * (len(HEAD) - 3)) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(cells(r)) + " |")
    return "\n".join(lines)


def failures(rows):
    return ["%s %s %s: %s" % (r["key"] + (r["error"],)) for r in rows if r["error"]]


def report(args):
    results, md_out = args
    with open(results, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    rows = summarise(records)
    print(text_table(rows))
    errs = failures(rows)
    for e in errs:
        print("failed run: " + e)
    meta = [l for l in os.environ.get("BENCH_META", "").splitlines() if l.strip()]
    with open(md_out, "w", encoding="utf-8") as f:
        f.write("# softdelete-proxy pgbench comparison\n\n")
        for line in meta:
            f.write("- " + line + "\n")
        f.write("\n" + markdown_table(rows) + "\n")
        if errs:
            f.write("\nFailed runs (first error of each group):\n\n")
            for e in errs:
                f.write("- " + e + "\n")
        f.write("\ntps: median over rounds (min-max shown); p50/p99: over every logged transaction of "
                "all successful rounds; vs direct: median over rounds of the run's tps / the tps of the direct run of "
                "the same round (runs of a round are adjacent in time, so load from elsewhere cancels out best "
                "in this column).\n")


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("ingest", "report"):
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "ingest" and len(args) >= 7:
        ingest(args)
    elif cmd == "report" and len(args) == 2:
        report(args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
