"""Profile one web-form filing end to end, in process (issue 20): the statements and commits of the form GET,
of the POST (filing, receipt, routing, assignments, clocks, the units' work orders) and the session writes,
then a cProfile of N filings.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_http python benchmarks/profile_intake.py [--filings 50]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import sys
import time
from collections import Counter

os.environ.setdefault("PORTAL_RATE_LIMITS", "0")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-secret-key-not-real-1234567890abcdef-xyz")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,testserver")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="submission_token" value="([^"]+)"')
SELECT_RE = {name: re.compile(rf'<select name="{name}".*?</select>', re.S) for name in ("area", "classification")}
OPTION_RE = re.compile(r'<option value="(\d+)"')


class Counted:
    """Statements (by verb) and commits on the default connection."""

    def __init__(self, connection):
        self.connection = connection
        self.statements: Counter = Counter()
        self.commits = 0
        self.sql: list[str] = []

    def __call__(self, execute, sql, params, many, context):
        verb = sql.lstrip().split(None, 1)[0].upper()
        self.statements[verb] += 1
        if not self.connection.in_atomic_block and verb in ("INSERT", "UPDATE", "DELETE"):
            self.commits += 1  # a write in autocommit is its own transaction
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql.append(f"{(time.perf_counter() - started) * 1000:6.2f} ms  {sql[:150]}")

    def __enter__(self):
        self._commit = self.connection.commit
        original = self.connection._commit

        def _commit(*args, **kwargs):
            self.commits += 1
            return original(*args, **kwargs)

        self.connection._commit = _commit
        self._wrapper = self.connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
        del self.connection._commit
        return False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--filings", type=int, default=50)
    parser.add_argument("--show-sql", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--stats", help="also save the cProfile statistics to this file (pstats format)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        from sweeps import ensure_database

        ensure_database(url)  # created if missing (setup migrates it)
    from _django import setup

    setup("profile")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from org.models import Classification
    from petitions.models import Petition

    if not Classification.objects.exists():
        call_command("load_demo", verbosity=0)
    rng = random.Random()  # fresh phones each run: a rerun on the same database must not make every filing a repeat

    def cycle(client, counted=None):
        started = time.perf_counter()
        page = client.get("/petitions/new/")
        got = time.perf_counter()
        html = page.content.decode()
        areas = OPTION_RE.findall(SELECT_RE["area"].search(html).group(0))
        leaves = OPTION_RE.findall(SELECT_RE["classification"].search(html).group(0))
        data = {"csrfmiddlewaretoken": CSRF_RE.search(html).group(1),
                "submission_token": TOKEN_RE.search(html).group(1), "kind": "complaint",
                "area": rng.choice(areas), "classification": rng.choice(leaves), "address": f"{rng.randint(1, 300)}号",
                "title": "楼下商铺夜间噪音扰民", "content": "楼下商铺夜间噪音扰民，已经持续十天，影响正常生活，请尽快处理。",
                "complainant_type": "person", "complainant_name": "测试",
                "complainant_phone": f"13{rng.randint(100000000, 999999999)}", "website": ""}
        if counted is not None:
            counted.mark = sum(counted.statements.values()), counted.commits
        response = client.post("/petitions/new/", data)
        assert response.status_code == 302, (response.status_code, response.content[:2000])
        return got - started, time.perf_counter() - got

    client = Client(enforce_csrf_checks=True)
    for _ in range(3):
        cycle(client)  # warm caches, templates, connections
    from django.contrib.sessions.models import Session

    sessions_before = Session.objects.count()
    client = Client(enforce_csrf_checks=True)
    with Counted(connection) as get_counted:
        page = client.get("/petitions/new/")
    html = page.content.decode()
    with Counted(connection) as counted:
        data = {"csrfmiddlewaretoken": CSRF_RE.search(html).group(1),
                "submission_token": TOKEN_RE.search(html).group(1), "kind": "complaint",
                "area": OPTION_RE.findall(SELECT_RE["area"].search(html).group(0))[5],
                "classification": OPTION_RE.findall(SELECT_RE["classification"].search(html).group(0))[7],
                "address": "12号", "title": "楼下商铺夜间噪音扰民",
                "content": "楼下商铺夜间噪音扰民，已经持续十天，影响正常生活，请尽快处理。",
                "complainant_type": "person", "complainant_name": "测试",
                "complainant_phone": f"13{rng.randint(100000000, 999999999)}",
                "website": ""}
        response = client.post("/petitions/new/", data)
    assert response.status_code == 302, response.status_code
    with Counted(connection) as followed:
        assert client.get(response["Location"]).status_code == 200
    petition = Petition.objects.latest("pk")
    print(f"form GET: {sum(get_counted.statements.values())} statements {dict(get_counted.statements)}, "
          f"{get_counted.commits} commits")
    print(f"filing POST: {sum(counted.statements.values())} statements {dict(counted.statements)}, "
          f"{counted.commits} commits; petition {petition.number} {petition.status}, "
          f"{petition.assignments.count()} assignments")
    print(f"confirmation GET: {sum(followed.statements.values())} statements, {followed.commits} commits")
    print(f"session rows written by one anonymous filing: {Session.objects.count() - sessions_before}")
    if args.show_sql:
        for label, c in (("GET", get_counted), ("POST", counted)):
            print(f"--- {label}")
            print("\n".join(c.sql))
    profiler = cProfile.Profile() if args.profile else None
    gets, posts = [], []
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    # One client, its cookies cleared between citizens: a new Client builds a new handler, and loading the
    # middleware again (WhiteNoise scans every static file) cost ~35 ms a cycle that no server ever pays.
    citizen = Client(enforce_csrf_checks=True)
    for _ in range(args.filings):
        citizen.cookies.clear()
        g, p = cycle(citizen)
        gets.append(g)
        posts.append(p)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    gets.sort()
    posts.sort()
    print(f"{args.filings} filings in process: {args.filings / elapsed:.1f}/s; form GET p50 {gets[len(gets) // 2] * 1000:.1f} ms, "
          f"POST p50 {posts[len(posts) // 2] * 1000:.1f} ms (one process, no HTTP)")
    if profiler:
        if args.stats:
            profiler.dump_stats(args.stats)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(r"/(petitions|dispatch|notifications|org|lib|supervision)/", 40)
        stats.sort_stats("tottime").print_stats(25)
        print(out.getvalue())


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
