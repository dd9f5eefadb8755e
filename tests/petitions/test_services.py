import pytest

from lib.errors import DomainError
from petitions import services
from petitions.models import Channel, EventKind, Kind, Petition, Rating, Satisfaction, Status, Stream
from tests.factories import file_petition


@pytest.mark.django_db
def test_filing_records_history_and_number(city, operator):
    petition = file_petition(city, channel=Channel.PHONE, actor=operator)
    assert petition.status == Status.RECEIVED
    assert len(petition.number) == 14 and petition.number.isdigit()
    event = petition.events.get()
    assert (event.kind, event.to_status, event.actor, event.public) == (EventKind.FILED, Status.RECEIVED, operator, True)


@pytest.mark.django_db
def test_numbers_are_sequential_within_a_day(city):
    first, second = file_petition(city), file_petition(city)
    assert int(second.number) == int(first.number) + 1


@pytest.mark.django_db
def test_same_token_makes_one_petition(city):
    import uuid

    token = uuid.uuid4()
    first = file_petition(city, submission_token=token)
    again, created = services.petition_file(
        channel=Channel.WEB, kind=Kind.COMPLAINT, area=city.street, title="x" * 5, content="y" * 20,
        complainant_name="a", complainant_phone="13912345678", submission_token=token,
    )
    assert (again.pk, created) == (first.pk, False)
    assert Petition.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("channel", [Channel.MEDIA, Channel.PEOPLES_DAILY])
def test_media_items_wait_for_screening(city, channel):
    assert file_petition(city, channel=channel).status == Status.SCREENING


@pytest.mark.django_db
def test_screening_into_government_service_enters_workflow(city, operator):
    petition = file_petition(city, channel=Channel.MEDIA)
    services.petition_screen(petition=petition, stream=Stream.GOVERNMENT_SERVICE, actor=operator)
    assert (petition.status, petition.stream) == (Status.RECEIVED, Stream.GOVERNMENT_SERVICE)


@pytest.mark.django_db
@pytest.mark.parametrize("stream", [Stream.PUBLIC_OPINION, Stream.PETITION_MATTER, Stream.DISCIPLINE])
def test_other_streams_are_routed_out(city, operator, stream):
    petition = file_petition(city, channel=Channel.MEDIA)
    with pytest.raises(DomainError) as raised:
        services.petition_screen(petition=petition, stream=stream, actor=operator)
    assert raised.value.field == "routed_to"
    services.petition_screen(petition=petition, stream=stream, routed_to="市信访局", actor=operator)
    assert (petition.status, petition.routed_to, petition.stream) == (Status.ROUTED_OUT, "市信访局", stream)
    assert petition.closed_at is not None


@pytest.mark.django_db
def test_close_on_spot_only_for_consultations(city, operator):
    complaint = file_petition(city)
    with pytest.raises(DomainError):
        services.petition_close_on_spot(petition=complaint, answer="答复", actor=operator)
    consultation = file_petition(city, kind=Kind.CONSULTATION)
    services.petition_close_on_spot(petition=consultation, answer="按知识库答复", actor=operator)
    assert consultation.status == Status.CLOSED_ON_SPOT
    assert consultation.answer == "按知识库答复"


def _to_callback(petition, actor):
    for status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED, Status.CALLBACK):
        services.petition_transition(petition=petition, to=status, actor=actor)


@pytest.mark.django_db
def test_satisfied_rating_closes(petition, operator):
    _to_callback(petition, operator)
    services.petition_rate(petition=petition, satisfaction=Satisfaction.BASIC, solved=True)
    assert petition.status == Status.CLOSED
    assert petition.ratings.get().round == 1


@pytest.mark.django_db
def test_unsatisfied_rating_reopens_in_a_new_round(petition, operator, django_capture_on_commit_callbacks):
    from petitions.signals import petition_reopened

    received = []
    petition_reopened.connect(lambda **kw: received.append(kw["petition_id"]), weak=False, dispatch_uid="t")
    _to_callback(petition, operator)
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_rate(petition=petition, satisfaction=Satisfaction.UNSATISFIED, solved=False, comment="没解决")
    petition_reopened.disconnect(dispatch_uid="t")
    assert (petition.status, petition.handling_round) == (Status.IN_PROGRESS, 2)
    assert received == [petition.pk]
    assert petition.events.filter(kind=EventKind.REOPENED).exists()


@pytest.mark.django_db
def test_rating_twice_is_refused(petition, operator):
    _to_callback(petition, operator)
    services.petition_rate(petition=petition, satisfaction=Satisfaction.SATISFIED, solved=True)
    with pytest.raises(DomainError):
        services.petition_rate(petition=petition, satisfaction=Satisfaction.SATISFIED, solved=True)
    assert Rating.objects.count() == 1


@pytest.mark.django_db
def test_rating_before_the_answer_is_refused(petition):
    with pytest.raises(DomainError) as raised:
        services.petition_rate(petition=petition, satisfaction=Satisfaction.SATISFIED, solved=True)
    assert raised.value.code == "not_ratable"
