"""How the API and Open311 answer errors: JSON with a `code` (or the Open311 error list), translated by
Accept-Language (Chinese by default), never the name of a model, a parser's internals or the site's HTML page."""
import json
import xml.etree.ElementTree as ET

import pytest
from django.test import RequestFactory
from rest_framework.authtoken.models import Token

from config import errors
from open311 import views as open311
from petitions.services import apikey_issue
from rest_framework.test import APIClient

from petitions.models import Petition
from tests.api.test_citizen_api import URL, api, body  # noqa: F401 (the fixture)
from tests.factories import file_petition


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


# --- what no view handled: Django's own 400, 403, 404 and 500 under /api/ and /open311/ -----------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("language,text", [("zh-hans", "此地址下没有内容。"), ("en", "Nothing is found at this address.")])
def test_an_unknown_api_address_is_json(client, language, text):
    response = client.get("/api/v1/nope/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": text, "code": "not_found"}  # was the site's HTML page


@pytest.mark.django_db
def test_an_unknown_open311_address_outside_v2_is_the_specifications_404(client):
    for path, fmt in [("/open311/nope.json", "json"), ("/open311/v3/services.xml", "xml")]:
        response = client.get(path)
        assert response.status_code == 404
        if fmt == "json":
            assert response.json()[0]["code"] == 404
        else:
            assert ET.fromstring(response.content).find("error/code").text == "404"


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_open311_post_with_too_many_fields_is_the_specifications_400(client, city, settings, fmt):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    key = apikey_issue(name="311 app")[1]
    client.raise_request_exception = False
    fields = {"api_key": key, **{f"attribute[x{n}]": "1" for n in range(20)}}
    response = client.post(f"/open311/v2/requests.{fmt}", fields, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    if fmt == "json":
        assert response.json() == [{"code": 400, "description": "The request has too many fields."}]
    else:
        root = ET.fromstring(response.content)
        assert root.tag == "errors" and root.find("error/code").text == "400"
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_json(api, city, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    api.raise_request_exception = False
    huge = json.dumps(body(city, content="长" * 1024 * 1024))  # 3 MB of UTF-8
    response = api.post(URL, huge, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "请求内容过大。", "code": "too_large"}


@pytest.mark.django_db
@pytest.mark.parametrize("path,expected", [
    ("/api/v1/calendar/deadline", {"detail": "Something went wrong on our side. Please try again later.",
                                   "code": "server_error"}),
    ("/open311/v2/services.json", [{"code": 500,
                                    "description": "Something went wrong on our side. Please try again later."}]),
])
def test_a_server_error_is_json_and_shows_no_stack(client, city, monkeypatch, path, expected):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("org.views.DeadlineView.get", broken)
    monkeypatch.setattr(open311, "_leaves", broken)
    client.raise_request_exception = False
    response = client.get(path, {"start": "2026-11-02", "days": 3}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500 and response.json() == expected
    assert b"secret internals" not in response.content


@pytest.mark.parametrize("path,check", [
    ("/api/v1/anything/", lambda r: json.loads(r.content) == {"detail": "您无权执行此操作。", "code": "permission_denied"}),
    ("/open311/v2/requests.xml", lambda r: ET.fromstring(r.content).find("error/code").text == "403"),
    ("/petitions/new/", lambda r: r["Content-Type"].startswith("text/html")),
])
def test_a_permission_refused_outside_a_view_is_answered_in_the_addresss_format(path, check):
    response = errors.permission_denied(RequestFactory().get(path))
    assert response.status_code == 403 and check(response)


@pytest.mark.parametrize("path", ["/api/v1/petitions/", "/open311/v2/requests.json"])
def test_the_429_page_is_json_with_a_code_under_the_apis(path):
    response = errors.too_many_requests(RequestFactory().post(path))
    data = json.loads(response.content)
    assert response.status_code == 429
    assert data["code"] == "throttled" if path.startswith("/api/") else data[0]["code"] == 429
