"""Chinese search latency: the operators' search (number, phone, words of the
title/content/address) on the city-year data of benchmarks/generate.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city python benchmarks/search.py
"""
from __future__ import annotations

import statistics
import time

from _django import machine, setup


def main() -> None:
    setup("search")
    from petitions.models import Petition
    from petitions.selectors import petition_search

    total = Petition.objects.count()
    sample = Petition.objects.order_by("-id").values_list("number", "complainant_phone").first() or ("0", "0")
    print(f"machine: {machine()}; {total:,} petitions")
    for label, term in (("tracking number", sample[0]), ("phone", sample[1]), ("common words 物业 停车", "物业 停车"),
                        ("rare word 无人机", "无人机")):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            list(petition_search(Petition.objects.all(), term).order_by("-received_at")[:50])
            times.append(time.perf_counter() - t0)
        print(f"search by {label}: p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
              f"(first 50, newest first)")


if __name__ == "__main__":
    main()
