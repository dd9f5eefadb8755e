"""Settings that protect the machine the portal runs on (issue 13)."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection


ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def other_connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity"
                       " WHERE datname = current_database() AND pid <> pg_backend_pid()")
        return cursor.fetchone()[0]


@pytest.mark.postgres
@pytest.mark.skipif(not settings.IS_POSTGRES, reason="counts PostgreSQL's connections")
@pytest.mark.django_db
def test_runserver_leaves_no_database_connection_open_after_its_requests(tmp_path):
    # Each request runs in a new thread of runserver; with persistent connections every one of them
    # used to leave its connection open until PostgreSQL refused clients. DATABASE_CONN_MAX_AGE is set
    # on purpose: runserver must not keep connections even when asked to.
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_CONN_MAX_AGE": "60", "DJANGO_DEBUG": "0",
           "PORTAL_VAR_DIR": str(tmp_path)}
    server = subprocess.Popen([sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        page = f"http://127.0.0.1:{port}/disclosure/policies/"  # reads the database
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(page, timeout=5).close()
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "runserver did not start"
                time.sleep(0.3)
        # runserver's start-up checks may hold one connection in its main thread: that one is not a leak.
        time.sleep(0.5)
        baseline = other_connections()
        assert baseline <= 1
        for _ in range(30):
            with urllib.request.urlopen(page, timeout=10) as response:
                assert response.status == 200
        deadline = time.monotonic() + 5  # the last request's thread may still be closing its connection
        while other_connections() > baseline and time.monotonic() < deadline:
            time.sleep(0.1)
        assert other_connections() <= baseline  # one connection per request thread would leave ~30 open
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_the_filesystem_broker_keeps_its_exchange_table_in_the_var_folder(tmp_path):
    # kombu's default control folder is control/ in the working directory, i.e. the checkout.
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(PORTAL_VAR_DIR=str(tmp_path / "var"), PYTHONPATH=str(ROOT))
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    subprocess.run([sys.executable, "-c", "from config.celery import app; app.send_task('no.such.task')"],
                   cwd=workdir, env=env, check=True, capture_output=True)
    assert (tmp_path / "var" / "celery-broker" / "control" / "celery.exchange").exists()
    assert list(workdir.iterdir()) == []
