import datetime as dt
import io

import pytest
from django.core.management import call_command

from org.models import CalendarDay
from org.signals import calendar_changed


@pytest.fixture
def sent():
    years = []

    def listener(sender, years_=None, **kwargs):
        years.append(kwargs["years"])

    calendar_changed.connect(listener, weak=False, dispatch_uid="test_calendar_signals")
    yield years
    calendar_changed.disconnect(dispatch_uid="test_calendar_signals")


@pytest.mark.django_db
def test_a_day_moved_to_another_year_recomputes_both_years(sent, django_capture_on_commit_callbacks):
    day = CalendarDay.objects.create(date=dt.date(2026, 12, 1), is_workday=False, name="测试")
    with django_capture_on_commit_callbacks(execute=True):
        day.date = dt.date(2027, 12, 1)
        day.save()
    assert sent == [[2026, 2027]]


@pytest.mark.django_db
def test_a_new_day_recomputes_its_year(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        CalendarDay.objects.create(date=dt.date(2027, 12, 1), is_workday=False, name="测试")
    assert sent == [[2027]]


@pytest.mark.django_db
def test_a_sync_recomputes_the_deadlines_once_not_once_per_row(sent, django_capture_on_commit_callbacks):
    """Rewriting a year deletes a row per day: each one sent its own full recompute of the open deadlines."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("sync_calendar", stdout=io.StringIO())
        call_command("sync_calendar", stdout=io.StringIO())  # again: it rewrites the days from today on
    assert len(sent) == 2, [len(years) for years in sent]
    assert 2026 in sent[0] and sent[0] == sent[1]
