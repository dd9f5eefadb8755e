"""Recomputing deadlines after a calendar change made in another process (issue 20, target 4)."""
import datetime as dt
import uuid

import pytest
import time_machine
from django.core.cache import cache

from dispatch import catalog, recompute
from dispatch.models import Assignment
from org import calendar as org_calendar
from org.models import CalendarDay
from tests import factories

SH = dt.timezone(dt.timedelta(hours=8))


def _filed_monday(city, on_commit):
    """A noise petition routed to urban management, filed on Monday 2026-11-23 at 09:00: its work order."""
    with on_commit(execute=True):
        catalog.rule_create(key="noise", kind="sector", target="unit", lead_unit=city.urban,
                            classification=city.noise)
    with time_machine.travel(dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH), tick=False), on_commit(execute=True):
        petition = factories.file_petition(city)
    return Assignment.objects.get(petition=petition)


@pytest.mark.django_db
def test_a_task_within_a_second_of_a_change_counts_with_the_new_calendar(city, django_capture_on_commit_callbacks):
    assignment = _filed_monday(city, django_capture_on_commit_callbacks)
    before = assignment.handle_due_at
    org_calendar.get_calendar()  # this worker has just looked at the shared version
    # The admin's web process adds a holiday and moves the shared version (no signal reaches this process).
    CalendarDay.objects.bulk_create([CalendarDay(date=dt.date(2026, 11, 25), is_workday=False, name="补假")])
    cache.set(org_calendar._VERSION_KEY, uuid.uuid4().hex, None)
    assert recompute.recompute_deadlines(years=[2026]) == 1
    assignment.refresh_from_db()
    assert assignment.handle_due_at == before + dt.timedelta(days=1)


@pytest.mark.django_db
def test_a_yellow_warning_is_lifted_when_today_becomes_a_holiday(city, django_capture_on_commit_callbacks):
    assignment = _filed_monday(city, django_capture_on_commit_callbacks)
    now = assignment.warn_at + dt.timedelta(minutes=1)
    with time_machine.travel(now, tick=False):
        Assignment.objects.filter(pk=assignment.pk).update(warning="yellow")  # as the sweep flagged it
        # Today is declared a holiday at short notice: the 75% point moves to the next working day.
        CalendarDay.objects.bulk_create([CalendarDay(date=now.astimezone(SH).date(), is_workday=False, name="补假")])
        cache.set(org_calendar._VERSION_KEY, uuid.uuid4().hex, None)
        assert recompute.recompute_deadlines(years=[2026]) == 1
        assignment.refresh_from_db()
        assert assignment.warn_at > now and assignment.warning == "none"
