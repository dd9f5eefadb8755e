"""`python3 dev.py run` for real: it starts web, worker and beat, and a signal to dev.py stops all
of them, their children too, and frees the port (issue 13).

It runs on SQLite in a temporary PORTAL_VAR_DIR whatever DATABASE_URL says, without the demo city
(PORTAL_DEMO=0: load_demo alone takes about 20 s and is not what is tested here).
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table in /proc")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def descendants(pid: int) -> set[int]:
    """Every living (not zombie) process below pid."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
        except OSError:
            continue
        if state != "Z":
            living.add(pid)
    return living


def port_is_free(port: int) -> bool:
    """Whether a new server could listen there (TIME_WAIT leftovers don't count, as for runserver)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def wait_for_200(url: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "dev.py run stopped before the portal answered"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    pytest.fail(f"{url} did not answer 200 within {seconds} s")


def sqlite_env(var_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DATABASE_REPLICA_URL"}}
    return {**env, "PORTAL_VAR_DIR": str(var_dir), "PYTHONUNBUFFERED": "1", **extra}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite database, migrated once for the module: dev.py's own migrate is then quick."""
    var_dir = tmp_path_factory.mktemp("template") / "var"
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT,
                   env=sqlite_env(var_dir), check=True)
    return var_dir / "portal.sqlite3"


@pytest.fixture
def stack(tmp_path, migrated):
    """dev.py run on a free port; yields (process, port, log path) and never leaves it running."""
    port = free_port()
    (tmp_path / "var").mkdir()
    shutil.copy(migrated, tmp_path / "var" / "portal.sqlite3")
    env = sqlite_env(tmp_path / "var", PORTAL_ADDRESS=f"127.0.0.1:{port}", PORTAL_DEMO="0")
    log = tmp_path / "dev.log"
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "dev.py", "run"], cwd=ROOT, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        yield process, port, log
    finally:
        if process.poll() is None:  # the test failed half-way: clean up whatever is left
            left = descendants(process.pid)
            process.kill()
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            process.wait()


def test_kill_stops_web_worker_and_beat_and_frees_the_port(stack):
    process, port, log = stack
    wait_for_200(f"http://127.0.0.1:{port}/", process, seconds=90)
    children = descendants(process.pid)
    # web (runserver and its autoreloaded server), worker and beat
    assert len(children) >= 4, log.read_text()

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0, log.read_text()

    assert alive(children) == set(), log.read_text()
    assert port_is_free(port)
    assert "SIGTERM received: stopping web, worker and beat" in log.read_text()
    # The filesystem broker keeps its exchange table in PORTAL_VAR_DIR, not in the checkout.
    assert (log.parent / "var" / "celery-broker" / "control" / "celery.exchange").exists()


def test_when_the_worker_dies_the_others_are_stopped_and_the_reason_is_printed(stack):
    process, port, log = stack
    wait_for_200(f"http://127.0.0.1:{port}/", process, seconds=90)
    children = descendants(process.pid)
    worker = next(pid for pid in children
                  if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"))

    os.kill(worker, signal.SIGKILL)
    assert process.wait(timeout=30) == 1, log.read_text()

    assert alive(children) == set(), log.read_text()
    assert port_is_free(port)
    assert "worker stopped (killed by SIGKILL); stopping web and beat" in log.read_text()
