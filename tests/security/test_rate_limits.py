"""Every public write and lookup is limited per client address (lib/ratelimits.py): past
its limit it answers 429 (a translated page, or JSON for the API and Open311) and stores
nothing; a forged X-Forwarded-For changes nothing; nobody, staff included, is exempt."""
import datetime as dt
import uuid

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from disclosure.models import Body, Event, InfoRequest, Question, Signup
from evaluation.models import Suggestion
from petitions.models import Petition
from petitions.services import apikey_issue
from tests.api.test_open311 import post_body
from tests.disclosure.conftest import application
from tests.evaluation.test_sanmin import OPEN, SH, campaign, drawn  # noqa: F401 (the campaign fixture)
from tests.petitions.test_citizen_form import form_data

FORGED = iter(f"198.51.100.{i}" for i in range(1, 250))


def forged():
    """A new X-Forwarded-For every time, as the attacker sent."""
    return {"HTTP_X_FORWARDED_FOR": next(FORGED)}


def assert_refused_page(response):
    page = response.content.decode()
    assert response.status_code == 429
    assert "请求过多" in page and "Too many requests" in page  # Chinese first, English too
    assert "Traceback" not in page and "settings" not in page


# --- The address ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_make_a_new_client(client, settings, petition):
    settings.PORTAL_RATE_TRACK = "3/h"
    codes = [client.post("/petitions/track/", {"number": petition.number, "phone": "13800000000"},
                         **forged()).status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


@pytest.mark.django_db
def test_behind_a_real_proxy_each_citizen_has_their_own_bucket(settings, petition):
    settings.PORTAL_TRUSTED_PROXIES = 1
    settings.PORTAL_RATE_TRACK = "2/h"
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    data = {"number": petition.number, "phone": "13800000000"}
    first = Client(**proxy)
    for _ in range(2):
        assert first.post("/petitions/track/", data, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 400
    # Forging the left part of the header does not help the first citizen ...
    forged_left = first.post("/petitions/track/", data, HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert forged_left.status_code == 429
    # ... and another citizen behind the same proxy is not refused with them.
    assert Client(**proxy).post("/petitions/track/", data, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 400


# --- Petitions: the form, tracking on the web and the API ---------------------------------------

@pytest.mark.django_db
def test_the_petition_form_refuses_past_its_limit_and_stores_nothing(client, settings, city):
    settings.PORTAL_RATE_FILE = "1/h"
    assert client.post("/petitions/new/", form_data(city), **forged()).status_code == 302
    refused = client.post("/petitions/new/", form_data(city, submission_token=str(uuid.uuid4())), **forged())
    assert_refused_page(refused)
    assert Petition.objects.count() == 1
    assert client.get("/petitions/new/").status_code == 200  # reading the form is not limited


@pytest.mark.django_db
def test_tracking_on_the_web_and_the_api_share_one_bucket(client, settings, petition):
    settings.PORTAL_RATE_TRACK = "2/h"
    api = APIClient()
    assert client.post("/petitions/track/", {"number": petition.number, "phone": "13800000000"}).status_code == 400
    assert api.post("/api/v1/petitions/track/", {"number": petition.number, "phone": "13800000000"},
                    format="json").status_code == 404
    refused = api.post("/api/v1/petitions/track/", {"number": petition.number, "phone": "13912345678"}, format="json")
    assert refused.status_code == 429 and "detail" in refused.json()
    assert_refused_page(client.post("/petitions/track/", {"number": petition.number, "phone": "13912345678"}))


@pytest.mark.django_db
def test_staff_are_throttled_on_the_tracking_api_too(settings, petition, supervisor):
    settings.PORTAL_RATE_TRACK = "3/h"
    api = APIClient()
    api.force_authenticate(supervisor)
    codes = [api.post("/api/v1/petitions/track/", {"number": petition.number, "phone": f"1380000000{i}"},
                      format="json", **forged()).status_code for i in range(4)]
    assert codes == [404, 404, 404, 429]


@pytest.mark.django_db
def test_rating_through_the_api_counts_as_a_lookup(settings, petition):
    settings.PORTAL_RATE_TRACK = "1/h"
    api = APIClient()
    api.post("/api/v1/petitions/track/", {"number": petition.number, "phone": "13800000000"}, format="json")
    refused = api.post(f"/api/v1/petitions/{petition.number}/rating/",
                       {"phone": "13912345678", "satisfaction": "satisfied", "solved": True}, format="json")
    assert refused.status_code == 429 and not petition.ratings.exists()


@pytest.mark.django_db
def test_anonymous_api_filing_refused_with_json_and_nothing_stored(settings, city):
    from tests.api.test_citizen_api import body

    settings.PORTAL_RATE_FILE = "1/h"
    api = APIClient()
    assert api.post("/api/v1/petitions/", body(city), format="json", **forged()).status_code == 201
    refused = api.post("/api/v1/petitions/", body(city), format="json", **forged())
    assert refused.status_code == 429 and refused.json()["detail"] and "Retry-After" in refused
    assert Petition.objects.count() == 1


# --- Open311 ---------------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_open311_reads_are_limited_in_the_requested_format(client, settings, city, fmt):
    settings.PORTAL_RATE_OPEN311_READ = "2/h"
    codes = [client.get(f"/open311/v2/services.{fmt}", **forged()).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.get(f"/open311/v2/requests.{fmt}")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 3600
    if fmt == "json":
        assert refused.json()[0]["code"] == 429
    else:
        assert b"<errors>" in refused.content and b"<code>429</code>" in refused.content


@pytest.mark.django_db
def test_open311_writes_without_a_valid_key_are_limited_and_nothing_is_stored(client, settings, city):
    """A valid key is exempt, as on the REST API (tests/api/test_open311.py); guessing keys is limited per address."""
    settings.PORTAL_RATE_OPEN311_WRITE = "1/h"
    key = apikey_issue(name="311 app")[1]
    assert client.post("/open311/v2/requests.json", post_body(city, "pk_wrong"), **forged()).status_code == 403
    refused = client.post("/open311/v2/requests.json", post_body(city, key[:-1]), **forged())
    assert refused.status_code == 429 and refused.json()[0]["code"] == 429 and int(refused["Retry-After"]) > 0
    assert Petition.objects.count() == 0


# --- Open government ------------------------------------------------------------------------------

@pytest.fixture
def published(db):
    from disclosure import demo
    from org import demo as org_demo

    org_demo.load()
    demo.load()


@pytest.mark.django_db
def test_information_requests_are_limited(client, settings, published):
    settings.PORTAL_RATE_INFO_REQUEST = "1/h"
    before = InfoRequest.objects.count()
    body = Body.objects.filter(is_active=True).first()
    data = application(body, description="2025年老旧小区改造的资金安排明细")
    assert client.post("/disclosure/requests/new/", data, **forged()).status_code == 302
    assert_refused_page(client.post("/disclosure/requests/new/", {**data, "submission_token": str(uuid.uuid4())},
                                    **forged()))
    assert InfoRequest.objects.count() == before + 1


@pytest.mark.django_db
def test_information_request_tracking_is_limited_in_the_tracking_bucket(client, settings, petition, published):
    settings.PORTAL_RATE_TRACK = "3/h"
    item = InfoRequest.objects.first()
    track = "/disclosure/requests/track/"
    # One petition lookup and two request lookups with wrong phones (sequential numbers, guessed phones) ...
    assert client.post("/petitions/track/", {"number": petition.number, "phone": "13800000000"}).status_code == 400
    codes = [client.post(track, {"number": item.number, "phone": f"1380000000{i}"}, **forged()).status_code
             for i in range(2)]
    assert codes == [400, 400]
    # ... use up the bucket: even the right phone is refused now, and nothing is remembered in the session.
    refused = client.post(track, {"number": item.number, "phone": item.applicant_phone}, **forged())
    assert_refused_page(refused)
    assert item.pk not in client.session.get("disclosure:tracked", [])
    assert client.get(track).status_code == 200  # reading the form is not limited


@pytest.mark.django_db
def test_question_votes_are_limited(client, settings, published):
    settings.PORTAL_RATE_QA_VOTE = "1/h"
    first, second = Question.objects.all()[:2]
    counts = Question.objects.filter(pk=second.pk).values_list("helpful", "not_helpful")
    before = counts.get()
    assert client.post(f"/disclosure/questions/{first.pk}/vote/", {"helpful": "yes"}).status_code == 302
    # A fresh session (cookies dropped) and a forged header: still the same address.
    assert_refused_page(Client().post(f"/disclosure/questions/{second.pk}/vote/", {"helpful": "yes"}, **forged()))
    assert counts.get() == before


@pytest.mark.django_db
def test_event_sign_up_is_limited(client, settings, city):
    settings.PORTAL_RATE_EVENT = "1/h"
    now = timezone.now()
    event = Event.objects.create(kind=Event.Kind.INSPECTION, title="实地察看", starts_at=now + dt.timedelta(days=5),
                                 place="市政府", capacity=10, signup_closes_at=now + dt.timedelta(days=4))
    url = f"/disclosure/events/{event.pk}/"
    assert client.post(url, {"s-name": "甲", "s-phone": "13900000001",
                             "s-submission_token": str(uuid.uuid4())}).status_code == 302
    assert_refused_page(client.post(url, {"s-name": "乙", "s-phone": "13900000002",
                                          "s-submission_token": str(uuid.uuid4())}, **forged()))
    assert Signup.objects.filter(event=event).count() == 1
    assert client.get(url).status_code == 200


# --- 三民 ------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_sanmin_suggestions_are_limited(client, settings, campaign):  # noqa: F811
    settings.PORTAL_RATE_SUGGESTION = "1/h"
    data = {"name": "王五", "phone": "13912345678", "theme": "service", "title": "延长政务大厅服务时间",
            "content": "建议政务服务大厅重点窗口周末轮值，方便上班族办事。", "submission_token": str(uuid.uuid4())}
    with time_machine.travel(dt.datetime(2026, 11, 23, 10, tzinfo=SH)):
        assert client.post("/evaluation/sanmin/2026/", data).status_code == 302
        assert_refused_page(client.post("/evaluation/sanmin/2026/", {**data, "title": "另一条建议",
                                                                      "submission_token": str(uuid.uuid4())},
                                        **forged()))
    assert Suggestion.objects.count() == 1


@pytest.mark.django_db
def test_voting_codes_cannot_be_guessed_past_the_limit(client, settings, campaign):  # noqa: F811
    from evaluation.models import TallyCell

    settings.PORTAL_RATE_VOTING_CODE = "3/h"
    _, codes = drawn(campaign)
    code = next(iter(codes.values()))
    with time_machine.travel(OPEN + dt.timedelta(hours=1)):
        for guess in ("AAAA1111", "BBBB2222", "CCCC3333"):
            assert client.post("/evaluation/sanmin/2026/vote/", {"code": guess}, **forged()).status_code == 400
        # The fourth try is refused even with a real code, and nothing is counted.
        assert_refused_page(client.post("/evaluation/sanmin/2026/vote/", {"code": code, "cast": "1"}, **forged()))
    assert sum(TallyCell.objects.values_list("count", flat=True)) == 0


@pytest.mark.django_db
def test_a_voting_station_behind_one_address_lets_every_representative_vote(client, settings, campaign):  # noqa: F811
    """A community voting station: one address, many representatives, two posts each (the code, then the ballot).
    Only wrong codes count towards the guessing limit; right ones do not use it up."""
    from evaluation.models import TallyCell

    settings.PORTAL_RATE_VOTING_CODE = "3/h"
    _, codes = drawn(campaign)
    assert len(codes) > 6  # more voters than the wrong-code limit allows posts under the old single limit
    with time_machine.travel(OPEN + dt.timedelta(hours=1)):
        for code in codes.values():
            step = client.post("/evaluation/sanmin/2026/vote/", {"code": code})
            assert step.status_code == 200, step.status_code
            data = {"code": code, "cast": "1", **{f"unit_{u.pk}": "satisfied" for u in step.context["departments"]}}
            assert client.post("/evaluation/sanmin/2026/vote/", data).status_code == 200
    assert sum(TallyCell.objects.values_list("count", flat=True)) == 2 * len(codes)


def test_a_refusal_at_the_voting_page_is_not_logged_with_its_address_and_time():
    import logging

    from evaluation.sanmin_logging import VotingRequestFilter

    record = logging.LogRecord("portal.ratelimit", logging.WARNING, __file__, 1, "rate limit %s reached by %s",
                               ("sanmin-code", "203.0.113.7"), None)
    assert VotingRequestFilter().filter(record) is False
    other = logging.LogRecord("portal.ratelimit", logging.WARNING, __file__, 1, "rate limit %s reached by %s",
                              ("track", "203.0.113.7"), None)
    assert VotingRequestFilter().filter(other) is True
