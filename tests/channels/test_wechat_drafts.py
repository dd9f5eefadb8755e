"""A WeChat draft holds the photos sent in the chat and the files kept from the form in one folder: together they
never pass the limit, so the draft can always be filed."""
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from channels.models import WechatDraft
from petitions import drafts
from petitions.models import Petition
from tests.channels.fake_wechat import JPEG, FakeWeChat, image_message, text_message
from tests.channels.test_wechat import oauth, push

OPENID = "oFollowerDraft0001"


def _jpeg(name):
    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def _form(city, draft, **overrides):
    return {"kind": "help", "area": city.street.pk, "title": "路灯不亮很久了", "content": "小区门口路灯坏了一个多月没人修理",
            "complainant_type": "person", "complainant_name": "李四", "complainant_phone": "13712345678",
            "submission_token": str(draft.token), **overrides}


def test_files_kept_from_the_form_stop_at_the_limit_and_the_draft_can_be_filed(client, city, wechat_source,
                                                                              fake_wechat, settings):
    fake_wechat.media["M1"] = JPEG
    push(client, image_message(OPENID, "M1", 501))  # one photo by chat
    oauth(client, fake_wechat, OPENID)
    draft = WechatDraft.objects.get()
    # five photos on the form, the title forgotten: the form comes back, four of the five are kept (1 + 4 = 5)
    first = client.post(reverse("channels:wechat_file"), _form(city, draft, title="", attachments=[
        _jpeg(f"p{i}.jpg") for i in range(5)]))
    assert first.status_code == 400
    assert "title" in first.context["form"].errors and "attachments" in first.context["form"].errors
    assert len(drafts.drafts_load(draft.token)) == settings.PORTAL_UPLOAD_MAX_FILES
    # the corrected form files the draft with its five files
    again = client.post(reverse("channels:wechat_file"), _form(city, draft))
    assert again.status_code == 302, again.context["form"].errors
    petition = Petition.objects.get()
    assert petition.attachments.count() == settings.PORTAL_UPLOAD_MAX_FILES
    assert WechatDraft.objects.get().status == WechatDraft.Status.FILED


def test_a_photo_sent_in_the_chat_counts_the_files_kept_from_the_form(client, city, wechat_source, fake_wechat,
                                                                     settings):
    fake_wechat.media["M2"] = JPEG
    push(client, image_message(OPENID, "M2", 601))
    oauth(client, fake_wechat, OPENID)
    draft = WechatDraft.objects.get()
    client.post(reverse("channels:wechat_file"), _form(city, draft, title="", attachments=[
        _jpeg(f"p{i}.jpg") for i in range(4)]))
    assert len(drafts.drafts_load(draft.token)) == settings.PORTAL_UPLOAD_MAX_FILES
    fake_wechat.media["M3"] = JPEG
    answer = push(client, image_message(OPENID, "M3", 602))
    assert str(settings.PORTAL_UPLOAD_MAX_FILES) in FakeWeChat.read_reply(answer.content)
    assert len(drafts.drafts_load(draft.token)) == settings.PORTAL_UPLOAD_MAX_FILES


def test_a_form_opened_before_the_chat_brings_in_what_was_sent_since(client, city, wechat_source, fake_wechat):
    """The follower opens the form from the menu, then writes and photographs the problem in the chat, then
    submits the form they opened first: the chat's text and photo are brought in and the draft is filed."""
    oauth(client, fake_wechat, OPENID)
    opened = client.get(reverse("channels:wechat_file")).context["form"]
    fake_wechat.media["M4"] = JPEG
    push(client, text_message(OPENID, "晚上十一点后还在施工", 701))
    push(client, image_message(OPENID, "M4", 702))
    draft = WechatDraft.objects.get()
    back = client.post(reverse("channels:wechat_file"), _form(city, draft, submission_token=str(
        opened.initial["submission_token"]), attachments=[_jpeg("form.jpg")]))
    assert back.status_code == 400 and not Petition.objects.exists()
    form = back.context["form"]
    assert form.non_field_errors() and str(draft.token) in back.content.decode()
    assert "晚上十一点后还在施工" in form.data["content"]
    assert [f.original_name for _index, f in back.context["kept"]] == ["wechat-702.jpg", "form.jpg"]
    filed = client.post(reverse("channels:wechat_file"), _form(city, draft, content=form.data["content"]))
    assert filed.status_code == 302
    petition = Petition.objects.get()
    assert petition.attachments.count() == 2 and "晚上十一点后还在施工" in petition.content
    assert WechatDraft.objects.get().status == WechatDraft.Status.FILED


def test_a_follower_removes_a_photo_sent_in_the_chat_by_mistake(client, city, wechat_source, fake_wechat):
    oauth(client, fake_wechat, OPENID)
    fake_wechat.media["M5"] = JPEG
    push(client, text_message(OPENID, "晚上十一点后还在施工", 801))
    push(client, image_message(OPENID, "M5", 802))
    draft = WechatDraft.objects.get()
    page = client.get(reverse("channels:wechat_file"))
    [(index, photo)] = page.context["kept"]
    assert photo.original_name == "wechat-802.jpg" and 'name="drop_kept"' in page.content.decode()
    filed = client.post(reverse("channels:wechat_file"), _form(city, draft, drop_kept=[str(index)]))
    assert filed.status_code == 302
    assert Petition.objects.get().attachments.count() == 0
