"""The working-day calendar, loaded from the database.

`get_calendar()` returns a `lib.workdays.WorkCalendar` built from the
CalendarDay/CalendarYear tables. The copy is kept in process and reloaded when
the shared cache says the calendar changed (an admin edit, a sync) or after
CALENDAR_TTL seconds, which bounds staleness where the cache is per-process
(the embedded development setup without Redis).
"""
from __future__ import annotations

import datetime as dt
import time
import uuid

from django.core.cache import cache
from django.utils import timezone

from lib.versions import VersionCheck
from lib.workdays import Exception_, WorkCalendar
from org.models import CalendarDay, CalendarYear

CALENDAR_TTL = 60
_VERSION_KEY = "org:calendar:version"
_state: dict = {"calendar": None, "version": None, "loaded_at": 0.0}

# The chinese_calendar package names holidays in English; the portal shows
# the official Chinese names.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


_check = VersionCheck()  # the shared version is asked once per request (or per second outside one)


def invalidate() -> None:
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
    _state["calendar"] = None
    _check.reset()


def version() -> str | None:
    """The calendar's current version: a new value after every edit or sync (None before the first load)."""
    return cache.get(_VERSION_KEY)


def get_calendar() -> WorkCalendar:
    if _state["calendar"] is not None and not _check.due() and time.monotonic() - _state["loaded_at"] < CALENDAR_TTL:
        return _state["calendar"]
    version = cache.get(_VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(_VERSION_KEY, version, None)
        version = cache.get(_VERSION_KEY, version)
    fresh = time.monotonic() - _state["loaded_at"] < CALENDAR_TTL
    _check.done()
    if _state["calendar"] is not None and _state["version"] == version and fresh:
        return _state["calendar"]
    exceptions = {
        day: Exception_(is_workday=is_workday, name=name)
        for day, is_workday, name in CalendarDay.objects.values_list("date", "is_workday", "name")
    }
    years = set(CalendarYear.objects.values_list("year", flat=True))
    calendar = WorkCalendar(exceptions, years)
    _state.update(calendar=calendar, version=version, loaded_at=time.monotonic())
    return calendar


def fresh_calendar() -> tuple[WorkCalendar, str]:
    """The calendar as of the shared version now, and that version.

    `get_calendar()` trusts its in-process copy for up to a second after its last look at the shared version; a
    recomputation started within that second by a change must not count with the calendar before it, nor note
    the change's version as done (dispatch.recompute).
    """
    _check.reset()
    calendar = get_calendar()
    return calendar, _state["version"]


def missing_years(today: dt.date | None = None) -> list[int]:
    """Years the portal is about to count in that have no official data.

    The current year always; the next one from November, when the State
    Council usually publishes it (DOMAIN.md section 5).
    """
    today = today or timezone.localdate()
    wanted = [today.year] + ([today.year + 1] if today.month >= 11 else [])
    known = get_calendar().complete_years
    return [y for y in wanted if y not in known]


def sync_from_package(calendar_day_model, calendar_year_model, *, keep_before: dt.date | None = None) -> list[int]:
    """Copy every year the chinese_calendar package covers into the tables.

    Takes the model classes so a data migration can call it with historical
    models. Existing rows of a year are replaced by the package's; years the
    package does not cover (typed in by an admin) are left alone. With
    `keep_before` (the command passes today), a year already in the tables keeps
    its days before that date as they are: deadlines were counted on them (the
    past is fixed, as in the admin); a year not loaded yet comes in whole.
    """
    import chinese_calendar
    from chinese_calendar import constants

    source = f"chinese_calendar {getattr(chinese_calendar, '__version__', '')}".strip()
    by_year: dict[int, list] = {}
    for day, name in constants.holidays.items():
        by_year.setdefault(day.year, []).append((day, False, name))
    for day, name in constants.workdays.items():
        if day.weekday() >= 5:  # only weekend days made into working days are exceptions
            by_year.setdefault(day.year, []).append((day, True, name))
    loaded = set(calendar_year_model.objects.values_list("year", flat=True)) if keep_before else set()
    for year, days in sorted(by_year.items()):
        since = keep_before if year in loaded else None
        rows = calendar_day_model.objects.filter(date__year=year)
        if since is not None:
            rows, days = rows.filter(date__gte=since), [d for d in days if d[0] >= since]
        rows.delete()
        calendar_day_model.objects.bulk_create(
            [
                calendar_day_model(date=day, is_workday=is_workday, name=HOLIDAY_NAMES_ZH.get(name, name))
                for day, is_workday, name in sorted(days)
            ]
        )
        calendar_year_model.objects.update_or_create(year=year, defaults={"source": source})
    return sorted(by_year)
