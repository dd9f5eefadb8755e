"""/api/v1/petitions/: filing, tracking and rating, with keys, throttles and idempotency."""
from urllib.parse import quote

import pytest
from axes.handlers.proxy import AxesProxyHandler
from rest_framework.test import APIClient

from petitions.models import Petition, Status
from petitions.services import apikey_issue, apikey_revoke, petition_transition
from tests.identities import BAD_DATE_IDS, LANDLINE, SERVICE_NUMBERS

URL = "/api/v1/petitions/"


def body(city, **overrides):
    data = {"kind": "complaint", "area": city.street.code, "classification": city.noise.code,
            "title": "楼下噪音扰民", "content": "每天晚上十一点以后楼下商铺音响声音很大。",
            "complainant_name": "王小明", "complainant_phone": "13912345678"}
    data.update(overrides)
    return data


@pytest.fixture
def api():
    return APIClient()


@pytest.mark.django_db
def test_anonymous_citizen_files_and_gets_the_number(api, city):
    response = api.post(URL, body(city), format="json")
    assert response.status_code == 201, response.content
    petition = Petition.objects.get()
    assert response.json()["number"] == petition.number and petition.channel == "api"
    assert "13912345678" not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("override,field", [
    ({"area": "NOPE"}, "area"), ({"classification": "NOPE"}, "classification"),
    ({"complainant_phone": "123"}, "complainant_phone"), ({"content": "短"}, "content"),
    ({"content": "长" * 5001}, "content"), ({"title": ""}, "title"), ({"kind": "x"}, "kind"),
    ({"latitude": 200, "longitude": 10}, "latitude"), ({"complainant_id_number": "123"}, "complainant_id_number"),
    ({"complainant_type": "enterprise"}, "enterprise_name"), ({"status": "closed", "channel": "nope"}, "channel"),
    # Issue 13: hotlines and landlines as the citizen's own phone; impossible birth dates with right check digits.
    *[({"complainant_phone": n}, "complainant_phone") for n in SERVICE_NUMBERS + [LANDLINE]],
    *[({"complainant_id_number": n}, "complainant_id_number") for n in BAD_DATE_IDS],
])
def test_bad_input_is_a_field_error_and_stores_nothing(api, city, override, field):
    response = api.post(URL, body(city, **override), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert field in response.json()
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_status_cannot_be_written(api, city):
    response = api.post(URL, body(city, status="closed"), format="json")
    assert response.status_code == 201
    assert Petition.objects.get().status == Status.RECEIVED


@pytest.mark.django_db
def test_idempotency_key_replays_and_refuses_a_different_body(api, city):
    first = api.post(URL, body(city), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = api.post(URL, body(city), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and again["Idempotent-Replayed"] == "true"
    assert Petition.objects.count() == 1
    other = api.post(URL, body(city, title="另一个诉求标题"), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert other.status_code == 422
    assert api.post(URL, body(city), format="json", HTTP_IDEMPOTENCY_KEY="abc-2").status_code == 201
    assert Petition.objects.count() == 2


@pytest.mark.django_db
def test_anonymous_writes_are_throttled(api, city, settings):
    settings.PORTAL_RATE_FILE = "2/h"
    codes = [api.post(URL, body(city), format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert Petition.objects.count() == 2


@pytest.mark.django_db
def test_writes_with_an_api_key_are_attributed_and_revoked_keys_refused(api, city):
    key, raw = apikey_issue(name="区热线")
    response = api.post(URL, body(city), format="json", HTTP_AUTHORIZATION=f"ApiKey {raw}")
    assert response.status_code == 201
    petition = Petition.objects.get()
    assert petition.api_key == key
    assert petition.events.get().data["api_key"] == "区热线"
    apikey_revoke(key=key)
    assert api.post(URL, body(city), format="json", HTTP_AUTHORIZATION=f"ApiKey {raw}").status_code == 401


@pytest.mark.django_db
def test_track_and_rate(api, city, operator):
    number = api.post(URL, body(city), format="json").json()["number"]
    petition = Petition.objects.get(number=number)
    assert api.post("/api/v1/petitions/track/", {"number": number, "phone": "13800000000"}).status_code == 404
    response = api.post("/api/v1/petitions/track/", {"number": number, "phone": "13912345678"})
    assert response.status_code == 200
    data = response.json()
    assert data["complainant"] == "王*明 139****5678" and data["answer"] is None
    for status in ("dispatched", "in_progress", "replied"):
        petition_transition(petition=petition, to=status, actor=operator)
    petition_transition(petition=petition, to="callback", actor=operator, changes={"answer": "已整改"})
    rate = f"/api/v1/petitions/{number}/rating/"
    assert api.post(rate, {"phone": "13800000000", "satisfaction": "satisfied", "solved": True}).status_code == 404
    response = api.post(rate, {"phone": "13912345678", "satisfaction": "satisfied", "solved": True})
    assert response.status_code == 200 and response.json()["status"] == "closed"
    again = api.post(rate, {"phone": "13912345678", "satisfaction": "unsatisfied", "solved": False})
    assert again.status_code == 400 and again.json()["code"] == "not_ratable"


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["grid", "wechat", "web", "enterprise"])
def test_only_an_accountable_caller_files_for_another_channel(api, city, channel):
    """An anonymous "grid" filing would count in the grid workers' figures and bypass WeChat's switch."""
    refused = api.post(URL, body(city, channel=channel), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 400 and "API 密钥" in refused.json()["channel"][0]
    assert Petition.objects.count() == 0
    assert api.post(URL, body(city, channel="api"), format="json").status_code == 201
    _key, raw = apikey_issue(name="网格通")
    filed = api.post(URL, body(city, channel=channel), format="json", HTTP_AUTHORIZATION=f"ApiKey {raw}")
    assert filed.status_code == 201
    assert Petition.objects.get(number=filed.json()["number"]).channel == channel


@pytest.mark.django_db
def test_a_phone_point_with_many_decimals_is_rounded_not_refused(api, city):
    response = api.post(URL, body(city, latitude="36.06612345678", longitude="120.38312345"), format="json")
    assert response.status_code == 201, response.content
    petition = Petition.objects.get()
    assert (str(petition.latitude), str(petition.longitude)) == ("36.066123", "120.383123")


@pytest.mark.django_db
def test_a_huge_coordinate_is_a_field_error(api, city):
    response = api.post(URL, body(city, latitude="1e30", longitude="120.3"), format="json")
    assert response.status_code == 400 and "latitude" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["2026112300001\x00", "20261123000001\x00", "２０２６１１２３０００００１",
                                    "٢٠٢٦١١٢٣٠٠٠٠٠١", "abc"])
def test_a_malformed_number_in_the_rating_url_is_the_wrong_number_answer(api, city, number):
    """Checked before any query: a NUL byte reached PostgreSQL (a 500). ASCII digits only, like the tracking form."""
    api.raise_request_exception = False
    response = api.post(f"/api/v1/petitions/{quote(number)}/rating/",
                        {"phone": "13912345678", "satisfaction": "satisfied", "solved": True}, format="json")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["detail"] == "没有与该编号和电话相符的诉求。"


@pytest.mark.django_db
def test_a_nul_byte_in_the_username_is_a_field_error_and_never_reaches_the_lockout(api, city, monkeypatch):
    """django-axes looks the username up in its table: PostgreSQL refused the NUL (a 500)."""
    asked = []
    monkeypatch.setattr(AxesProxyHandler, "is_allowed", lambda request, credentials=None: asked.append(credentials) or True)
    api.raise_request_exception = False
    response = api.post("/api/v1/auth/token/", {"username": "a\x00", "password": "x"}, format="json")
    assert response.status_code == 400 and "username" in response.json()
    assert asked == []
