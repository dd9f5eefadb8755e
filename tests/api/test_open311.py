"""Open311 GeoReport v2: every endpoint, both formats, each error."""
import datetime as dt
import xml.etree.ElementTree as ET
from urllib.parse import quote_from_bytes, quote_plus, urlencode

import pytest
import time_machine

from open311 import views as open311
from dispatch.catalog import rule_create
from petitions.models import Petition
from petitions.services import apikey_issue, petition_transition
from tests.factories import file_petition

BASE = "/open311/v2"


@pytest.fixture
def key(db):
    return apikey_issue(name="311 app")[1]


def post_body(city, key, **overrides):
    data = {"api_key": key, "service_code": city.noise.code, "attribute[area]": city.street.code,
            "lat": "36.066", "long": "120.383", "address_string": "甲一路1号",
            "description": "夜间商铺音响声音很大，影响休息。", "first_name": "小明", "last_name": "王",
            "phone": "13912345678", "email": "wang@example.com"}
    data.update(overrides)
    return data


def xml(response):
    return ET.fromstring(response.content)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert response.json()["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    else:
        root = xml(response)
        assert root.tag == "discovery" and root.find("endpoints/endpoint/formats/format").text == "text/xml"


@pytest.mark.django_db
def test_services_are_the_classification_leaves(client, city):
    services = client.get(f"{BASE}/services.json").json()
    codes = {s["service_code"] for s in services}
    assert city.noise.code in codes and city.livelihood.code not in codes
    noise = next(s for s in services if s["service_code"] == city.noise.code)
    assert noise["metadata"] is True and noise["type"] == "batch"
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and root.find("service/service_code") is not None


@pytest.mark.django_db
def test_service_definition_and_unknown_service(client, city):
    definition = client.get(f"{BASE}/services/{city.noise.code}.json").json()
    area = next(a for a in definition["attributes"] if a["code"] == "area")
    assert area["required"] is False and {"key": city.street.code, "name": "— 甲一街道"} in area["values"]
    root = xml(client.get(f"{BASE}/services/{city.noise.code}.xml"))
    assert root.tag == "service_definition" and root.find("attributes/attribute/values/value/key") is not None
    missing = client.get(f"{BASE}/services/NOPE.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == 404


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_a_request_and_read_it_back_without_personal_data(client, city, key, fmt):
    response = client.post(f"{BASE}/requests.{fmt}", post_body(city, key))
    assert response.status_code == 201
    number = (response.json()[0]["service_request_id"] if fmt == "json"
              else xml(response).find("request/service_request_id").text)
    petition = Petition.objects.get(number=number)
    assert (petition.channel, petition.api_key.name, petition.area) == ("api", "311 app", city.street)
    detail = client.get(f"{BASE}/requests/{number}.{fmt}")
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "13912345678" not in text and "王小明" not in text and "wang@example.com" not in text
    if fmt == "json":
        item = detail.json()[0]
        assert item["status"] == "open" and item["service_code"] == city.noise.code
        # No consent to publish: neither the words nor the place.
        assert item["lat"] is None and item["description"] == "" and item["address"] == ""
    else:
        assert xml(detail).tag == "service_requests"


@pytest.mark.django_db
@pytest.mark.parametrize("override,code", [
    ({"api_key": ""}, 403), ({"api_key": "pk_wrong"}, 403), ({"service_code": ""}, 400),
    ({"service_code": "NOPE"}, 404), ({"attribute[area]": "NOPE"}, 400), ({"description": "短"}, 400),
    ({"phone": "12"}, 400), ({"lat": "x"}, 400), ({"lat": "95", "long": "10"}, 400),
    ({"attribute[kind]": "bribe"}, 400), ({"phone": "12345"}, 400), ({"phone": "95598"}, 400),
    ({"phone": "0532-88881234"}, 400),
])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors_in_the_specifications_format(client, city, key, override, code, fmt):
    response = client.post(f"{BASE}/requests.{fmt}", post_body(city, key, **override))
    assert response.status_code == code
    if fmt == "json":
        assert response.json()[0]["code"] == code and response.json()[0]["description"]
    else:
        root = xml(response)
        assert root.tag == "errors" and root.find("error/code").text == str(code)
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_get_requests_defaults_and_filters(client, city, operator):
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc), tick=False):
        old = file_petition(city)
    recent = file_petition(city, classification=city.parking)
    numbers = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json").json()}
    assert numbers == {recent.number}  # 90 days by default
    numbers = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json",
                                                              {"start_date": "2026-05-01T00:00:00+08:00"}).json()}
    assert numbers == {old.number, recent.number}
    assert client.get(f"{BASE}/requests.json", {"service_code": city.noise.code}).json() == []
    assert client.get(f"{BASE}/requests.json", {"status": "closed"}).json() == []
    ids = client.get(f"{BASE}/requests.json", {"service_request_id": f"{old.number},{recent.number}"}).json()
    assert len(ids) == 2
    assert client.get(f"{BASE}/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert client.get(f"{BASE}/requests.json", {"status": "pending"}).status_code == 400
    assert client.get(f"{BASE}/requests/99999999999999.json").status_code == 404
    assert client.get(f"{BASE}/requests.yaml").status_code == 400


@pytest.mark.django_db
def test_get_requests_caps_at_the_limit(client, city, monkeypatch):
    monkeypatch.setattr(open311, "MAX_RESULTS", 2)
    for _ in range(3):
        file_petition(city)
    assert len(client.get(f"{BASE}/requests.json").json()) == 2


@pytest.mark.django_db
def test_expected_datetime_is_the_handling_deadline(client, city, catalog_street, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    item = client.get(f"{BASE}/requests/{petition.number}.json").json()[0]
    lead = petition.assignments.get(role="lead")
    assert item["expected_datetime"] == lead.handle_due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat()
    # Not on the publication allow-list (DOMAIN.md section 13): the unit stays off the public record.
    assert item["agency_responsible"] == ""


@pytest.mark.django_db
def test_expected_datetime_follows_the_lead_clock_like_the_tracking_api(client, city, catalog_street, operator,
                                                                      django_capture_on_commit_callbacks):
    """One reading of when an answer can be expected: while the lead unit holds the petition (dispatched, being
    handled, its answer under review), not once the answer is out and waits for the citizen's rating."""
    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    track = {"number": petition.number, "phone": "13912345678"}
    for status in ("in_progress", "replied"):
        petition_transition(petition=petition, to=status, actor=operator)
        assert client.get(f"{BASE}/requests/{petition.number}.json").json()[0]["expected_datetime"] is not None
        assert client.post("/api/v1/petitions/track/", track).json()["expected_at"] is not None
    petition_transition(petition=petition, to="callback", actor=operator, changes={"answer": "已整改完毕"})
    item = client.get(f"{BASE}/requests/{petition.number}.json").json()[0]
    assert item["status"] == "open" and item["expected_datetime"] is None  # was the lead's deadline
    assert client.post("/api/v1/petitions/track/", track).json()["expected_at"] is None
    assert xml(client.get(f"{BASE}/requests/{petition.number}.xml")).find("request/expected_datetime").text is None


@pytest.fixture
def catalog_street(city):
    from dispatch import routing
    from dispatch.models import Target

    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()


@pytest.mark.django_db
def test_tokens(client, city, key):
    token = client.post(f"{BASE}/requests.json", post_body(city, key)).json()[0]["token"]
    found = client.get(f"{BASE}/tokens/{token}.json").json()[0]
    assert found["service_request_id"] == Petition.objects.get().number
    assert client.get(f"{BASE}/tokens/not-a-token.json").status_code == 404
    assert xml(client.get(f"{BASE}/tokens/{token}.xml")).find("request/token").text == token


@pytest.mark.django_db
def test_impossible_time_zone_offsets_are_400_not_500(client, dispatcher):
    from rest_framework.authtoken.models import Token

    assert client.get(f"{BASE}/requests.json", {"start_date": "2026-04-19T07:51:19-21:24"}).status_code == 400
    token = Token.objects.create(user=dispatcher)
    response = client.get("/api/v1/dispatch/petitions/", {"received_after": "5345-04-19T07:51:19-21:24"},
                          HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 400


@pytest.mark.django_db
def test_an_absurd_username_is_refused_cleanly(client):
    response = client.post("/api/v1/auth/token/", {"username": "x" * 300, "password": "y"})
    assert response.status_code == 400 and "username" in response.json()


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_generic_georeport_client_posts_with_only_a_location_and_a_description(client, city, key, settings, fmt,
                                                                               tmp_path):
    """What any GeoReport v2 client sends: api_key, service_code, lat/long and a description; no portal
    attribute, no phone. The point finds its street; the petition is filed."""
    import json

    settings.PORTAL_GEOJSON = str(tmp_path / "city.geojson")
    (tmp_path / "city.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": city.street.code, "name": city.street.name, "level": "street"},
         "geometry": {"type": "Polygon", "coordinates": [[[120.3, 36.0], [120.4, 36.0], [120.4, 36.1], [120.3, 36.1],
                                                          [120.3, 36.0]]]}}]}))
    response = client.post(f"{BASE}/requests.{fmt}", {"api_key": key, "service_code": city.noise.code,
                                                      "lat": "36.05", "long": "120.35",
                                                      "description": "夜里楼下商铺音响声音很大，影响休息。"})
    assert response.status_code == 201
    petition = Petition.objects.get()
    assert petition.area == city.street and petition.complainant_phone == ""
    # Outside every boundary: the city itself, for the dispatcher to place.
    client.post(f"{BASE}/requests.{fmt}", {"api_key": key, "service_code": city.noise.code, "lat": "39.9",
                                           "long": "116.4", "description": "夜里楼下商铺音响声音很大，影响休息。"})
    assert Petition.objects.order_by("-id").first().area == city.city
    # No location at all is refused in the specification's format.
    refused = client.post(f"{BASE}/requests.{fmt}", {"api_key": key, "service_code": city.noise.code,
                                                     "description": "夜里楼下商铺音响声音很大，影响休息。"})
    assert refused.status_code == 400
    assert Petition.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("params", [
    {"start_date": "2026-02-30T00:00:00+08:00"},  # a day the month does not have
    {"end_date": "2026-13-01T00:00:00"},  # month 13
    {"end_date": "0001-01-01T00:00:00+08:00"},  # 90 days before it is before the calendar
    {"end_date": "9999-12-31T23:59:59-08:00"},  # in UTC after the calendar
    {"start_date": "1850-01-01T00:00:00+08:00"},
])
def test_impossible_dates_are_the_specifications_400_not_a_500(client, fmt, params):
    client.raise_request_exception = False
    response = client.get(f"{BASE}/requests.{fmt}", params)
    assert response.status_code == 400
    if fmt == "json":
        assert response.json()[0]["code"] == 400 and list(params)[0] in response.json()[0]["description"]
    else:
        assert xml(response).find("error/code").text == "400"


