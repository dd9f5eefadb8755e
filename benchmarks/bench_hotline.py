"""The operator's console at scale: the caller's history (一人一档) and the classification search.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_hotline \
        python benchmarks/bench_hotline.py --petitions 10000000

Targets (issue 17): caller history p95 < 100 ms and classification search p95 < 50 ms at 10 million petitions.
The petitions are written by one INSERT ... SELECT per 250,000 (no Python row loop): realistic enough for the
two reads measured here, which depend on the phone index and on the classification standard, not on the
petitions' other columns. Callers: about three petitions per phone on average, and one row in fifty from a pool
of 1,000 frequent callers (at 10 million, ~200 petitions each: the worst case of the history). Also reported:
the search by name and by the phone's last four digits (hotline.selectors.petition_find) and the plans used.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

from _django import machine
from sweeps import ensure_database

CHUNK = 250_000
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
QUERIES = ["路灯", "噪音", "物业费", "停车", "油烟", "供暖", "xqld", "zaoyin", "wyf", "tingche", "小区 路灯",
           "违法建设", "wsj", "gongnuan", "拖欠工资", "qxgz", "学校", "医保", "ybbx", "井盖"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--petitions", type=int, default=10_000_000)
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to a throwaway PostgreSQL database")
    ensure_database(url)
    from _django import setup

    setup("hotline")
    from django.core.management import call_command
    from django.db import connection

    from org.models import Classification

    print(f"machine: {machine()}")
    if not Classification.objects.filter(is_leaf=True).exists():
        call_command("load_demo", verbosity=0)  # the demo city: areas, units, the 1,000+ leaf standard, catalog
    load(connection, args.petitions)
    measure(connection, args.runs)


def load(connection, wanted: int) -> None:
    from org.models import Area, Classification

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM petitions_petition")
        have = cursor.fetchone()[0]
        if have >= wanted:
            print(f"data: {have:,} petitions already loaded; reusing them")
            return
        streets = list(Area.objects.filter(level="street").values_list("pk", "parent_id"))
        leaves = list(Classification.objects.filter(is_leaf=True).values_list("pk", flat=True))
        area_ids = "ARRAY[" + ",".join(str(a) for a, _d in streets) + "]"
        district_ids = "ARRAY[" + ",".join(str(d) for _a, d in streets) + "]"
        leaf_ids = "ARRAY[" + ",".join(str(c) for c in leaves) + "]"
        phones = max(wanted // 3, 1)
        # The bigram index of the words search (petitions migration 0005) costs most of a load and serves no read
        # measured here: this throwaway database goes without it (the words search is benchmarks/search.py's).
        cursor.execute("DROP INDEX IF EXISTS petition_search_bigrams")
        started = time.perf_counter()
        base = 1  # the numbers are B000000000001...: apart from the demo city's own
        for first in range(have, wanted, CHUNK):
            last = min(first + CHUNK, wanted)
            # i -> a phone: one row in fifty from 1,000 frequent callers, the rest spread over wanted/3 phones.
            cursor.execute(f"""
                INSERT INTO petitions_petition (number, channel, kind, status, stream, routed_to, classification_id,
                    area_id, district_id, address, title, content, complainant_type, complainant_name,
                    complainant_phone, complainant_id_number, enterprise_name, confidential, publish_consent,
                    language, link_version, received_at, answer, handling_round, callback_reminded_round,
                    repeat_count, updated_at)
                SELECT 'B' || lpad(i::text, 12, '0'), 'phone', 'complaint',
                       (ARRAY['closed','closed','closed','callback','in_progress','dispatched'])[(1 + i % 6)::int], '', '',
                       ({leaf_ids})[(1 + (i * 7919) % {len(leaves)})::int],
                       ({area_ids})[(1 + (i * 104729) % {len(streets)})::int],
                       ({district_ids})[(1 + (i * 104729) % {len(streets)})::int], '', '诉求' || i, '内容' || i, 'person',
                       substr('{SURNAMES}', (1 + i % {len(SURNAMES)})::int, 1)
                           || substr('明华伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛', (1 + (i / 7) % 20)::int, 1),
                       CASE WHEN i % 50 = 0 THEN '1390000' || lpad(((i / 50) % 1000)::text, 4, '0')
                            ELSE '13' || lpad(((i::bigint * 2654435761) % {phones} + 100000000)::text, 9, '0') END,
                       '', '', i % 40 = 0, false, 'zh-hans', 1,
                       now() - ((i % 1095) || ' days')::interval - ((i % 86400) || ' seconds')::interval,
                       '', 1, 0, 0, now()
                FROM generate_series({base + first}::bigint, {base + last - 1}::bigint) AS i
            """)
            print(f"  loaded {last:,} petitions ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("ANALYZE petitions_petition")
    print(f"data: {wanted:,} petitions loaded in {time.perf_counter() - started:.0f} s")


def _p(times: list[float]) -> str:
    times = sorted(times)
    return (f"p50 {statistics.median(times) * 1000:.1f} ms, p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms, "
            f"max {times[-1] * 1000:.1f} ms ({len(times)} runs)")


def measure(connection, runs: int) -> None:
    from django.test import Client

    from hotline import picker
    from hotline.selectors import caller_history, petition_find
    from org.models import Classification, HandlingUnit, User
    from petitions.models import Petition

    rng = random.Random(17)
    total = Petition.objects.count()
    leaves = Classification.objects.filter(is_leaf=True, is_active=True).count()
    print(f"data: {total:,} petitions; classification standard: {leaves:,} active leaves")
    platform = HandlingUnit.objects.filter(kind="platform").first()
    operator, _ = User.objects.get_or_create(username="bench_operator", defaults={"role": "operator",
                                                                                   "unit": platform})
    with connection.cursor() as cursor:
        cursor.execute("SELECT complainant_phone FROM petitions_petition TABLESAMPLE SYSTEM (0.1) LIMIT 2000")
        sample = [row[0] for row in cursor.fetchall()]
    frequent = [f"1390000{n:04d}" for n in range(1000)]
    phones = [rng.choice(frequent) if rng.random() < 0.2 else rng.choice(sample) for _ in range(runs)]
    times = []
    for phone in phones:
        t0 = time.perf_counter()
        history = caller_history(phone=phone, user=operator)
        times.append(time.perf_counter() - t0)
    print(f"caller history (20 newest, ratings, count; 20% frequent callers): {_p(times)}; "
          f"last history had {history.total} petitions")

    started = time.perf_counter()
    picker.clear()
    picker.classification_index()
    print(f"classification index built (pinyin of {leaves:,}+ items): {(time.perf_counter() - started):.2f} s")
    times = []
    for _ in range(runs):
        query = rng.choice(QUERIES)
        t0 = time.perf_counter()
        picker.search(picker.classification_index(), query)
        times.append(time.perf_counter() - t0)
    print(f"classification search (index warm, stamp query included): {_p(times)}")
    client = Client()
    client.force_login(operator)
    times = []
    for _ in range(runs):
        query = rng.choice(QUERIES)
        t0 = time.perf_counter()
        response = client.get("/hotline/classifications/", {"q": query})
        times.append(time.perf_counter() - t0)
        assert response.status_code == 200
    print(f"classification search through the endpoint (session, JSON): {_p(times)}")

    names = ["王明", "李华", "张伟"]  # names the loader writes
    for label, criteria in (("name", {"name": rng.choice(names)}), ("last four digits", {"phone_last4": "0042"}),
                            ("name + last four digits", {"name": "王明", "phone_last4": "0042"})):
        times = []
        for _ in range(20):
            t0 = time.perf_counter()
            list(petition_find(user=operator, **criteria)[:100])
            times.append(time.perf_counter() - t0)
        print(f"search by {label}: {_p(times)} (newest 100)")
    with connection.cursor() as cursor:
        for label, query in (("history", Petition.objects.filter(complainant_phone=phones[0]).order_by("-received_at")[:20]),
                             ("last four", petition_find(user=operator, phone_last4="0042")[:100])):
            sql, params = query.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            plan = " / ".join(row[0].strip() for row in cursor.fetchall()[:3])
            print(f"plan ({label}): {plan[:220]}")


if __name__ == "__main__":
    main()
