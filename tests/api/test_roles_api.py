"""Units, dispatchers and supervisors through the API: each sees only what it may."""
import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dispatch.models import Reply, Role
from petitions.models import Status
from tests.factories import file_petition


def client_for(user):
    api = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return api


@pytest.fixture
def dispatched(city, catalog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return file_petition(city)


@pytest.fixture
def catalog(city):
    from dispatch import routing
    from dispatch.catalog import rule_create
    from dispatch.models import Target

    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()


@pytest.mark.django_db
def test_unit_lists_and_acts_on_its_own(dispatched, street_handler, other_street_handler, dispatcher):
    mine = client_for(street_handler)
    items = mine.get("/api/v1/assignments/").json()["results"]
    assert [i["petition"]["number"] for i in items] == [dispatched.number]
    assignment_id = items[0]["id"]
    theirs = client_for(other_street_handler)
    assert theirs.get("/api/v1/assignments/").json()["results"] == []
    assert theirs.get(f"/api/v1/assignments/{assignment_id}/").status_code == 404
    assert theirs.post(f"/api/v1/assignments/{assignment_id}/sign/").status_code == 404
    assert mine.post(f"/api/v1/assignments/{assignment_id}/sign/").json()["status"] == "signed"
    second = mine.post(f"/api/v1/assignments/{assignment_id}/sign/")
    assert second.status_code == 409
    response = mine.post(f"/api/v1/assignments/{assignment_id}/answer/", {"content": "短"})
    assert response.status_code == 400 and "content" in response.json()
    response = mine.post(f"/api/v1/assignments/{assignment_id}/answer/", {"content": "经现场核查，商铺已整改完毕。"})
    assert response.status_code == 200
    reply = Reply.objects.get()
    boss = client_for(dispatcher)
    assert boss.post(f"/api/v1/dispatch/decisions/{reply.pk}/review/", {"approve": True}).status_code == 200
    dispatched.refresh_from_db()
    assert dispatched.status == Status.CALLBACK
    assert boss.post(f"/api/v1/dispatch/petitions/{dispatched.pk}/callback/",
                     {"satisfaction": "satisfied", "solved": True}).status_code == 200


@pytest.mark.django_db
def test_unit_filters_and_confidentiality(city, catalog, street_handler, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        file_petition(city, confidential=True, complainant_phone="13522223333")
    mine = client_for(street_handler)
    item = mine.get("/api/v1/assignments/", {"queue": "to_sign"}).json()["results"][0]
    assert item["petition"]["complainant_phone"] is None and "13522223333" not in str(item)
    assert mine.get("/api/v1/assignments/", {"queue": "answered"}).json()["results"] == []
    assert mine.get("/api/v1/assignments/", {"queue": "bogus"}).status_code == 400


@pytest.mark.django_db
def test_roles_are_kept_apart(dispatched, street_handler, operator, supervisor, dispatcher):
    assert client_for(street_handler).get("/api/v1/dispatch/petitions/").status_code == 403
    assert client_for(operator).get("/api/v1/dispatch/petitions/").status_code == 403
    assert client_for(supervisor).get("/api/v1/dispatch/petitions/").status_code == 403
    assert client_for(dispatcher).get("/api/v1/assignments/").status_code == 403
    assert client_for(street_handler).get("/api/v1/supervision/cases/").status_code == 403
    assert client_for(supervisor).get("/api/v1/supervision/cases/").status_code == 200
    assert APIClient().get("/api/v1/assignments/").status_code in (401, 403)


@pytest.mark.django_db
def test_dispatcher_redispatches_with_expected_status(dispatched, city, dispatcher):
    boss = client_for(dispatcher)
    url = f"/api/v1/dispatch/petitions/{dispatched.pk}/redispatch/"
    stale = boss.post(url, {"lead_unit": city.urban.code, "reason": "改派", "expected_status": "in_progress"})
    assert stale.status_code == 409
    ok = boss.post(url, {"lead_unit": city.urban.code, "reason": "改派", "expected_status": "dispatched"})
    assert ok.status_code == 200
    assert dispatched.assignments.get(role=Role.LEAD, status="pending").unit == city.urban
    bad = boss.post(url, {"lead_unit": "NOPE", "reason": "改派"})
    assert bad.status_code == 400 and "lead_unit" in bad.json()


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/v1/assignments/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs


@pytest.mark.django_db
def test_supervisors_read_the_metrics(city, supervisor, street_handler):
    response = client_for(supervisor).get("/api/v1/metrics/", {"first": "2026-11-01", "last": "2026-11-30"})
    assert response.status_code == 200
    body = response.json()
    assert {"city", "districts", "units", "definitions"} <= set(body) and len(body["districts"]) == 2
    assert client_for(supervisor).get("/api/v1/metrics/", {"first": "2026-11-30", "last": "2026-11-01"}).status_code == 400
    assert client_for(street_handler).get("/api/v1/metrics/", {"first": "2026-11-01", "last": "2026-11-30"}).status_code == 403
    refused = client_for(supervisor).get("/api/v1/metrics/", {"first": "1999-11-01", "last": "2026-11-30"},
                                         HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.json() == {"first": ["请填写 2000 年至 2100 年之间的日期。"], "code": "invalid"}


@pytest.mark.django_db
def test_the_public_reads_policies_and_questions(city):
    from disclosure.models import Policy, Question

    policy = Policy.objects.create(number="青政发〔2026〕1号", title="关于优化营商环境的措施", issuer=city.urban,
                                   issued_on="2026-03-01", effective_on="2026-04-01", theme="business", text="正文",
                                   interpretation="解读")
    Question.objects.create(question="企业开办要多久？", answer="1个工作日", theme="business", policy=policy)
    anonymous = APIClient()
    policies = anonymous.get("/api/v1/disclosure/policies/", {"q": "营商环境"}).json()["results"]
    assert [p["number"] for p in policies] == [policy.number] and policies[0]["interpretation"] == "解读"
    assert anonymous.get("/api/v1/disclosure/questions/").json()["results"][0]["policy"] == policy.number
    assert anonymous.post("/api/v1/disclosure/policies/", {}).status_code in (401, 403, 405)


@pytest.mark.django_db
def test_a_dispatcher_outside_the_platform_reads_a_confidential_petition_masked_in_the_api(
        city, catalog, dispatcher, django_capture_on_commit_callbacks):
    """A district's dispatcher (not the hotline platform) lists the dispatch queue through the API: a confidential
    complainant's phone and the identity written into the text are not there, as in the admin; the platform's own
    dispatcher still reads them."""
    from tests.factories import make_user

    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city, confidential=True, complainant_name="张建国", complainant_phone="13953218888",
                                 title="张建国举报科长收红包", content="我是张建国，电话13953218888，举报科长收红包。")
    outside = make_user("district_dispatcher", "dispatcher", city.district_gov)
    url = f"/api/v1/dispatch/petitions/{petition.pk}/"
    seen = client_for(outside).get(url).json()
    assert "张建国" not in str(seen) and "13953218888" not in str(seen) and "收红包" in seen["content"]
    acted = client_for(outside).post(f"{url}classify/", {"classification": city.noise.code}, format="json")
    assert acted.status_code == 200 and "张建国" not in str(acted.json())
    own = client_for(dispatcher).get(url).json()
    assert own["complainant_phone"] == "13953218888" and "张建国" in own["title"]
