"""The WeChat official account, end to end against the local fake of WeChat (tests/channels/fake_wechat.py):
signed and encrypted messages in, OAuth, filing with a photo, template messages out, the rating; and every
kind of bad input refused with nothing stored."""
import time
from urllib.parse import urlsplit

import pytest
import requests
import time_machine
from django.urls import reverse

from channels.models import ReplayGuard, WechatDraft, WechatMessage, WechatPetition, WechatUser
from dispatch import catalog as dispatch_catalog
from dispatch import handling, review, routing
from dispatch.models import Reply, Role, Target
from notifications.models import Notification
from notifications.services import sweep_outbox
from petitions.models import Petition
from tests.channels.fake_wechat import JPEG, TEMPLATE_ID, FakeWeChat, image_message, text_message

OPENID = "oFollower0000000000000001"
ENDPOINT = "/channels/wechat/"


def push(client, xml: str, **query_overrides):
    ciphertext, body = FakeWeChat.envelope(xml)
    query = FakeWeChat.signed_query(encrypted_body=ciphertext)
    query.update(query_overrides)
    return client.post(f"{ENDPOINT}?{requests.compat.urlencode(query)}", data=body, content_type="text/xml")


def oauth(client, fake, openid: str, page: str = "file"):
    """The follower taps a menu item: portal → WeChat's authorize page → back to the portal with a code."""
    fake.phone_openid = openid
    fake.followers.add(openid)
    to_wechat = client.get(f"/channels/wechat/login/?next={page}")
    assert to_wechat.status_code == 302 and to_wechat["Location"].startswith(fake.url + "/connect/oauth2/authorize")
    back = requests.get(to_wechat["Location"], allow_redirects=False, timeout=5)
    parts = urlsplit(back.headers["Location"])
    assert parts.path == reverse("channels:wechat_login_done")
    return client.get(f"{parts.path}?{parts.query}")


@pytest.fixture
def noise_to_street(city):
    dispatch_catalog.rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    routing.invalidate()
    yield
    routing.invalidate()


def test_message_photo_oauth_filing_receipt_answer_and_rating(client, city, wechat_source, fake_wechat,
                                                             noise_to_street, street_handler, dispatcher,
                                                             django_capture_on_commit_callbacks):
    fake_wechat.media["MEDIA-1"] = JPEG
    # The follower writes and photographs the problem to the account.
    answer = push(client, text_message(OPENID, "楼下商铺每天晚上十一点后音响很吵", 1001))
    assert answer.status_code == 200
    text = FakeWeChat.read_reply(answer.content)
    assert "http://testserver/channels/wechat/login/?next=file" in text
    answer = push(client, image_message(OPENID, "MEDIA-1", 1002))
    assert "1" in FakeWeChat.read_reply(answer.content)  # one photo so far
    draft = WechatDraft.objects.get(user__openid=OPENID)
    assert draft.photos == 1 and "音响很吵" in draft.text

    # The confirm link: OAuth gives the openid, the form comes prefilled with the draft.
    page = oauth(client, fake_wechat, OPENID)
    assert page.status_code == 302 and page["Location"] == reverse("channels:wechat_file")
    form = client.get(page["Location"])
    assert "音响很吵" in form.content.decode() and "wechat-1002.jpg" in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        filed = client.post(reverse("channels:wechat_file"), {
            "kind": "complaint", "area": city.street.pk, "classification": city.noise.pk, "title": "商铺噪音扰民",
            "content": form.context["form"].initial["content"], "complainant_type": "person",
            "complainant_name": "王小明", "complainant_phone": "13912345678",
            "submission_token": str(draft.token)})
    assert filed.status_code == 302, filed.content.decode()[:3000]
    petition = Petition.objects.get()
    assert petition.channel == "wechat" and petition.attachments.count() == 1
    assert WechatPetition.objects.get().user.openid == OPENID
    assert WechatUser.objects.get().phone == "13912345678"  # prefilled next time
    assert petition.status == "dispatched"

    # The receipt reached the follower by template message, through the outbox (and the SMS too).
    sweep_outbox()
    receipt = [t for t in fake_wechat.templates if "已受理" in t["data"]["remark"]["value"]]
    assert len(receipt) == 1
    assert receipt[0]["touser"] == OPENID and receipt[0]["template_id"] == TEMPLATE_ID
    assert receipt[0]["data"]["keyword1"]["value"] == petition.number
    assert Notification.objects.filter(channel="wechat", status="sent").count() >= 1

    # The unit answers, the platform approves: the follower is told, once.
    lead = petition.assignments.get(role=Role.LEAD)
    with django_capture_on_commit_callbacks(execute=True):
        handling.assignment_sign(assignment=lead, actor=street_handler)
        handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已停止外放音响。")
        review.reply_review(reply=Reply.objects.get(), approve=True, actor=dispatcher)
    sweep_outbox()
    sweep_outbox()
    answered = [t for t in fake_wechat.templates if "已答复" in t["data"]["remark"]["value"]]
    assert len(answered) == 1 and answered[0]["url"].startswith("http://testserver/petitions/p/")

    # "My petitions" in WeChat: no number, no phone; the rating from there closes the petition.
    mine = client.get(reverse("channels:wechat_mine"))
    assert petition.number in mine.content.decode()
    detail = client.get(reverse("petitions:detail", args=[petition.number]))
    assert "商铺已停止外放音响" in detail.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        rated = client.post(reverse("petitions:rate", args=[petition.number]),
                            {"satisfaction": "satisfied", "solved": "yes", "comment": "处理及时"})
    assert rated.status_code == 302
    petition.refresh_from_db()
    assert petition.status == "closed" and petition.ratings.get().comment == "处理及时"
    sweep_outbox()
    assert [t for t in fake_wechat.templates if "已办结" in t["data"]["remark"]["value"]]


