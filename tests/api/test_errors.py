"""How the API and Open311 answer errors: JSON with a `code` (or the Open311 error list), translated by
Accept-Language (Chinese by default), never the name of a model, a parser's internals or the site's HTML page."""
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from petitions.models import Petition
from tests.factories import file_petition

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


def staff(user):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["decisions/999999/return/", "decisions/999999/extension/",
                                  "decisions/999999/review/"])
@pytest.mark.parametrize("language,text", [("zh-hans", "未找到。"), ("en", "Not found.")])
def test_an_unknown_object_is_a_translated_not_found_that_names_no_model(city, dispatcher, path, language, text):
    response = staff(dispatcher).post(f"/api/v1/dispatch/{path}", {"approve": True}, format="json",
                                      HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404
    assert response.json() == {"detail": text, "code": "not_found"}  # was "No ReturnRequest matches the given query."


@pytest.mark.django_db
@pytest.mark.parametrize("language,text", [("zh-hans", "无法读取请求内容"), ("en", "could not be read")])
def test_malformed_json_is_a_translated_parse_error(api, city, language, text):
    response = api.post(URL, '{"kind": "complaint",', content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    data = response.json()
    assert data["code"] == "parse_error" and text in data["detail"]
    assert "JSON parse error" not in data["detail"] and "Expecting" not in data["detail"]


@pytest.mark.django_db
def test_idempotency_refusals_carry_a_code(api, city):
    assert api.post(URL, body(city), format="json", HTTP_IDEMPOTENCY_KEY="k" * 101).json()["code"] == \
        "idempotency_key_too_long"
    api.post(URL, body(city), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    other = api.post(URL, body(city, title="另一个诉求标题"), format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert "另一请求" in other.json()["detail"]


@pytest.mark.django_db
def test_every_api_error_has_a_code(api, city, dispatcher):
    """Field errors keep their fields and say `invalid`; the others say what happened."""
    invalid = api.post(URL, body(city, complainant_phone="123"), format="json")
    assert invalid.status_code == 400 and "complainant_phone" in invalid.json() and invalid.json()["code"] == "invalid"
    assert api.get("/api/v1/assignments/").json()["code"] == "not_authenticated"
    wrong = api.post("/api/v1/petitions/20261123000001/rating/",
                     {"phone": "13912345678", "satisfaction": "satisfied", "solved": True}, format="json")
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    # A filter's ValidationError("...") was a bare list.
    bad_offset = staff(dispatcher).get("/api/v1/dispatch/petitions/", {"received_after": "2026-04-19T07:51:19-21:24"})
    assert bad_offset.status_code == 400 and isinstance(bad_offset.json(), dict) and bad_offset.json()["code"]