@pytest.mark.django_db
@pytest.mark.parametrize("lat,lon", [("NaN", "120.3"), ("36.0", "sNaN"), ("Infinity", "120.3"), ("36", "-inf")])
def test_a_point_that_is_not_a_number_is_refused(client, city, key, lat, lon):
    client.raise_request_exception = False
    response = client.post(f"{BASE}/requests.json", post_body(city, key, lat=lat, long=lon))
    assert response.status_code == 400 and response.json()[0]["code"] == 400
    assert Petition.objects.count() == 0


@pytest.mark.django_db
def test_a_control_character_in_one_petition_does_not_break_the_xml_list(client, city, key):
    """A vertical tab and an escape pasted into the description (and the unit's answer): the XML list stays
    well formed for every client, the JSON keeps the text as written."""
    words = "楼道里堆满杂物\x0b，消防通道\x1b堵塞，请尽快处理。"
    response = client.post(f"{BASE}/requests.json", post_body(city, key, description=words,
                                                               **{"attribute[publish_consent]": "true"}))
    assert response.status_code == 201
    number = response.json()[0]["service_request_id"]
    Petition.objects.filter(number=number).update(answer="已清理\x08完毕。")
    root = xml(client.get(f"{BASE}/requests.xml"))  # raised "not well-formed (invalid token)" before
    request = next(r for r in root.findall("request") if r.find("service_request_id").text == number)
    assert request.find("description").text == "楼道里堆满杂物，消防通道堵塞，请尽快处理。"
    assert xml(client.get(f"{BASE}/requests/{number}.xml")).find("request/description") is not None
    assert client.get(f"{BASE}/requests/{number}.json").json()[0]["description"] == words


