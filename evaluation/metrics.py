"""一比三率: the four metrics, exactly as DOMAIN.md section 7 defines them,
for any period, from the pre-aggregated daily figures.

- 万人诉求比 petitions per 10,000 people = petitions in an area / its population × 10,000
- 响应率 response rate  = signed for within the limit / dispatched
- 解决率 resolution rate = confirmed solved by the citizen / rated
- 满意率 satisfaction    = (satisfied + basically satisfied) / rated

A rate with no denominator is None ("—"), never 0% or 100%.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from django.conf import settings

from evaluation.models import DailyStat, Scope
from org.models import Area, HandlingUnit

DEFINITIONS = {
    "per_10k": _("Petitions per 10,000 people (万人诉求比): petitions received in the area ÷ its resident population × 10,000."),
    "response": _("Response rate (响应率): petitions signed for within the time limit ÷ petitions dispatched."),
    "resolution": _("Resolution rate (解决率): petitions the citizen confirms solved ÷ petitions rated."),
    "satisfaction": _("Satisfaction rate (满意率): satisfied and basically satisfied ÷ petitions rated."),
}
METRICS = ("per_10k", "response", "resolution", "satisfaction")
COUNTERS = ("petitions", "dispatched", "signed_in_time", "rated", "solved", "satisfied")


def ratio(numerator: int, denominator: int) -> float | None:
    return None if not denominator else numerator / denominator


@dataclass
class Row:
    key: int
    name: str
    population: int | None
    counts: dict[str, int]
    values: dict[str, float | None] = field(default_factory=dict)
    ranks: dict[str, int | None] = field(default_factory=dict)

    def compute(self) -> "Row":
        c = self.counts
        self.values = {
            "per_10k": (c["petitions"] / self.population * 10_000) if self.population else None,
            "response": ratio(c["signed_in_time"], c["dispatched"]),
            "resolution": ratio(c["solved"], c["rated"]),
            "satisfaction": ratio(c["satisfied"], c["rated"]),
        }
        return self


def _sums(scope: str, first: dt.date, last: dt.date, group: str) -> dict[int, dict[str, int]]:
    rows = (DailyStat.objects.filter(scope=scope, day__gte=first, day__lte=last)
            .values(group).annotate(**{c: Sum(c) for c in COUNTERS}).order_by())
    return {row[group]: {c: row[c] or 0 for c in COUNTERS} for row in rows}


# The sample a rate must rest on to be ranked (DOMAIN.md section 7): one rated petition must not top the city.
SAMPLE_OF = {"response": "dispatched", "resolution": "rated", "satisfaction": "rated"}


def rank(rows: list[Row]) -> list[Row]:
    """Rank each metric: lower 万人诉求比 is better, higher rates are better; equal values share a rank
    (1, 1, 3); rows without a value, or whose rate rests on fewer than PORTAL_RANK_MIN_SAMPLE petitions,
    are listed but not ranked."""
    minimum = settings.PORTAL_RANK_MIN_SAMPLE
    for metric in METRICS:
        present = [r for r in rows if r.values[metric] is not None
                   and (metric not in SAMPLE_OF or r.counts[SAMPLE_OF[metric]] >= minimum)]
        present.sort(key=lambda r: r.values[metric], reverse=metric != "per_10k")
        position, previous = 0, object()
        for index, row in enumerate(present, start=1):
            value = round(row.values[metric], 10)
            if value != previous:
                position, previous = index, value
            row.ranks[metric] = position
        for row in rows:
            row.ranks.setdefault(metric, None)
    return rows


def districts(first: dt.date, last: dt.date) -> list[Row]:
    sums = _sums(Scope.DISTRICT, first, last, "area_id")
    empty = dict.fromkeys(COUNTERS, 0)
    rows = [Row(a.pk, a.name, a.population, sums.get(a.pk, dict(empty))).compute()
            for a in Area.objects.filter(level=Area.Level.DISTRICT, is_active=True).order_by("code")]
    return rank(rows)


def units(first: dt.date, last: dt.date) -> list[Row]:
    """Every unit that had work in the period (万人诉求比 is an area's figure: not for units)."""
    sums = _sums(Scope.UNIT, first, last, "unit_id")
    names = dict(HandlingUnit.objects.filter(pk__in=sums).values_list("pk", "name"))
    rows = [Row(pk, names.get(pk, str(pk)), None, counts).compute() for pk, counts in sums.items()]
    rows.sort(key=lambda r: r.name)
    return rank(rows)


def city(first: dt.date, last: dt.date) -> Row:
    area = Area.objects.filter(level=Area.Level.CITY).first()
    sums = _sums(Scope.CITY, first, last, "area_id")
    counts = sums.get(area.pk if area else None, dict.fromkeys(COUNTERS, 0))
    return Row(area.pk if area else 0, area.name if area else "", area.population if area else None, counts).compute()


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def period_bounds(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The day, ISO week, month or year containing `day`."""
    if kind == "daily":
        return day, day
    if kind == "weekly":
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    if kind == "monthly":
        return month_bounds(day.year, day.month)
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


def bulletin(first: dt.date, last: dt.date) -> dict:
    """Everything a bulletin shows, with no personal data."""
    def serial(row: Row) -> dict:
        return {"id": row.key, "name": row.name, "population": row.population, "counts": row.counts,
                "values": row.values, "ranks": row.ranks}

    return {
        "first": first.isoformat(), "last": last.isoformat(),
        "city": serial(city(first, last)),
        "districts": [serial(r) for r in districts(first, last)],
        "units": [serial(r) for r in units(first, last)],
    }
