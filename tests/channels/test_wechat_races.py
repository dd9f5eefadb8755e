"""WeChat retries a message it got no answer to within 5 seconds, with the same MsgId, while the first delivery
may still be downloading the photo: the retry is answered normally and the photo is kept once (PostgreSQL: real
locks; the races need their own connections)."""
import time

import pytest
from django.test import Client

from channels import wechat
from channels.models import WechatDraft, WechatMessage
from petitions import drafts
from tests.channels.fake_wechat import JPEG, FakeWeChat, image_message, text_message
from tests.channels.test_wechat import push
from tests.concurrency import postgres_only, race

OPENID = "oFollowerRace0001"


@pytest.fixture
def slow_download(monkeypatch):
    def slow(source, media_id):
        time.sleep(1.5)  # in real life > 5 s: WeChat's retry arrives meanwhile
        return JPEG

    monkeypatch.setattr(wechat, "media_download", slow)


def _deliver(xml, after: float = 0):
    def deliver():
        time.sleep(after)
        answer = push(Client(raise_request_exception=False), xml)
        return answer.status_code, FakeWeChat.read_reply(answer.content) if answer.status_code == 200 else ""
    return deliver


def _stored():
    draft = WechatDraft.objects.get()
    return draft.photos, len(drafts.drafts_load(draft.token)), WechatMessage.objects.count()


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_a_retry_arriving_while_the_photo_downloads_is_answered_and_the_photo_kept_once(wechat_source, slow_download):
    push(Client(), text_message(OPENID, "先发一段文字说明情况", 700))  # the draft exists
    results = race(_deliver(image_message(OPENID, "MX", 701)), _deliver(image_message(OPENID, "MX", 701)))
    assert [r[0] for r in results] == ["ok", "ok"], results
    assert [r[1][0] for r in results] == [200, 200]
    assert all("1" in r[1][1] for r in results)  # both say: one photo so far
    assert _stored() == (1, 1, 2)


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_a_retry_of_the_first_message_racing_it_makes_one_draft(wechat_source, slow_download):
    results = race(_deliver(image_message(OPENID, "MY", 801)), _deliver(image_message(OPENID, "MY", 801)))
    assert [r[1][0] for r in results] == [200, 200], results
    assert _stored() == (1, 1, 1)


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_two_first_messages_at_once_gather_in_one_draft(wechat_source, slow_download):
    results = race(_deliver(image_message(OPENID, "MZ", 901)), _deliver(text_message(OPENID, "路灯坏了很久", 902),
                                                                              after=0.5))
    assert [r[1][0] for r in results] == [200, 200], results
    assert _stored() == (1, 1, 2)
    assert WechatDraft.objects.get().text == "路灯坏了很久"


def test_a_photo_that_cannot_be_fetched_is_not_marked_received(client, wechat_source):
    """WeChat's retry of a message whose photo could not be fetched tries again (nothing was kept)."""
    first = push(client, image_message(OPENID, "GONE", 1001))  # the fake has no such media
    assert first.status_code == 200 and not WechatMessage.objects.exists()