@pytest.mark.django_db
@pytest.mark.parametrize("method,path", [("put", "requests.json"), ("delete", "services.xml"),
                                         ("post", "services.json"), ("patch", "discovery.xml")])
def test_a_wrong_method_is_answered_in_the_specifications_format(client, method, path):
    response = getattr(client, method)(f"{BASE}/{path}")
    assert response.status_code == 405 and response["Allow"]
    if path.endswith(".json"):
        assert response.json()[0]["code"] == 405 and response["Allow"] in response.json()[0]["description"]
    else:
        assert xml(response).find("error/code").text == "405"


@pytest.mark.django_db
@pytest.mark.parametrize("path,fmt", [("foo.json", "json"), ("requests/a/b.xml", "xml"), ("", "json")])
def test_an_unknown_address_is_the_specifications_404(client, path, fmt):
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    if fmt == "json":
        assert response["Content-Type"].startswith("application/json") and response.json()[0]["code"] == 404
    else:
        assert xml(response).find("error/code").text == "404"


@pytest.mark.django_db
def test_a_point_outside_any_area_of_a_city_not_set_up_is_a_400(client, city, key):
    from org.models import Area

    Area.objects.filter(level=Area.Level.CITY).update(is_active=False)
    client.raise_request_exception = False
    body = post_body(city, key, lat="10.0", long="10.0")
    del body["attribute[area]"]
    response = client.post(f"{BASE}/requests.json", body)
    assert response.status_code == 400 and "attribute[area]" in response.json()[0]["description"]
    assert Petition.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["description", "first_name", "last_name", "address_string", "attribute[title]",
                                   "attribute[area]", "attribute[kind]", "service_code", "api_key", "phone",
                                   "attribute[\x00]"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_nul_byte_in_a_posted_field_is_a_400_in_the_specifications_format(client, city, key, field, fmt):
    """PostgreSQL refuses NUL in any text (a 500 HTML page before); refused for every field, named in the answer."""
    client.raise_request_exception = False
    body = post_body(city, key)
    body[field] = f"{body.get(field, '')}甲\x00乙"
    response = client.post(f"{BASE}/requests.{fmt}", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    description = (response.json()[0]["description"] if fmt == "json" else xml(response).find("error/description").text)
    assert "NUL" in description and field.replace("\x00", "\\x00") in description
    assert Petition.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["service_code=%00", "service_request_id=%00", "service_request_id=1%002",
                                   "status=open%00", "start_date=2026-11-01%00", "%00=1"])
def test_a_nul_byte_in_a_query_is_a_400_in_the_specifications_format(client, city, query):
    client.raise_request_exception = False
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400 and response.json()[0]["code"] == 400
    assert "空字符" in response.json()[0]["description"]  # Chinese by default
    assert client.get(f"{BASE}/services.xml?jurisdiction_id=%00").status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["discovery.json", "services.xml", "services/{code}.json", "requests.json",
                                  "requests/{number}.xml", "tokens/{token}.json"])
