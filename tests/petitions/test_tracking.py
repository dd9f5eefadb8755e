"""Tracking by number and phone: the citizen sees their own steps, nobody's
personal data, and rates the answer once."""
import pytest
from django.test import Client

from petitions import services
from petitions.models import Rating, Status
from tests.factories import file_petition


def track(client, number, phone):
    return client.post("/petitions/track/", {"number": number, "phone": phone})


@pytest.mark.django_db
def test_track_with_number_and_phone_shows_the_timeline(client, city, operator):
    petition = file_petition(city, actor=operator)
    services.petition_transition(petition=petition, to=Status.DISPATCHED, actor=operator,
                                 data={"units": ["甲一街道办事处"]})
    response = track(client, petition.number, "13912345678")
    assert response.status_code == 302
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert petition.number in page
    assert "甲一街道办事处" in page  # where it went is public
    assert "139****5678" in page and "13912345678" not in page
    assert operator.username not in page  # who handled it is not


@pytest.mark.django_db
@pytest.mark.parametrize("number,phone", [("20991231000001", "13912345678"), (None, "13800000000")])
def test_wrong_number_or_phone_gives_one_generic_answer(client, petition, number, phone):
    response = track(client, number or petition.number, phone)
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    assert petition.title not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("data,field", [({"number": "abc", "phone": "13912345678"}, "number"),
                                        ({"number": "20261123000001", "phone": "x"}, "phone"),
                                        ({"number": "20261123000001", "phone": "12345"}, "phone")])
def test_malformed_tracking_input(client, data, field):
    response = client.post("/petitions/track/", data)
    assert response.status_code == 400 and field in response.context["form"].errors


@pytest.mark.django_db
def test_a_petition_an_operator_recorded_with_a_landline_can_be_tracked_with_it(client, city):
    petition = file_petition(city, complainant_phone="0532-88881234")
    response = track(client, petition.number, "0532-88881234")
    assert response.status_code == 302


@pytest.mark.django_db
def test_detail_needs_a_tracked_session(petition):
    assert Client().get(f"/petitions/track/{petition.number}/").status_code == 404


@pytest.mark.django_db
def test_lookups_are_throttled(client, settings, petition):
    settings.PORTAL_RATE_TRACK = "3/h"
    for _ in range(3):
        track(client, petition.number, "13800000000")
    refused = track(client, petition.number, "13912345678")  # even the right phone
    assert refused.status_code == 429 and "_auth_user_id" not in client.session
    assert "petitions:tracked" not in client.session


@pytest.mark.django_db
def test_phone_never_appears_in_a_url(client, petition):
    response = track(client, petition.number, "13912345678")
    assert "1391234" not in response["Location"]


@pytest.mark.django_db
def test_confidential_petition_shows_no_other_personal_data(client, city):
    petition = file_petition(city, confidential=True, complainant_id_number="11010519491231002X")
    track(client, petition.number, "13912345678")
    page = client.get(f"/petitions/track/{petition.number}/").content.decode()
    assert "11010519491231002X" not in page and "王小明" not in page


def _answer(petition, actor):
    for status in (Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED):
        services.petition_transition(petition=petition, to=status, actor=actor)
    services.petition_transition(petition=petition, to=Status.CALLBACK, actor=actor,
                                 changes={"answer": "已责令商铺整改，晚十点后停止外放音响。"})


@pytest.mark.django_db
def test_citizen_reads_the_answer_and_rates_it_once(client, petition, operator):
    _answer(petition, operator)
    track(client, petition.number, "13912345678")
    page = client.get(f"/petitions/track/{petition.number}/").content.decode()
    assert "已责令商铺整改" in page and 'name="satisfaction"' in page
    url = f"/petitions/track/{petition.number}/rate/"
    assert client.post(url, {"satisfaction": "satisfied", "solved": "yes"}).status_code == 302
    assert client.post(url, {"satisfaction": "unsatisfied", "solved": "no"}).status_code == 302
    assert Rating.objects.count() == 1
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED


