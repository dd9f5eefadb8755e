"""Intake and tracking over HTTP: sustained requests per second, p50 and p95
under concurrency, against gunicorn on this machine (loopback only).

As in production, the filing only queues its messages (the citizen's receipt, the units' work orders) on the
broker (Redis) and a real Celery worker sends them beside the web workers, on the same cores (benchmarks/_worker.py);
nothing runs eagerly inside the request. The time the worker needed to drain the queue is reported.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http \
        python benchmarks/http_intake.py [--requests 2000] [--concurrency 16] [--workers 4]
"""
from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

from _django import machine
from _worker import backlog, celery_worker, drain, worker_env

ROOT = Path(__file__).resolve().parent.parent
PORT = 8091


def post(path: str, body: dict) -> tuple[int, float, dict]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=data, method="POST",
                                     headers={"Content-Type": "application/json", "Accept-Language": "zh-hans"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            payload = json.loads(response.read())
            status = response.status
    except urllib.error.HTTPError as error:
        status, payload = error.code, {}
    return status, time.perf_counter() - started, payload


def run(label: str, calls, concurrency: int) -> list:
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(lambda f: f(), calls))
    elapsed = time.perf_counter() - started
    latencies = sorted(r[1] for r in results)
    ok = sum(1 for r in results if r[0] < 300)
    print(f"{label}: {len(results)} requests, {ok} ok, {len(results) / elapsed:.0f} req/s sustained, "
          f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms "
          f"(concurrency {concurrency})")
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    from sweeps import ensure_database

    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        ensure_database(url)
    from _django import setup

    setup("http")
    from django.core.management import call_command

    from org.models import Area, Classification

    if not Classification.objects.exists():
        call_command("load_demo", verbosity=0)
    streets = list(Area.objects.filter(level="street").values_list("code", flat=True))
    leaves = list(Classification.objects.filter(is_leaf=True).values_list("code", flat=True))
    env = worker_env({**os.environ, "PORTAL_RATE_LIMITS": "0", "DJANGO_LOG_LEVEL": "WARNING"})
    from notifications.models import Notification

    sent_before = Notification.objects.filter(status="sent").count()
    stack = ExitStack()
    stack.enter_context(celery_worker(env))
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                               f"127.0.0.1:{PORT}", "--workers", str(args.workers), "--log-level", "warning"],
                              cwd=ROOT, env=env)
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/", timeout=1)
                break
            except Exception:
                time.sleep(0.5)
        print(f"machine: {machine()}; gunicorn {args.workers} workers and one Celery worker (concurrency 1) sending "
              f"the messages from the broker; database {'PostgreSQL' if url.startswith('postgres') else 'SQLite'}; "
              f"load average {open('/proc/loadavg').read().split()[0]} at the start")

        def filing(i):
            return lambda: post("/api/v1/petitions/", {
                "kind": "complaint", "area": streets[i % len(streets)], "classification": leaves[i % len(leaves)],
                "title": "基准测试诉求标题", "content": "基准测试：楼下商铺夜间音响声音很大，影响休息。",
                "complainant_name": "测试", "complainant_phone": f"139{i:08d}"})

        filed = run("intake POST /api/v1/petitions/ (filed, routed by the catalog, clocks started)",
                    [filing(i) for i in range(args.requests)], args.concurrency)
        numbers = [(r[2].get("number"), f"139{i:08d}") for i, r in enumerate(filed) if r[2].get("number")]
        waiting = backlog(env)
        run("tracking POST /api/v1/petitions/track/",
            [(lambda n=n, p=p: post("/api/v1/petitions/track/", {"number": n, "phone": p})) for n, p in numbers],
            args.concurrency)
        waited = drain(env)
        sent = Notification.objects.filter(status="sent").count() - sent_before
        print(f"messages: {waiting:,} tasks still queued when the filings ended; the worker had sent {sent:,} "
              f"messages {waited:.0f} s after the tracking run ({backlog(env)} tasks left)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        stack.close()


if __name__ == "__main__":
    main()
