"""A calendar republished at N open petitions (issue 20, target 4: 1,000,000 open in under 60 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_recompute \
        python benchmarks/recompute.py [--open 1000000] [--reuse]

Loads N open petitions with one lead assignment each (COPY), their clocks started between 14 and 23 December
2026 at any minute, classified by the demo city's leaves (tiers 1/3/7/11, ~urgent items in hours), ~10% with
an extension, ~5% with waited days, ~35% still awaiting sign-for, every clock computed by
`dispatch.deadlines.clocks` on the current calendar. Then the calendar changes: 24 December 2026 becomes a
holiday and 2027's New Year's Day is published (1 January off, Saturday 9 January a make-up working day), and
`dispatch.sweeps.recompute_deadlines(years=[2026, 2027])` runs: the set-based UPDATE of dispatch/recompute.py.
Reported: the wall time, the rows changed, a second run that finds nothing to change, the change undone
(every moved deadline moves back), and a sample of rows checked against the Python clocks.

PostgreSQL only (on SQLite the recomputation is a Python loop by design).
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time

from _django import machine
from sweeps import copy_rows, ensure_database

SH = dt.timezone(dt.timedelta(hours=8))
FIRST = dt.datetime(2026, 12, 14, tzinfo=SH)
SPAN_MINUTES = 10 * 24 * 60
CHANGES = [(dt.date(2026, 12, 24), False, "测试假日"), (dt.date(2027, 1, 1), False, "元旦"),
           (dt.date(2027, 1, 9), True, "元旦")]


def load(connection, args, leaves, areas, units, deadlines) -> None:
    rng = random.Random(4)
    memo: dict = {}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE supervision_caseevent, supervision_supervisionnotice, supervision_supervisioncase, "
                       "dispatch_assignment, petitions_petitionevent, petitions_petition RESTART IDENTITY CASCADE")
        p_cols = ["number", "channel", "kind", "status", "stream", "routed_to", "classification_id", "area_id",
                  "district_id", "address", "title", "content", "complainant_type", "complainant_name",
                  "complainant_phone", "complainant_id_number", "enterprise_name", "confidential", "received_at",
                  "answer", "handling_round", "repeat_count", "updated_at"]
        a_cols = ["petition_id", "unit_id", "role", "status", "round", "dispatched_at", "clock_started_at",
                  "sign_due_at", "handle_due_at", "warn_at", "warning", "extended_days", "waited_days", "answer"]
        plan = []
        for i in range(args.open):
            leaf = rng.choice(leaves)
            start = FIRST + dt.timedelta(minutes=rng.randrange(SPAN_MINUTES))
            urgent = leaf.tier == "urgent"
            extended = 0 if urgent or rng.random() > 0.10 else rng.randint(1, 5)
            waited = 0 if urgent or rng.random() > 0.05 else rng.randint(1, 3)
            plan.append((leaf, start, extended, waited, rng.random() < 0.35))

        def petitions():
            for i, (leaf, start, *_rest) in enumerate(plan):
                area, district = areas[i % len(areas)]
                yield [f"K{i:013d}", "phone", "complaint", "in_progress", "", "", leaf.pk, area, district, "",
                       "基准测试诉求", "基准测试内容", "person", "测试", f"139{i % 100_000_000:08d}", "", "", "f",
                       start.isoformat(), "", 1, 0, start.isoformat()]

        copy_rows(cursor, "petitions_petition", p_cols, petitions())

        def assignments():
            for i, (leaf, start, extended, waited, pending) in enumerate(plan):
                # The clocks depend on the start's date only (and its minute for urgent items).
                key = (start if leaf.tier == "urgent" else start.date(), leaf.tier, leaf.urgent_hours, extended, waited)
                if key not in memo:
                    memo[key] = deadlines.clocks(start, leaf, extended_days=extended, waited_days=waited)
                values = memo[key]
                iso = start.isoformat()
                yield [i + 1, units[i % len(units)], "lead", "pending" if pending else "signed", 1, iso, iso,
                       values["sign_due_at"].isoformat(), values["handle_due_at"].isoformat(),
                       values["warn_at"].isoformat(), "none", extended, waited, ""]

        copy_rows(cursor, "dispatch_assignment", a_cols, assignments())
        cursor.execute("ANALYZE petitions_petition; ANALYZE dispatch_assignment;")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help="keep the data of the previous run")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to a throwaway PostgreSQL database")
    ensure_database(url)
    from _django import setup

    setup("recompute")
    from django.db import connection

    from dispatch import deadlines
    from dispatch.models import Assignment
    from dispatch.sweeps import recompute_deadlines
    from org import calendar
    from org import demo as org_demo
    from org.models import Area, CalendarDay, Classification, HandlingUnit

    org_demo.load()
    CalendarDay.objects.filter(date__in=[d for d, _w, _n in CHANGES]).delete()
    calendar.invalidate()
    leaves = list(Classification.objects.filter(is_leaf=True))
    areas = list(Area.objects.filter(level="street").values_list("pk", "parent_id"))
    units = list(HandlingUnit.objects.exclude(kind="platform").values_list("pk", flat=True))
    print(f"machine: {machine()}; load average {open('/proc/loadavg').read().split()[0]} at the start")
    started = time.perf_counter()
    if not (args.reuse and Assignment.objects.count() == args.open):
        load(connection, args, leaves, areas, units, deadlines)
    urgent = sum(1 for leaf in leaves if leaf.tier == "urgent")
    print(f"data: {args.open:,} open petitions, one lead assignment each, clocks started 14-23 Dec 2026, "
          f"{len(leaves)} leaves ({urgent} urgent); loaded in {time.perf_counter() - started:.0f} s")

    def timed(label: str) -> int:
        t0 = time.perf_counter()
        changed = recompute_deadlines(years=[2026, 2027])
        print(f"{label}: {time.perf_counter() - t0:.1f} s, {changed:,} of {args.open:,} open deadlines changed",
              flush=True)
        return changed

    CalendarDay.objects.bulk_create([CalendarDay(date=d, is_workday=w, name=n) for d, w, n in CHANGES])
    calendar.invalidate()
    moved = timed("calendar republished (24 Dec 2026 off, 2027 New Year published), recomputed set-based")
    calendar.invalidate()  # a new version of the same calendar: the tasks of one version run once
    again = timed("recomputed again on the same calendar, nothing left to change")
    rng = random.Random(9)
    sample = Assignment.objects.filter(pk__in=rng.sample(range(1, args.open + 1), 2000)).select_related(
        "petition__classification")
    wrong = 0
    for a in sample:
        values = deadlines.clocks(a.clock_started_at, a.petition.classification, extended_days=a.extended_days,
                                  waited_days=a.waited_days, with_sign=a.status == "pending")
        wrong += (a.handle_due_at, a.warn_at) != (values["handle_due_at"], values["warn_at"]) or (
            a.status == "pending" and a.sign_due_at != values["sign_due_at"])
    print(f"check: {len(sample):,} random rows against dispatch.deadlines.clocks: "
          f"{'all equal' if not wrong else f'{wrong} DIFFER'}")
    CalendarDay.objects.filter(date__in=[d for d, _w, _n in CHANGES]).delete()
    calendar.invalidate()
    back = timed("change undone, recomputed")
    if wrong or again or back != moved:
        sys.exit(1)


if __name__ == "__main__":
    main()
