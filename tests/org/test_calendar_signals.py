import datetime as dt

import pytest

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
