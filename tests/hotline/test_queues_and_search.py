"""The operator's queues (callbacks due with their limits, what they filed, media to screen) and the search
by name, last four phone digits, number, words, area, classification, unit, status and dates."""
import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from dispatch.models import Assignment
from hotline import selectors
from hotline.selectors import callbacks_due, petition_find
from petitions.models import AccessRecord, Petition, Status
from tests.factories import file_petition, make_user

pytestmark = pytest.mark.django_db
MONDAY = dt.datetime(2026, 11, 23, 2, tzinfo=dt.UTC)  # 10:00 in Shanghai


def _answered(city, at, **overrides):
    petition = file_petition(city, **overrides)
    Petition.objects.filter(pk=petition.pk).update(status=Status.CALLBACK, answered_at=at)
    return petition


@time_machine.travel(MONDAY + dt.timedelta(days=4), tick=False)  # Friday
def test_callbacks_wait_a_day_for_the_citizen_then_have_three_working_days(client, city, operator):
    fresh = _answered(city, timezone.now() - dt.timedelta(hours=5), title="今天刚答复的")
    due = _answered(city, MONDAY + dt.timedelta(days=2), title="周三答复的")  # limit: Monday 23:59
    late = _answered(city, MONDAY - dt.timedelta(days=7), title="上周一答复的")  # limit: last Thursday
    found = {c.petition.pk: c for c in callbacks_due()}
    assert fresh.pk not in found
    assert found[due.pk].limit.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2026, 11, 30)
    assert not found[due.pk].overdue and found[late.pk].overdue
    assert [c.petition.pk for c in callbacks_due()] == [late.pk, due.pk]  # oldest first
    client.force_login(operator)
    page = client.get("/hotline/queues/").content.decode()
    assert "周三答复的" in page and "上周一答复的" in page and "今天刚答复的" not in page
    assert "超期" in page and f"/admin/petitions/petition/{due.pk}/callback/" in page


def test_media_items_to_screen_and_what_i_filed(client, city, operator):
    media = file_petition(city, channel="media", title="报纸热线反映路面坑洼")
    mine = file_petition(city, actor=operator, title="我受理的噪音投诉")
    someone_elses = file_petition(city, title="别人受理的投诉")
    client.force_login(operator)
    page = client.get("/hotline/queues/").content.decode()
    screen, recorded = page.split("待初筛的媒体诉求")[1].split("我受理的诉求")
    assert media.number in screen and mine.number not in screen
    assert mine.number in recorded and someone_elses.number not in recorded


def test_outside_the_platform_the_queues_mask_a_confidential_title(client, city, operator):
    outsider = make_user("district_operator", "operator", city.street_office)
    media = file_petition(city, channel="media", title="我是张建国反映噪音", complainant_name="张建国",
                          confidential=True)
    answered = _answered(city, timezone.now() - dt.timedelta(days=2), title="张建国再次反映收费问题",
                         complainant_name="张建国", confidential=True)
    client.force_login(outsider)
    page = client.get("/hotline/queues/").content.decode()
    assert media.number in page and answered.number in page and "反映噪音" in page and "再次反映收费问题" in page
    assert "张建国" not in page
    client.force_login(operator)  # the platform's operator reads it as filed
    assert "我是张建国反映噪音" in client.get("/hotline/queues/").content.decode()


def test_the_queue_headings_give_the_true_count_when_only_the_first_are_listed(client, city, operator, monkeypatch):
    for i in range(3):
        file_petition(city, channel="media", title=f"报纸热线反映路面坑洼{i}")
    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 2)
    client.force_login(operator)
    page = client.get("/hotline/queues/").content.decode()
    assert "待初筛的媒体诉求 (前 2 条，共 3 条)" in page
    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 100)
    assert "待初筛的媒体诉求 (3)" in client.get("/hotline/queues/").content.decode()


def test_what_i_recorded_says_how_many_when_only_the_first_are_listed(client, city, operator, monkeypatch):
    for i in range(3):
        file_petition(city, title=f"楼下商铺噪音扰民{i}", actor=operator)
    file_petition(city, title="别人受理的诉求")  # not this operator's
    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 2)
    client.force_login(operator)
    page = client.get("/hotline/queues/").content.decode()
    assert "我受理的诉求 (前 2 条，共 3 条)" in page and "楼下商铺噪音扰民2" in page and "楼下商铺噪音扰民0" not in page
    monkeypatch.setattr(selectors, "QUEUE_LIMIT", 100)
    assert "我受理的诉求 (3)" in client.get("/hotline/queues/").content.decode()


