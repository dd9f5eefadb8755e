"""The assignments' clocks (DOMAIN.md section 5), computed once when a clock starts.

- Sign-for (签收, the response clock): by the end of the next working day; for
  urgent items within PORTAL_URGENT_SIGN_MINUTES (default 60) minutes.
- Handling: the classification's tier in working days (1, 3, 7, 11), or its
  urgent limit in hours, counted round the clock. Day 0 is the day the clock
  starts; the deadline is 23:59:59 Asia/Shanghai on the Nth working day after.
- An approved extension adds working days to the current deadline.
- Waiting for the citizen does not count: the deadline moves by the working
  days (or, for urgent items, the time) spent waiting.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings

from lib.workdays import local_date
from org.calendar import get_calendar

DEFAULT_DAYS = 7  # an unclassified petition gets the standard tier until classified


def _urgent_hours(classification) -> int | None:
    if classification is not None and classification.tier == "urgent":
        return classification.urgent_hours
    return None


def sign_due(start: dt.datetime, classification) -> dt.datetime:
    if _urgent_hours(classification):
        return start + dt.timedelta(minutes=getattr(settings, "PORTAL_URGENT_SIGN_MINUTES", 60))
    return get_calendar().deadline_from(start, 1)


def handle_due(start: dt.datetime, classification, extended_days: int = 0) -> dt.datetime:
    hours = _urgent_hours(classification)
    if hours:
        return start + dt.timedelta(hours=hours)
    days = classification.handling_days if classification is not None else DEFAULT_DAYS
    return get_calendar().deadline_from(start, days + extended_days)


def extend(current_due: dt.datetime, days: int) -> dt.datetime:
    return get_calendar().add_workdays(local_date(current_due), days).due_at


def waited_workdays(paused_at: dt.datetime, resumed_at: dt.datetime, classification) -> int:
    if _urgent_hours(classification):
        return 0
    return get_calendar().workdays_between(local_date(paused_at), local_date(resumed_at))


def allowance_workdays(started_at: dt.datetime, ended_at: dt.datetime) -> int:
    """Working days of a stop of the clock, for the round's pause allowance (PORTAL_PAUSE_CAP_WORKING_DAYS).

    Counted in working days whatever the item's tier: the allowance is in working days for every unit, and an
    urgent item's deadline moving by the hours stopped (waited_workdays is 0 for it) must not make its stops
    free, or a utility could stop its clock again and again without the platform's approval."""
    return get_calendar().workdays_between(local_date(started_at), local_date(ended_at))


def resume(current_due: dt.datetime, paused_at: dt.datetime, resumed_at: dt.datetime, classification) -> dt.datetime:
    if _urgent_hours(classification):
        return current_due + (resumed_at - paused_at)
    waited = get_calendar().workdays_between(local_date(paused_at), local_date(resumed_at))
    return extend(current_due, waited) if waited else current_due


WARNING_SHARE = 0.75  # yellow once 75% of the handling time is used (DOMAIN.md section 6)


def warn_at(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    """The yellow warning: when 75% of the working time is used, never outside office hours.

    For a limit in working days, the working time is the office hours (PORTAL_OFFICE_HOURS, 09:00-17:00 by
    default) of working days 1..N, so a 3-working-day limit started on a Friday evening warns on its 3rd
    working day at 11:00, not over the weekend (docs/supervision.md, "The yellow warning"). A limit in
    hours (urgent items, handled round the clock) warns at 75% of the clock time.
    """
    moment = get_calendar().share_of_working_time(start, due, WARNING_SHARE, settings.PORTAL_OFFICE_HOURS)
    return moment if moment is not None else start + (due - start) * WARNING_SHARE


def clocks(start: dt.datetime, classification, *, extended_days: int = 0, waited_days: int = 0,
           with_sign: bool = True) -> dict:
    """All of an assignment's clock columns for a clock started at `start`."""
    due = handle_due(start, classification, extended_days + waited_days)
    values = {"clock_started_at": start, "handle_due_at": due, "warn_at": warn_at(start, due)}
    if with_sign:
        values["sign_due_at"] = sign_due(start, classification)
    return values
