import datetime as dt

import pytest

from lib.workdays import Exception_, WorkCalendar, HOLIDAY, WEEKEND

D = dt.date


@pytest.fixture
def official():
    """The official data as the chinese_calendar package has it."""
    from chinese_calendar import constants

    exceptions = {d: Exception_(False, n) for d, n in constants.holidays.items()}
    exceptions.update({d: Exception_(True, n) for d, n in constants.workdays.items() if d.weekday() >= 5})
    return WorkCalendar(exceptions, {d.year for d in constants.holidays})


def test_plain_week_counts_monday_to_friday(official):
    # Wed 2026-11-18 + 3 working days: Thu, Fri, (Sat, Sun skipped), Mon.
    result = official.add_workdays(D(2026, 11, 18), 3)
    assert result.due == D(2026, 11, 23)
    assert [(s.date, s.reason) for s in result.skipped] == [(D(2026, 11, 21), WEEKEND), (D(2026, 11, 22), WEEKEND)]
    assert result.calendar_complete


def test_national_day_2026_with_makeup_saturday(official):
    # Oct 1-7 2026 are holidays; Sat Oct 10 is a make-up working day.
    result = official.add_workdays(D(2026, 9, 30), 3)
    assert result.due == D(2026, 10, 10)
    assert result.makeup_workdays == [D(2026, 10, 10)]
    assert {s.name for s in result.skipped} == {"National Day"}
    assert len(result.skipped) == 7


def test_spring_festival_2026(official):
    # Fri Feb 13 2026; Sat Feb 14 is a make-up day; Feb 15-23 Spring Festival.
    assert official.add_workdays(D(2026, 2, 13), 1).due == D(2026, 2, 14)
    result = official.add_workdays(D(2026, 2, 13), 2)
    assert result.due == D(2026, 2, 24)
    assert all(s.reason == HOLIDAY for s in result.skipped)


def test_spring_festival_2025_and_makeup_sunday(official):
    # Sun Jan 26 2025 is a make-up working day before the Spring Festival (Jan 28 - Feb 4).
    result = official.add_workdays(D(2025, 1, 24), 1)
    assert result.due == D(2025, 1, 26)
    assert result.makeup_workdays == [D(2025, 1, 26)]
    assert official.add_workdays(D(2025, 1, 27), 1).due == D(2025, 2, 5)


def test_eleven_day_tier_across_new_year_2026(official):
    # Jan 1-3 2026 off, Sun Jan 4 worked.
    result = official.add_workdays(D(2025, 12, 30), 11)
    assert result.due == D(2026, 1, 15)  # Dec 31, Jan 4 (Sun, worked), Jan 5-9, Jan 12-15
    assert D(2026, 1, 4) in result.makeup_workdays


def test_day_zero_is_the_start_day(official):
    result = official.add_workdays(D(2026, 11, 23), 0)
    assert result.due == D(2026, 11, 23)
    assert result.due_at.isoformat() == "2026-11-23T23:59:59+08:00"


def test_year_without_data_falls_back_to_weekdays_and_says_so(official):
    result = official.add_workdays(D(2031, 4, 30), 1)
    assert result.due == D(2031, 5, 1)  # no Labour Day without data
    assert result.calendar_complete is False
    assert result.incomplete_years == [2031]


def test_negative_days_refused(official):
    with pytest.raises(ValueError):
        official.add_workdays(D(2026, 1, 5), -1)


def test_workdays_between(official):
    assert official.workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert official.workdays_between(D(2026, 10, 10), D(2026, 9, 30)) == 0


def test_deadline_from_uses_shanghai_date(official):
    # 2026-11-20 17:00 UTC is already Saturday 01:00 in Shanghai.
    moment = dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.timezone.utc)
    assert official.deadline_from(moment, 1).isoformat() == "2026-11-23T23:59:59+08:00"
