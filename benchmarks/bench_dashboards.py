"""The supervisors' dashboard, the evaluation dashboard and the bulletins over HTTP at city scale (issue 20,
target 3: p95 < 100 ms at 1,000,000 open petitions, flat from 100,000).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city \
        python benchmarks/bench_dashboards.py --open 100000 [--requests 100] [--workers 2]

Runs on the database of `generate.py` (a city-year of closed, rated petitions for /evaluation/ and the
bulletins) and adds open work up to --open petitions (each with a lead assignment, ~20% with a co-unit;
pending/signed, yellow/red, not signed for in time, dispatched over the last 60 days), loaded with COPY
and counted once by the recount. Then gunicorn serves the pages and each is requested --requests times
after one cold request: p50 and p95, sequential (the figure of one reader) and at concurrency 4.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _django import machine
from sweeps import copy_rows, ensure_database

ROOT = Path(__file__).resolve().parent.parent
PORT = 8093
PREFIX = "O"  # the numbers of the open petitions this script loads


def load_open(connection, target: int, now: dt.datetime) -> int:
    """Add open petitions (and their assignments) up to `target`, or remove the newest down to it;
    returns the change."""
    from django.db import transaction

    from org.models import Area, Classification, HandlingUnit

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM petitions_petition WHERE number LIKE %s", [f"{PREFIX}%"])
        have = cursor.fetchone()[0]
        if have > target:  # fewer this time: the newest go (the counters' triggers count them out)
            cursor.execute("SELECT id FROM petitions_petition WHERE number LIKE %s ORDER BY number DESC LIMIT 1 "
                           "OFFSET %s", [f"{PREFIX}%", have - target - 1])
            cut = cursor.fetchone()[0]
            cursor.execute("DELETE FROM dispatch_assignment WHERE petition_id >= %s AND petition_id IN "
                           "(SELECT id FROM petitions_petition WHERE number LIKE %s)", [cut, f"{PREFIX}%"])
            cursor.execute("DELETE FROM petitions_petition WHERE id >= %s AND number LIKE %s", [cut, f"{PREFIX}%"])
            cursor.execute("ANALYZE petitions_petition; ANALYZE dispatch_assignment;")
            return target - have
        if have == target:
            return 0
        rng = random.Random(have + 20)
        streets = list(Area.objects.filter(level="street").values_list("pk", "parent_id"))
        leaves = list(Classification.objects.filter(is_leaf=True).values_list("pk", flat=True))
        units = list(HandlingUnit.objects.exclude(kind="platform").values_list("pk", flat=True))
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM petitions_petition")
        base = cursor.fetchone()[0]
        count = target - have
        columns = ["id", "number", "channel", "kind", "status", "stream", "routed_to", "classification_id", "area_id",
                   "district_id", "address", "title", "content", "complainant_type", "complainant_name",
                   "complainant_phone", "complainant_id_number", "enterprise_name", "confidential", "received_at",
                   "answer", "handling_round", "repeat_count", "updated_at"]
        a_columns = ["petition_id", "unit_id", "role", "status", "round", "dispatched_at", "clock_started_at",
                     "sign_due_at", "handle_due_at", "warn_at", "signed_at", "warning", "sign_overdue_at",
                     "extended_days", "waited_days", "answer"]
        ages = [rng.expovariate(1 / 6) for _ in range(4096)]  # days since dispatch: most recent, a long tail
        petitions, assignments = [], []

        def flush():
            with transaction.atomic():  # a petition and its assignments together
                copy_rows(cursor, "petitions_petition", columns, petitions)
                copy_rows(cursor, "dispatch_assignment", a_columns, assignments)
            petitions.clear()
            assignments.clear()

        # Loaded without the counters' triggers, then counted once (the recount is part of the figures).
        cursor.execute("ALTER TABLE dispatch_assignment DISABLE TRIGGER USER")
        try:
            for i in range(count):
                pk = base + i + 1
                street, district = rng.choice(streets)
                dispatched = now - dt.timedelta(days=min(ages[i % 4096], 90), minutes=rng.randint(0, 600))
                received = (dispatched - dt.timedelta(minutes=10)).isoformat()
                petitions.append([pk, f"{PREFIX}{have + i:012d}", "phone", "complaint", "in_progress", "", "",
                                  rng.choice(leaves), street, district, "", "基准测试诉求", "基准测试内容", "person",
                                  "测试", f"139{(have + i) % 100_000_000:08d}", "", "", "f", received, "", 1, 0,
                                  received])
                chosen = rng.sample(units, 2)
                for role, unit in zip(("lead", "co") if rng.random() < 0.2 else ("lead",), chosen):
                    sign_due = dispatched + dt.timedelta(hours=12)
                    due = dispatched + dt.timedelta(days=rng.choice([3, 7, 15]))
                    warn = dispatched + (due - dispatched) * 0.75
                    pending = sign_due > now or rng.random() < 0.02
                    warning = "red" if due <= now else ("yellow" if warn <= now else "none")
                    assignments.append([
                        pk, unit, role, "pending" if pending else "signed", 1, dispatched.isoformat(),
                        dispatched.isoformat(), sign_due.isoformat(), due.isoformat(), warn.isoformat(),
                        "\\N" if pending else (dispatched + dt.timedelta(hours=2)).isoformat(), warning,
                        sign_due.isoformat() if pending and sign_due <= now else "\\N", 0, 0, ""])
                if len(petitions) >= 50_000:
                    flush()
            flush()
        finally:
            cursor.execute("ALTER TABLE dispatch_assignment ENABLE TRIGGER USER")
        cursor.execute("SELECT setval(pg_get_serial_sequence('petitions_petition', 'id'), MAX(id)) FROM petitions_petition")
        cursor.execute("ANALYZE petitions_petition; ANALYZE dispatch_assignment;")
    return count


def trim_future(connection, now: dt.datetime) -> int:
    """generate.py fills the whole year: what it dated after now is removed (a rating cannot come from the future)."""
    from evaluation import aggregates
    from evaluation.models import DailyStat

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM petitions_rating WHERE rated_at > %s", [now])
        removed = cursor.rowcount
        cursor.execute("DELETE FROM dispatch_assignment WHERE petition_id IN "
                       "(SELECT id FROM petitions_petition WHERE received_at > %s)", [now])
        cursor.execute("DELETE FROM petitions_petition WHERE received_at > %s", [now])
        removed += cursor.rowcount
        cursor.execute("UPDATE petitions_petition SET status = 'callback', closed_at = NULL "
                       "WHERE closed_at > %s AND status = 'closed'", [now])
        cursor.execute("ANALYZE petitions_rating; ANALYZE petitions_petition; ANALYZE dispatch_assignment;")
    if removed:
        today = now.astimezone(aggregates.SH).date()
        DailyStat.objects.filter(day__gt=today).delete()
        aggregates.refresh(today - dt.timedelta(days=aggregates.REFRESH_DAYS), today)
    return removed


def get(path: str, cookie: str) -> tuple[int, float]:
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}",
                                     headers={"Cookie": cookie, "Accept-Language": "zh-hans"})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def measure(label: str, path: str, cookie: str, requests: int) -> dict:
    cold_status, cold = get(path, cookie)
    one = sorted(get(path, cookie)[1] for _ in range(requests))
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: get(path, cookie), range(requests)))
    four = sorted(r[1] for r in results)
    bad = sum(1 for r in results if r[0] != 200) + (cold_status != 200)

    def p(values, q):
        return values[min(len(values) - 1, int(len(values) * q))] * 1000

    print(f"{label} {path}: cold {cold * 1000:.0f} ms; sequential p50 {statistics.median(one) * 1000:.0f} ms, "
          f"p95 {p(one, 0.95):.0f} ms; concurrency 4 p50 {statistics.median(four) * 1000:.0f} ms, "
          f"p95 {p(four, 0.95):.0f} ms ({requests} + {requests} requests{f', {bad} not 200' if bad else ''})",
          flush=True)
    return {"p95": p(one, 0.95)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to a throwaway PostgreSQL database (the one generate.py loaded)")
    ensure_database(url)
    load_avg = Path("/proc/loadavg").read_text().split()[0]
    from _django import setup

    setup("dashboards")
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dispatch import counters
    from dispatch.models import Assignment
    from evaluation import aggregates, metrics, reports
    from evaluation.models import Report
    from org.models import Area, User
    from org.services import user_set_role
    from petitions.models import Petition, Rating

    if not Area.objects.exists():
        call_command("load_demo", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    trimmed = trim_future(connection, now)
    if trimmed:
        print(f"removed {trimmed:,} petitions and ratings the generator dated after now")
    started = time.perf_counter()
    added = load_open(connection, args.open, now)
    loaded_s = time.perf_counter() - started
    t0 = time.perf_counter()
    repaired = counters.repair()
    recount_s = time.perf_counter() - t0
    with connection.cursor() as cursor:  # what autovacuum does after a bulk load, before measuring
        cursor.execute("VACUUM ANALYZE dispatch_openworkcount")
    open_count = Assignment.objects.filter(status__in=["pending", "signed"]).count()
    petitions = Petition.objects.count()
    print(f"machine: {machine()}; load average {load_avg} at the start; gunicorn {args.workers} workers; PostgreSQL")
    print(f"data: {Petition.objects.filter(number__startswith=PREFIX).count():,} open petitions "
          f"({open_count:,} open assignments; {added:+,} open petitions in {loaded_s:.0f} s), {petitions:,} petitions and "
          f"{Rating.objects.count():,} ratings in all; counters recounted in {recount_s:.1f} s "
          f"({repaired:,} keys), {counters.compact():,} counter rows")
    t0 = time.perf_counter()
    assert counters.check() == []
    print(f"full recount against the counters: agree ({time.perf_counter() - t0:.1f} s)")

    # The bulletin month: the last complete month with ratings (generate.py's year may be an earlier one).
    today = timezone.localdate()
    latest = Rating.objects.order_by("-rated_at").values_list("rated_at", flat=True).first()
    month_day = min(latest.astimezone(aggregates.SH).date() if latest else today, today)
    if month_day.replace(day=1) == today.replace(day=1):
        month_day = today.replace(day=1) - dt.timedelta(days=1)
    first, last = metrics.month_bounds(month_day.year, month_day.month)
    report = Report.objects.filter(kind=Report.Kind.MONTHLY, period_start=first).first()
    if report is None:
        t0 = time.perf_counter()
        report = reports.report_generate(kind=Report.Kind.MONTHLY, day=first)
        print(f"monthly bulletin {first:%Y-%m} generated in {time.perf_counter() - t0:.1f} s")
    reports.report_publish(report=report)
    user = User.objects.filter(username="bench_supervisor").first()
    if user is None:
        user = User.objects.create(username="bench_supervisor", first_name="督办")
        user_set_role(user=user, role=User.Role.SUPERVISOR)
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    district = Area.objects.filter(level="district").order_by("code").values_list("pk", flat=True).first()

    env = {**os.environ, "PORTAL_RATE_LIMITS": "0", "DJANGO_LOG_LEVEL": "WARNING", "CELERY_TASK_ALWAYS_EAGER": "1"}
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind",
                               f"127.0.0.1:{PORT}", "--workers", str(args.workers), "--log-level", "warning",
                               "--timeout", "300"], cwd=ROOT, env=env)
    try:
        for _ in range(120):  # ready: a cheap page (the home page lists petitions: not a probe to repeat)
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/evaluation/bulletins/", timeout=10)
                break
            except Exception:
                time.sleep(0.5)
        pages = [
            ("supervisors' dashboard", "/dispatch/supervision/"),
            ("supervisors' dashboard, one district", f"/dispatch/supervision/?district={district}"),
            ("evaluation dashboard, this month", "/evaluation/"),
            (f"evaluation dashboard, {first:%Y-%m}", f"/evaluation/?month={first:%Y-%m}"),
            ("published bulletins", "/evaluation/bulletins/"),
            ("a published bulletin", f"/evaluation/bulletins/{report.pk}/"),
            ("public statistics", "/evaluation/statistics/"),
        ]
        worst = max(measure(label, path, cookie, args.requests)["p95"] for label, path in pages)
        print(f"worst sequential p95 over the pages: {worst:.0f} ms at {args.open:,} open petitions")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
