"""Working-day arithmetic on the official Chinese calendar.

Pure: it knows nothing of the database. `org.calendar` loads the dated
exceptions (statutory holidays, make-up working days 调休) from the calendar
table and hands them to `WorkCalendar`.

Convention (DOMAIN.md section 5): day 0 is the day the clock starts; the
deadline is 23:59:59 Asia/Shanghai on the Nth working day after day 0.
Without data for a year, that year falls back to Monday-Friday and every
answer says so through `calendar_complete`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
END_OF_DAY = dt.time(23, 59, 59)

WEEKEND = "weekend"
HOLIDAY = "holiday"


@dataclass(frozen=True)
class Exception_:
    """One dated exception to the Monday-Friday week."""

    is_workday: bool
    name: str = ""


@dataclass(frozen=True)
class SkippedDay:
    date: dt.date
    reason: str  # WEEKEND or HOLIDAY
    name: str = ""  # the holiday's name where reason == HOLIDAY


@dataclass
class Deadline:
    start: dt.date
    days: int
    due: dt.date
    skipped: list[SkippedDay] = field(default_factory=list)
    makeup_workdays: list[dt.date] = field(default_factory=list)
    calendar_complete: bool = True
    incomplete_years: list[int] = field(default_factory=list)

    @property
    def due_at(self) -> dt.datetime:
        return end_of_day(self.due)


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, END_OF_DAY, tzinfo=SHANGHAI)


def local_date(moment: dt.datetime) -> dt.date:
    """The Asia/Shanghai date of an aware datetime."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: time in the portal is always aware")
    return moment.astimezone(SHANGHAI).date()


class WorkCalendar:
    """Working days = Monday-Friday, minus holidays, plus make-up working days."""

    # A guard against runaway loops on absurd input: 20 years of days.
    MAX_SPAN_DAYS = 366 * 20

    def __init__(self, exceptions: dict[dt.date, Exception_], complete_years: set[int]):
        self._exceptions = exceptions
        self._complete_years = frozenset(complete_years)

    @property
    def complete_years(self) -> frozenset[int]:
        return self._complete_years

    def is_complete(self, year: int) -> bool:
        return year in self._complete_years

    def is_workday(self, day: dt.date) -> bool:
        exception = self._exceptions.get(day)
        if exception is not None:
            return exception.is_workday
        return day.weekday() < 5

    def describe(self, day: dt.date) -> SkippedDay | None:
        """Why `day` is not a working day, or None if it is one."""
        exception = self._exceptions.get(day)
        if exception is not None:
            return None if exception.is_workday else SkippedDay(day, HOLIDAY, exception.name)
        if day.weekday() >= 5:
            return SkippedDay(day, WEEKEND)
        return None

    def add_workdays(self, start: dt.date, days: int) -> Deadline:
        """The Nth working day after `start` (day 0), with the days passed on the way."""
        if days < 0:
            raise ValueError("days must not be negative")
        result = Deadline(start=start, days=days, due=start)
        years = {start.year}
        day, counted, steps = start, 0, 0
        while counted < days:
            day += dt.timedelta(days=1)
            steps += 1
            if steps > self.MAX_SPAN_DAYS:
                raise ValueError("deadline too far in the future")
            years.add(day.year)
            skipped = self.describe(day)
            if skipped is None:
                counted += 1
                if day.weekday() >= 5:
                    result.makeup_workdays.append(day)
            else:
                result.skipped.append(skipped)
        result.due = day
        result.incomplete_years = sorted(y for y in years if y not in self._complete_years)
        result.calendar_complete = not result.incomplete_years
        return result

    def workdays_between(self, first: dt.date, last: dt.date) -> int:
        """Working days in the half-open range (first, last]."""
        if last <= first:
            return 0
        count, day = 0, first
        while day < last:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def workday_at(self, start: dt.date, ordinal: int) -> dt.date:
        """The `ordinal`-th working day after `start` (day 0): add_workdays without the bookkeeping."""
        day, counted, steps = start, 0, 0
        while counted < ordinal:
            day += dt.timedelta(days=1)
            steps += 1
            if steps > self.MAX_SPAN_DAYS:
                raise ValueError("date too far in the future")
            if self.is_workday(day):
                counted += 1
        return day

    def share_of_working_time(self, start: dt.datetime, due: dt.datetime, share: float,
                              office: tuple[int, int]) -> dt.datetime | None:
        """The moment `share` of a working-day limit's working time is used, inside office hours.

        A limit of N working days (day 0 the start, due at the end of working day N) holds N working days
        of office hours: day 0 is not counted, as for the deadline. `share` of them is used on working day
        k = ceil(share × N), at the matching fraction of that day's office hours (`office` = opening and
        closing minutes after midnight, Beijing time). None when `due` is not the end of a working day (a
        limit in hours, counted round the clock).
        """
        start_day, due_day = local_date(start), local_date(due)
        if due != end_of_day(due_day) or not self.is_workday(due_day):
            return None
        days = self.workdays_between(start_day, due_day)
        if days <= 0:
            return None
        used = share * days
        ordinal = max(1, -int(-used // 1))  # ceil
        fraction = used - (ordinal - 1)
        day = self.workday_at(start_day, ordinal)
        opening, closing = office
        # At most a minute before closing: a warning that falls due at 17:00 is seen before the office closes.
        minutes = min(opening + round((closing - opening) * fraction), closing - 1)
        return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=SHANGHAI)

    def deadline_from(self, moment: dt.datetime, days: int) -> dt.datetime:
        """Deadline for a clock started at the aware `moment`."""
        return self.add_workdays(local_date(moment), days).due_at
