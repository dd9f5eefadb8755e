"""Keeping DailyStat current, and rebuilding it from scratch.

What each counter counts (docs/evaluation.md):
- petitions: petitions received that day, by district and for the city (routed-out
  media items and merged duplicates excluded); the city's row also by channel (`channels`);
- sign_due / signed_in_time (响应率, DOMAIN.md section 7): assignments whose sign-for limit fell that
  day, minus those the platform withdrew before their limit (re-dispatch, merge, consultation, a closed
  petition: the unit had no chance to sign; a return the unit asked for by its limit, whenever the platform
  approved it: the platform's decision time is not the unit's), and of those the ones signed for by the
  limit. A limit that has not come yet (later today, when the row is computed) is neither met nor missed:
  only an assignment already signed for counts before its limit. Units count all their assignments (lead
  and co-handling); districts and the city count lead assignments;
- perfunctory: answers submitted that day that the reviewer was warned of (dispatch.perfunctory),
  credited to the unit that wrote them.

解决率 and 满意率 are not daily counters: they count each petition rated in a period once, by its
last rating in that period, which no sum of days can give; `rating_counts` computes them for the period
from the ratings directly.

Each counter is tied to one day that never changes once the day has passed: a limit that fell
yesterday can no longer be met or withdrawn before it; so refreshing the last REFRESH_DAYS days keeps
the table exact, and the rebuild command recomputes everything and checks it against a direct
computation. Two exceptions, both the platform's decisions, refresh the day they change whenever they come
(`day_changed`, connected in evaluation.apps): a return the unit asked for by its limit and approved later
(the day of that limit, `on_return_decided`), and a petition merged into another or routed out (the day it
was received, `on_petition_status_changed`).
"""
from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from config.db_router import reports_alias
from dispatch.models import Assignment, AssignmentStatus, Reply, RequestStatus, ReturnRequest, Role
from evaluation.models import DailyStat, Scope, Snapshot
from org.models import Area
from petitions.models import Petition, Rating, Satisfaction, Status

SH = ZoneInfo("Asia/Shanghai")
REFRESH_DAYS = 12  # covers sign-for in time after the longest holiday (National Day: 8 days off)
COUNTERS = ("petitions", "sign_due", "signed_in_time", "perfunctory")
RATING_COUNTERS = ("rated", "solved", "satisfied")


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return (dt.datetime.combine(first, dt.time.min, tzinfo=SH),
            dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=SH))


def counted_petitions():
    # Reports read the replica when there is one (config.db_router).
    return Petition.objects.using(reports_alias()).exclude(status__in=[Status.ROUTED_OUT, Status.MERGED])


# A return (退单) the unit asked for by its limit and the platform approved, whenever it decided: the time the
# request waited for the platform is the platform's, not the unit's (DOMAIN.md section 4; docs/evaluation.md).
RETURNED_IN_TIME = Exists(ReturnRequest.objects.filter(assignment=OuterRef("pk"), status=RequestStatus.APPROVED,
                                                       requested_at__lte=OuterRef("sign_due_at")))
# Withdrawn by the platform before the unit's limit, or on a return asked for by it: not the unit's to answer for.
WITHDRAWN_IN_TIME = Q(status=AssignmentStatus.CANCELLED) & (Q(closed_at__lt=F("sign_due_at")) | Q(RETURNED_IN_TIME))


def clocked_assignments():
    """The assignments the response rate judges: those with a sign-for limit the platform left standing."""
    return Assignment.objects.filter(sign_due_at__isnull=False).exclude(WITHDRAWN_IN_TIME)


def rating_with_lead():
    # The lead unit of the round rated: the lead that was live when the rating was made (the latest
    # dispatched before it and not withdrawn before it).
    lead = (Assignment.objects.filter(petition=OuterRef("petition"), role=Role.LEAD,
                                      dispatched_at__lte=OuterRef("rated_at"))
            .exclude(status=AssignmentStatus.CANCELLED, closed_at__lte=OuterRef("rated_at"))
            .order_by("-dispatched_at").values("unit_id")[:1])
    return Rating.objects.annotate(lead_unit=Subquery(lead))


def last_ratings(first: dt.date, last: dt.date):
    """Each petition rated in [first, last] once, by its last rating in the period."""
    start, end = _bounds(first, last)
    later = Rating.objects.filter(petition=OuterRef("petition"), rated_at__gte=start, rated_at__lt=end).filter(
        Q(rated_at__gt=OuterRef("rated_at")) | Q(rated_at=OuterRef("rated_at"), pk__gt=OuterRef("pk")))
    return (rating_with_lead().using(reports_alias()).filter(rated_at__gte=start, rated_at__lt=end)
            .exclude(Exists(later)))


