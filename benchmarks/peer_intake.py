"""Web-form intake side by side with django-helpdesk 2.6.1's public form (issue 20, target 1), on the peer's
own harness (../shared/peers/helpdesk, run from there, never copied here): A B A B ..., each run
`bench_submit.sh D C` (helpdesk) then `portal/bench_submit_portal.sh D C` (this checkout), the load average
noted at the start of each, the ratio of each pair printed. During the portal's runs a real Celery worker sends
the messages the filings queue on the broker (benchmarks/_worker.py), on the same two cores, as in production;
helpdesk renders its e-mail inside the request. The tasks still queued at the end of each run are reported.

    python benchmarks/peer_intake.py [--pairs 3] [--duration 20] [--concurrency 8] [--database bench_peer_portal]

Needs PostgreSQL, the peer's setup done (`DATABASE_URL=... ./setup.sh`; this script runs it if its venv is
missing) and the portal database migrated with the demo city (done here if empty).
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEER = Path(os.environ.get("PEER_HARNESS", "/work/shared/peers/helpdesk"))
PG = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")


def loadavg() -> str:
    return Path("/proc/loadavg").read_text().split()[0]


def result(output: str) -> dict:
    line = next((l for l in output.splitlines() if l.startswith("RESULT")), "")
    return {k: v for k, v in re.findall(r"(\w+)=(\S+)", line)}


def run(command: list[str], env: dict) -> tuple[dict, str]:
    done = subprocess.run(command, cwd=PEER, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"{command[0]} failed")
    verify = next((l for l in done.stdout.splitlines() if l.startswith("VERIFY")), "")
    return result(done.stdout), verify


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--database", default="bench_peer_portal")
    parser.add_argument("--peer-database", default="helpdesk_bench")
    args = parser.parse_args()
    if not PEER.is_dir():
        print(f"peer harness not found at {PEER}: skipped")
        return 0
    peer_env = {**os.environ, "DATABASE_URL": f"{PG}/{args.peer_database}"}
    if not Path("/tmp/peer-helpdesk-venv/bin/python").exists() or os.environ.get("PEER_SETUP"):
        subprocess.run(["./setup.sh"], cwd=PEER, env=peer_env, check=True, capture_output=True)
        subprocess.run(["./load_tickets.py", "100000", "--reset"], cwd=PEER, env=peer_env, check=True,
                       capture_output=True)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _worker import backlog, celery_worker, drain, worker_env
    from sweeps import ensure_database

    url = f"{PG}/{args.database}"
    ensure_database(url)
    portal_env = worker_env({**os.environ, "DATABASE_URL": url, "PORTAL_DIR": str(ROOT), "PORTAL_RATE_LIMITS": "0",
                             "DJANGO_LOG_LEVEL": "WARNING"})
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=portal_env, check=True)
    check = subprocess.run([sys.executable, "manage.py", "shell", "-c",
                            "from org.models import Classification; print(Classification.objects.exists())"],
                           cwd=ROOT, env=portal_env, capture_output=True, text=True, check=True)
    if "True" not in check.stdout:
        subprocess.run([sys.executable, "manage.py", "load_demo"], cwd=ROOT, env=portal_env, check=True,
                       capture_output=True)
    print(f"web-form intake, GET the form then POST it, concurrency {args.concurrency}, 2 sync gunicorn workers, "
          f"{args.duration} s per run, PostgreSQL; A = django-helpdesk 2.6.1 public form, B = the portal "
          f"(with one Celery worker sending its messages)")
    ratios, portal_rates, peer_rates = [], [], []
    for pair in range(1, args.pairs + 1):
        load_a = loadavg()
        peer, _ = run(["./bench_submit.sh", str(args.duration), str(args.concurrency)], peer_env)
        load_b = loadavg()
        with celery_worker(portal_env):
            portal, verify = run(["./portal/bench_submit_portal.sh", str(args.duration), str(args.concurrency),
                                  args.database], portal_env)
            left = backlog(portal_env)
            waited = drain(portal_env)
        a, b = float(peer.get("ok_per_s", "nan")), float(portal.get("ok_per_s", "nan"))
        ratios.append(b / a)
        peer_rates.append(a)
        portal_rates.append(b)
        print(f"pair {pair}: helpdesk {a:.1f}/s (POST p50 {peer.get('post_p50_ms')} ms, load {load_a} at start); "
              f"portal {b:.1f}/s (POST p50 {portal.get('post_p50_ms')} ms, GET p50 {portal.get('get_p50_ms')} ms, "
              f"load {load_b} at start, {verify.split()[-1] if verify else '?'}, {left} message tasks queued at the end, "
              f"drained in {waited:.0f} s); ratio {b / a:.2f}x", flush=True)
    print(f"portal {min(portal_rates):.1f}-{max(portal_rates):.1f}/s, helpdesk {min(peer_rates):.1f}-{max(peer_rates):.1f}/s; "
          f"ratio per pair {', '.join(f'{r:.2f}' for r in ratios)} (median {statistics.median(ratios):.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
