"""Chinese search latency: the operators' search (number, phone, words of the title/content/address) on the
city-year data of benchmarks/generate.py, whose texts come from the complaint corpus (benchmarks/corpus.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_city_texts python benchmarks/search.py

Each search is timed as the operators' page runs it (the newest 50 matches) and its match count is reported
beside the timing (counted once, separately): a rare word (无人机, in about 20 petitions), a common word (物业,
in many) and two common words together (物业 停车).
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
    # A real tracking number (digits: the date and a serial), the newest: bench_dashboards.py's open petitions,
    # numbered "O…", may be loaded in the same database and are not what a citizen quotes.
    sample = (Petition.objects.filter(number__lt="A").order_by("-number")
              .values_list("number", "complainant_phone").first() or ("0", "0"))
    print(f"machine: {machine()}; {total:,} petitions")
    for label, term in (("tracking number", sample[0]), ("phone", sample[1]), ("rare word 无人机", "无人机"),
                        ("common word 物业", "物业"), ("two common words 物业 停车", "物业 停车")):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            page = list(petition_search(Petition.objects.all(), term).order_by("-received_at")[:50])
            times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        matches = petition_search(Petition.objects.all(), term).count()
        counted = time.perf_counter() - t0
        print(f"search by {label}: p50 {statistics.median(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms "
              f"(first {len(page)} of {matches:,} matches, newest first; counting them all: {counted * 1000:.0f} ms)")
        if not matches:
            raise SystemExit(f"the {label} search matched nothing: the data is not the corpus-generated city-year")


if __name__ == "__main__":
    main()
