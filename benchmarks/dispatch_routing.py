"""How fast does the catalog decide? (issue 3: at least 5,000 petitions a
second with a 10,000-rule catalog, without scanning the rule table.)

    python benchmarks/dispatch_routing.py [--rules 10000] [--petitions 50000]

Loads the demo city, adds generated rules (sector and territorial, on items
at every level, on districts, streets and communities, a third with
keywords), then times `routing.decide` on generated petitions.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time

from _django import machine, setup


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rules", type=int, default=10_000)
    parser.add_argument("--petitions", type=int, default=50_000)
    args = parser.parse_args()
    setup("routing")
    from django.utils import timezone

    from dispatch import routing
    from dispatch.models import CatalogRule, RuleKind, Target
    from org import demo as org_demo
    from org.models import Area, Classification, HandlingUnit

    org_demo.load()
    rng = random.Random(12345)
    items = list(Classification.objects.all())
    leaves = [c for c in items if c.is_leaf]
    areas = list(Area.objects.exclude(level="city"))
    units = list(HandlingUnit.objects.exclude(kind="platform").values_list("pk", flat=True))
    words = ["学校", "医院", "夜间", "老人", "商铺", "工地", "小区", "地铁", "公园", "菜市场"]
    now = timezone.now()
    CatalogRule.objects.all().delete()
    rules = []
    for index in range(args.rules):
        territorial = index % 3 == 0
        rules.append(CatalogRule(
            key=f"bench-{index}", version=1, kind=RuleKind.TERRITORIAL if territorial else RuleKind.SECTOR,
            classification=rng.choice(items), area=rng.choice(areas) if rng.random() < 0.8 else None,
            keywords=",".join(rng.sample(words, 2)) if rng.random() < 0.33 else "",
            target=Target.STREET if territorial else Target.UNIT,
            lead_unit_id=None if territorial else rng.choice(units), created_at=now,
        ))
    CatalogRule.objects.bulk_create(rules, batch_size=2000)
    CatalogRule.objects.create(key="bench-fallback", version=1, kind="territorial", target=Target.DISTRICT,
                               is_fallback=True, created_at=now)
    routing.invalidate()
    started = time.perf_counter()
    catalog = routing.compile_catalog()
    compile_seconds = time.perf_counter() - started
    samples = [
        (rng.choice(leaves), rng.choice(areas), "".join(rng.sample(words, 3)) + "反映的问题")
        for _ in range(args.petitions)
    ]
    inputs = [(c.path, a.path, text, c.sector_id) for c, a, text in samples]
    routed = 0
    latencies = []
    started = time.perf_counter()
    for class_path, area_path, text, sector_id in inputs:
        t0 = time.perf_counter()
        decision = routing.decide(classification_path=class_path, area_path=area_path, text=text,
                                  sector_id=sector_id, catalog=catalog)
        latencies.append(time.perf_counter() - t0)
        routed += decision.routed
    seconds = time.perf_counter() - started
    latencies.sort()
    print(f"machine: {machine()}")
    print(f"rules: {catalog.rule_count} active, the fallback included; compile: {compile_seconds * 1000:.0f} ms")
    print(f"decisions: {len(inputs)} in {seconds:.2f} s = {len(inputs) / seconds:,.0f} per second; "
          f"routed {routed / len(inputs):.1%}")
    print(f"latency: p50 {statistics.median(latencies) * 1e6:.0f} µs, "
          f"p95 {latencies[int(len(latencies) * 0.95)] * 1e6:.0f} µs, max {latencies[-1] * 1e6:.0f} µs")


if __name__ == "__main__":
    main()