@pytest.fixture
def many(city):
    with time_machine.travel(MONDAY, tick=False):
        a = file_petition(city, complainant_name="张三", complainant_phone="13911112222", title="小区路灯不亮")
    with time_machine.travel(MONDAY + dt.timedelta(days=10), tick=False):
        b = file_petition(city, complainant_name="李四", complainant_phone="13833332222", title="楼下烧烤油烟",
                          area=city.other_street, classification=city.parking)
        c = file_petition(city, complainant_name="张三", complainant_phone="13755556666", title="举报违规收费",
                          confidential=True, classification=city.property_fee)
    Assignment.objects.create(petition=b, unit=city.other_street_office, role="lead", status="pending", round=1,
                              dispatched_at=timezone.now())
    return a, b, c


def numbers(found):
    return {p.number for p in found}


def test_every_criterion_narrows(city, operator, many):
    a, b, c = many
    find = lambda **kw: numbers(petition_find(user=operator, **kw))  # noqa: E731
    assert find(name="张三") == {a.number, c.number}
    assert find(phone_last4="2222") == {a.number, b.number}
    assert find(name="张三", phone_last4="2222") == {a.number}
    assert find(number=b.number) == {b.number}
    assert find(words="路灯") == {a.number}
    assert find(area=city.other_district) == {b.number}
    assert find(classification=city.livelihood) == {a.number, b.number, c.number}
    assert find(classification=city.parking) == {b.number}
    assert find(unit=city.other_street_office) == {b.number}
    assert find(status="received") == {a.number, b.number, c.number}
    assert find(status="closed") == set()
    assert find(received_from=dt.date(2026, 11, 30)) == {b.number, c.number}
    assert find(received_to=dt.date(2026, 11, 23)) == {a.number}


def test_a_confidential_petition_is_not_found_by_name_or_phone_outside_the_platform(city, operator, many):
    a, b, c = many
    outsider = make_user("outsider_admin", "admin", city.street_office)
    assert numbers(petition_find(user=outsider, name="张三")) == {a.number}
    assert numbers(petition_find(user=outsider, phone_last4="6666")) == set()
    assert numbers(petition_find(user=operator, phone_last4="6666")) == {c.number}


def test_the_search_page(client, city, operator, many):
    a, b, c = many
    client.force_login(operator)
    page = client.get("/hotline/search/", {"name": "张三", "phone_last4": "2222"}).content.decode()
    assert a.number in page and b.number not in page and c.number not in page
    record = AccessRecord.objects.get(user=operator)
    assert "张三" not in record.detail and "2222" not in record.detail  # what kind of search, never the values
    bad = client.get("/hotline/search/", {"phone_last4": "22a2", "received_from": "2026-12-01",
                                          "received_to": "2026-11-01"})
    assert set(bad.context["form"].errors) == {"phone_last4", "received_to"}
    assert bad.context["results"] is None


def test_the_search_uses_the_last_four_digits_index(city, operator, many):
    sql = str(petition_find(user=operator, phone_last4="2222").query).upper()
    # The expression must be the index's own (petition_phone_last4_idx) for the planner to use it.
    assert "RIGHT(" in sql or "SUBSTR(" in sql


@pytest.mark.parametrize("words", ["13911112222", "1391111", "139 1111 2222"])
def test_a_phone_typed_among_the_words_is_audited_as_a_search_by_phone(client, city, operator, words):
    # The word search takes digits for the caller's phone (petitions.selectors.petition_search).
    petition = file_petition(city, complainant_phone="13911112222")
    client.force_login(operator)
    page = client.get("/hotline/search/", {"words": words}).content.decode()
    assert petition.number in page
    record = AccessRecord.objects.get(user=operator, action="search")
    assert record.detail == "电话" and "1111" not in record.detail


def test_words_without_a_phone_are_not_audited(client, city, operator):
    file_petition(city, title="2026年路灯不亮")
    client.force_login(operator)
    client.get("/hotline/search/", {"words": "2026年路灯"})
    assert not AccessRecord.objects.exists()


@pytest.mark.parametrize("params", [{"received_to": "9999-12-31"}, {"received_from": "0001-01-01"}])
def test_a_received_date_out_of_range_is_refused_on_its_field(client, operator, params):
    client.force_login(operator)
    response = client.get("/hotline/search/", params)
    assert response.status_code == 200 and response.context["results"] is None
    assert set(response.context["form"].errors) == set(params)
    assert "1990-01-01 至 2099-12-31" in response.content.decode()
