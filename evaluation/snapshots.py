"""Stored figures for the evaluation dashboard, the bulletins and the statistics page (issue 20, target 3):
each request reads a handful of rows whatever the size of the city.

- The 一比三率 figures come from DailyStat (days) and the rating snapshots (evaluation.aggregates.rating_counts:
  exact, the ratings since the snapshot counted at read time).
- The problem analysis of a period (top items, hotspots, repeated matters, rising keywords, topics)
  scans the period's petitions: it is stored, for good once the period is final (all its days past and
  refreshed: aggregates.REFRESH_DAYS), otherwise for ANALYSIS_MAX_AGE, and the refresh_stats task recomputes
  the current ones before they age, so a reader does not wait for it.
"""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from evaluation import aggregates, analysis, metrics
from evaluation.models import Snapshot, Topic

ANALYSIS_MAX_AGE = dt.timedelta(minutes=15)
REFRESH_EVERY = dt.timedelta(minutes=5)  # evaluation.tasks.refresh_stats (config/settings.py)


def final(last: dt.date, today: dt.date | None = None) -> bool:
    """A period whose days are all past and refreshed: its figures no longer change."""
    today = today or timezone.localdate()
    return last < today - dt.timedelta(days=aggregates.REFRESH_DAYS)


def _stored(key: str, first: dt.date, last: dt.date, compute, *, force: bool = False):
    """The stored figures under `key`, computed now if missing or aged; `force`: unless a reader would still
    find them fresh at the next refresh (the refresh task does not recompute them every time)."""
    now = timezone.now()
    row = Snapshot.objects.filter(key=key).first()
    max_age = ANALYSIS_MAX_AGE - REFRESH_EVERY * 2 if force else ANALYSIS_MAX_AGE
    if row is not None and (final(row.last, timezone.localdate(row.computed_at))
                            or now - row.computed_at < max_age):
        return row.data
    data = compute()
    aggregates.snapshot_store(key, first, last, as_of=now, now=now, data=data)
    return data


def period_analysis(first: dt.date, last: dt.date, *, force: bool = False) -> dict:
    """The problem analysis of the period, as the dashboard shows it."""
    def compute():
        return {
            "top": analysis.top_classifications(first, last), "hotspots": analysis.hotspots(first, last),
            "repeated": analysis.repeated_matters(first, last, minimum=3),
            "keywords": analysis.rising_keywords(first, last),
        }
    # The petitions by channel are not here: they come with the headline, from the daily rows (metrics.bulletin).
    return _stored(f"analysis:{first.isoformat()}:{last.isoformat()}", first, last, compute, force=force)


def topics(*, force: bool = False) -> list[tuple]:
    """The live topics with how many petitions each covers and how many are closed."""
    today = timezone.localdate()
    live = list(Topic.objects.exclude(status=Topic.Status.DONE)[:20])
    summaries = _stored(f"topics:{today.isoformat()}", today, today,
                        lambda: {str(t.pk): analysis.topic_summary(t) for t in live}, force=force)
    # A topic adopted since the figures were stored is counted now; the progress is always the topic's own.
    return [(t, {**(summaries.get(str(t.pk)) or analysis.topic_summary(t)), "progress": t.progress}) for t in live]


def monthly_series(months: int = 12) -> dict:
    """The city's figures for the last `months` months: the final months stored together, the live ones
    (this month, and last month for its first REFRESH_DAYS days) computed from DailyStat and the snapshots."""
    today = timezone.localdate()
    year, month = today.year, today.month
    periods = []
    for _ in range(months):
        periods.append(metrics.month_bounds(year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    periods.reverse()
    closed = [p for p in periods if final(p[1], today)]
    stored = {}
    if closed:
        stored = _stored(f"series:{closed[0][0].isoformat()}:{closed[-1][1].isoformat()}", closed[0][0], closed[-1][1],
                         lambda: {first.isoformat(): _city_point(first, last) for first, last in closed})
    series = {"labels": [], "petitions": [], "satisfaction": [], "response": []}
    for first, last in periods:
        point = stored.get(first.isoformat()) or _city_point(first, last)
        series["labels"].append(first.strftime("%Y-%m"))
        for name in ("petitions", "satisfaction", "response"):
            series[name].append(point[name])
    return series


def _city_point(first: dt.date, last: dt.date) -> dict:
    row = metrics.city(first, last)

    def pct(value):
        return round(value * 100, 2) if value is not None else None
    return {"petitions": row.counts["petitions"], "satisfaction": pct(row.values["satisfaction"]),
            "response": pct(row.values["response"])}


def refresh(today: dt.date | None = None) -> int:
    """Recompute the snapshots of the live periods before they age (the refresh_stats task, every 5 minutes):
    this month's and last month's ratings and analysis, the year so far (the statistics page), the topics."""
    today = today or timezone.localdate()
    this_month = metrics.month_bounds(today.year, today.month)
    previous = metrics.month_bounds(*(today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12))
    periods = [this_month, (dt.date(today.year, 1, 1), today)] + ([] if final(previous[1], today) else [previous])
    for first, last in periods:
        aggregates.rating_snapshot(first, last)
    for first, last in [this_month] + ([] if final(previous[1], today) else [previous]):
        period_analysis(first, last, force=True)
    topics(force=True)
    return len(periods)


def on_rating_saved(sender, instance, created, **kwargs):
    if created:
        aggregates.snapshots_invalidate(instance.rated_at)
