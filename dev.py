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
import socket
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
    # The stamp holds one digest per requirement list already installed: the test list includes
    # the runtime one, so `run` after `test` (or the other way round) installs nothing again.
    stamp = VENV / ".portal-requirements"
    done = set(stamp.read_text().split()) if stamp.exists() else set()
    if digest(wanted) in done:
        return
    say("installing the Python packages")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--upgrade", "pip")
    run(PYTHON, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *wanted)
    done |= {digest(wanted), digest(requirements(with_test=False))}
    stamp.write_text("\n".join(sorted(done)) + "\n")


def digest(wanted: list[str]) -> str:
    return hashlib.sha256("\n".join(wanted).encode()).hexdigest()


def manage(*args) -> None:
    run(PYTHON, "manage.py", *args)


# dev.py stops web, worker and beat on any of these; a second one during the stop kills at once.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP) if os.name != "nt" else (signal.SIGINT,)
# How long web, worker and beat get to stop before they are killed: the worker finishes the task in
# hand (a sweep takes seconds; with acks_late an interrupted one is redelivered, never lost).
STOP_TIMEOUT_SECONDS = 10


# The stop signals received so far. During start-up the first one interrupts the step in hand
# (subprocess.run kills it); once web, worker and beat run, the supervising loop reads this list.
received: list[int] = []
starting = True


class Stop(Exception):
    """A stop signal reached dev.py during start-up."""


def on_stop_signal(signum, frame):
    received.append(signum)
    if starting:
        raise Stop(signum)


def port_in_use(address: str) -> bool:
    host, _, port = address.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if host in {"0.0.0.0", "::"}:
        host = "127.0.0.1"
    try:
        with socket.create_connection((host, int(port)), timeout=1):
            return True
    except OSError:
        return False


def group_alive(child: subprocess.Popen) -> bool:
    """Whether anything of the child's process group still runs (zombies don't count).

    Each child leads its own group, so runserver's autoreloaded server and anything a Celery
    process forks count too, even after the leader has gone.
    """
    child.poll()  # reap the leader, so a dead one is not counted as a zombie member
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():  # not Linux: ask the kernel about the group
        try:
            os.killpg(child.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # the process ended while we looked
            continue
        # After the command name: state, ppid, pgrp. A zombie is dead and holds no port;
        # where PID 1 does not reap orphans (some containers) it would otherwise count forever.
        if fields[2] == str(child.pid) and fields[0] != "Z":
            return True
    return False


def signal_group(child: subprocess.Popen, signum: int) -> None:
    if os.name == "nt":
        if child.poll() is None:
            child.terminate()
        return
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass


def describe(returncode: int) -> str:
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit {returncode}"


def stop_all(children: dict[str, subprocess.Popen], signum: int) -> None:
    """Send signum to every child's whole group, wait, and kill what is left after the timeout."""
    asked = len(received)
    for child in children.values():
        signal_group(child, signum)
    deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
    while len(received) <= asked and time.monotonic() < deadline:
        if not any(group_alive(child) for child in children.values()):
            return
        time.sleep(0.1)
    left = [name for name, child in children.items() if group_alive(child)]
    if left:
        why = "asked twice" if len(received) > asked else f"still running after {STOP_TIMEOUT_SECONDS}s"
        say(f"{', '.join(left)} {why}: killing")
        for name in left:
            signal_group(children[name], signal.SIGKILL)
    for child in children.values():
        child.wait()


def supervise(commands: dict[str, list]) -> int:
    """Start web, worker and beat, each leading its own process group, and keep them together.

    A stop signal is passed on to all three (SIGINT as SIGINT; SIGTERM and SIGHUP as SIGTERM,
    because a Celery worker takes SIGHUP as "restart"). When one of them ends on its own the
    others are stopped and dev.py exits with an error: a half stack (a web server without a
    worker) would look healthy while nothing is sent and no deadline is swept.
    """
    global starting
    starting = False  # from here a signal is only recorded: every started child gets stopped
    children: dict[str, subprocess.Popen] = {}
    status = 0
    try:
        for name, command in commands.items():
            group = {"process_group": 0} if os.name != "nt" else {}
            children[name] = subprocess.Popen([str(a) for a in command], cwd=ROOT, **group)
        while not received:
            ended = next((name for name, child in children.items() if child.poll() is not None), None)
            if ended:
                others = " and ".join(name for name in children if name != ended)
                say(f"{ended} stopped ({describe(children[ended].returncode)}); stopping {others}")
                status = 1
                break
            time.sleep(0.2)
        else:
            say(f"{signal.Signals(received[0]).name} received: stopping web, worker and beat")
    finally:
        forward = signal.SIGINT if received[:1] == [signal.SIGINT] else signal.SIGTERM
        stop_all(children, forward)
    say("web, worker and beat stopped")
    return status


def serve() -> int:
    for signum in STOP_SIGNALS:
        signal.signal(signum, on_stop_signal)
    try:
        install(with_test=False)
        os.environ.setdefault("DJANGO_DEBUG", "1")
        say("migrating the database")
        manage("migrate", "--noinput")
        if os.environ.get("PORTAL_DEMO", "1") != "0":
            say("loading the demo city (safe to repeat)")
            manage("load_demo")
        manage("collectstatic", "--noinput", "--verbosity", "0")
        address = os.environ.get("PORTAL_ADDRESS", "127.0.0.1:8000")
        if port_in_use(address if ":" in address else f"127.0.0.1:{address}"):
            say(f"{address} is already in use (another dev.py run?); set PORTAL_ADDRESS to use another")
            return 1
        processes = {
            "web": [PYTHON, "manage.py", "runserver", address],
            "worker": [PYTHON, "-m", "celery", "-A", "config", "worker", "--loglevel", "INFO", "--pool", "solo"],
            "beat": [PYTHON, "-m", "celery", "-A", "config", "beat", "--loglevel", "INFO"],
        }
        say(f"starting web, worker and beat: open http://{address}/  (Ctrl-C stops everything)")
        return supervise(processes)
    except Stop:
        # subprocess.run has already killed the step that was running (migrate, load_demo...).
        say(f"{signal.Signals(received[0]).name} received during start-up: stopped")
        return 1


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
