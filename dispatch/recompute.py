"""The calendar changed: recompute the open working-day deadlines it affects (issue 20, target 4).

When the State Council publishes next year's holidays, or an admin corrects a day, every open assignment whose
clock runs through a changed year may move: its handling deadline (`handle_due_at`), its yellow warning
(`warn_at`) and, while it waits to be signed for, its sign-for deadline (`sign_due_at`). At a million open
petitions a loop in Python takes many minutes, so on PostgreSQL it is done set-based, in the database:

- a working-day table with ordinals is built from `lib.workdays.WorkCalendar` (the same calendar the Python
  path uses) for the span of the affected clocks: every date with the number of working days up to it
  (`days`), and every working day by its ordinal (`workdays`). The Nth working day after the start day (day 0)
  is then the working day whose ordinal is the start day's + N: one hash join, no loop;
- the yellow warning needs, for a limit of N working days, the working day k = ceil(0.75 × N) after the start
  and the minute of its office hours (`dispatch.deadlines.warn_at`, `WorkCalendar.share_of_working_time`);
  both depend only on N, so a small table (`warn`) holds them, computed by the same arithmetic in Python;
- one UPDATE per range of ids writes the rows whose values changed (so a republished calendar that moves
  nothing writes nothing), each batch its own transaction so intake and the sweeps never wait long.

Limits in hours (urgent items) are counted round the clock and do not move; they are left alone, as before.
On SQLite (development, tests) the same recomputation runs as a Python loop in batches.

The UPDATE repeats, against the row it writes, every condition it was computed from (open, its extension and
waited days through the joins): a row changed by a concurrent extension or sign-for in the meantime no longer
matches and is left to that change, which computed its own clocks.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from dispatch import deadlines
from dispatch.models import Assignment, AssignmentStatus, WarningLevel
from lib.workdays import SHANGHAI, WorkCalendar
from org.calendar import fresh_calendar, get_calendar
from org.models import Classification

OPEN = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)
BATCH = 100_000
DONE_SECONDS = 24 * 3600


def recompute_deadlines(*, years: list[int], batch: int = BATCH) -> int:
    """Recompute the open working-day deadlines whose clock runs through `years`; returns the rows changed.

    A republished calendar sends one `calendar_changed` per day it deletes or saves (and the sync command one
    more for all its years), so dozens of these tasks arrive for one change. Each notes the years it covered
    under the calendar's version (`org.calendar.version`, new after every edit or sync); a task that finds its
    years already covered under the current version has nothing to do. New clocks always start on the current
    calendar, so skipping is safe; a task that fails notes nothing.
    """
    years = sorted(set(int(y) for y in years))
    if not years:
        return 0
    # Read the calendar again now, whatever this process's copy says, and note the years under the version it
    # was built from: a task arriving within a second of a change would otherwise count with the old calendar
    # and note the new version done, and the change would never be applied.
    _calendar, version = fresh_calendar()
    done = f"dispatch:recompute:{version}"
    if version and set(years) <= set(cache.get(done) or ()):
        return 0
    changed = _recompute_sql(years, batch) if settings.IS_POSTGRES else _recompute_python(years, batch)
    if version:
        cache.set(done, sorted(set(cache.get(done) or ()) | set(years)), DONE_SECONDS)
    return changed


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """[1 January, next 1 January) of `year`, Beijing time."""
    return (dt.datetime(year, 1, 1, tzinfo=SHANGHAI), dt.datetime(year + 1, 1, 1, tzinfo=SHANGHAI))


def _tier_days() -> dict[str, int]:
    return {value: int(value) for value, _label in Classification.Tier.choices if value.isdigit()}


def warn_point(days: int, share: float = deadlines.WARNING_SHARE,
               office: tuple[int, int] | None = None) -> tuple[int, int]:
    """For a limit of `days` working days: (the working day k after the start, the minute after midnight).

    The same arithmetic as `WorkCalendar.share_of_working_time`, which `tests/perf/test_recompute.py` checks
    row by row against `dispatch.deadlines.warn_at`.
    """
    opening, closing = office or settings.PORTAL_OFFICE_HOURS
    used = share * days
    ordinal = max(1, -int(-used // 1))  # ceil
    fraction = used - (ordinal - 1)
    return ordinal, min(opening + round((closing - opening) * fraction), closing - 1)


# --- SQLite and other databases: the Python loop, in batches ----------------------------------------------------

def _candidates():
    """Open assignments with a working-day clock (urgent items are counted in hours and do not move)."""
    return (Assignment.objects.filter(status__in=OPEN, clock_started_at__isnull=False, handle_due_at__isnull=False)
            .exclude(petition__classification__tier=Classification.Tier.URGENT))


def _in_years(queryset, years: list[int]):
    span = Q()
    for year in years:
        first, after = _year_bounds(year)
        span |= Q(clock_started_at__lt=after, handle_due_at__gte=first)
    return queryset.filter(span)


def _recompute_python(years: list[int], batch: int) -> int:
    affected, last = 0, 0
    rows = _in_years(_candidates(), years).select_related("petition__classification").order_by("pk")
    while True:
        chunk = list(rows.filter(pk__gt=last)[:batch])
        if not chunk:
            return affected
        last = chunk[-1].pk
        with transaction.atomic():
            for assignment in chunk:
                values = deadlines.clocks(assignment.clock_started_at, assignment.petition.classification,
                                          extended_days=assignment.extended_days,
                                          waited_days=assignment.waited_days,
                                          with_sign=assignment.status == AssignmentStatus.PENDING)
                values.pop("clock_started_at")
                changed = {k: v for k, v in values.items() if getattr(assignment, k) != v}
                if changed and assignment.warning == WarningLevel.YELLOW and values["warn_at"] > timezone.now():
                    changed["warning"] = WarningLevel.NONE  # its point moved back into the future
                if changed:
                    affected += Assignment.objects.filter(
                        pk=assignment.pk, status=assignment.status, extended_days=assignment.extended_days,
                        waited_days=assignment.waited_days).update(**changed)


# --- PostgreSQL: set-based ------------------------------------------------------------------------------------

_LOCAL_START = "(a.clock_started_at AT TIME ZONE 'Asia/Shanghai')::date"


def _span_sql(years: list[int]) -> tuple[str, list]:
    parts, params = [], []
    for year in years:
        first, after = _year_bounds(year)
        parts.append("(a.clock_started_at < %s AND a.handle_due_at >= %s)")
        params += [after, first]
    return "(" + " OR ".join(parts) + ")", params


def _days_sql() -> str:
    """The classification's limit in working days (7 until classified), from its tier."""
    tiers = " ".join(f"WHEN '{value}' THEN {days}" for value, days in _tier_days().items())
    return f"COALESCE(CASE c.tier {tiers} END, {deadlines.DEFAULT_DAYS})"