@pytest.mark.django_db
def test_rating_form_errors(client, petition, operator):
    _answer(petition, operator)
    track(client, petition.number, "13912345678")
    response = client.post(f"/petitions/track/{petition.number}/rate/", {"satisfaction": "meh"})
    assert response.status_code == 400
    assert set(response.context["rating_form"].errors) == {"satisfaction", "solved"}
    assert Rating.objects.count() == 0


@pytest.mark.django_db
def test_rating_needs_the_tracked_session(petition, operator):
    _answer(petition, operator)
    response = Client().post(f"/petitions/track/{petition.number}/rate/", {"satisfaction": "satisfied", "solved": "yes"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_revoking_the_links_closes_the_petition_to_browsers_let_in_before(client, city):
    """A citizen whose link was forwarded revokes it: the browser that opened it is closed out too, and must
    prove number and phone again."""
    from petitions import links

    petition = file_petition(city)
    token = links.petition_token(petition)
    assert client.get(f"/petitions/p/{token}/").status_code == 302
    assert client.get(f"/petitions/track/{petition.number}/").status_code == 200
    links.petition_links_revoke(petition=petition)
    assert client.get(f"/petitions/p/{token}/").status_code == 404
    assert client.get(f"/petitions/track/{petition.number}/").status_code == 404
    assert track(client, petition.number, "13912345678").status_code == 302  # the owner proves it again
    assert client.get(f"/petitions/track/{petition.number}/").status_code == 200


@pytest.mark.django_db
def test_tracking_something_else_does_not_renew_an_old_grant(client, city, settings):
    import datetime as dt

    import time_machine

    old, new = file_petition(city), file_petition(city, complainant_phone="13800000000")
    start = dt.datetime.now(dt.timezone.utc)
    with time_machine.travel(start, tick=False):
        track(client, old.number, "13912345678")
    later = start + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    with time_machine.travel(later, tick=False):
        track(client, new.number, "13800000000")  # the cookie is written again, with both entries
        assert client.get(f"/petitions/track/{old.number}/").status_code == 200
    with time_machine.travel(later + dt.timedelta(minutes=2), tick=False):
        assert client.get(f"/petitions/track/{old.number}/").status_code == 404  # its own age, not the cookie's
        assert client.get(f"/petitions/track/{new.number}/").status_code == 200


@pytest.mark.django_db
def test_a_tracking_cookie_written_before_versions_still_opens_the_petition(client, city):
    from django.core import signing

    from petitions.views import COOKIES, SESSION_TRACKED

    petition = file_petition(city)
    client.cookies[COOKIES[SESSION_TRACKED]] = signing.get_cookie_signer(salt=COOKIES[SESSION_TRACKED] + SESSION_TRACKED).sign(
        str(petition.pk))
    assert client.get(f"/petitions/track/{petition.number}/").status_code == 200


@pytest.mark.django_db
def test_someone_trying_numbers_with_a_reporters_phone_is_stopped_whatever_the_address(city, operator, settings):
    """The per-address limit does not stop many addresses; failures are counted per phone (docs/security.md)."""
    settings.PORTAL_TRACK_PHONE_FAILURES = 3
    petition = file_petition(city, actor=operator)
    for i in range(3):
        response = Client(REMOTE_ADDR=f"10.0.0.{i + 1}").post(
            "/petitions/track/", {"number": f"2099123100000{i}", "phone": "13912345678"})
        assert response.status_code == 400
    # Now even the right number finds nothing for this phone, from a fresh address, on the web and the API.
    page = Client(REMOTE_ADDR="10.0.0.9").post("/petitions/track/", {"number": petition.number,
                                                                    "phone": "13912345678"})
    assert page.status_code == 400 and "12345" in page.content.decode()
    api = Client(REMOTE_ADDR="10.0.0.10").post("/api/v1/petitions/track/",
                                               {"number": petition.number, "phone": "13912345678"})
    assert api.status_code == 404
    # Another citizen's phone is not affected.
    other = file_petition(city, actor=operator, complainant_phone="13911112222")
    assert track(Client(REMOTE_ADDR="10.0.0.11"), other.number, "13911112222").status_code == 302
