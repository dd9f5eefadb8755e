"""The citizen's side of a stopped clock: they see that the unit waits for their materials and what it asks for,
and they send words and files from their tracking page; the units are told at once."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from dispatch import handling
from dispatch.models import PauseReason, Role
from notifications.models import InboxItem
from petitions.models import Attachment, EventKind
from tests.channels.test_pages import jpeg
from tests.factories import file_petition

pytestmark = pytest.mark.django_db
PHONE = "13912345678"


def _citizen(petition):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert client.post("/petitions/track/", {"number": petition.number, "phone": PHONE}).status_code == 302
    return client


@pytest.fixture
def signed(city, catalog, street_handler, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    lead = petition.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    return petition, lead


def test_the_citizen_sees_what_the_unit_waits_for_and_sends_it(signed, street_handler, client):
    petition, lead = signed
    handling.assignment_wait_for_citizen(assignment=lead, actor=street_handler, code=PauseReason.MATERIALS,
                                         reason="请提供商铺营业时间的录音或视频")
    citizen = _citizen(petition)
    page = citizen.get(f"/petitions/track/{petition.number}/").content.decode()
    assert 'id="waiting"' in page and "请提供商铺营业时间的录音或视频" in page
    assert "答复后" not in page and "处理恢复后重新确定" in page  # no stale date while the clock is stopped
    assert 'id="supplement"' in page
    response = citizen.post(f"/petitions/track/{petition.number}/supplement/", {
        "content": "附上昨晚23:30录制的视频，音响声音很大。",
        "attachments": [SimpleUploadedFile("昨晚录像截图.jpg", jpeg(), content_type="image/jpeg")]})
    assert response.status_code == 302
    event = petition.events.get(kind=EventKind.SUPPLEMENT)
    assert event.public and "23:30" in event.reason
    assert Attachment.objects.filter(petition=petition, purpose="petition", original_name="昨晚录像截图.jpg").exists()
    [told] = InboxItem.objects.filter(user=street_handler, key__startswith=f"unit.supplemented:{lead.pk}:")
    assert petition.number in told.body and told.link == f"/dispatch/a/{lead.pk}/"
    page = citizen.get(f"/petitions/track/{petition.number}/").content.decode()
    assert "您补充了材料" in page and "昨晚录像截图.jpg" in page
    client.force_login(street_handler)
    unit_page = client.get(f"/dispatch/a/{lead.pk}/").content.decode()
    assert "附上昨晚23:30录制的视频，音响声音很大。" in unit_page


def test_a_refused_supplement_keeps_the_words_and_the_files(signed):
    petition, _lead = signed
    citizen = _citizen(petition)
    draft = citizen.get(f"/petitions/track/{petition.number}/").context["supplement_form"].initial["draft"]
    response = citizen.post(f"/petitions/track/{petition.number}/supplement/", {
        "content": "补充", "draft": str(draft),
        "attachments": [SimpleUploadedFile("合同.jpg", jpeg(), content_type="image/jpeg")]})
    assert response.status_code == 400 and "content" in response.context["supplement_form"].errors
    page = response.content.decode()
    assert "合同.jpg" in page and "\n补充</textarea>" in page
    response = citizen.post(f"/petitions/track/{petition.number}/supplement/", {
        "content": "补充购房合同第三页，写明了商铺营业时间限制。", "draft": str(draft)})
    assert response.status_code == 302
    assert Attachment.objects.filter(petition=petition, original_name="合同.jpg").count() == 1


def test_no_supplement_once_the_petition_is_closed_or_for_someone_else(signed, city):
    petition, _lead = signed
    other = file_petition(city, complainant_phone="13911112222")
    citizen = _citizen(petition)
    assert citizen.post(f"/petitions/track/{other.number}/supplement/",
                        {"content": "这是别人的诉求，我想补充一些内容。"}).status_code == 404
    petition.__class__.objects.filter(pk=petition.pk).update(status="closed")
    page = citizen.get(f"/petitions/track/{petition.number}/").content.decode()
    assert 'id="supplement"' not in page
    response = citizen.post(f"/petitions/track/{petition.number}/supplement/",
                            {"content": "办结以后再补充一些内容。"})
    assert response.status_code == 400 and not petition.events.filter(kind=EventKind.SUPPLEMENT).exists()


def test_a_pause_for_other_reasons_shows_no_unit_words(signed, street_handler):
    petition, lead = signed
    handling.assignment_wait_for_citizen(assignment=lead, actor=street_handler, code=PauseReason.OTHER,
                                         reason="等待区住建委张科长回复")
    page = _citizen(petition).get(f"/petitions/track/{petition.number}/").content.decode()
    assert "处理暂停" in page and "张科长" not in page
    handling.assignment_resume(assignment=lead, actor=street_handler)
    page = _citizen(petition).get(f"/petitions/track/{petition.number}/").content.decode()
    assert "处理已恢复" in page and 'id="waiting"' not in page


def test_open311_promises_no_date_while_the_clock_is_stopped_and_the_timeline_shows_the_restart(
        signed, street_handler, dispatcher):
    from dispatch import review
    from dispatch.models import Reply

    petition, lead = signed
    base = "/open311/v2"
    assert Client().get(f"{base}/requests/{petition.number}.json").json()[0].get("expected_datetime")
    handling.assignment_wait_for_citizen(assignment=lead, actor=street_handler, code=PauseReason.MATERIALS,
                                         reason="请提供录音")
    assert not Client().get(f"{base}/requests/{petition.number}.json").json()[0].get("expected_datetime")
    # Answered while the clock is stopped, then sent back: the clock runs again and the citizen's page says so.
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已停止外放音响。")
    review.reply_review(reply=Reply.objects.get(), approve=False, actor=dispatcher, note="请附整改照片")
    page = _citizen(petition).get(f"/petitions/track/{petition.number}/").content.decode()
    timeline = page.split("办理进度")[1]
    assert timeline.index("等待您补充材料") < timeline.index("处理已恢复")
    assert 'id="waiting"' not in page


def test_a_supplement_over_the_petitions_file_limit_keeps_nothing_to_refuse_again(signed, settings):
    from petitions import services

    petition, _lead = signed
    settings.PORTAL_UPLOAD_MAX_FILES = 5
    services.SUPPLEMENT_MAX_FILES, old = 3, services.SUPPLEMENT_MAX_FILES
    try:
        citizen = _citizen(petition)
        draft = citizen.get(f"/petitions/track/{petition.number}/").context["supplement_form"].initial["draft"]
        photos = [SimpleUploadedFile(f"照片{i}.jpg", jpeg(), content_type="image/jpeg") for i in range(4)]
        response = citizen.post(f"/petitions/track/{petition.number}/supplement/", {
            "content": "补充四张现场照片，请查收。", "draft": str(draft), "attachments": photos})
        assert response.status_code == 400 and "attachments" in response.context["supplement_form"].errors
        response = citizen.post(f"/petitions/track/{petition.number}/supplement/", {
            "content": "照片太多发不了，先补充文字说明：每晚十一点后仍有噪音。", "draft": str(draft)})
        assert response.status_code == 302
    finally:
        services.SUPPLEMENT_MAX_FILES = old


def test_the_tracking_api_says_what_the_page_says(signed, street_handler):
    petition, lead = signed
    url = "/api/v1/petitions/track/"
    data = Client().post(url, {"number": petition.number, "phone": PHONE}, content_type="application/json").json()
    assert data["expected_at"] and data["waiting_for_materials"] is None and data["merged_into"] is None
    handling.assignment_wait_for_citizen(assignment=lead, actor=street_handler, code=PauseReason.MATERIALS,
                                         reason="请提供录音")
    data = Client().post(url, {"number": petition.number, "phone": PHONE}, content_type="application/json").json()
    assert data["expected_at"] is None and data["waiting_for_materials"] == "请提供录音"


def test_a_kept_file_can_be_removed_from_the_supplement(signed):
    petition, _lead = signed
    citizen = _citizen(petition)
    draft = citizen.get(f"/petitions/track/{petition.number}/").context["supplement_form"].initial["draft"]
    response = citizen.post(f"/petitions/track/{petition.number}/supplement/", {
        "content": "短", "draft": str(draft),
        "attachments": [SimpleUploadedFile("错选.jpg", jpeg(), content_type="image/jpeg")]})
    [(index, kept)] = response.context["supplement_kept"]
    assert kept.original_name == "错选.jpg"
    response = citizen.post(f"/petitions/track/{petition.number}/supplement/", {
        "content": "补充说明：每晚十一点后仍有噪音。", "draft": str(draft), "drop_kept": [str(index)]})
    assert response.status_code == 302
    assert not Attachment.objects.filter(petition=petition, original_name="错选.jpg").exists()