def rating_counts(first: dt.date, last: dt.date) -> dict[tuple, dict[str, int]]:
    """解决率 and 满意率 counters per (scope, area_id, unit_id) for the period: petitions, not ratings.
    A petition rated unsatisfied and then satisfied in the period counts once, as satisfied; each is
    credited to the lead unit of the round rated, its district and the city.

    Read from the period's stored snapshot (the petitions whose ratings in the period all came before its
    `as_of`) plus the petitions rated since, counted here by the same rule: exactly `rating_counts_direct`,
    at the cost of the last minutes' ratings instead of the whole period's."""
    now = timezone.now()
    start, end = _bounds(first, last)
    key = _ratings_key(first, last)
    # Only the periods the pages and reports ask for are stored; any other (the metrics API takes any period)
    # is kept in the cache, which forgets: the table does not grow with the periods asked for.
    stored = canonical(first, last, today=now.astimezone(SH).date())
    snapshot = Snapshot.objects.filter(key=key).first() if stored else cache.get(f"snapshot:{key}")
    if snapshot is None or (snapshot.as_of < end and now - snapshot.computed_at > SNAPSHOT_REBUILD):
        snapshot = rating_snapshot(first, last, now=now, store=stored)
        if not stored:
            cache.set(f"snapshot:{key}", snapshot, int(SNAPSHOT_REBUILD.total_seconds()))
    counts = _decode(snapshot.data)
    if snapshot.as_of >= end:  # the period ended before the snapshot: nothing can be added to it
        return counts
    recent = Rating.objects.using(reports_alias()).filter(rated_at__gte=max(start, snapshot.as_of), rated_at__lt=end)
    # The ratings since the snapshot, from a range of the rated_at index: the last minutes' few rows.
    mark = recent.aggregate(n=Count("pk"), last_id=Max("pk"), latest=Max("rated_at"))
    if not mark["n"]:
        return counts
    # Their counters are kept in the cache under what identifies them (ratings are only ever added: a new one
    # changes the count and the last id), so the dashboards and the statistics page, which ask for a dozen
    # periods a request, count them once between two ratings, not on every request (issue 20, target 3).
    key = (f"ratings-delta:{first.isoformat()}:{last.isoformat()}:{snapshot.pk}:{snapshot.computed_at.timestamp()}:"
           f"{mark['n']}:{mark['last_id']}:{mark['latest'].timestamp()}")
    delta = cache.get(key)
    if delta is None:
        delta = {k: dict(v) for k, v in rating_counts_direct(first, last, petitions=recent.values("petition_id")).items()}
        cache.set(key, delta, DELTA_KEPT)
    for row, values in delta.items():
        for counter, n in values.items():
            counts[row][counter] += n
    return counts


DELTA_KEPT = 15 * 60  # seconds: a snapshot is recomputed at least this often (refresh_stats, every 5 minutes)


# A snapshot counts the ratings made up to SNAPSHOT_MARGIN before it was computed (a rating's transaction
# commits within that); it is recomputed when older than SNAPSHOT_REBUILD (and by the refresh_stats task).
SNAPSHOT_MARGIN = dt.timedelta(minutes=5)
SNAPSHOT_REBUILD = dt.timedelta(hours=1)


def _ratings_key(first: dt.date, last: dt.date) -> str:
    return f"ratings:{first.isoformat()}:{last.isoformat()}"


def _whole_period(first: dt.date, last: dt.date) -> bool:
    """A day, an ISO week, a calendar month or a calendar year: the reports' and the dashboard's periods."""
    return (first == last
            or (first.weekday() == 0 and last == first + dt.timedelta(days=6))
            or (first.day == 1 and last == first.replace(day=calendar.monthrange(first.year, first.month)[1]))
            or (first == dt.date(first.year, 1, 1) and last == dt.date(first.year, 12, 31)))


def _to_date(first: dt.date, last: dt.date, today: dt.date) -> bool:
    """This month or this year so far (the home page, the statistics page): one such period a day."""
    return last == today and first in (today.replace(day=1), dt.date(today.year, 1, 1))


def canonical(first: dt.date, last: dt.date, *, today: dt.date) -> bool:
    """The periods whose rating snapshots are stored: a few a day, whatever the periods asked for."""
    return _whole_period(first, last) or _to_date(first, last, today)