def test_the_server_url_check_echoes_only_a_signed_request(client, wechat_source):
    query = FakeWeChat.signed_query()
    assert client.get(ENDPOINT, {**query, "echostr": "hello"}).content == b"hello"
    query["signature"] = "0" * 40
    assert client.get(ENDPOINT, {**query, "echostr": "hello"}).status_code == 403


def _nothing_stored():
    return not (WechatUser.objects.exists() or WechatDraft.objects.exists() or WechatMessage.objects.exists())


def test_a_forged_signature_is_refused_and_nothing_is_stored(client, wechat_source):
    ciphertext, body = FakeWeChat.envelope(text_message(OPENID, "伪造的消息内容", 1))
    query = FakeWeChat.signed_query(encrypted_body=ciphertext, token="not-the-token")
    answer = client.post(f"{ENDPOINT}?{requests.compat.urlencode(query)}", data=body, content_type="text/xml")
    assert answer.status_code == 403 and b"signature" in answer.content
    assert _nothing_stored() and not ReplayGuard.objects.exists()


def test_a_message_signature_over_another_ciphertext_is_refused(client, wechat_source):
    other, _body = FakeWeChat.envelope(text_message(OPENID, "另一条", 1))
    _ciphertext, body = FakeWeChat.envelope(text_message(OPENID, "被调包的消息", 2))
    query = FakeWeChat.signed_query(encrypted_body=other)  # signs a different ciphertext than the one sent
    answer = client.post(f"{ENDPOINT}?{requests.compat.urlencode(query)}", data=body, content_type="text/xml")
    assert answer.status_code == 403 and _nothing_stored()


def test_a_plain_message_is_refused_when_safe_mode_is_configured(client, wechat_source):
    query = FakeWeChat.signed_query()
    answer = client.post(f"{ENDPOINT}?{requests.compat.urlencode(query)}",
                         data=text_message(OPENID, "明文消息", 1).encode(), content_type="text/xml")
    assert answer.status_code == 403 and _nothing_stored()


def test_a_replayed_nonce_is_refused(client, wechat_source):
    xml = text_message(OPENID, "第一次发送的内容", 7)
    ciphertext, body = FakeWeChat.envelope(xml)
    query = FakeWeChat.signed_query(encrypted_body=ciphertext)
    url = f"{ENDPOINT}?{requests.compat.urlencode(query)}"
    assert client.post(url, data=body, content_type="text/xml").status_code == 200
    again = client.post(url, data=body, content_type="text/xml")
    assert again.status_code == 403 and b"nonce" in again.content
    assert WechatMessage.objects.count() == 1 and WechatDraft.objects.get().text == "第一次发送的内容"


