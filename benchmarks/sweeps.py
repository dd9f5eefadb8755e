"""Sweep times at scale (issue 4): with N open petitions an idle sweep must take
under 50 ms, and flagging 10,000 newly overdue ones under 2 s.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_sweeps \
        python benchmarks/sweeps.py [--open 1000000] [--due 10000]

PostgreSQL only (the figures are about its partial indexes). The database is
created if missing and its petition/assignment tables are refilled with COPY.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import random
import statistics
import sys
import time

from _django import machine


def ensure_database(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = psycopg2.connect(host=parsed.hostname, port=parsed.port or 5432, user=parsed.username or "postgres",
                             password=parsed.password, dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if not cursor.fetchone():
            cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
        if count % 100_000 == 0:
            buffer.seek(0)
            cursor.copy_expert(f"COPY {table} ({','.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)
            buffer = io.StringIO()
            writer = csv.writer(buffer)
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({','.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)


def load(connection, args, rng, areas, leaves, units, now, t_due) -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE supervision_caseevent, supervision_supervisionnotice, supervision_supervisioncase, "
                       "dispatch_assignment, petitions_petitionevent, petitions_petition RESTART IDENTITY CASCADE")
        columns = ["number", "channel", "kind", "status", "stream", "routed_to", "classification_id", "area_id",
                   "district_id", "address", "title", "content", "complainant_type", "complainant_name",
                   "complainant_phone", "complainant_id_number", "enterprise_name", "confidential", "received_at",
                   "answer", "handling_round", "repeat_count", "updated_at"]
        received = (now - dt.timedelta(days=2)).isoformat()

        def petitions():
            for i in range(args.open):
                area, district = rng.choice(areas)
                yield [f"B{i:013d}", "phone", "complaint", "in_progress", "", "", rng.choice(leaves), area, district,
                       "", "基准测试诉求", "基准测试内容", "person", "测试", f"139{i % 100_000_000:08d}", "", "", "f",
                       received, "", 1, 0, received]

        copy_rows(cursor, "petitions_petition", columns, petitions())
        due_rows = set(rng.sample(range(1, args.open + 1), args.due))
        a_columns = ["petition_id", "unit_id", "role", "status", "round", "dispatched_at", "clock_started_at",
                     "sign_due_at", "handle_due_at", "warn_at", "warning", "extended_days", "waited_days", "answer",
                     "signed_at"]
        start = (now - dt.timedelta(days=2)).isoformat()

        def assignments():
            for pk in range(1, args.open + 1):
                if pk in due_rows:  # yellow already, due within the hour
                    due = t_due + dt.timedelta(seconds=rng.randint(0, 59))
                    warn, warning = now - dt.timedelta(hours=5), "yellow"
                else:
                    due = now + dt.timedelta(days=rng.randint(2, 20))
                    warn, warning = due - dt.timedelta(hours=12), "none"
                yield [pk, rng.choice(units), "lead", "signed", 1, start, start, start, due.isoformat(),
                       warn.isoformat(), warning, 0, 0, "", start]

        copy_rows(cursor, "dispatch_assignment", a_columns, assignments())
        cursor.execute("ANALYZE petitions_petition; ANALYZE dispatch_assignment;")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--idle-runs", type=int, default=20)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the previous run")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--memory", action="store_true",
                        help="one more flagging run under tracemalloc: the peak of the sweep's Python allocations")
    parser.add_argument("--flag-runs", type=int, default=3)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to a throwaway PostgreSQL database")
    ensure_database(url)
    from _django import setup

    setup("sweeps")
    from django.db import connection
    from django.utils import timezone

    from dispatch.sweeps import sweep_deadlines
    from org import demo as org_demo
    from org.models import Area, Classification, HandlingUnit

    org_demo.load()
    rng = random.Random(7)
    areas = list(Area.objects.filter(level="street").values_list("pk", "parent_id"))
    leaves = list(Classification.objects.filter(is_leaf=True).exclude(tier="urgent").values_list("pk", flat=True))
    units = list(HandlingUnit.objects.exclude(kind="platform").values_list("pk", flat=True))
    now = timezone.now().replace(microsecond=0)
    t_due = now + dt.timedelta(hours=1)  # the moment the --due rows fall due
    print(f"machine: {machine()}")
    started = time.perf_counter()
    if args.reuse:
        from dispatch.models import Assignment

        t_due = Assignment.objects.filter(warning="yellow").order_by("handle_due_at").values_list(
            "handle_due_at", flat=True).first()
        now = t_due - dt.timedelta(minutes=5)
    if not args.reuse:
        load(connection, args, rng, areas, leaves, units, now, t_due)
    print(f"data: {args.open:,} open petitions and assignments, {args.due:,} of them due at T; "
          f"loaded in {time.perf_counter() - started:.0f} s")
    idle = []
    for _ in range(args.idle_runs):
        t0 = time.perf_counter()
        result = sweep_deadlines(now=now)
        idle.append(time.perf_counter() - t0)
        assert result == {"yellow": 0, "red": 0, "sign_reminded": 0, "sign_overdue": 0}, result
    idle.sort()
    print(f"idle sweep: p50 {statistics.median(idle) * 1000:.1f} ms, max {idle[-1] * 1000:.1f} ms "
          f"({args.idle_runs} runs)")
    flag_times = []
    for run in range(args.flag_runs + (1 if args.memory else 0)):
        measure = args.memory and run == args.flag_runs
        if measure:
            import tracemalloc

            tracemalloc.start()
        t0 = time.perf_counter()
        if args.profile and run == 0:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(sweep_deadlines, now=t_due + dt.timedelta(minutes=2))
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        else:
            result = sweep_deadlines(now=t_due + dt.timedelta(minutes=2))
        if measure:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"memory: flagging {args.due:,} newly overdue peaked at {peak / 2**20:.1f} MiB of Python allocations "
                  f"(tracemalloc, its own run)")
        else:
            flag_times.append(time.perf_counter() - t0)
        assert result["red"] == args.due, result
        with connection.cursor() as cursor:  # reset for the next run
            cursor.execute("TRUNCATE supervision_caseevent, supervision_supervisionnotice, supervision_supervisioncase")
            cursor.execute("UPDATE dispatch_assignment SET warning='yellow', overdue_at=NULL WHERE warning='red'")
    from django.conf import settings

    print(f"flagging {args.due:,} newly overdue (red + supervision cases + notices, "
          f"{settings.PORTAL_SWEEP_WORKERS} connections): " + ", ".join(f"{t:.2f} s" for t in flag_times))
    # The supervisors' dashboard over the same open work: by unit, by district, aging, as the page reads them
    # (the open-work counters, kept by triggers: dispatch.counters), and by scanning the assignments for contrast.
    from dispatch import counters
    from dispatch.models import Assignment
    from dispatch.selectors import OPEN_WORK, open_work_aging, open_work_counts, open_work_summary

    counters.repair()  # the load TRUNCATEd the assignments, which no trigger sees: recount once
    with connection.cursor() as cursor:  # what autovacuum does after the compaction, before measuring
        cursor.execute("VACUUM ANALYZE dispatch_openworkcount")
    for label, source in (("from the counters, as the page", open_work_counts),
                          ("scanning the assignments", lambda: Assignment.objects.filter(status__in=OPEN_WORK))):
        dashboard = []
        for _ in range(5):
            t0 = time.perf_counter()
            list(open_work_summary(source(), "unit__name")[:50])
            list(open_work_summary(source(), "petition__district__name")[:20])
            open_work_aging(source())
            dashboard.append(time.perf_counter() - t0)
        dashboard.sort()
        print(f"supervision dashboard (by unit, by district, aging) over {args.open:,} open, {label}: "
              f"p50 {statistics.median(dashboard) * 1000:.0f} ms, max {dashboard[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