def _decode(data) -> dict[tuple, dict[str, int]]:
    counts: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(RATING_COUNTERS, 0))
    for scope, area, unit, *values in data.get("rows", []):
        counts[(scope, area, unit)] = dict(zip(RATING_COUNTERS, values))
    return counts


def rating_snapshot(first: dt.date, last: dt.date, *, now: dt.datetime | None = None,
                    store: bool = True) -> Snapshot:
    """The period's rating counters over the petitions whose ratings in it all came before now − margin; stored
    unless `store` is False (a period that is not `canonical`: the caller keeps it in the cache)."""
    now = now or timezone.now()
    as_of = now - SNAPSHOT_MARGIN
    start, end = _bounds(first, last)
    since = Rating.objects.using(reports_alias()).filter(rated_at__gte=max(start, as_of), rated_at__lt=end)
    counts = rating_counts_direct(first, last, exclude=since.values("petition_id"))
    rows = [[*key, *(values[c] for c in RATING_COUNTERS)] for key, values in counts.items()]
    key = _ratings_key(first, last)
    if not store:
        return Snapshot(key=key, first=first, last=last, as_of=as_of, computed_at=now, data={"rows": rows})
    snapshot = snapshot_store(key, first, last, as_of=as_of, now=now, data={"rows": rows})
    if not _whole_period(first, last):  # a period to date: yesterday's is never asked for again
        earlier = Snapshot.objects.filter(key__startswith="ratings:", first=first, last__lt=last)
        stale = [pk for pk, begun, ended in earlier.values_list("pk", "first", "last")
                 if not _whole_period(begun, ended)]
        Snapshot.objects.filter(pk__in=stale).delete()
    return snapshot


def snapshot_store(key: str, first: dt.date, last: dt.date, *, as_of: dt.datetime, now: dt.datetime,
                   data) -> Snapshot:
    snapshot = Snapshot(key=key, first=first, last=last, as_of=as_of, computed_at=now, data=data)
    Snapshot.objects.bulk_create([snapshot], update_conflicts=True, unique_fields=["key"],
                                 update_fields=["first", "last", "as_of", "computed_at", "data"])
    return snapshot


def snapshots_invalidate(rated_at: dt.datetime) -> int:
    """A rating recorded before a snapshot's `as_of` (a late commit, a correction, an import): the snapshots of
    the periods containing it are dropped and recomputed on the next read."""
    day = rated_at.astimezone(SH).date()
    dropped = Snapshot.objects.filter(key__startswith="ratings:", first__lte=day, last__gte=day,
                                      as_of__gt=rated_at).delete()[0]
    # The 12-month chart stores its closed months' satisfaction for good: computed after the rating's time, it
    # left the rating out.
    return dropped + stored_figures_drop(day, prefixes=("series:",), before=rated_at)


def rating_counts_direct(first: dt.date, last: dt.date, *, petitions=None,
                         exclude=None) -> dict[tuple, dict[str, int]]:
    """`rating_counts` computed from the ratings of the whole period (optionally of some petitions only, or
    all but some): the full recount the snapshots are checked against."""
    city_id = Area.objects.filter(level=Area.Level.CITY).values_list("pk", flat=True).first()
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(RATING_COUNTERS, 0))
    counters = {"n": Count("pk"), "solved_n": Count("pk", filter=SOLVED), "sat": Count("pk", filter=SATISFIED)}
    ratings = last_ratings(first, last)
    if petitions is not None:
        ratings = ratings.filter(petition_id__in=petitions)
    if exclude is not None:
        ratings = ratings.exclude(petition_id__in=exclude)
    for row in (ratings.values("lead_unit", "petition__district_id").annotate(**counters).order_by()):
        keys = [(Scope.CITY, city_id, None)]
        if row["petition__district_id"]:
            keys.append((Scope.DISTRICT, row["petition__district_id"], None))
        if row["lead_unit"]:
            keys.append((Scope.UNIT, None, row["lead_unit"]))
        for key in keys:
            rows[key]["rated"] += row["n"]
            rows[key]["solved"] += row["solved_n"]
            rows[key]["satisfied"] += row["sat"]
    return rows


IN_TIME = Q(signed_at__isnull=False, signed_at__lte=F("sign_due_at"))
SOLVED = Q(solved=True)
SATISFIED = Q(satisfaction__in=[Satisfaction.SATISFIED, Satisfaction.BASIC])


