import datetime as dt

import pytest
import time_machine

from org import calendar
from org.models import CalendarDay, CalendarYear


@pytest.mark.django_db
def test_database_is_created_with_the_official_calendar():
    # Filled by migration, not by the demo: every year the package covers.
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert {2024, 2025, 2026} <= years
    day = CalendarDay.objects.get(date=dt.date(2026, 2, 17))
    assert (day.is_workday, day.name) == (False, "春节")
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).is_workday is True


@pytest.mark.django_db
def test_get_calendar_reads_the_table_and_sees_edits():
    cal = calendar.get_calendar()
    assert not cal.is_workday(dt.date(2026, 10, 1))
    # An admin adds an extra holiday: the next read sees it.
    CalendarDay.objects.create(date=dt.date(2026, 11, 24), is_workday=False, name="测试假日")
    assert not calendar.get_calendar().is_workday(dt.date(2026, 11, 24))


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone.utc), tick=False)
def test_missing_next_year_is_reported_from_november():
    CalendarYear.objects.filter(year=2027).delete()
    assert calendar.missing_years() == [2027]


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc), tick=False)
def test_missing_current_year_is_reported_and_falls_back():
    CalendarYear.objects.filter(year=2026).delete()
    assert calendar.missing_years() == [2026]
    result = calendar.get_calendar().add_workdays(dt.date(2026, 9, 30), 1)
    assert result.calendar_complete is False


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.timezone.utc), tick=False)
def test_admin_shows_a_warning_not_a_crash(client, platform_admin):
    CalendarYear.objects.filter(year=2027).delete()
    client.force_login(platform_admin)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "2027" in response.content.decode()
    assert "calendar" in response.content.decode()


@pytest.mark.django_db
def test_sync_command_is_repeatable(capsys):
    from django.core.management import call_command

    before = CalendarDay.objects.count()
    call_command("sync_calendar")
    assert CalendarDay.objects.count() == before
