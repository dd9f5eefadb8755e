"""Issue 20, target 3: the supervisors' dashboard reads counters of open work that the database keeps current in
the transaction of each change (dispatch.counters). After a mixed sequence of the real operations (filing,
signing, answering, review, rating and reopening, re-dispatch, co-units added and removed, consultation, the
sweeps, a bulk update and a petition moved to another district) the counters equal a full recount of the
assignments, on the page as in the table, and the repair command puts a damaged table right."""
import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.db.models import Case, Count, F, IntegerField, Q, Value, When

from dispatch import counters, handling, review, selectors, services
from dispatch.models import Assignment, AssignmentStatus, OpenWorkCount, Reply, Role, WarningLevel
from dispatch.sweeps import sweep_deadlines
from petitions.models import Petition, Satisfaction
from petitions.services import petition_rate
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def recount(group: str) -> dict:
    """The dashboard's figures counted from the assignments themselves (not signed in time: as the sweep flags)."""
    rows = (Assignment.objects.filter(status__in=selectors.OPEN_WORK).values(group).annotate(
        open=Count("pk"), yellow=Count("pk", filter=Q(warning=WarningLevel.YELLOW)),
        red=Count("pk", filter=Q(warning=WarningLevel.RED)),
        not_signed=Count("pk", filter=Q(status=AssignmentStatus.PENDING, sign_overdue_at__isnull=False))))
    return {row[group]: (row["open"], row["yellow"], row["red"], row["not_signed"]) for row in rows}


def from_counters(group: str, **filters) -> dict:
    return {row[group]: (row["open"], row["yellow"], row["red"], row["not_signed"])
            for row in selectors.open_work_summary(selectors.open_work_counts(**filters), group)}


def assert_agree(compact: bool = False):
    if compact:
        counters.compact()
    assert counters.check() == []
    for group in ("unit__name", "petition__district__name"):
        assert from_counters(group) == recount(group)


@pytest.mark.django_db
def test_counters_equal_a_full_recount_after_a_mixed_sequence(city, catalog, act, dispatcher, street_handler,
                                                               urban_handler):
    # Noise in 甲区: the street leads, urban management co-handles; parking in 乙区: urban management alone.
    noisy = [act(MON + dt.timedelta(minutes=i), file_petition, city=city, complainant_phone=f"1390000000{i}")
             for i in range(4)]
    parked = [act(MON + dt.timedelta(minutes=10 + i), file_petition, city=city, area=city.other_street,
                  classification=city.parking, complainant_phone=f"1380000000{i}") for i in range(3)]
    assert Assignment.objects.filter(status__in=selectors.OPEN_WORK).count() == 11
    assert_agree()
    assert from_counters("petition__district__name") == {"甲区": (8, 0, 0, 0), "乙区": (3, 0, 0, 0)}

    # Signing, answering, the platform's review (approve one, reject one), a rating that reopens.
    lead = [p.assignments.get(role=Role.LEAD) for p in noisy]
    for assignment in lead:
        act(MON + dt.timedelta(hours=2), handling.assignment_sign, assignment=assignment, actor=street_handler)
    act(MON + dt.timedelta(hours=3), handling.assignment_answer, assignment=lead[0], actor=street_handler,
        content="已现场核查，商铺音响已拆除，噪音问题已解决。")
    act(MON + dt.timedelta(hours=4), review.reply_review, reply=Reply.objects.get(petition=noisy[0]), approve=True,
        actor=dispatcher)
    act(MON + dt.timedelta(hours=3), handling.assignment_answer, assignment=lead[1], actor=street_handler,
        content="已约谈商铺负责人，要求其夜间停止使用音响设备。")
    act(MON + dt.timedelta(hours=4), review.reply_review, reply=Reply.objects.get(petition=noisy[1]),
        approve=False, actor=dispatcher, note="请附整改照片。")
    assert_agree()
    act(MON + dt.timedelta(hours=6), petition_rate, petition=Petition.objects.get(pk=noisy[0].pk),
        satisfaction=Satisfaction.UNSATISFIED, solved=False, comment="还是很吵")
    assert_agree()

    # Re-dispatch, a co-unit added then removed, joint consultation.
    act(MON + dt.timedelta(hours=7), services.dispatch_redispatch, petition=Petition.objects.get(pk=parked[0].pk),
        lead_unit=city.other_street_office, actor=dispatcher, reason="属地街道负责")
    added = act(MON + dt.timedelta(hours=7), services.dispatch_add_co_unit,
                petition=Petition.objects.get(pk=parked[1].pk), unit=city.district_gov, actor=dispatcher,
                reason="需要区政府协调")
    assert_agree()
    act(MON + dt.timedelta(hours=8), services.dispatch_remove_co_unit, assignment=added, actor=dispatcher,
        reason="无需协调")
    act(MON + dt.timedelta(hours=8), services.dispatch_to_consultation, petition=Petition.objects.get(pk=noisy[3].pk),
        actor=dispatcher, reason="职责不清，需会商")
    assert_agree(compact=True)

    # The sweeps, days later: not signed for in time, yellow, red, in set-based updates.
    for days in (1, 2, 4, 8):
        act(MON + dt.timedelta(days=days), sweep_deadlines)
        assert_agree(compact=days % 2 == 0)
    assert sum(v[2] for v in from_counters("unit__name").values()) > 0  # something is red
    assert sum(v[3] for v in from_counters("unit__name").values()) > 0  # something was never signed for

    # A bulk update and a petition moved to the other district (its open work moves with it).
    Assignment.objects.filter(status=AssignmentStatus.SIGNED).update(warning=WarningLevel.NONE)
    moved = Petition.objects.get(pk=noisy[2].pk)
    before = from_counters("petition__district__name")
    Petition.objects.filter(pk=moved.pk).update(area=city.other_street, district=city.other_district)
    after = from_counters("petition__district__name")
    live = Assignment.objects.filter(petition=moved, status__in=selectors.OPEN_WORK).count()
    assert live and after["乙区"][0] == before["乙区"][0] + live
    assert_agree(compact=True)

    # Bulk updates that move open work to another unit and day, that change nothing counted, and that do both at
    # once in one statement.
    one, two = Assignment.objects.filter(status__in=selectors.OPEN_WORK).order_by("pk")[:2]
    Assignment.objects.filter(pk=one.pk).update(unit=city.district_gov,
                                                dispatched_at=one.dispatched_at - dt.timedelta(days=3))
    assert_agree()
    Assignment.objects.filter(status__in=selectors.OPEN_WORK).update(sign_reminded_at=F("sign_reminded_at"))
    assert_agree()
    Assignment.objects.filter(pk__in=[one.pk, two.pk]).update(
        warning=WarningLevel.YELLOW, unit=Case(When(pk=two.pk, then=Value(city.other_street_office.pk)),
                                               default=F("unit"), output_field=IntegerField()))
    assert_agree(compact=True)

    # Filters: a district's own, a kind of unit.
    assert from_counters("unit__name", district=city.other_district) == {
        row["unit__name"]: (row["open"], row["yellow"], row["red"], row["not_signed"])
        for row in recount_rows("unit__name", petition__district=city.other_district)}
    assert set(from_counters("unit__name", unit_kind="street_office")) <= {"甲一街道办事处", "乙一街道办事处"}

    # The aging bands from the counters: Beijing calendar days since the day of dispatch.
    with time_machine.travel(MON + dt.timedelta(days=8, hours=1), tick=False):
        aging = dict(selectors.open_work_aging(selectors.open_work_counts()))
        today = dt.date(2026, 12, 1)
        days = [(today - a.dispatched_at.astimezone(SH).date()).days
                for a in Assignment.objects.filter(status__in=selectors.OPEN_WORK)]
    assert aging["7–15"] == sum(1 for d in days if 7 <= d < 15) and aging["0–1"] == sum(1 for d in days if d < 1)
    assert sum(aging.values()) == len(days)


