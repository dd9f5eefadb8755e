"""The yellow warning comes at 75% of the working time, never outside office hours (issue 15, item 4;
DOMAIN.md section 6; dispatch.deadlines.warn_at, docs/supervision.md "The yellow warning")."""
import datetime as dt

import pytest
import time_machine

from dispatch import deadlines
from dispatch.models import Role, WarningLevel
from dispatch.sweeps import sweep_deadlines
from lib.workdays import SHANGHAI, WorkCalendar
from org.calendar import get_calendar
from tests.factories import file_petition

FRIDAY_EVENING = dt.datetime(2026, 11, 27, 20, 0, tzinfo=SHANGHAI)


def test_a_one_day_limit_started_on_friday_evening_warns_on_monday_afternoon_not_at_dawn():
    calendar = WorkCalendar({}, {2026})
    due = calendar.deadline_from(FRIDAY_EVENING, 1)  # Monday 30 November, 23:59:59
    wall_clock = FRIDAY_EVENING + (due - FRIDAY_EVENING) * 0.75
    assert wall_clock.astimezone(SHANGHAI).hour == 4  # the old rule: Monday 04:59, before dawn
    assert calendar.share_of_working_time(FRIDAY_EVENING, due, 0.75, (9 * 60, 17 * 60)) == dt.datetime(
        2026, 11, 30, 15, 0, tzinfo=SHANGHAI)


def test_a_three_day_limit_started_on_friday_evening_warns_on_its_third_working_day():
    calendar = WorkCalendar({}, {2026})
    due = calendar.deadline_from(FRIDAY_EVENING, 3)  # Wednesday 2 December, 23:59:59
    warn = calendar.share_of_working_time(FRIDAY_EVENING, due, 0.75, (9 * 60, 17 * 60))
    # 75% of 3 working days = 2.25 days: a quarter into the 3rd working day's office hours
    assert warn == dt.datetime(2026, 12, 2, 11, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize("days", [1, 3, 7, 11])
@pytest.mark.parametrize("hour", [0, 8, 9, 12, 16, 17, 20, 23])
@pytest.mark.parametrize("weekday_offset", range(7))
def test_the_warning_never_falls_outside_office_hours_nor_on_a_day_off(days, hour, weekday_offset):
    calendar = WorkCalendar({}, {2026, 2027})
    start = dt.datetime(2026, 11, 23, hour, 17, tzinfo=SHANGHAI) + dt.timedelta(days=weekday_offset)
    due = calendar.deadline_from(start, days)
    warn = calendar.share_of_working_time(start, due, 0.75, (9 * 60, 17 * 60))
    assert calendar.is_workday(warn.date())
    assert dt.time(9, 0) <= warn.timetz().replace(tzinfo=None) < dt.time(17, 0)
    assert start < warn < due


def test_a_holiday_in_the_span_is_not_working_time():
    from lib.workdays import Exception_

    # 1-3 October 2026 are holidays in this made-up calendar: the 75% point moves past them.
    holidays = {dt.date(2026, 10, d): Exception_(False, "国庆节") for d in (1, 2)}
    calendar = WorkCalendar(holidays, {2026})
    start = dt.datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
    due = calendar.deadline_from(start, 3)  # Mon 5, Tue 6, Wed 7 October
    assert due.date() == dt.date(2026, 10, 7)
    warn = calendar.share_of_working_time(start, due, 0.75, (9 * 60, 17 * 60))
    assert warn == dt.datetime(2026, 10, 7, 11, 0, tzinfo=SHANGHAI)


@pytest.mark.django_db
def test_limits_in_hours_warn_round_the_clock():
    start = dt.datetime(2026, 11, 28, 22, 0, tzinfo=SHANGHAI)  # Saturday night: a heating outage
    due = start + dt.timedelta(hours=4)
    assert deadlines.warn_at(start, due) == start + dt.timedelta(hours=3)


@pytest.mark.django_db
def test_the_sweep_at_night_does_not_turn_a_petition_yellow(city, catalog, django_capture_on_commit_callbacks):
    get_calendar()  # the calendar of the test database (Mon-Fri without data)
    with time_machine.travel(FRIDAY_EVENING, tick=False), django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)  # 噪音扰民: 3 working days
    lead = petition.assignments.get(role=Role.LEAD)
    assert lead.warn_at.astimezone(SHANGHAI).time() >= dt.time(9, 0)
    for moment, expected in [
        (dt.datetime(2026, 11, 30, 23, 0, tzinfo=SHANGHAI), WarningLevel.NONE),  # Monday night
        (dt.datetime(2026, 12, 2, 8, 30, tzinfo=SHANGHAI), WarningLevel.NONE),  # Wednesday before office hours
        (lead.warn_at + dt.timedelta(minutes=1), WarningLevel.YELLOW),
    ]:
        with time_machine.travel(moment, tick=False):
            sweep_deadlines(now=moment)
        lead.refresh_from_db()
        assert lead.warning == expected, moment
