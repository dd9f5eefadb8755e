"""A citizen whose petition was merged into another (or marked its duplicate) is not left at a dead end: their
page follows the surviving petition as far as the public may, and they are told when it is answered."""
import re

import pytest
from django.test import Client

from dispatch import handling, review
from dispatch import services as dispatch_services
from dispatch.models import Reply, Role
from notifications.models import Notification
from petitions import services
from petitions.models import Petition
from tests.factories import file_petition

pytestmark = pytest.mark.django_db
NEIGHBOUR = "13911112222"


def _sms(phone, code):
    return [n for n in Notification.objects.filter(channel="sms", recipient=phone) if n.key.startswith(code + ":")]


def _page(petition, phone):
    client = Client()
    response = client.post("/petitions/track/", {"number": petition.number, "phone": phone})
    assert response.status_code == 302
    return client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


@pytest.fixture
def merged(city, catalog, dispatcher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survivor = file_petition(city, publish_consent=True)
        neighbour = file_petition(city, complainant_name="李华", complainant_phone=NEIGHBOUR,
                                  title="商铺音响噪音", content="楼下商铺每晚播放音乐到深夜，请管一管。")
    with django_capture_on_commit_callbacks(execute=True):
        services.petition_merge(petition=neighbour, into=survivor, actor=dispatcher, reason="同一商铺噪音")
    return survivor, Petition.objects.get(pk=neighbour.pk)


def test_the_merged_citizen_is_told_and_follows_the_surviving_petition_to_its_answer(
        merged, street_handler, dispatcher, django_capture_on_commit_callbacks):
    survivor, neighbour = merged
    [told] = _sms(NEIGHBOUR, "citizen.merged")
    assert survivor.number in told.body and neighbour.number in told.body
    page = _page(neighbour, NEIGHBOUR)
    assert 'id="merged-into"' in page and survivor.number in page
    lead = survivor.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler,
                               content="已致电王小明（13912345678）核实，商铺已停止外放音响。")
    with django_capture_on_commit_callbacks(execute=True):
        review.reply_review(reply=Reply.objects.get(), approve=True, actor=dispatcher)
    [answered] = _sms(NEIGHBOUR, "citizen.merged_answered")
    assert survivor.number in answered.body and re.search(r"http\S+", answered.body)
    page = _page(neighbour, NEIGHBOUR)
    assert "商铺已停止外放音响" in page
    assert "13912345678" not in page and "王小明" not in page  # the other citizen's identity stays theirs
    assert 'name="satisfaction"' not in page  # the rating is the surviving petition's citizen's
    assert len(_sms("13912345678", "citizen.answered")) == 1  # the survivor's citizen: their own message, once


def test_a_confidential_surviving_petition_shows_only_its_number_and_status(city, catalog, dispatcher,
                                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survivor = file_petition(city, confidential=True)
        neighbour = file_petition(city, complainant_phone=NEIGHBOUR)
    services.petition_merge(petition=neighbour, into=survivor, actor=dispatcher, duplicate=True, reason="重复")
    page = _page(neighbour, NEIGHBOUR)
    assert survivor.number in page and "不公开" in page and "每天晚上十一点" not in page.split('id="merged-into"')[1]


def test_merged_into_a_petition_already_answered_the_citizen_is_told_it_is_answered(
        city, catalog, street_handler, dispatcher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        survivor = file_petition(city)
    lead = survivor.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经联合执法，商铺已停止外放音响。")
    review.reply_review(reply=Reply.objects.get(), approve=True, actor=dispatcher)
    neighbour = file_petition(city, complainant_phone=NEIGHBOUR)
    services.petition_merge(petition=neighbour, into=survivor, actor=dispatcher, reason="同一事项")
    assert _sms(NEIGHBOUR, "citizen.merged_answered") and not _sms(NEIGHBOUR, "citizen.merged")


def test_petitions_merged_into_one_that_is_merged_in_turn_follow_it(city, catalog, dispatcher):
    first, second, third = (file_petition(city, complainant_phone=f"1391111000{i}") for i in range(3))
    services.petition_merge(petition=first, into=second, actor=dispatcher, reason="同一事项")
    services.petition_merge(petition=second, into=third, actor=dispatcher, reason="同一事项")
    first.refresh_from_db()
    assert first.merged_into_id == third.pk
    assert third.number in _page(first, "13911110000")


def test_a_merge_reason_naming_a_confidential_complainant_stays_on_the_merged_petition(
        city, catalog, dispatcher, street_handler, django_capture_on_commit_callbacks):
    """The dispatcher's reason names the confidential complainant of the petition merged: the surviving petition's
    units read its history, so there the reason is masked; the merged petition keeps it whole for the platform."""
    with django_capture_on_commit_callbacks(execute=True):
        survivor = file_petition(city, publish_consent=True)
        secret = file_petition(city, complainant_name="李秀英", complainant_phone="13900001111", confidential=True,
                               title="工地夜间施工", content="工地每晚施工到凌晨。")
    reason = "李秀英（13900001111，保密）反映同一工地，合并办理"
    dispatch_services.dispatch_merge(petition=secret, into=survivor, actor=dispatcher, duplicate=False, reason=reason)
    assert secret.events.get(kind="merged").reason == reason
    shown = survivor.events.get(kind="merged").reason
    assert "李秀英" not in shown and "13900001111" not in shown and "合并办理" in shown
    lead = survivor.assignments.get(role=Role.LEAD)
    client = Client()
    client.force_login(street_handler)
    unit_page = client.get(f"/dispatch/a/{lead.pk}/").content.decode()
    assert survivor.events.get(kind="merged").data["from"] == secret.number and "合并办理" in unit_page
    assert "李秀英" not in unit_page and "13900001111" not in unit_page
    citizen_page = _page(survivor, "13912345678")
    assert "李秀英" not in citizen_page and "13900001111" not in citizen_page