def test_head_is_answered_like_get_and_counted_as_a_read(client, city, key, settings, path):
    """The read limiter counts HEAD; the endpoints refused it (405)."""
    settings.PORTAL_RATE_OPEN311_READ = "2/h"
    token = client.post(f"{BASE}/requests.json", post_body(city, key)).json()[0]["token"]  # a write, not a read
    url = f"{BASE}/" + path.format(code=city.noise.code, number=Petition.objects.get().number, token=token)
    head = client.head(url)
    assert head.status_code == 200 and head["Content-Type"] == client.get(url)["Content-Type"]
    assert client.head(url).status_code == 429  # the third read
    assert "HEAD" in client.put(url)["Allow"]


@pytest.mark.django_db
def test_a_valid_key_is_not_limited_by_address_as_on_the_rest_api(client, city, key, settings):
    """One rule for integrators on both interfaces: a valid key is accountable and revocable and is not counted
    per address (several integrators may share one address); posts without one are (PORTAL_RATE_OPEN311_WRITE)."""
    settings.PORTAL_RATE_OPEN311_WRITE = settings.PORTAL_RATE_FILE = "2/h"
    codes = [client.post(f"{BASE}/requests.json", post_body(city, key)).status_code for _ in range(4)]
    assert codes == [201] * 4  # was [201, 201, 429, 429]
    rest = {"kind": "complaint", "area": city.street.code, "title": "噪音扰民问题", "content": "夜间商铺音响声音很大影响休息。",
            "complainant_name": "王", "complainant_phone": "13912345678"}
    codes = [client.post("/api/v1/petitions/", rest, HTTP_AUTHORIZATION=f"ApiKey {key}").status_code for _ in range(4)]
    assert codes == [201] * 4
    codes = [client.post(f"{BASE}/requests.json", post_body(city, "pk_guess")).status_code for _ in range(3)]
    assert codes == [403, 403, 429]
    assert client.post(f"{BASE}/requests.json", post_body(city, key)).status_code == 201  # the key still passes


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_retried_post_with_an_idempotency_key_files_once(client, city, key, fmt):
    """Like the REST API: the retry replays the first answer (the same number and token); the same key with another
    request is 422 in the specification's format; the key belongs to the integrator's api_key."""
    first = client.post(f"{BASE}/requests.{fmt}", post_body(city, key), HTTP_IDEMPOTENCY_KEY="retry-1")
    again = client.post(f"{BASE}/requests.{fmt}", post_body(city, key), HTTP_IDEMPOTENCY_KEY="retry-1")
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert Petition.objects.count() == 1  # was 2
    other = client.post(f"{BASE}/requests.{fmt}", post_body(city, key, description="另一件事：路灯坏了很多天。"),
                        HTTP_IDEMPOTENCY_KEY="retry-1")
    assert other.status_code == 422
    if fmt == "json":
        assert other.json()[0]["code"] == 422
    else:
        assert xml(other).find("error/code").text == "422"
    second_key = apikey_issue(name="another app")[1]
    assert client.post(f"{BASE}/requests.{fmt}", post_body(city, second_key),
                       HTTP_IDEMPOTENCY_KEY="retry-1").status_code == 201
    # A refused post is not remembered: corrected, it goes through under the same key.
    assert client.post(f"{BASE}/requests.{fmt}", post_body(city, key, description="短"),
                       HTTP_IDEMPOTENCY_KEY="retry-2").status_code == 400
    assert client.post(f"{BASE}/requests.{fmt}", post_body(city, key), HTTP_IDEMPOTENCY_KEY="retry-2").status_code == 201
    assert Petition.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["description", "first_name", "address_string", "attribute[title]"])
