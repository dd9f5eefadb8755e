"""Nothing waits without a clock: a published answer awaiting its callback (回访) has a limit,
PORTAL_CALLBACK_WORKING_DAYS (3), and enters the pool past it; after PORTAL_CALLBACK_MAX_ATTEMPTS (3)
failed callbacks recorded by the operator the petition closes as "could not be reached" (无法联系),
without a rating. Time is frozen: Mon 23 Nov 2026, Beijing time."""
import datetime as dt

import pytest
import time_machine

from dispatch import handling, review
from dispatch.models import Reply, Role
from dispatch.sweeps import sweep_waiting_clocks
from lib.errors import DomainError
from petitions import services
from petitions.models import CallbackAttempt, CloseReason, EventKind, Rating, Satisfaction, Status
from supervision.models import CaseKind, CaseStatus, SupervisionCase
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)


def at(day, hour=9, minute=0, second=0):
    return dt.datetime(2026, 11, day, hour, minute, second, tzinfo=SH)


@pytest.fixture
def awaiting_callback(city, catalog, street_handler, dispatcher, django_capture_on_commit_callbacks):
    """Answered and published on Monday 23 Nov at 09:00."""
    with time_machine.travel(MON, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            petition = file_petition(city)
        lead = petition.assignments.get(role=Role.LEAD)
        handling.assignment_sign(assignment=lead, actor=street_handler)
        handling.assignment_answer(assignment=lead, actor=street_handler, content="经联合执法，商铺已停止外放音响。")
        with django_capture_on_commit_callbacks(execute=True):
            review.reply_review(reply=Reply.objects.get(petition=petition), approve=True, actor=dispatcher)
    petition.refresh_from_db()
    assert petition.status == Status.CALLBACK
    return petition


def callback_cases(petition):
    return SupervisionCase.objects.filter(object_id=petition.pk, kind=CaseKind.CALLBACK_OVERDUE)


@pytest.mark.django_db
def test_a_callback_past_its_three_working_days_enters_the_pool_once(awaiting_callback):
    assert awaiting_callback.callback_due_at == at(26, 23, 59, 59)
    assert sweep_waiting_clocks(now=at(26, 23, 59, 58))["callbacks"] == 0
    assert sweep_waiting_clocks(now=at(27, 0, 0, 1))["callbacks"] == 1
    case = callback_cases(awaiting_callback).get()
    assert (case.status, case.reference) == (CaseStatus.OPEN, awaiting_callback.number)
    assert sweep_waiting_clocks(now=at(27, 1))["callbacks"] == 0
    assert callback_cases(awaiting_callback).count() == 1


@pytest.mark.django_db
def test_the_callback_made_late_closes_its_case(awaiting_callback, operator, django_capture_on_commit_callbacks):
    sweep_waiting_clocks(now=at(27, 0, 0, 1))
    with time_machine.travel(at(27, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        review.callback_record(petition=awaiting_callback, actor=operator, satisfaction=Satisfaction.SATISFIED,
                               solved=True)
    assert callback_cases(awaiting_callback).get().status == CaseStatus.CLOSED
    awaiting_callback.refresh_from_db()
    assert awaiting_callback.close_reason == CloseReason.RATED


@pytest.mark.django_db
def test_an_unsatisfied_callback_closes_the_callback_case_and_the_unit_handles_again(
        awaiting_callback, operator, django_capture_on_commit_callbacks):
    sweep_waiting_clocks(now=at(27, 0, 0, 1))
    with time_machine.travel(at(27, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.petition_rate(petition=awaiting_callback, satisfaction=Satisfaction.UNSATISFIED, solved=False,
                               source=Rating.Source.CALLBACK, actor=operator)
    assert callback_cases(awaiting_callback).get().status == CaseStatus.CLOSED
    assert awaiting_callback.status == Status.IN_PROGRESS


@pytest.mark.django_db
def test_three_failed_callbacks_close_the_petition_as_unreachable_and_not_rated(
        awaiting_callback, operator, django_capture_on_commit_callbacks):
    with time_machine.travel(at(24, 10), tick=False):
        services.petition_callback_failed(petition=awaiting_callback, outcome="no_answer", actor=operator)
    with time_machine.travel(at(25, 15), tick=False):
        services.petition_callback_failed(petition=awaiting_callback, outcome="switched_off", actor=operator)
    assert awaiting_callback.status == Status.CALLBACK
    assert sweep_waiting_clocks(now=at(27, 0, 0, 1))["callbacks"] == 1  # failed calls do not stop the clock
    with time_machine.travel(at(27, 11), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.petition_callback_failed(petition=awaiting_callback, outcome="no_answer", actor=operator,
                                          note="三次未接通")
    awaiting_callback.refresh_from_db()
    assert awaiting_callback.status == Status.CLOSED
    assert awaiting_callback.close_reason == CloseReason.UNREACHABLE
    assert awaiting_callback.closed_at == at(27, 11)
    # Not rated: no rating at all, so it is neither satisfied nor unsatisfied in any rate.
    assert not Rating.objects.filter(petition=awaiting_callback).exists()
    assert awaiting_callback.events.filter(kind=EventKind.CALLBACK_ATTEMPT).count() == 3
    assert callback_cases(awaiting_callback).get().status == CaseStatus.CLOSED
    with pytest.raises(DomainError):
        services.petition_callback_failed(petition=awaiting_callback, outcome="no_answer", actor=operator)


@pytest.mark.django_db
def test_the_number_of_attempts_is_a_setting_and_counts_per_round(awaiting_callback, operator, settings):
    settings.PORTAL_CALLBACK_MAX_ATTEMPTS = 2
    services.petition_callback_failed(petition=awaiting_callback, outcome="no_answer", actor=operator)
    assert services.callback_attempts_left(awaiting_callback) == 1
    # An earlier round's failures do not count towards this round's.
    CallbackAttempt.objects.filter(petition=awaiting_callback).update(round=0)
    services.petition_callback_failed(petition=awaiting_callback, outcome="no_answer", actor=operator)
    assert awaiting_callback.status == Status.CALLBACK
    services.petition_callback_failed(petition=awaiting_callback, outcome="hung_up", actor=operator)
    assert awaiting_callback.status == Status.CLOSED


@pytest.mark.django_db
def test_a_failed_callback_needs_an_outcome_from_the_list(awaiting_callback, operator):
    with pytest.raises(DomainError) as error:
        services.petition_callback_failed(petition=awaiting_callback, outcome="maybe", actor=operator)
    assert error.value.field == "outcome"
    assert not CallbackAttempt.objects.exists()


@pytest.mark.django_db
def test_the_operator_records_failed_callbacks_on_the_callback_page(client, awaiting_callback, operator,
                                                                    django_capture_on_commit_callbacks):
    client.force_login(operator)
    url = f"/admin/petitions/petition/{awaiting_callback.pk}/callback/"
    page = client.get(url)
    assert page.status_code == 200 and "2026-11-26 23:59" in page.content.decode()
    bad = client.post(url, {"what": "failed"})
    assert bad.status_code == 400 and bad.context["failed_form"].errors["outcome"]
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {"what": "failed", "outcome": "no_answer", "note": "无人接听"})
        assert response.status_code == 302
    awaiting_callback.refresh_from_db()
    assert (awaiting_callback.status, awaiting_callback.close_reason) == (Status.CLOSED, CloseReason.UNREACHABLE)
    assert CallbackAttempt.objects.filter(petition=awaiting_callback, recorded_by=operator).count() == 3


@pytest.mark.django_db
def test_an_unreachable_petition_is_neither_satisfied_nor_unsatisfied_in_the_rates(
        awaiting_callback, operator, city, django_capture_on_commit_callbacks):
    from evaluation.aggregates import rating_counts
    from evaluation.models import Scope

    with time_machine.travel(at(24, 10), tick=False), django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            services.petition_callback_failed(petition=awaiting_callback, outcome="no_answer", actor=operator)
    rated = file_petition(city, complainant_phone="13700000001")
    Rating.objects.create(petition=rated, round=1, satisfaction=Satisfaction.UNSATISFIED, solved=False,
                          source=Rating.Source.CALLBACK, rated_at=at(24, 11))
    counts = rating_counts(dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    district = counts[(Scope.DISTRICT, city.district.pk, None)]
    # Only the rated petition counts: the unreachable one is in neither numerator nor denominator.
    assert (district["rated"], district["satisfied"], district["solved"]) == (1, 0, 0)
