"""A realistic city-year at Beijing scale, loaded with PostgreSQL COPY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city \
        python benchmarks/generate.py --petitions 10000000 [--year 2025]

Distributions (DOMAIN.md §7, §11): channels (62% phone), kinds, the top
complaints weighted up (物业, 停车, 占道, 噪音, 油烟, 供暖 in winter), districts by
population, routing by the real catalog of the demo city, ~97% signed in
time, ~88% of dispatched petitions rated with ~93% satisfied or basically
satisfied, ~8% repeats, 25% co-handled. Titles and contents are composed from
the complaint corpus in benchmarks/data/complaints.txt (benchmarks/corpus.py):
the sentences of the petition's matter, 50-1,500 characters (median ~190),
and about 20 petitions per load mention the rare word 无人机 whatever the size.
Then times the full rebuild of the daily aggregates and the monthly bulletin
for all units.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time

from _django import machine
from corpus import Corpus
from sweeps import copy_rows, ensure_database


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--petitions", type=int, default=10_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--skip-load", action="store_true", help="reuse the data already loaded")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to a throwaway PostgreSQL database")
    ensure_database(url)
    from _django import setup

    setup("city")
    from django.core.management import call_command
    from django.db import connection

    from dispatch import routing
    from dispatch.models import CatalogRule
    from evaluation import aggregates, metrics
    from org.models import Area, Classification

    print(f"machine: {machine()}")
    if not CatalogRule.objects.exists():
        call_command("load_demo", verbosity=0)  # the demo city, its catalog (and a little history)
    from petitions.models import Petition

    first = Petition.objects.filter(number=f"{args.year}0101500000").values_list("content", flat=True).first()
    if first is not None and len(first) < 50:
        sys.exit("this database holds a city-year with the old ten-character texts: use a fresh database")
    if first is not None:
        print(f"data: the {args.year} city-year is already loaded in this database; reusing it")
    elif not args.skip_load:
        load(args, connection, routing, Area, Classification)
    started = time.perf_counter()
    aggregates.rebuild()
    rebuild_s = time.perf_counter() - started
    print(f"full rebuild of the daily aggregates: {rebuild_s:.0f} s")
    # A month's first read computes its rating snapshot (the refresh_stats task does it every 5 minutes in
    # production, before any reader asks); the bulletin is then read from the aggregates and the snapshot.
    # Timed apart: a p95 over both would describe neither.
    from evaluation.models import Snapshot

    Snapshot.objects.filter(key__startswith="ratings:").delete()
    cold, times = [], []
    for month in range(1, 13):
        first, last = metrics.month_bounds(args.year, month)
        for run in range(4):
            t0 = time.perf_counter()
            metrics.bulletin(first, last)
            (cold if run == 0 else times).append(time.perf_counter() - t0)
    times.sort()
    cold.sort()
    print(f"monthly bulletin for all districts and units: p50 {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {times[int(len(times) * 0.95)] * 1000:.0f} ms ({len(times)} runs, every month of the year); "
          f"a month's first read, computing its rating snapshot: p50 {statistics.median(cold) * 1000:.0f} ms, "
          f"max {cold[-1] * 1000:.0f} ms")
    first, last = metrics.month_bounds(args.year, 6)
    problems = aggregates.check(first, last)
    print(f"aggregates vs direct computation for June: {'agree' if not problems else problems[:3]}")


def load(args, connection, routing, Area, Classification) -> None:
    from evaluation.history import CHANNELS, HOT, KINDS, SH

    rng = random.Random(10)
    corpus = Corpus()
    leaves = list(Classification.objects.filter(is_leaf=True))
    names = dict(Classification.objects.values_list("pk", "name"))
    parents = dict(Classification.objects.values_list("pk", "parent_id"))

    def path_names(pk):
        chain = []
        while pk is not None:
            chain.insert(0, names[pk])
            pk = parents[pk]
        return chain

    topics = {leaf.pk: corpus.topic_for(path_names(leaf.pk)) for leaf in leaves}
    rare_every = max(1, args.petitions // 20)  # about 20 petitions mention the rare word, whatever the size
    leaf_weights = [next((w for k, w in HOT.items() if k in c.name), 1) for c in leaves]
    streets = list(Area.objects.filter(level="street"))
    street_weights = [s.population for s in streets]
    catalog = routing.get_catalog()
    decisions = {}
    channels, channel_w = zip(*CHANNELS)
    kinds, kind_w = zip(*KINDS)
    days = 365
    per_day = args.petitions // days
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM petitions_petition")
        base = cursor.fetchone()[0]
        # The bigram search index (petitions migration 0005) is built once after the load, as a bulk build, and
        # timed: maintaining it row by row during COPY costs far more with texts of realistic length.
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'petition_search_bigrams'")
        bigram_index = cursor.fetchone()
        if bigram_index:
            cursor.execute("DROP INDEX petition_search_bigrams")
        p_cols = ["id", "number", "channel", "kind", "status", "stream", "routed_to", "classification_id", "area_id",
                  "district_id", "address", "title", "content", "complainant_type", "complainant_name",
                  "complainant_phone", "complainant_id_number", "enterprise_name", "confidential", "received_at",
                  "closed_at", "answer", "answered_at", "handling_round", "repeat_count", "updated_at"]
        a_cols = ["petition_id", "unit_id", "role", "status", "round", "dispatched_at", "clock_started_at",
                  "sign_due_at", "handle_due_at", "warn_at", "signed_at", "answered_at", "closed_at", "warning",
                  "extended_days", "waited_days", "answer"]
        r_cols = ["petition_id", "round", "satisfaction", "solved", "comment", "source", "rated_at"]
        for day_index in range(days):
            day = dt.date(args.year, 1, 1) + dt.timedelta(days=day_index)
            petitions, assignments, ratings = [], [], []
            for i in range(per_day):
                pk = base + day_index * per_day + i + 1
                leaf = rng.choices(leaves, weights=leaf_weights)[0]
                street = rng.choices(streets, weights=street_weights)[0]
                key = (leaf.pk, street.pk)
                if key not in decisions:
                    decisions[key] = routing.decide(classification_path=leaf.path, area_path=street.path, text="",
                                                    sector_id=leaf.sector_id, catalog=catalog)
                decision = decisions[key]
                received = dt.datetime.combine(day, dt.time(rng.randint(7, 22), rng.randint(0, 59)), tzinfo=SH)
                days_tier = 7 if leaf.tier == "urgent" else int(leaf.tier)
                due = received + dt.timedelta(days=days_tier * 1.4)
                sign_due = received + dt.timedelta(days=1.4)
                signed = received + dt.timedelta(hours=rng.uniform(0.2, 20)) if rng.random() < 0.97 \
                    else sign_due + dt.timedelta(hours=5)
                answered = received + (due - received) * rng.uniform(0.2, 1.1)
                rated = answered + dt.timedelta(hours=rng.randint(4, 48))
                is_rated = decision.lead_unit_id and rng.random() < 0.88
                roll = rng.random()
                serial = day_index * per_day + i
                title, content = corpus.compose(rng, topic=topics[leaf.pk], leaf=leaf.name, place=street.name,
                                                rare=serial % rare_every == rare_every // 2)
                petitions.append([pk, f"{day:%Y%m%d}{500000 + i:06d}", rng.choices(channels, channel_w)[0],
                                  rng.choices(kinds, kind_w)[0], "closed" if is_rated else "callback", "", "",
                                  leaf.pk, street.pk, street.parent_id, "", title, content,
                                  "person", "测试", f"13{rng.randint(100000000, 999999999)}", "", "", "f",
                                  received.isoformat(), rated.isoformat() if is_rated else "\\N", "已办理",
                                  answered.isoformat(), 1, 3 if rng.random() < 0.02 else 0, received.isoformat()])
                if decision.lead_unit_id:
                    units = [(decision.lead_unit_id, "lead")] + [(u, "co") for u in decision.co_unit_ids[:1]]
                    for unit_id, role in units:
                        assignments.append([pk, unit_id, role, "done", 1, received.isoformat(), received.isoformat(),
                                            sign_due.isoformat(), due.isoformat(),
                                            (received + (due - received) * 0.75).isoformat(), signed.isoformat(),
                                            answered.isoformat(), rated.isoformat(),
                                            "red" if answered > due else "none", 0, 0, ""])
                if is_rated:
                    satisfaction = "satisfied" if roll < 0.82 else ("basic" if roll < 0.93 else "unsatisfied")
                    ratings.append([pk, 1, satisfaction, "t" if satisfaction != "unsatisfied" else "f", "", "callback",
                                    rated.isoformat()])
            copy_rows(cursor, "petitions_petition", p_cols, petitions)
            copy_rows(cursor, "dispatch_assignment", a_cols, assignments)
            copy_rows(cursor, "petitions_rating", r_cols, ratings)
            if day_index % 30 == 29:
                print(f"  loaded {day} ({(day_index + 1) * per_day:,} petitions, {time.perf_counter() - started:.0f} s)",
                      flush=True)
        cursor.execute("SELECT setval(pg_get_serial_sequence('petitions_petition', 'id'), MAX(id)) FROM petitions_petition")
        if bigram_index:
            t0 = time.perf_counter()
            cursor.execute("SET maintenance_work_mem = '512MB'")
            cursor.execute(bigram_index[0])
            print(f"bigram search index built over {per_day * days:,} petitions in {time.perf_counter() - t0:.0f} s",
                  flush=True)
        cursor.execute("ANALYZE")
        cursor.execute("SELECT AVG(char_length(content)), MIN(char_length(content)), MAX(char_length(content)) "
                       "FROM petitions_petition WHERE number LIKE %s AND substring(number from 9) >= '500000'",
                       [f"{args.year}%"])
        mean, shortest, longest = cursor.fetchone()
    print(f"data: {per_day * days:,} petitions loaded in {time.perf_counter() - started:.0f} s; contents "
          f"{shortest}-{longest} characters, mean {float(mean):.0f}, composed from benchmarks/data/complaints.txt")


if __name__ == "__main__":
    main()
