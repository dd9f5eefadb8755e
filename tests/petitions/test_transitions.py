import pytest

from lib.errors import ConflictError, DomainError
from petitions import services, transitions
from petitions.models import PetitionEvent, Status

ALL_PAIRS = [(a, b) for a in Status.values for b in Status.values]


def _force_status(petition, status):
    # Test set-up only: put the row in the state under test.
    type(petition).objects.filter(pk=petition.pk).update(
        status=status, merged_into=petition if status == Status.MERGED else None
    )
    petition.refresh_from_db()


@pytest.mark.django_db
@pytest.mark.parametrize("from_status,to_status", ALL_PAIRS)
def test_every_pair_follows_the_table(city, operator, from_status, to_status):
    from tests.factories import file_petition

    petition = file_petition(city)
    _force_status(petition, from_status)
    events_before = PetitionEvent.objects.filter(petition=petition).count()
    changes = {"merged_into": petition} if to_status == Status.MERGED else None
    if transitions.allowed(from_status, to_status):
        services.petition_transition(petition=petition, to=to_status, actor=operator, reason="why", changes=changes)
        petition.refresh_from_db()
        assert petition.status == to_status
        event = PetitionEvent.objects.filter(petition=petition).latest("id")
        assert (event.from_status, event.to_status, event.actor, event.reason) == (from_status, to_status, operator, "why")
    else:
        with pytest.raises(DomainError) as raised:
            services.petition_transition(petition=petition, to=to_status, actor=operator, changes=changes)
        assert raised.value.code == "invalid_transition"
        petition.refresh_from_db()
        assert petition.status == from_status
        assert PetitionEvent.objects.filter(petition=petition).count() == events_before


def test_terminal_statuses_have_no_way_out():
    for status in (Status.CLOSED_ON_SPOT, Status.ROUTED_OUT, Status.MERGED):
        assert transitions.TRANSITIONS[status] == frozenset()
    assert set(transitions.TRANSITIONS) == set(Status.values)


@pytest.mark.django_db
def test_a_stale_expectation_is_a_conflict(petition, operator):
    services.petition_transition(petition=petition, to=Status.DISPATCHED, actor=operator)
    with pytest.raises(ConflictError) as raised:
        services.petition_transition(petition=petition, to=Status.CONSULTATION, actor=operator,
                                     expected=[Status.RECEIVED])
    assert petition.number in str(raised.value)


@pytest.mark.django_db
def test_history_is_append_only(petition):
    event = petition.events.first()
    event.reason = "rewritten"
    with pytest.raises(RuntimeError):
        event.save()


@pytest.mark.django_db
def test_closing_sets_closed_at(petition, operator):
    for status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED, Status.CALLBACK, Status.CLOSED):
        services.petition_transition(petition=petition, to=status, actor=operator)
    petition.refresh_from_db()
    assert petition.closed_at is not None
