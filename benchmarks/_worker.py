"""A real Celery worker beside the server under test, as in production (issue 20): the filing only queues its
messages on the broker; this worker sends them (SMS to a file, e-mail rendered by the console backend into
/dev/null, which builds the whole MIME message as SMTP would). Used by http_intake.py and peer_intake.py."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
QUEUE = "celery"


def worker_env(env: dict) -> dict:
    """The settings a production-like run needs: a Redis broker, no eager tasks, real backends."""
    env = {k: v for k, v in env.items() if k != "CELERY_TASK_ALWAYS_EAGER"}
    env.setdefault("REDIS_URL", REDIS)
    env.setdefault("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
    env.setdefault("PORTAL_SMS_BACKEND", "notifications.backends.FileSmsBackend")
    env.setdefault("PORTAL_SMS_FILE", "/tmp/portal-bench-sms.log")
    return env


def _redis(env: dict):
    import redis

    return redis.Redis.from_url(env["REDIS_URL"])


def backlog(env: dict) -> int:
    """Tasks waiting on the broker."""
    return _redis(env).llen(QUEUE)


def drain(env: dict, timeout: float = 300) -> float:
    """Wait until the broker's queue is empty; returns the seconds waited."""
    started = time.perf_counter()
    while backlog(env) and time.perf_counter() - started < timeout:
        time.sleep(0.2)
    return time.perf_counter() - started


@contextmanager
def celery_worker(env: dict, concurrency: int = 1):
    """One worker process (concurrency 1: the machine has two cores, shared with the web workers)."""
    _redis(env).delete(QUEUE)  # this benchmark's own broker database: left-overs of an earlier run
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--concurrency",
                               str(concurrency), "--loglevel", "warning", "--without-gossip", "--without-mingle",
                               "--without-heartbeat"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(3)
        if worker.poll() is not None:
            raise SystemExit("the Celery worker did not start")
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
