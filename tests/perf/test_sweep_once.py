"""Issue 20: a sweep that flags more overdue work than one batch writes each supervision case, its event
and its notice exactly once, and tells each unit once with the exact count (it used to re-insert the
notices of the earlier batches past 10,000 and tell units the wrong count)."""
import copy
import datetime as dt
import threading

import pytest
import time_machine
from django.db.models import Count

from dispatch import counters, sweeps
from dispatch.models import Assignment, Role
from dispatch.sweeps import sweep_deadlines
from notifications.models import Notification
from org.models import HandlingUnit
from petitions.models import Petition
from supervision.models import CaseEvent, CaseKind, SupervisionCase, SupervisionNotice
from tests.concurrency import postgres_only
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
FLAGGED = 25_000


@pytest.mark.django_db
def test_a_sweep_flagging_25000_writes_each_case_event_and_notice_once(city, catalog,
                                                                       django_capture_on_commit_callbacks):
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    _flag_25000_once(city, petition, batch=10_000)


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_connections_flagging_25000_at_once_write_each_case_event_and_notice_once(city, catalog, settings,
                                                                                      monkeypatch):
    """On PostgreSQL the sweep flags with PORTAL_SWEEP_WORKERS connections at once (dispatch.sweeps.
    _flag_overdue_all), each batch claimed with SKIP LOCKED: committed data, both connections at work, and still
    each case, event and notice once, each unit told once with its exact count, the counters equal to a recount."""
    settings.PORTAL_SWEEP_WORKERS = 2
    with time_machine.travel(MON, tick=False):
        petition = file_petition(city)  # outside a test transaction, filing dispatches at once
    claimers = set()
    flag_batch = sweeps._flag_overdue

    def spy(*args, **kwargs):
        claimed = flag_batch(*args, **kwargs)
        if claimed:
            claimers.add(threading.get_ident())
        return claimed

    monkeypatch.setattr(sweeps, "_flag_overdue", spy)
    _flag_25000_once(city, petition, batch=1_000)
    assert len(claimers) == 2, "both connections flagged batches"
    assert counters.check() == []


def _flag_25000_once(city, petition, *, batch: int) -> None:
    template = petition.assignments.get(role=Role.LEAD)
    units = [city.street_office, city.urban]
    for n, unit in enumerate(units):
        HandlingUnit.objects.filter(pk=unit.pk).update(email=f"unit{n}@example.gov.cn", phone=f"1390000000{n}")
    # 25,000 overdue assignments of two units (3 batches of 10,000): 15,000 of the street office, 10,000 of urban,
    # each on its own petition.
    clones = []
    for i in range(FLAGGED):
        clone = copy.copy(petition)
        clone.pk, clone.number, clone.submission_token = None, f"B{i:013d}", None
        clones.append(clone)
    clones = Petition.objects.bulk_create(clones, batch_size=5000)
    Assignment.objects.bulk_create([
        Assignment(petition=clones[i], unit=units[0] if i < 15_000 else units[1], role=Role.LEAD,
                   status=template.status, round=template.round, dispatched_at=template.dispatched_at,
                   clock_started_at=template.clock_started_at, sign_due_at=template.sign_due_at,
                   handle_due_at=template.handle_due_at, warn_at=template.warn_at)
        for i in range(FLAGGED)], batch_size=5000)
    late = template.handle_due_at + dt.timedelta(hours=1)
    own = {unit.pk: petition.assignments.filter(unit=unit).count() for unit in units}  # the filed petition's
    total = FLAGGED + sum(own.values())
    before = Notification.objects.count()

    counts = sweep_deadlines(now=late, batch=batch)

    assert counts["red"] == total
    cases = SupervisionCase.objects.filter(kind=CaseKind.OVERDUE)
    assert cases.count() == total
    assert CaseEvent.objects.filter(kind=CaseEvent.Kind.OPENED).count() == total
    assert SupervisionNotice.objects.count() == total
    assert not CaseEvent.objects.values("case").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not SupervisionNotice.objects.values("case").annotate(n=Count("pk")).filter(n__gt=1).exists()
    # One digest per unit and channel, with the exact count of its petitions.
    digests = Notification.objects.filter(key__startswith="unit.deadline_digest:pool:")
    assert digests.values("key").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert digests.count() == 4  # two units, SMS and e-mail each
    street = {n.subject for n in digests if f"pool:overdue:{city.street_office.pk}:" in n.key}
    urban = {n.subject for n in digests if f"pool:overdue:{city.urban.pk}:" in n.key}
    assert street and all(str(15_000 + own[city.street_office.pk]) in s for s in street), street
    assert urban and all(str(10_000 + own[city.urban.pk]) in s for s in urban), urban

    # A second sweep finds nothing new and writes nothing.
    written = Notification.objects.count()
    assert sweep_deadlines(now=late + dt.timedelta(minutes=1), batch=batch)["red"] == 0
    assert SupervisionNotice.objects.count() == total and Notification.objects.count() == written
    assert written > before


@pytest.mark.django_db
def test_the_cases_written_in_the_database_carry_what_the_pool_shows_and_hide_a_confidential_title(
        city, catalog, django_capture_on_commit_callbacks):
    """The sweep writes its cases with one INSERT ... SELECT (issue 20): each case still has its reference, its
    unit and area, its link and a title, and a confidential petition's title (which may name the complainant)
    is replaced by its number, as when the cases were built in Python."""
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        plain = file_petition(city, title="楼下噪音扰民")
        secret = file_petition(city, title="我是王小明13912345678举报邻居", confidential=True)
    late = plain.assignments.get(role=Role.LEAD).handle_due_at + dt.timedelta(hours=1)
    sweep_deadlines(now=late)
    for petition, title in ((plain, "楼下噪音扰民"), (secret, secret.number)):
        lead = petition.assignments.get(role=Role.LEAD)
        case = SupervisionCase.objects.get(kind=CaseKind.OVERDUE, object_id=lead.pk)
        assert (case.reference, case.title, case.unit_id, case.area_id) == (
            petition.number, title, lead.unit_id, petition.area_id)
        assert case.link == f"/dispatch/supervision/assignment/{lead.pk}/"
        assert case.status == "open" and case.level == 1 and case.opened_at == late and case.escalate_at > late
        assert case.events.filter(kind=CaseEvent.Kind.OPENED).count() == 1 and case.notices.count() == 1
    assert "王小明" not in "".join(SupervisionCase.objects.values_list("title", flat=True))