def _calendar_tables(calendar: WorkCalendar, first: dt.date, last_start: dt.date, most_days: int):
    """The arrays of the working-day tables: (dates, ordinals, workday flags) and (n, k, minute) for the warning."""
    last = calendar.workday_at(last_start, most_days + 1)
    dates, ordinals, working = [], [], []
    day, ordinal = first, 0
    while day <= last:
        is_workday = calendar.is_workday(day)
        ordinal += is_workday
        dates.append(day)
        ordinals.append(ordinal)
        working.append(is_workday)
        day += dt.timedelta(days=1)
    warn = [(n, *warn_point(n)) for n in range(1, most_days + 1)]
    return (dates, ordinals, working), warn


def _recompute_sql(years: list[int], batch: int) -> int:
    span, span_params = _span_sql(years)
    days = _days_sql()
    with connection.cursor() as cursor:
        # The span the working-day table must cover (from the assignments alone: the longest tier is assumed).
        cursor.execute(f"SELECT MIN({_LOCAL_START}), MAX({_LOCAL_START}), MAX(a.extended_days + a.waited_days) "
                       f"FROM dispatch_assignment a WHERE a.status IN ('pending', 'signed') "
                       f"AND a.clock_started_at IS NOT NULL AND a.handle_due_at IS NOT NULL AND {span}", span_params)
        first, last_start, extra = cursor.fetchone()
    if first is None:
        return 0
    most_days = max(max(_tier_days().values()), deadlines.DEFAULT_DAYS) + extra
    (dates, ordinals, working), warn = _calendar_tables(get_calendar(), first, last_start, most_days)
    ns, ks, minutes = zip(*warn)
    # `clocks`: for each start day and limit N of the span, the three new moments, from the ordinals (a few
    # thousand rows, materialised once). One pass then meets every affected assignment with its clocks in a hash
    # join on (start day, N) and keeps the rows whose values change (`recompute_todo`); the writes follow in
    # batches of ids, each its own transaction.
    todo = f"""
        CREATE TEMPORARY TABLE recompute_todo AS
        WITH days AS (SELECT * FROM unnest(%s::date[], %s::int[], %s::bool[]) AS t(day, ordinal, working)),
             workdays AS (SELECT day, ordinal FROM days WHERE working),
             warn AS (SELECT * FROM unnest(%s::int[], %s::int[], %s::int[]) AS t(n, k, minute)),
             clocks AS MATERIALIZED (
                SELECT s.day AS start_day, r.n,
                       (d.day + time '23:59:59') AT TIME ZONE 'Asia/Shanghai' AS due,
                       (w.day + make_interval(mins => r.minute)) AT TIME ZONE 'Asia/Shanghai' AS warn,
                       (s1.day + time '23:59:59') AT TIME ZONE 'Asia/Shanghai' AS sign
                  FROM days s CROSS JOIN warn r
                  JOIN workdays d ON d.ordinal = s.ordinal + r.n
                  JOIN workdays w ON w.ordinal = s.ordinal + r.k
                  JOIN workdays s1 ON s1.ordinal = s.ordinal + 1)
        SELECT x.id, x.status, x.clock_started_at, x.extended_days, x.waited_days, k.due, k.warn, k.sign
          FROM (SELECT a.id, a.status, a.clock_started_at, a.extended_days, a.waited_days, a.handle_due_at,
                       a.warn_at, a.sign_due_at, {_LOCAL_START} AS start_day,
                       {days} + a.extended_days + a.waited_days AS n
                  FROM dispatch_assignment a
                  JOIN petitions_petition p ON p.id = a.petition_id
                  LEFT JOIN org_classification c ON c.id = p.classification_id
                 WHERE a.status IN ('pending', 'signed') AND a.clock_started_at IS NOT NULL
                   AND a.handle_due_at IS NOT NULL AND (c.tier IS NULL OR c.tier <> 'urgent') AND {span}
                OFFSET 0) x
          JOIN clocks k ON k.start_day = x.start_day AND k.n = x.n
         WHERE x.handle_due_at IS DISTINCT FROM k.due OR x.warn_at IS DISTINCT FROM k.warn
            OR (x.status = 'pending' AND x.sign_due_at IS DISTINCT FROM k.sign)"""
    update = """
        UPDATE dispatch_assignment a
           SET handle_due_at = t.due, warn_at = t.warn,
               sign_due_at = CASE WHEN a.status = 'pending' THEN t.sign ELSE a.sign_due_at END,
               -- a yellow warning whose point moved back into the future (a day made a holiday) is lifted
               warning = CASE WHEN a.warning = 'yellow' AND t.warn > %s THEN 'none' ELSE a.warning END
          FROM recompute_todo t
         WHERE t.id BETWEEN %s AND %s AND a.id = t.id
           -- the row as it was read: a concurrent sign-for, extension or resumption is left to that change
           AND a.status = t.status AND a.clock_started_at = t.clock_started_at
           AND a.extended_days = t.extended_days AND a.waited_days = t.waited_days"""
    affected = 0
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS recompute_todo")
        try:
            cursor.execute(todo, [dates, ordinals, working, list(ns), list(ks), list(minutes), *span_params])
            cursor.execute("CREATE INDEX ON recompute_todo (id)")
            cursor.execute("SELECT MIN(id), MAX(id), COUNT(*) FROM recompute_todo")
            low, high, count = cursor.fetchone()
            if not count:
                return 0
            step = max(1, (high - low + 1) * batch // count)  # about `batch` rows per transaction
            for start in range(low, high + 1, step):
                with transaction.atomic():
                    cursor.execute(update, [timezone.now(), start, start + step - 1])
                    affected += cursor.rowcount
        finally:
            cursor.execute("DROP TABLE IF EXISTS recompute_todo")
    return affected