def test_a_message_outside_the_time_window_is_refused(client, wechat_source, settings):
    ciphertext, body = FakeWeChat.envelope(text_message(OPENID, "很久以前的消息", 1))
    old = int(time.time()) - settings.PORTAL_CHANNEL_REPLAY_SECONDS - 60
    query = FakeWeChat.signed_query(encrypted_body=ciphertext, timestamp=old)
    answer = client.post(f"{ENDPOINT}?{requests.compat.urlencode(query)}", data=body, content_type="text/xml")
    assert answer.status_code == 403 and b"timestamp" in answer.content and _nothing_stored()


def test_old_nonces_are_forgotten_after_twice_the_window(client, wechat_source, settings):
    from channels.wechat import replay_guard_sweep

    push(client, text_message(OPENID, "消息内容一二三", 1))
    with time_machine.travel(time.time() + 2 * settings.PORTAL_CHANNEL_REPLAY_SECONDS + 5):
        assert replay_guard_sweep() == 1
    assert not ReplayGuard.objects.exists()


def test_wechat_retrying_a_message_adds_it_once(client, wechat_source):
    push(client, text_message(OPENID, "同一条消息内容", 55))
    retry = push(client, text_message(OPENID, "同一条消息内容", 55))  # new nonce, same MsgId
    assert retry.status_code == 200
    assert WechatDraft.objects.get().text == "同一条消息内容"


def test_an_oversized_message_is_refused(client, wechat_source, settings):
    settings.PORTAL_CHANNEL_MAX_BYTES = 2048
    answer = push(client, text_message(OPENID, "长" * 3000, 1))
    assert answer.status_code == 413 and _nothing_stored()


@pytest.mark.parametrize("body", [b"not xml at all", b"<xml><Encrypt><![CDATA[bm90LWFlcw==]]></Encrypt></xml>",
                                  b'<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt></xml>'])
def test_a_malformed_message_is_refused(client, wechat_source, body):
    query = FakeWeChat.signed_query(encrypted_body="bm90LWFlcw==")
    answer = client.post(f"{ENDPOINT}?{requests.compat.urlencode(query)}", data=body, content_type="text/xml")
    assert answer.status_code in (400, 403) and _nothing_stored()


def test_a_disabled_account_accepts_nothing(client, wechat_source):
    wechat_source.enabled = False
    wechat_source.save()
    assert push(client, text_message(OPENID, "关闭时发送", 1)).status_code == 403
    assert _nothing_stored()


def test_oauth_with_a_forged_state_or_a_used_code_signs_nobody_in(client, wechat_source, fake_wechat):
    fake_wechat.phone_openid = OPENID
    forged = client.get(reverse("channels:wechat_login_done"), {"code": "abc", "state": "file"})
    assert forged.status_code == 400 and "channels:openid" not in client.session
    to_wechat = client.get("/channels/wechat/login/?next=mine")
    back = requests.get(to_wechat["Location"], allow_redirects=False, timeout=5).headers["Location"]
    parts = urlsplit(back)
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302
    client.session.flush()
    fresh = client.__class__()
    assert fresh.get(f"{parts.path}?{parts.query}").status_code == 400  # the code was used
    assert fresh.get(reverse("channels:wechat_mine")).status_code == 302  # back to sign-in


def test_a_refused_template_message_is_visible_in_the_outbox(client, city, wechat_source, fake_wechat,
                                                            django_capture_on_commit_callbacks):
    page = oauth(client, fake_wechat, OPENID)
    fake_wechat.followers.clear()  # the follower unsubscribed meanwhile: WeChat answers 43004
    form = client.get(page["Location"]).context["form"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("channels:wechat_file"), {
            "kind": "help", "area": city.street.pk, "title": "路灯不亮很久了", "content": "小区门口路灯坏了一个多月没人修",
            "complainant_type": "person", "complainant_name": "李四", "complainant_phone": "13712345678",
            "submission_token": form.initial["submission_token"]})
    sweep_outbox()
    row = Notification.objects.get(channel="wechat")
    assert row.status == "failed" and "43004" in row.last_error and row.recipient == OPENID