def test_text_that_is_not_utf8_is_refused_on_its_field(client, city, key, field):
    """GBK bytes sent as UTF-8 became U+FFFD characters, which counted towards the 10-character minimum."""
    body = post_body(city, key)
    body[field] = "x"
    raw = urlencode(body).replace(f"{quote_plus(field)}=x", f"{quote_plus(field)}=" + quote_from_bytes(
        "夜间商铺音响声音很大影响休息".encode("gbk")))
    response = client.post(f"{BASE}/requests.json", raw, content_type="application/x-www-form-urlencoded",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()[0]["description"] == f"{field} is not valid text: send it in UTF-8."
    assert Petition.objects.count() == 0
    # The same words in UTF-8 are filed.
    assert client.post(f"{BASE}/requests.json", post_body(city, key, **{field: "夜间商铺音响声音很大影响休息"})).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("title,code", [("噪音", 400), ("   噪音  ", 400), ("长" * 101, 400), ("噪音扰民", 201),
                                        ("", 201)])
def test_a_title_follows_the_rest_apis_rule_or_is_the_service_name(client, city, key, title, code):
    response = client.post(f"{BASE}/requests.json", post_body(city, key, **{"attribute[title]": title}))
    assert response.status_code == code
    if code == 400:
        assert "attribute[title]" in response.json()[0]["description"] and Petition.objects.count() == 0
    else:
        assert Petition.objects.get().title == (title or city.noise.name)