def compute(first: dt.date, last: dt.date, *, by_day: bool = True,
            now: dt.datetime | None = None) -> dict[tuple, dict[str, int]]:
    """Counters per (day, scope, area_id, unit_id) from the source rows as they stand at `now` (day is
    None with by_day=False: the direct computation the rebuild checks against)."""
    now = now or timezone.now()
    start, end = _bounds(first, last)
    rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    city_id = Area.objects.filter(level=Area.Level.CITY).values_list("pk", flat=True).first()

    def day_of(field):
        return {"day": TruncDate(field, tzinfo=SH)} if by_day else {}

    def add(query, field, groups, counters):
        keys = (["day"] if by_day else []) + groups
        for row in query.annotate(**day_of(field)).values(*keys).annotate(**counters).order_by():
            yield row.get("day"), row

    petitions = counted_petitions().filter(received_at__gte=start, received_at__lt=end)
    for day, row in add(petitions, "received_at", ["district_id", "channel"], {"n": Count("pk")}):
        city_row = rows[(day, Scope.CITY, city_id, None)]
        city_row["petitions"] += row["n"]
        channels = city_row.setdefault("channels", {})
        channels[row["channel"]] = channels.get(row["channel"], 0) + row["n"]
        if row["district_id"]:
            rows[(day, Scope.DISTRICT, row["district_id"], None)]["petitions"] += row["n"]

    # A limit still to come (later today) is neither met nor missed: it counts once it has passed, or once the
    # unit has signed for it (met, whatever happens later today). Past days are untouched (all their limits came).
    assignments = (clocked_assignments().filter(sign_due_at__gte=start, sign_due_at__lt=end)
                   .filter(Q(sign_due_at__lte=now) | IN_TIME))
    counters = {"n": Count("pk"), "ok": Count("pk", filter=IN_TIME)}
    for day, row in add(assignments, "sign_due_at", ["unit_id"], counters):
        target = rows[(day, Scope.UNIT, None, row["unit_id"])]
        target["sign_due"] += row["n"]
        target["signed_in_time"] += row["ok"]
    for day, row in add(assignments.filter(role=Role.LEAD), "sign_due_at", ["petition__district_id"], counters):
        for key in ((day, Scope.CITY, city_id, None),) + (
                ((day, Scope.DISTRICT, row["petition__district_id"], None),) if row["petition__district_id"] else ()):
            rows[key]["sign_due"] += row["n"]
            rows[key]["signed_in_time"] += row["ok"]

    replies = Reply.objects.filter(submitted_at__gte=start, submitted_at__lt=end).exclude(perfunctory=[])
    for day, row in add(replies, "submitted_at", ["assignment__unit_id", "petition__district_id"],
                        {"n": Count("pk")}):
        keys = [(day, Scope.CITY, city_id, None), (day, Scope.UNIT, None, row["assignment__unit_id"])]
        if row["petition__district_id"]:
            keys.append((day, Scope.DISTRICT, row["petition__district_id"], None))
        for key in keys:
            rows[key]["perfunctory"] += row["n"]
    return rows


def refresh(first: dt.date, last: dt.date, *, now: dt.datetime | None = None) -> int:
    """Recompute the DailyStat rows of [first, last] (inclusive) in one transaction, as they stand at `now`."""
    rows = compute(first, last, now=now)
    with transaction.atomic():
        DailyStat.objects.filter(day__gte=first, day__lte=last).delete()
        DailyStat.objects.bulk_create(
            [DailyStat(day=day, scope=scope, area_id=area, unit_id=unit, **values)
             for (day, scope, area, unit), values in rows.items() if any(values[c] for c in COUNTERS)],
            batch_size=5000,
        )
    return len(rows)


def on_return_decided(sender, instance: ReturnRequest, update_fields=None, **kwargs) -> None:
    """A return the unit asked for by its sign-for limit, approved after the limit: the day of that limit loses the
    assignment (RETURNED_IN_TIME). Within the last REFRESH_DAYS days the beat's refresh sees it within minutes; an
    older day is refreshed here, after the decision commits, so the table stays what a full recount gives. Only
    the platform's return decisions pass here: nothing is added to the intake path."""
    if instance.status != RequestStatus.APPROVED or (update_fields is not None and "status" not in update_fields):
        return
    due = Assignment.objects.filter(pk=instance.assignment_id).values_list("sign_due_at", flat=True).first()
    if due is None or instance.requested_at > due:
        return
    day = due.astimezone(SH).date()
    transaction.on_commit(lambda: day_changed(day))


# A petition that leaves the count (aggregates.counted_petitions) after it was counted: merged into another
# (dispatch.services.dispatch_merge, from any open status) or routed out after screening.
LEFT_THE_COUNT = (Status.MERGED, Status.ROUTED_OUT)


