"""Counters of open work for the supervisors' dashboard (dispatch.models.OpenWorkCount).

The database keeps them (triggers of migration 0006 append a delta row in the transaction of every change
of an assignment or of a petition's district); this module folds the deltas (`compact`, every minute with
the sweep), compares them with a full recount of the assignments and repairs them (`check`, `repair`,
`manage.py recount_open_work`, nightly), and reads them (dispatch.selectors).

Two series: by unit and district of the petition (the tables), and by district, kind of unit and Beijing day
of dispatch (the aging bands). Days older than AGING_FOLD days are folded into one day (FOLDED) when
compacting: the oldest band is "15 days and more", so the table stays at (units x districts) + (districts x
kinds x 16 days) rows at most, whatever the size of the backlog.
"""
from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from dispatch.models import OpenWorkCount

AGING_FOLD = 15
FOLDED = dt.date(2000, 1, 1)
COLUMNS = "unit_id, district_id, unit_kind, day, open, yellow, red, late_sign"
KEY = "unit_id, district_id, unit_kind"
SERIES = "(SELECT 1 AS summary UNION ALL SELECT 0) g"


def _day(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"({column} AT TIME ZONE 'Asia/Shanghai')::date"
    return f"date({column}, '+8 hours')"


def _flag(condition: str) -> str:
    return f"({condition})::int" if connection.vendor == "postgresql" else f"({condition})"


def _cutoff() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=AGING_FOLD)


def _folded(column: str = "day") -> str:
    return f"CASE WHEN {column} < %s THEN %s ELSE {column} END"


def _exact_sql() -> str:
    """Open work counted from the assignments themselves, in the counters' shape (both series)."""
    yellow, red = _flag("a.warning = 'yellow'"), _flag("a.warning = 'red'")
    late = _flag("a.status = 'pending' AND a.sign_overdue_at IS NOT NULL")
    return ("SELECT CASE WHEN g.summary = 1 THEN a.unit_id END AS unit_id, p.district_id AS district_id, "
            "CASE WHEN g.summary = 1 THEN '' ELSE u.kind END AS unit_kind, "
            f"CASE WHEN g.summary = 1 THEN NULL ELSE {_day('a.dispatched_at')} END AS day, "
            f"1 AS open, {yellow} AS yellow, {red} AS red, {late} AS late_sign "
            "FROM dispatch_assignment a LEFT JOIN petitions_petition p ON p.id = a.petition_id "
            f"LEFT JOIN org_handlingunit u ON u.id = a.unit_id CROSS JOIN {SERIES} "
            "WHERE a.status IN ('pending', 'signed')")


def _difference_sql() -> tuple[str, list]:
    """(exact − counted) per key, only the keys that differ: one statement, so one snapshot in PostgreSQL:
    transactions that commit meanwhile add their own deltas on top of a consistent base."""
    sql = (f"SELECT {KEY}, {_folded()} AS day, SUM(open), SUM(yellow), SUM(red), SUM(late_sign) "
           f"FROM ({_exact_sql()} UNION ALL SELECT {KEY}, day, -open, -yellow, -red, -late_sign "
           "FROM dispatch_openworkcount) d "
           f"GROUP BY {KEY}, {_folded()} "
           "HAVING SUM(open) <> 0 OR SUM(yellow) <> 0 OR SUM(red) <> 0 OR SUM(late_sign) <> 0")
    cutoff = _cutoff()
    return sql, [cutoff, FOLDED, cutoff, FOLDED]


def check() -> list[dict]:
    """The keys where the counters differ from a full recount (empty when they agree)."""
    sql, params = _difference_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = ["unit_id", "district_id", "unit_kind", "day", "open", "yellow", "red", "late_sign"]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def repair() -> int:
    """Add the corrections that make the counters equal a full recount; returns how many keys were off."""
    sql, params = _difference_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO dispatch_openworkcount ({COLUMNS}) {sql}", params)
        fixed = cursor.rowcount
    compact()
    return max(fixed, 0)


def _doomed() -> tuple[str, list]:
    """The rows a compaction rewrites: the keys with more than one row, the days to fold, the zeroes; a key
    already in one row stays untouched (no dead row for the vacuum each minute)."""
    cutoff = _cutoff()
    return (f"SELECT id FROM (SELECT id, day, open, yellow, red, late_sign, COUNT(*) OVER (PARTITION BY {KEY}, "
            f"{_folded()}) AS n FROM dispatch_openworkcount) x WHERE n > 1 OR (day < %s AND day <> %s) "
            "OR (open = 0 AND yellow = 0 AND red = 0 AND late_sign = 0)", [cutoff, FOLDED, cutoff, FOLDED])


def compact() -> int:
    """Fold the delta rows into one row per key (days past AGING_FOLD into FOLDED); returns the rows left."""
    cutoff = _cutoff()
    grouped = (f"SELECT {KEY}, {_folded()}, SUM(open), SUM(yellow), SUM(red), SUM(late_sign) "
               "FROM {source} GROUP BY " + KEY + ", " + _folded() +
               " HAVING SUM(open) <> 0 OR SUM(yellow) <> 0 OR SUM(red) <> 0 OR SUM(late_sign) <> 0")
    doomed, doomed_params = _doomed()
    params = [*doomed_params, cutoff, FOLDED, cutoff, FOLDED]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement: the rows it deletes are exactly the rows it sums (a concurrent insert stays).
            cursor.execute(f"WITH gone AS (DELETE FROM dispatch_openworkcount WHERE id IN ({doomed}) "
                           f"RETURNING {COLUMNS}) INSERT INTO dispatch_openworkcount ({COLUMNS}) "
                           + grouped.format(source="gone"), params)
        else:  # SQLite: one writer at a time
            cursor.execute(doomed, doomed_params)
            ids = [row[0] for row in cursor.fetchall()]
            for start in range(0, len(ids), 500):
                chunk = ids[start:start + 500]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT {KEY}, {_folded()}, SUM(open), SUM(yellow), SUM(red), SUM(late_sign) "
                               f"FROM dispatch_openworkcount WHERE id IN ({marks}) GROUP BY {KEY}, {_folded()}",
                               [cutoff, FOLDED, *chunk, cutoff, FOLDED])
                rows = [row for row in cursor.fetchall() if any(row[4:])]
                cursor.execute(f"DELETE FROM dispatch_openworkcount WHERE id IN ({marks})", chunk)
                OpenWorkCount.objects.bulk_create([
                    OpenWorkCount(unit_id=u, district_id=d, unit_kind=kind, day=day, open=o, yellow=y, red=r,
                                  late_sign=late)
                    for u, d, kind, day, o, y, r, late in rows])
    return OpenWorkCount.objects.count()
