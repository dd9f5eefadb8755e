"""Faults against the real services: a Celery worker killed mid-task, Redis
restarted with messages in it, two sweeps at once. Nothing may be lost, nothing
done twice (beyond the documented in-flight window of a killed send).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_faults python benchmarks/faults.py

Starts its own redis-server on 127.0.0.1:6391 (needs the redis-server binary) so
the machine's Redis is never touched, and its own Celery workers.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS_PORT = 6391


def start_redis() -> subprocess.Popen:
    process = subprocess.Popen(["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    return process


def start_worker(env) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
                             "--loglevel", "WARNING"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def main() -> int:
    if not shutil.which("redis-server"):
        print("skipped: no redis-server binary")
        return 0
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("set DATABASE_URL to a throwaway PostgreSQL database")
    sys.path.insert(0, str(Path(__file__).parent))
    from sweeps import ensure_database

    ensure_database(url)
    log = Path(tempfile.mkdtemp()) / "sms.log"
    os.environ.update({"REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0", "PORTAL_SMS_FILE": str(log),
                       "PORTAL_SMS_BACKEND": "benchmarks_slow_sms.SlowSms"})
    env = {**os.environ, "PYTHONPATH": f"{Path(__file__).parent}:{ROOT}"}
    sys.path.insert(0, str(Path(__file__).parent))
    from _django import setup

    redis = start_redis()
    setup("faults")
    import datetime as dt

    from django.utils import timezone

    from notifications import services
    from notifications.models import Notification
    from notifications.tasks import send_notification

    failures = []
    try:
        # 1. A worker killed mid-task.
        Notification.objects.all().delete()
        rows = [services.notification_enqueue(key=f"fault-kill-{i}", channel="sms", recipient="13800000000",
                                              body=f"message {i}") for i in range(40)]
        worker = start_worker(env)
        time.sleep(4)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        sent_before = Notification.objects.filter(status="sent").count()
        stuck = Notification.objects.filter(status="sending").count()
        # The sweep: stuck rows are reclaimed after STUCK_AFTER; pretend that time has passed.
        later = timezone.now() + services.STUCK_AFTER + dt.timedelta(seconds=1)
        services.sweep_outbox(now=later, batch=1000)
        keys = [json.loads(line)["key"] for line in log.read_text().splitlines()]
        missing = [r.key for r in rows if r.key not in keys]
        duplicates = len(keys) - len(set(keys))
        print(f"worker killed mid-task: {sent_before} sent before the kill, {stuck} left sending, after the sweep "
              f"{len(set(keys))}/40 delivered, {duplicates} duplicate(s) (in-flight window)")
        if missing or duplicates > 1:
            failures.append("kill")

        # 2. Redis restarted with messages still queued.
        log.write_text("")
        rows = [services.notification_enqueue(key=f"fault-redis-{i}", channel="sms", recipient="13800000000",
                                              body=f"message {i}") for i in range(20)]
        for row in rows:  # queued on the broker, and no worker running
            send_notification.apply_async(args=[row.pk])
        redis.send_signal(signal.SIGKILL)
        redis.wait()
        redis = start_redis()  # empty: the queued messages are gone
        worker = start_worker(env)
        time.sleep(2)
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
        lost_on_broker = Notification.objects.filter(key__startswith="fault-redis-", status="pending").count()
        services.sweep_outbox(batch=1000)
        keys = [json.loads(line)["key"] for line in log.read_text().splitlines() if line]
        ok = sorted(set(keys)) == sorted(r.key for r in rows) and len(keys) == len(set(keys))
        print(f"Redis restarted: {lost_on_broker}/20 messages lost from the broker, all 20 sent once by the "
              f"sweep: {ok}")
        if not ok:
            failures.append("redis")

        # 3. Two sweeps at once (two beats), as two processes.
        log.write_text("")
        rows = [services.notification_enqueue(key=f"fault-beats-{i}", channel="sms", recipient="13800000000",
                                              body=f"message {i}") for i in range(30)]
        code = "import django,os;os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');django.setup();" \
               "from notifications.services import sweep_outbox;print(sweep_outbox(batch=1000))"
        sweeps = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                   text=True) for _ in range(2)]
        outputs = [p.communicate(timeout=120)[0].strip() for p in sweeps]
        keys = [json.loads(line)["key"] for line in log.read_text().splitlines() if line]
        ok = len(keys) == 30 and len(set(keys)) == 30
        print(f"two sweeps at once: {outputs}; 30 sent exactly once: {ok}")
        if not ok:
            failures.append("beats")
    finally:
        redis.send_signal(signal.SIGTERM)
    print("faults: " + ("all recovered" if not failures else f"FAILED {failures}"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