def on_petition_status_changed(sender, petition_id: int, to_status: str, **kwargs) -> None:
    """A petition merged or routed out is no longer counted on the day it was received, however long ago that
    was (petitions.signals.petition_status_changed, sent after commit; connected in evaluation.apps)."""
    if to_status not in LEFT_THE_COUNT:
        return
    received = Petition.objects.filter(pk=petition_id).values_list("received_at", flat=True).first()
    if received is not None:
        day_changed(received.astimezone(SH).date())


def day_changed(day: dt.date) -> None:
    """A decision changed what a past day counts. Within the last REFRESH_DAYS days the beat's refresh sees it
    within minutes, and the stored figures of those periods are recomputed before they age (evaluation.snapshots).
    An older day is recomputed here, and the figures stored for good of the periods that contain it (problem
    analysis, the 12-month chart) are dropped, to be recomputed on the next read: the stored figures stay what a
    full recount gives."""
    if day < timezone.localdate() - dt.timedelta(days=REFRESH_DAYS):
        refresh(day, day)
        stored_figures_drop(day)


# The stored figures computed from the days' counters or the petitions (evaluation.snapshots), by key prefix.
DAY_FIGURES = ("analysis:", "series:")


def stored_figures_drop(day: dt.date, *, prefixes=DAY_FIGURES, before: dt.datetime | None = None) -> int:
    """Drop the stored figures of the periods containing `day` (computed after `before`, if given)."""
    keys = Q()
    for prefix in prefixes:
        keys |= Q(key__startswith=prefix)
    stored = Snapshot.objects.filter(keys, first__lte=day, last__gte=day)
    if before is not None:
        stored = stored.filter(computed_at__gt=before)
    return stored.delete()[0]


def refresh_recent(today: dt.date | None = None) -> int:
    today = today or timezone.localdate()
    return refresh(today - dt.timedelta(days=REFRESH_DAYS), today)


def span() -> tuple[dt.date, dt.date] | None:
    first = Petition.objects.order_by("received_at").values_list("received_at", flat=True).first()
    if first is None:
        return None
    return first.astimezone(SH).date(), timezone.localdate()


def rebuild(*, chunk_days: int = 31, progress=None, now: dt.datetime | None = None) -> int:
    """Recompute every day, a month at a time (bounded memory at any size), as they stand at `now` (the same
    `now` as the check that follows: a limit passing in between would otherwise differ)."""
    now = now or timezone.now()
    bounds = span()
    if bounds is None:
        DailyStat.objects.all().delete()
        return 0
    first, last = bounds
    DailyStat.objects.filter(Q(day__lt=first) | Q(day__gt=last)).delete()
    total, cursor = 0, first
    while cursor <= last:
        stop = min(cursor + dt.timedelta(days=chunk_days - 1), last)
        total += refresh(cursor, stop, now=now)
        if progress:
            progress(cursor, stop)
        cursor = stop + dt.timedelta(days=1)
    return total


def check(first: dt.date, last: dt.date, *, now: dt.datetime | None = None) -> list[str]:
    """Differences between DailyStat sums and a direct computation over [first, last] at `now` (the `now` the
    rows were computed at, for today's)."""
    direct = compute(first, last, by_day=False, now=now)
    stored = {
        (None, row["scope"], row["area_id"], row["unit_id"]): {c: row[c] for c in COUNTERS}
        for row in DailyStat.objects.filter(day__gte=first, day__lte=last)
        .values("scope", "area_id", "unit_id").annotate(**{c: Sum(c) for c in COUNTERS}).order_by()
    }
    problems = []
    for key in set(direct) | set(stored):
        a = {c: direct.get(key, {}).get(c, 0) for c in COUNTERS}
        b = {c: stored.get(key, {}).get(c, 0) for c in COUNTERS}
        if a != b:
            problems.append(f"{key[1:]}: direct {a} != stored {b}")
    city_id = Area.objects.filter(level=Area.Level.CITY).values_list("pk", flat=True).first()
    a = direct.get((None, Scope.CITY, city_id, None), {}).get("channels", {})
    b = channel_sums(first, last)
    if a != b:
        problems.append(f"channels: direct {a} != stored {b}")
    return problems


def channel_sums(first: dt.date, last: dt.date) -> dict[str, int]:
    """The city's petitions by channel over [first, last], from the city's daily rows (a row a day)."""
    sums: dict[str, int] = defaultdict(int)
    for channels in DailyStat.objects.filter(scope=Scope.CITY, day__gte=first, day__lte=last).values_list(
            "channels", flat=True):
        for channel, n in (channels or {}).items():
            sums[channel] += n
    return dict(sums)