def recount_rows(group, **filters):
    return (Assignment.objects.filter(status__in=selectors.OPEN_WORK, **filters).values(group).annotate(
        open=Count("pk"), yellow=Count("pk", filter=Q(warning=WarningLevel.YELLOW)),
        red=Count("pk", filter=Q(warning=WarningLevel.RED)),
        not_signed=Count("pk", filter=Q(status=AssignmentStatus.PENDING, sign_overdue_at__isnull=False))))


@pytest.mark.django_db
def test_old_days_are_folded_and_still_counted_in_the_oldest_band(city, catalog, act):
    petition = act(MON - dt.timedelta(days=40), file_petition, city=city)
    with time_machine.travel(MON, tick=False):
        assert counters.compact() == OpenWorkCount.objects.count()
        assert set(OpenWorkCount.objects.filter(unit__isnull=True).values_list("day", flat=True)) == {counters.FOLDED}
        assert dict(selectors.open_work_aging(selectors.open_work_counts()))["≥15"] == 2
        assert counters.check() == []
        Assignment.objects.filter(petition=petition, role=Role.CO).update(status=AssignmentStatus.CANCELLED)
        assert dict(selectors.open_work_aging(selectors.open_work_counts()))["≥15"] == 1
        assert counters.check() == []


@pytest.mark.django_db
def test_the_recount_command_repairs_damaged_counters(city, catalog, act, capsys):
    act(MON, file_petition, city=city)
    OpenWorkCount.objects.create(unit=city.urban, district=city.district, day=dt.date(2026, 11, 23), open=5, red=2)
    OpenWorkCount.objects.filter(unit=city.street_office).delete()
    assert counters.check()
    with pytest.raises(Exception):
        call_command("recount_open_work", "--check")
    call_command("recount_open_work")
    assert counters.check() == []
    assert from_counters("unit__name") == recount("unit__name") == {"甲一街道办事处": (1, 0, 0, 0),
                                                                 "市城市管理局": (1, 0, 0, 0)}


@pytest.mark.django_db
def test_the_dashboard_shows_the_counters(client, city, catalog, act, supervisor):
    act(MON, file_petition, city=city)
    act(MON, file_petition, city=city, area=city.other_street, classification=city.parking,
        complainant_phone="13800000000")
    OpenWorkCount.objects.create(unit=city.urban, district=city.other_district, day=dt.date(2026, 11, 23), red=1)
    client.force_login(supervisor)
    with time_machine.travel(MON + dt.timedelta(hours=1), tick=False):
        page = client.get("/dispatch/supervision/")
        filtered = client.get("/dispatch/supervision/", {"district": city.other_district.pk})
    assert page.status_code == 200
    by_district = {row["petition__district__name"]: row["open"] for row in page.context["by_district"]}
    assert by_district == {"甲区": 2, "乙区": 1}
    assert page.context["by_unit"][0]["unit__name"] == "市城市管理局" and page.context["by_unit"][0]["red"] == 1
    assert [row["unit__name"] for row in filtered.context["by_unit"]] == ["市城市管理局"]
    assert dict(page.context["aging"])["0–1"] == 3