def test_another_followers_draft_cannot_be_filed(client, city, wechat_source, fake_wechat):
    fake_wechat.media["M"] = JPEG
    push(client, image_message("oSomeoneElse", "M", 9))
    theirs = WechatDraft.objects.get()
    oauth(client, fake_wechat, OPENID)
    answer = client.post(reverse("channels:wechat_file"), {
        "kind": "help", "area": city.street.pk, "title": "别人的草稿照片", "content": "试图提交别人草稿里的照片内容",
        "complainant_type": "person", "complainant_name": "张三", "complainant_phone": "13712345678",
        "submission_token": str(theirs.token)})
    assert answer.status_code == 400 and not Petition.objects.exists()


def test_a_phone_proven_once_opens_my_petitions_on_the_next_visit(client, city, wechat_source, fake_wechat):
    from citizens import services as citizens

    oauth(client, fake_wechat, OPENID)
    session = client.session
    session[citizens.SESSION_KEY] = "13912345678"
    session[citizens.SESSION_UNTIL] = time.time() + 600
    session.save()
    client.get(reverse("channels:wechat_mine"))
    assert WechatUser.objects.get().verified_phone == "13912345678"
    later = client.__class__()
    oauth(later, fake_wechat, OPENID, page="mine")
    assert later.get(reverse("citizens:mine")).status_code == 200  # no SMS code asked


def test_a_follower_who_signs_out_is_not_signed_back_in_by_the_next_menu_tap(client, city, wechat_source, fake_wechat):
    """A phone lent to a neighbour: the follower signs out of "my petitions". The menu's next tap runs WeChat's
    silent OAuth again; it must not open every channel's petitions of that phone without a new SMS code."""
    from citizens import services as citizens

    oauth(client, fake_wechat, OPENID)
    session = client.session
    session[citizens.SESSION_KEY] = "13912345678"
    session[citizens.SESSION_UNTIL] = time.time() + 600
    session.save()
    page = client.get(reverse("channels:wechat_mine")).content.decode()
    assert WechatUser.objects.get().verified_phone == "13912345678"
    assert 'action="/my/sign-out/"' in page and "139****5678" in page  # the way out is on the page
    client.post(reverse("citizens:sign_out"))
    assert WechatUser.objects.get().verified_phone == ""
    assert client.get(reverse("citizens:mine")).status_code == 302  # signed out
    assert client.get(reverse("channels:wechat_mine")).status_code == 302  # the openid left the session too
    oauth(client, fake_wechat, OPENID, page="mine")  # the menu again: silent OAuth
    assert client.get(reverse("citizens:mine")).status_code == 302  # a new SMS code is needed
    assert client.get(reverse("channels:wechat_mine")).status_code == 200  # WeChat's own petitions still open


def test_the_menu_command_creates_the_menu(wechat_source, fake_wechat):
    from django.core.management import call_command

    call_command("wechat_menu")
    buttons = fake_wechat.menus[0]["button"]
    assert [b["name"] for b in buttons] == ["我要反映", "我的诉求"]
    assert buttons[0]["url"] == "http://testserver/channels/wechat/login/?next=file"


@pytest.mark.django_db
def test_the_followers_template_message_names_the_status_in_the_followers_language(city):
    """A dispatcher working in English changes the status: the follower, who filed in Chinese, reads 已派单."""
    import json as json_module

    from django.utils import translation

    from channels.services import wechat_fanout
    from tests.factories import file_petition

    petition = file_petition(city, channel="wechat", language="zh-hans")
    from channels.services import wechat_user_seen

    WechatPetition.objects.create(user=wechat_user_seen(openid="o-follower"), petition=petition)
    with translation.override("en"):
        [(channel, openid, payload)] = wechat_fanout(code="citizen.dispatched", context={"number": petition.number},
                                                     subject="", body="您的诉求已派单")
    assert openid == "o-follower"
    with translation.override("zh-hans"):
        assert json_module.loads(payload)["status"] == str(Petition.objects.get().get_status_display())
    assert not json_module.loads(payload)["status"].isascii()
