"""Run every benchmark and write the report.

    python benchmarks/run_all.py            # full scale; needs PostgreSQL (BENCH_DATABASE_URL or the default below)
    python benchmarks/run_all.py --small    # CI scale, minutes not hours
    python benchmarks/run_all.py --write-docs --scale full   # the lead's full run, docs rewritten

The report goes to var/benchmarks-latest.md; with --write-docs it also
replaces the measured section of docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PG = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
KEPT = 12  # the last lines of each script's output that go into the report

FULL = [
    ("Routing decisions (10,000-rule catalog)", "dispatch_routing.py", ["--rules", "10000", "--petitions", "50000"], None),
    ("Sweeps (1,000,000 open, 10,000 newly overdue)", "sweeps.py", ["--open", "1000000", "--due", "10000"], "bench_sweeps"),
    ("Sweeps on helpdesk's escalate_tickets data shape (100,000 open, 70,000 newly overdue; memory)", "sweeps.py",
     ["--open", "100000", "--due", "70000", "--idle-runs", "5", "--memory"], "bench_sweeps"),
    ("Sweeps (100,000 open, 7,000 newly overdue; memory)", "sweeps.py",
     ["--open", "100000", "--due", "7000", "--idle-runs", "5", "--memory"], "bench_sweeps"),
    ("Calendar republished at 1,000,000 open petitions (set-based recompute)", "recompute.py", ["--open", "1000000"],
     "bench_recompute"),
    # A city-year of realistic texts: 1,000,000 petitions (10,000,000 with realistic texts is a load of 72 minutes
    # on this machine, 26 of them the bigram index: measured on its own in docs/benchmarks.md).
    ("City-year: rebuild and bulletin (1,000,000 petitions, realistic texts)", "generate.py",
     ["--petitions", "1000000", "--year", "2026"], "bench_city_texts"),
    ("Chinese search", "search.py", [], "bench_city_texts"),
    ("Dashboards and bulletins over HTTP (100,000 open petitions)", "bench_dashboards.py",
     ["--open", "100000", "--requests", "100"], "bench_city_texts"),
    ("Dashboards and bulletins over HTTP (1,000,000 open petitions)", "bench_dashboards.py",
     ["--open", "1000000", "--requests", "100"], "bench_city_texts"),
    ("HTTP intake and tracking", "http_intake.py", ["--requests", "2000", "--concurrency", "16"], "bench_http"),
    ("Web-form intake: statements and commits per filing", "profile_intake.py", ["--filings", "50"], "bench_peer_portal"),
    ("Web-form intake against django-helpdesk 2.6.1 (A/B, 3 pairs)", "peer_intake.py",
     ["--pairs", "3", "--duration", "20", "--concurrency", "8"], None),
    ("Faults: worker killed, Redis restarted, two sweeps", "faults.py", [], "bench_faults"),
    ("Classification suggestions: held-out accuracy, latency", "suggest_accuracy.py", ["--scale"], None),
    ("Operator's console: caller history, classification search (2,000,000 petitions)", "bench_hotline.py",
     ["--petitions", "2000000"], "bench_hotline"),
]
SMALL = [
    ("Routing decisions (10,000-rule catalog)", "dispatch_routing.py", ["--rules", "10000", "--petitions", "10000"], None),
    ("Sweeps (50,000 open, 2,000 newly overdue)", "sweeps.py", ["--open", "50000", "--due", "2000", "--idle-runs", "5"], "ci_bench_sweeps"),
    ("Calendar republished at 50,000 open petitions (set-based recompute)", "recompute.py", ["--open", "50000"],
     "ci_bench_recompute"),
    ("City-year: rebuild and bulletin (73,000 petitions)", "generate.py", ["--petitions", "73000"], "ci_bench_city_texts"),
    ("Chinese search", "search.py", [], "ci_bench_city_texts"),
    ("Dashboards and bulletins over HTTP (20,000 open petitions)", "bench_dashboards.py",
     ["--open", "20000", "--requests", "20"], "ci_bench_city_texts"),
    ("HTTP intake and tracking", "http_intake.py", ["--requests", "300", "--concurrency", "8", "--workers", "2"], "ci_bench_http"),
    ("Web-form intake: statements and commits per filing", "profile_intake.py", ["--filings", "20"], "ci_bench_http"),
    ("Faults: worker killed, Redis restarted, two sweeps", "faults.py", [], "ci_bench_faults"),
    ("Classification suggestions: held-out accuracy, latency", "suggest_accuracy.py", ["--scale"], None),
    ("Operator's console: caller history, classification search (200,000 petitions)", "bench_hotline.py",
     ["--petitions", "200000", "--runs", "100"], "ci_bench_hotline"),
]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--scale", choices=["full", "small"], default=None, help="same as --small when small")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    if args.scale:
        args.small = args.scale == "small"
    lines = [f"## Measured {'(CI scale)' if args.small else '(full scale)'} on {time.strftime('%Y-%m-%d')}", ""]
    failed = False
    for title, script, options, database in (SMALL if args.small else FULL):
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL",)}
        if database:
            env["DATABASE_URL"] = f"{PG}/{database}"
        started = time.perf_counter()
        load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
        result = subprocess.run([sys.executable, str(HERE / script), *options], cwd=HERE, env=env,
                                capture_output=True, text=True)
        output = [l for l in result.stdout.splitlines() if l.strip() and "jieba" not in l and "Prefix dict" not in l]
        lines += [f"### {title}", "", "```", *output[-KEPT:], "```",
                  f"({time.perf_counter() - started:.0f} s, load average {load} at the start"
                  f"{'' if result.returncode == 0 else ', FAILED'})", ""]
        print("\n".join(lines[-(len(output[-KEPT:]) + 5):]), flush=True)
        if result.returncode != 0:
            failed = True
            print(result.stderr[-3000:], file=sys.stderr)
    report = "\n".join(lines)
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "benchmarks-latest.md").write_text(report)
    if args.write_docs:
        docs = ROOT / "docs" / "benchmarks.md"
        text = docs.read_text()
        marker = "<!-- measured -->"
        head = text.split(marker)[0] if marker in text else text
        docs.write_text(f"{head}{marker}\n{report}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
