import datetime as dt

import pytest
import time_machine
from django.test import Client

from disclosure import demo
from disclosure.models import Body, InfoRequest, Policy, Question
from tests.disclosure.conftest import application


@pytest.fixture
def published(db):
    from org import demo as org_demo

    org_demo.load()
    demo.load()


@pytest.mark.django_db
def test_policy_search_in_chinese_and_interpretation_beside_with_qr(client, published):
    page = client.get("/disclosure/policies/", {"q": "老旧小区改造"}).content.decode()
    assert "老旧小区改造三年行动方案" in page and "优化营商环境的若干措施" not in page
    policy = Policy.objects.get(number="青政办发〔2026〕12号")
    detail = client.get(f"/disclosure/policies/{policy.pk}/").content.decode()
    assert "政策解读" in detail and "加装电梯" in detail
    qr = client.get(f"/disclosure/policies/{policy.pk}/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content


@pytest.mark.django_db
def test_questions_vote_once_per_visitor(client, published):
    client.defaults["HTTP_USER_AGENT"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
    question = Question.objects.first()
    client.get("/disclosure/questions/")  # the page gives the visitor the cookie a vote is counted by
    client.post(f"/disclosure/questions/{question.pk}/vote/", {"helpful": "yes"})
    client.post(f"/disclosure/questions/{question.pk}/vote/", {"helpful": "yes"})
    question.refresh_from_db()
    assert question.helpful == 1
    assert "养老保险" in client.get("/disclosure/questions/", {"q": "养老保险"}).content.decode()


@pytest.mark.django_db
def test_online_request_and_its_bad_input(client, published):
    body = Body.objects.get(unit__code="D01")
    bad = client.post("/disclosure/requests/new/", application(body, applicant_name="", applicant_phone="1",
                                                               description="短"))
    assert bad.status_code == 400 and set(bad.context["form"].errors) == {"applicant_name", "applicant_phone",
                                                                          "description"}
    count = InfoRequest.objects.count()
    ok = client.post("/disclosure/requests/new/", application(body), follow=True)
    assert ok.status_code == 200 and InfoRequest.objects.count() == count + 1
    assert InfoRequest.objects.latest("submitted_at").number in ok.content.decode()


@pytest.mark.django_db
def test_demo_request_ran_its_whole_clock(published):
    full = InfoRequest.objects.get(applicant_name="李明")
    kinds = list(full.events.values_list("kind", flat=True))
    assert kinds == ["received", "correction", "corrected", "extension_asked", "extended", "answered"]
    assert full.answer_type == "partly" and full.extension_days == 15


@pytest.mark.django_db
def test_demo_questions_rest_on_the_policy_they_are_about():
    from disclosure import demo as disclosure_demo
    from disclosure.models import Question
    from org import demo as org_demo

    org_demo.load()
    disclosure_demo.load()
    expected = {"灵活就业人员在哪里办理养老保险参保？": "青人社规〔2026〕5号", "老旧小区加装电梯有补贴吗？": "青政办发〔2026〕12号",
                "企业开办需要多长时间？": "青政发〔2026〕3号", "门诊慢特病如何申请认定？": "青卫发〔2026〕8号"}
    for question in Question.objects.filter(question__in=expected):
        assert question.policy.number == expected[question.question]
        assert question.department == question.policy.issuer


@pytest.mark.django_db
def test_demo_officers_and_heads_of_two_bodies_see_only_their_bodys_requests(published):
    from disclosure.selectors import body_of, requests_visible_to
    from org.models import User

    housing, shinan = User.objects.get(username="officer_housing"), User.objects.get(username="officer_shinan")
    assert User.objects.get(username="head_housing").has_perm("disclosure.approve_extension")
    assert User.objects.get(username="head_shinan").has_perm("disclosure.approve_extension")
    assert not housing.has_perm("disclosure.approve_extension") and housing.is_staff
    assert {r.body for r in requests_visible_to(housing)} == {body_of(housing)}
    assert {r.body for r in requests_visible_to(shinan)} == {body_of(shinan)}
    assert requests_visible_to(User.objects.get(username="officer_office")).count() == InfoRequest.objects.count()


@pytest.mark.django_db
@pytest.mark.parametrize("url", [
    "/disclosure/projects/?year=abc", "/disclosure/projects/?year=99999999999999999999", "/disclosure/projects/?year=-1",
    "/disclosure/projects/?year=²", "/disclosure/questions/?district=99999999999999999999",
    "/disclosure/questions/?department=99999999999999999999", "/disclosure/questions/?district=-3",
    "/disclosure/questions/?department=¹",
])
def test_bad_query_numbers_on_public_pages_are_ignored_not_a_server_error(city, url):
    client = Client(raise_request_exception=False)
    assert client.get(url).status_code == 200


@pytest.mark.django_db
def test_a_bad_projects_year_shows_this_year(client, city):
    with time_machine.travel(dt.datetime(2026, 5, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        assert client.get("/disclosure/projects/", {"year": "abc"}).context["year"] == 2026
        assert client.get("/disclosure/projects/", {"year": "2025"}).context["year"] == 2025


@pytest.mark.django_db
@pytest.mark.parametrize("year", [0, 1, 1999, 2101, 10000])
def test_the_annual_report_outside_its_years_is_not_found(city, platform_admin, year):
    client = Client(raise_request_exception=False)
    client.force_login(platform_admin)
    assert client.get(f"/disclosure/report/{year}/").status_code == 404
    assert client.get("/disclosure/report/2026/", {"body": "99999999999999999999"}).status_code == 200
