"""Issue 20, target 4: when the calendar changes, the open deadlines are recomputed set-based in the database on
PostgreSQL (dispatch/recompute.py). The set-based result must equal the Python clocks
(`dispatch.deadlines.clocks`: handling deadline, yellow warning at 75% of the working time inside office hours,
sign-for deadline while pending) on a varied set: tiers 1/3/7/11 and unclassified, urgent hours (left alone),
extensions, waited days, starts at night and at weekends across a year's end, new holidays and make-up days."""
import copy
import datetime as dt
import random

import pytest
import time_machine
from django.conf import settings

from dispatch import deadlines, recompute
from dispatch.models import Assignment, AssignmentStatus, Role
from org import calendar
from org.models import CalendarDay
from petitions.models import Petition
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
ROWS = 300


def _clocks(a):
    return (a.handle_due_at, a.warn_at, a.sign_due_at)


@pytest.fixture
def open_work(city, catalog, django_capture_on_commit_callbacks):
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    template = petition.assignments.get(role=Role.LEAD)
    kinds = [city.parking, city.noise, city.property_fee, city.demolition, city.heating_outage, None]
    rng = random.Random(20)
    clones = []
    for i in range(ROWS):
        clone = copy.copy(petition)
        clone.pk, clone.number, clone.submission_token = None, f"R{i:013d}", None
        clone.classification = kinds[i % len(kinds)]
        clones.append(clone)
    clones = Petition.objects.bulk_create(clones)
    rows = []
    for i, clone in enumerate(clones):
        # Clocks started between 1 December 2026 and mid-January 2027, at any minute (nights and weekends too).
        start = dt.datetime(2026, 12, 1, tzinfo=SH) + dt.timedelta(minutes=rng.randrange(45 * 24 * 60))
        extended, waited = rng.choice([0, 0, 0, 1, 3, 5]), rng.choice([0, 0, 1, 2, 4])
        if clone.classification is not None and clone.classification.tier == "urgent":
            extended = waited = 0
        status = AssignmentStatus.PENDING if i % 3 == 0 else (AssignmentStatus.SIGNED if i % 7 else AssignmentStatus.DONE)
        values = deadlines.clocks(start, clone.classification, extended_days=extended, waited_days=waited)
        rows.append(Assignment(petition=clone, unit=template.unit, role=Role.LEAD, status=status, round=1,
                               dispatched_at=start, extended_days=extended, waited_days=waited, **values))
    Assignment.objects.bulk_create(rows)
    return Assignment.objects.filter(petition__number__startswith="R")


def _republish():
    """New holidays around the year's end and a make-up Saturday, as a republished calendar would bring."""
    CalendarDay.objects.bulk_create([
        CalendarDay(date=dt.date(2026, 12, 24), is_workday=False, name="测试假日"),
        CalendarDay(date=dt.date(2026, 12, 31), is_workday=False, name="元旦"),
        CalendarDay(date=dt.date(2027, 1, 4), is_workday=False, name="元旦"),
        CalendarDay(date=dt.date(2027, 1, 5), is_workday=False, name="元旦"),
        CalendarDay(date=dt.date(2027, 1, 9), is_workday=True, name="元旦"),  # a Saturday made a working day
        CalendarDay(date=dt.date(2027, 1, 20), is_workday=False, name="测试假日"),
    ], ignore_conflicts=True)
    calendar.invalidate()


ENGINES = [
    pytest.param("sql", marks=[pytest.mark.postgres,
                               pytest.mark.skipif(not settings.IS_POSTGRES, reason="set-based on PostgreSQL")]),
    "python",
]


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ENGINES)
def test_recomputed_deadlines_equal_the_python_clocks(open_work, engine):
    before = {a.pk: _clocks(a) for a in open_work.all()}
    _republish()
    expected, moved = {}, 0
    for a in open_work.select_related("petition__classification"):
        classification = a.petition.classification
        if a.status in (AssignmentStatus.PENDING, AssignmentStatus.SIGNED) and getattr(classification, "tier", "") != "urgent":
            values = deadlines.clocks(a.clock_started_at, classification, extended_days=a.extended_days,
                                      waited_days=a.waited_days, with_sign=a.status == AssignmentStatus.PENDING)
            expected[a.pk] = (values["handle_due_at"], values["warn_at"], values.get("sign_due_at", a.sign_due_at))
        else:
            expected[a.pk] = before[a.pk]  # urgent hours and closed work do not move
        moved += expected[a.pk] != before[a.pk]
    assert moved > ROWS // 3  # the change reaches most of the open work, so the comparison means something

    if engine == "sql":
        changed = recompute.recompute_deadlines(years=[2026, 2027], batch=37)  # several batches
    else:
        changed = recompute._recompute_python([2026, 2027], batch=37)

    assert changed == moved
    after = {a.pk: _clocks(a) for a in open_work.all()}
    wrong = {pk: (after[pk], expected[pk]) for pk in expected if after[pk] != expected[pk]}
    assert not wrong, [(pk, [str(v) for v in got], [str(v) for v in want]) for pk, (got, want) in list(wrong.items())[:3]]
    # Run again on a new version of the same calendar: nothing left to change, nothing written.
    calendar.invalidate()
    assert recompute.recompute_deadlines(years=[2026, 2027]) == 0


@pytest.mark.django_db
@pytest.mark.parametrize("engine", ENGINES)
def test_only_the_years_that_changed_are_recomputed(open_work, engine):
    _republish()
    before = {a.pk: _clocks(a) for a in open_work.all()}
    # Only 2028 changed: no clock runs through it, nothing moves (even though 2026/2027 would).
    if engine == "sql":
        assert recompute.recompute_deadlines(years=[2028]) == 0
    else:
        assert recompute._recompute_python([2028], batch=50) == 0
    assert {a.pk: _clocks(a) for a in open_work.all()} == before


def test_the_warning_point_is_the_working_time_share_of_the_calendar():
    # 3 working days from a Friday evening: 75% is used on the 3rd working day at 11:00 (docs/supervision.md).
    assert recompute.warn_point(3, office=(9 * 60, 17 * 60)) == (3, 11 * 60)
    assert recompute.warn_point(1, office=(9 * 60, 17 * 60)) == (1, 15 * 60)
    assert recompute.warn_point(4, office=(9 * 60, 17 * 60)) == (3, 17 * 60 - 1)  # capped at closing - 1 minute



@pytest.mark.django_db
def test_the_tasks_of_one_republication_recompute_once(open_work):
    """One sync deletes and saves dozens of days, each sending calendar_changed: the first task recomputes,
    the others find their years done under the same version of the calendar."""
    _republish()
    assert recompute.recompute_deadlines(years=[2026, 2027]) > 0
    victim = open_work.filter(status=AssignmentStatus.SIGNED).exclude(petition__classification__tier="urgent").first()
    right = victim.handle_due_at
    Assignment.objects.filter(pk=victim.pk).update(handle_due_at=right + dt.timedelta(days=1))
    assert recompute.recompute_deadlines(years=[2027]) == 0  # same version, its year covered: skipped
    victim.refresh_from_db()
    assert victim.handle_due_at == right + dt.timedelta(days=1)
    calendar.invalidate()  # the calendar changed again
    assert recompute.recompute_deadlines(years=[2027]) == 1
    victim.refresh_from_db()
    assert victim.handle_due_at == right
