"""Nothing waits without a clock: joint consultation (会商研判) has a limit,
PORTAL_CONSULTATION_WORKING_DAYS (2), and enters the supervision pool when it passes.
Time is frozen: Mon 23 Nov 2026, 09:00 Beijing time."""
import datetime as dt

import pytest
import time_machine

from dispatch import routing, services
from dispatch.catalog import rule_create
from dispatch.models import Consultation, Target
from dispatch.sweeps import sweep_waiting_clocks
from petitions.models import Status
from supervision.models import CaseKind, CaseStatus, Level, SupervisionCase
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def at(day, hour=9, minute=0, second=0):
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=SH)


@pytest.fixture
def in_consultation(city, catalog, dispatcher, django_capture_on_commit_callbacks):
    with time_machine.travel(MON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            petition = file_petition(city)
        with django_capture_on_commit_callbacks(execute=True):
            services.dispatch_to_consultation(petition=petition, actor=dispatcher, reason="新业态，职责不清，需会商")
    return petition


def cases(petition):
    return SupervisionCase.objects.filter(object_id=petition.pk, kind=CaseKind.CONSULTATION_OVERDUE)


@pytest.mark.django_db
def test_joint_consultation_past_its_two_working_days_enters_the_pool_once(in_consultation):
    consultation = Consultation.objects.get(petition=in_consultation)
    # Day 0 is Monday; two working days later is Wednesday 23:59:59.
    assert consultation.due_at == at(25, 23, 59, 59)
    assert sweep_waiting_clocks(now=at(25, 23, 59, 58))["consultations"] == 0
    assert not cases(in_consultation).exists()
    assert sweep_waiting_clocks(now=at(26, 0, 0, 1))["consultations"] == 1
    case = cases(in_consultation).get()
    assert (case.status, case.level, case.reference) == (CaseStatus.OPEN, Level.HOTLINE, in_consultation.number)
    assert case.area == in_consultation.area and case.link.endswith(f"/petition/{in_consultation.pk}/")
    assert case.notices.count() == 1
    assert sweep_waiting_clocks(now=at(26, 1))["consultations"] == 0  # idempotent
    assert cases(in_consultation).count() == 1


@pytest.mark.django_db
def test_concluding_the_consultation_stops_its_clock_and_closes_its_case(in_consultation, city, dispatcher,
                                                                         django_capture_on_commit_callbacks):
    sweep_waiting_clocks(now=at(26, 0, 0, 1))
    with time_machine.travel(at(26, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.dispatch_redispatch(petition=in_consultation, lead_unit=city.district_gov, actor=dispatcher,
                                     reason="会商确定区政府兜底")
    assert cases(in_consultation).get().status == CaseStatus.CLOSED
    assert Consultation.objects.get(petition=in_consultation).ended_at == at(26, 10)


@pytest.mark.django_db
def test_a_consultation_concluded_in_time_never_enters_the_pool(in_consultation, city, dispatcher,
                                                                django_capture_on_commit_callbacks):
    with time_machine.travel(at(24), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.dispatch_redispatch(petition=in_consultation, lead_unit=city.district_gov, actor=dispatcher,
                                     reason="会商确定区政府兜底")
    assert sweep_waiting_clocks(now=at(30))["consultations"] == 0
    assert not cases(in_consultation).exists()


@pytest.mark.django_db
def test_the_consultation_limit_is_a_setting(city, catalog, dispatcher, settings, django_capture_on_commit_callbacks):
    settings.PORTAL_CONSULTATION_WORKING_DAYS = 1
    with time_machine.travel(MON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            petition = file_petition(city)
        with django_capture_on_commit_callbacks(execute=True):
            services.dispatch_to_consultation(petition=petition, actor=dispatcher, reason="职责不清，需会商研判")
    assert Consultation.objects.get(petition=petition).due_at == at(24, 23, 59, 59)
    assert sweep_waiting_clocks(now=at(25, 0, 0, 1))["consultations"] == 1


@pytest.mark.django_db
def test_a_catalog_rule_sending_to_consultation_starts_the_clock_too(city, django_capture_on_commit_callbacks):
    rule_create(key="new-business", kind="sector", classification=city.noise, target=Target.CONSULTATION)
    routing.invalidate()
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    petition.refresh_from_db()
    assert petition.status == Status.CONSULTATION
    assert Consultation.objects.get(petition=petition).due_at == at(25, 23, 59, 59)
    assert sweep_waiting_clocks(now=at(26, 0, 0, 1))["consultations"] == 1
