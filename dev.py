#!/usr/bin/env python3
"""The portal's two commands, for a machine that has nothing but Python 3.11+.

    python3 dev.py run     install, migrate, load the demo city, start web + worker + beat
    python3 dev.py test    install and run the whole test suite (extra arguments go to pytest)

Everything goes into .venv/ beside this file. Without DATABASE_URL and
REDIS_URL the portal runs on SQLite with a filesystem Celery broker in var/;
with them set, the same commands use PostgreSQL and Redis.
"""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"\033[1m==> {message}\033[0m", flush=True)


def run(*args, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kwargs)


def requirements(with_test: bool) -> list[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    if with_test:
        wanted += project["optional-dependencies"]["test"]
    return wanted


def install(with_test: bool) -> None:
    if sys.version_info < (3, 11):
        sys.exit("The portal needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("creating the virtual environment in .venv/")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = requirements(with_test)
    stamp = VENV / ".portal-requirements"
    digest = hashlib.sha256("\n".join(wanted).encode()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    say("installing the Python packages")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *wanted)
    stamp.write_text(digest)


def manage(*args) -> None:
    run(PYTHON, "manage.py", *args)


def serve() -> int:
    install(with_test=False)
    os.environ.setdefault("DJANGO_DEBUG", "1")
    say("migrating the database")
    manage("migrate", "--noinput")
    say("loading the demo city (safe to repeat)")
    manage("load_demo")
    manage("collectstatic", "--noinput", "--verbosity", "0")
    address = os.environ.get("PORTAL_ADDRESS", "127.0.0.1:8000")
    processes = {
        "web": [PYTHON, "manage.py", "runserver", address],
        "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--pool", "solo"],
        "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"],
    }
    say(f"starting web, worker and beat: open http://{address}/  (Ctrl-C stops everything)")
    children = {name: subprocess.Popen([str(a) for a in cmd], cwd=ROOT) for name, cmd in processes.items()}
    try:
        while True:
            for name, child in children.items():
                if child.poll() is not None:
                    say(f"{name} stopped (exit {child.returncode}); stopping the others")
                    return child.returncode or 1
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGINT)
        for child in children.values():
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def test(extra: list[str]) -> int:
    install(with_test=True)
    database = os.environ.get("DATABASE_URL") or "SQLite"
    say(f"running the tests on {database.split('@')[-1]} with {'Redis' if os.environ.get('REDIS_URL') else 'no Redis'}")
    workers = os.environ.get("PORTAL_TEST_WORKERS", "auto")
    # Two passes: everything in parallel, then the few tests that need the database to
    # themselves (a hundred concurrent connections) on their own.
    parallel = subprocess.run([str(a) for a in [PYTHON, "-m", "pytest", "-n", workers, "-m", "not serial", *extra]],
                              cwd=ROOT).returncode
    serial = subprocess.run([str(a) for a in [PYTHON, "-m", "pytest", "-m", "serial", *extra]], cwd=ROOT).returncode
    if parallel == 0 and serial == 5:  # no serial test selected (e.g. -k picked none): not a failure
        serial = 0
    return parallel or serial


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    return serve() if argv[0] == "run" else test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
