"""一比三率: the four metrics, exactly as DOMAIN.md section 7 defines them, for any period
(docs/evaluation.md gives each with an example).

- 万人诉求比 petitions per 10,000 people = petitions in an area / its population × 10,000
- 响应率 response rate  = assignments signed for within their limit / assignments whose sign-for limit
  fell in the period (and has come, or was signed for), minus those the platform withdrew before their limit
  or on a return the unit asked for by its limit
- 解决率 resolution rate = petitions confirmed solved / petitions rated in the period
- 满意率 satisfaction    = petitions satisfied or basically satisfied / petitions rated in the period
  (each petition once, by its last rating in the period, credited to the lead unit of the round rated)

Petitions, limits and perfunctory answers come from the pre-aggregated daily figures; the rating
counters are computed for the period (evaluation.aggregates.rating_counts). A rate with no
denominator is None ("—"), never 0% or 100%.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from django.conf import settings

from evaluation import aggregates
from evaluation.models import DailyStat, Scope
from org.models import Area, HandlingUnit

DEFINITIONS = {
    "per_10k": _("Petitions per 10,000 people (万人诉求比): petitions received in the area ÷ its resident population × 10,000."),
    "response": _("Response rate (响应率): assignments signed for within their limit ÷ assignments whose "
                  "sign-for limit fell in the period, not counting those the platform withdrew before their limit "
                  "or on a return the unit asked for by its limit; a limit still to come counts only once signed "
                  "for."),
    "resolution": _("Resolution rate (解决率): petitions the citizen confirms solved ÷ petitions rated in the "
                    "period; each petition counts once, by its last rating in the period."),
    "satisfaction": _("Satisfaction rate (满意率): petitions satisfied or basically satisfied ÷ petitions rated in "
                      "the period; each petition counts once, by its last rating in the period."),
}
METRICS = ("per_10k", "response", "resolution", "satisfaction")
DAILY = aggregates.COUNTERS
COUNTERS = (*aggregates.COUNTERS, *aggregates.RATING_COUNTERS)


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
            "response": ratio(c["signed_in_time"], c["sign_due"]),
            "resolution": ratio(c["solved"], c["rated"]),
            "satisfaction": ratio(c["satisfied"], c["rated"]),
        }
        return self


def _sums(scope: str, first: dt.date, last: dt.date, group: str, ratings=None) -> dict[int, dict[str, int]]:
    rows = (DailyStat.objects.filter(scope=scope, day__gte=first, day__lte=last)
            .values(group).annotate(**{c: Sum(c) for c in DAILY}).order_by())
    sums = {row[group]: {c: row[c] or 0 for c in DAILY} | dict.fromkeys(aggregates.RATING_COUNTERS, 0)
            for row in rows}
    ratings = aggregates.rating_counts(first, last) if ratings is None else ratings
    position = {"area_id": 1, "unit_id": 2}[group]
    for key, counts in ratings.items():
        if key[0] == scope:
            sums.setdefault(key[position], dict.fromkeys(COUNTERS, 0)).update(counts)
    return sums


# The sample a rate must rest on to be ranked (DOMAIN.md section 7): one rated petition must not top the city.
SAMPLE_OF = {"response": "sign_due", "resolution": "rated", "satisfaction": "rated"}


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


# Tables are sorted by rank: the satisfaction rank first (the bulletin's headline), then the response rank;
# rows that are not ranked (too small a sample, no value) come last, by name.
SORT_METRICS = ("satisfaction", "resolution", "response")


def by_rank(rows: list[Row]) -> list[Row]:
    def key(row: Row):
        return tuple((row.ranks.get(m) is None, row.ranks.get(m) or 0) for m in SORT_METRICS) + (row.name,)
    return sorted(rows, key=key)


def districts(first: dt.date, last: dt.date, ratings=None) -> list[Row]:
    sums = _sums(Scope.DISTRICT, first, last, "area_id", ratings)
    empty = dict.fromkeys(COUNTERS, 0)
    rows = [Row(a.pk, a.name, a.population, sums.get(a.pk, dict(empty))).compute()
            for a in Area.objects.filter(level=Area.Level.DISTRICT, is_active=True).order_by("code")]
    return by_rank(rank(rows))


def units(first: dt.date, last: dt.date, ratings=None) -> list[Row]:
    """Every unit that had work in the period (万人诉求比 is an area's figure: not for units)."""
    sums = _sums(Scope.UNIT, first, last, "unit_id", ratings)
    names = dict(HandlingUnit.objects.filter(pk__in=sums).values_list("pk", "name"))
    rows = [Row(pk, names.get(pk, str(pk)), None, counts).compute() for pk, counts in sums.items()]
    return by_rank(rank(rows))


def city(first: dt.date, last: dt.date, ratings=None) -> Row:
    area = Area.objects.filter(level=Area.Level.CITY).first()
    sums = _sums(Scope.CITY, first, last, "area_id", ratings)
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

    ratings = aggregates.rating_counts(first, last)  # once for the three tables
    return {
        "first": first.isoformat(), "last": last.isoformat(),
        "city": serial(city(first, last, ratings)),
        "districts": [serial(r) for r in districts(first, last, ratings)],
        "units": [serial(r) for r in units(first, last, ratings)],
        # The city's petitions by channel, from the same daily rows as the headline: they add up to it, and a
        # report keeps them with the figures it was generated with (docs/evaluation.md).
        "by_channel": aggregates.channel_sums(first, last),
    }
