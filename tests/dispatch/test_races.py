"""Two people acting on one petition at once end in one consistent state, and
the loser is told (PostgreSQL, real row locks)."""
import pytest

from dispatch import handling, services
from dispatch.models import Assignment, AssignmentStatus, Reply, Role
from lib.errors import ConflictError
from petitions.models import Petition, Status
from tests.concurrency import postgres_only, race
from tests.factories import file_petition, make_user

pytestmark = [pytest.mark.postgres, postgres_only, pytest.mark.django_db(transaction=True)]


def dispatched(city, catalog):
    petition = file_petition(city)  # outside a test transaction, filing dispatches at once
    petition.refresh_from_db()
    assert petition.status == Status.DISPATCHED
    return petition


def test_two_handlers_sign_at_once(city, catalog, street_handler):
    colleague = make_user("colleague", "unit_handler", city.street_office)
    petition = dispatched(city, catalog)
    lead = petition.assignments.get(role=Role.LEAD)
    results = race(lambda: handling.assignment_sign(assignment=lead, actor=street_handler),
                   lambda: handling.assignment_sign(assignment=lead, actor=colleague))
    outcomes = sorted(r[0] for r in results)
    assert outcomes == ["error", "ok"], results
    loser = next(r[1] for r in results if r[0] == "error")
    assert isinstance(loser, ConflictError) and "Already signed" in str(loser) or "已由" in str(loser)
    lead.refresh_from_db()
    assert lead.status == AssignmentStatus.SIGNED
    assert petition.events.filter(kind="signed").count() == 1


def test_dispatcher_redispatches_while_the_unit_answers(city, catalog, street_handler, dispatcher):
    for _ in range(5):  # the interleaving varies from run to run: check every outcome is consistent
        petition = dispatched(city, catalog)
        lead = petition.assignments.get(role=Role.LEAD)
        handling.assignment_sign(assignment=lead, actor=street_handler)
        results = race(
            lambda: handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已整改完毕。"),
            lambda: services.dispatch_redispatch(petition=petition, lead_unit=city.district_gov, actor=dispatcher,
                                                 reason="改派", expected=[Status.IN_PROGRESS]),
        )
        assert sorted(r[0] for r in results) == ["error", "ok"], results
        assert isinstance(next(r[1] for r in results if r[0] == "error"), ConflictError)
        petition.refresh_from_db()
        live_leads = Assignment.objects.filter(petition=petition, role=Role.LEAD,
                                               status__in=["pending", "signed", "answered"])
        assert live_leads.count() == 1
        if results[0][0] == "ok":  # the answer won
            assert petition.status == Status.REPLIED and live_leads.get().unit == city.street_office
            assert Reply.objects.filter(petition=petition, review="pending").count() == 1
        else:  # the re-dispatch won
            assert petition.status == Status.DISPATCHED and live_leads.get().unit == city.district_gov
            assert not Reply.objects.filter(petition=petition, review="pending").exists()


def test_two_dispatchers_dispatch_at_once(city, catalog):
    petition = file_petition(city, classification=None)  # waits for a dispatcher
    Petition.objects.filter(pk=petition.pk).update(classification=city.noise)
    results = race(lambda: services.dispatch_petition(petition=petition, mode="auto"),
                   lambda: services.dispatch_petition(petition=petition, mode="auto"))
    assert sorted(r[0] for r in results) == ["error", "ok"]
    assert Assignment.objects.filter(petition=petition, role=Role.LEAD).count() == 1
