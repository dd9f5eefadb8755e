"""Typing the phone shows the caller's history (一人一档); typing the matter shows where it goes, the
suggested items and the knowledge base."""
import json

import pytest

from petitions.models import AccessRecord, Rating
from petitions.services import petition_link_repeat
from hotline.selectors import caller_history
from tests.factories import file_petition, make_user

pytestmark = pytest.mark.django_db

PHONE = "13912345678"


@pytest.fixture
def past(city):
    first = file_petition(city, title="楼下烧烤油烟大")
    second = file_petition(city, title="楼下烧烤又冒烟了")
    petition_link_repeat(petition=second, original=first)
    secret = file_petition(city, title="举报某单位违规收费", confidential=True)
    Rating.objects.create(petition=first, round=1, satisfaction="unsatisfied", solved=False, source="citizen",
                          rated_at=first.received_at)
    file_petition(city, title="别人的事情", complainant_phone="13600000000")
    return first, second, secret


def test_the_history_shows_status_ratings_repeats_and_confidential_marks(client, operator, past):
    first, second, secret = past
    client.force_login(operator)
    page = client.post("/hotline/history/", {"complainant_phone": "139 1234 5678"}).content.decode()
    for petition in past:
        assert petition.number in page
    assert "别人的事情" not in page
    assert "保密" in page  # the confidential one is marked
    assert "不满意" in page and "未解决" in page  # first's rating
    assert f"重复自 {first.number}" in page or first.number in page
    assert "重复 1 次" in page
    assert page.index(secret.number) < page.index(first.number)  # newest first
    # A look-up by phone is a look at personal data: logged, masked.
    record = AccessRecord.objects.get(user=operator, action="search")
    assert record.detail == "139****5678"


def test_a_half_typed_phone_looks_nothing_up(client, operator, past):
    client.force_login(operator)
    page = client.post("/hotline/history/", {"complainant_phone": "139123"}).content.decode()
    assert past[0].number not in page and not AccessRecord.objects.exists()


def test_a_first_caller_is_told_so(client, operator, city):
    client.force_login(operator)
    assert "首次来电" in client.post("/hotline/history/", {"complainant_phone": "13700000000"}).content.decode()


def test_whoever_is_not_the_platform_does_not_find_a_confidential_petition_by_phone(city, past):
    outsider = make_user("outsider_admin", "admin", city.street_office)
    numbers = {item.petition.number for item in caller_history(phone=PHONE, user=outsider).items}
    assert past[2].number not in numbers and past[0].number in numbers


def test_the_history_costs_three_queries_whatever_the_table(operator, past, django_assert_max_num_queries):
    # The newest twenty by the phone index, their ratings, and the user's unit for the privacy rule.
    with django_assert_max_num_queries(3):
        history = caller_history(phone=PHONE, user=operator)
    assert history.total == 3 and history.open_count == 3 and history.unsatisfied_count == 1


def test_a_frequent_callers_open_and_unsatisfied_counts_cover_every_petition_not_the_newest_twenty(city, operator):
    oldest = file_petition(city, title="二十多次之前的投诉")
    Rating.objects.create(petition=oldest, round=1, satisfaction="unsatisfied", solved=False, source="citizen",
                          rated_at=oldest.received_at)
    for i in range(21):
        file_petition(city, title=f"又一次来电反映噪音{i}")
    history = caller_history(phone=PHONE, user=operator)
    assert len(history.items) == 20 and oldest.number not in {item.petition.number for item in history.items}
    assert (history.total, history.open_count, history.unsatisfied_count) == (22, 22, 1)


def test_the_routing_preview_says_which_units_and_why(client, city, operator, noise_to_street):
    client.force_login(operator)
    data = json.loads(client.post("/hotline/assist/", {"area": city.street.pk, "classification": city.noise.pk,
                                                       "content": "楼下商铺噪音很大"}).content)
    assert "甲一街道办事处" in data["routing"] and "noise-t" in data["routing"]


def test_the_preview_says_when_no_rule_decides(client, city, operator):
    client.force_login(operator)
    data = json.loads(client.post("/hotline/assist/", {"area": city.street.pk, "classification": city.parking.pk,
                                                       "content": "乱停车"}).content)
    assert "派单员" in data["routing"]


def test_suggestions_come_from_the_words_typed_so_far(client, city, operator):
    client.force_login(operator)
    data = json.loads(client.post("/hotline/assist/", {"content": "晚上楼下噪音扰民睡不着"}).content)
    assert data["suggestions"][0]["pk"] == city.noise.pk
    assert data["suggestions"][0]["path"] == "民生诉求 / 城市管理"
    assert len(data["suggestions"]) <= 3


def test_the_knowledge_base_offers_the_items_articles(client, city, operator, parking_article):
    client.force_login(operator)
    data = json.loads(client.post("/hotline/assist/", {"classification": city.parking.pk}).content)
    assert parking_article.title in data["knowledge"] and f'value="{parking_article.pk}"' in data["knowledge"]
    nothing = json.loads(client.post("/hotline/assist/", {"classification": city.noise.pk}).content)
    assert parking_article.title not in nothing["knowledge"]


@pytest.mark.parametrize("value", ["²", "abc", "9" * 25])
def test_a_malformed_area_or_item_id_gives_no_preview_not_a_server_error(client, city, operator, value):
    client.force_login(operator)
    response = client.post("/hotline/assist/", {"area": value, "classification": value, "content": "楼下噪音"})
    assert response.status_code == 200 and "routing" in response.json()


def test_the_endpoints_are_for_operators_only(client, dispatcher):
    client.force_login(dispatcher)
    assert client.post("/hotline/history/", {"complainant_phone": PHONE}).status_code == 403
    assert client.post("/hotline/assist/", {}).status_code == 403
    assert client.get("/hotline/classifications/?q=zy").status_code == 403
