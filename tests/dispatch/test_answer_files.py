"""一个门出 for files: a unit's file reaches the citizen only with the answer the platform approved, and only if the
reviewer kept it; a co-unit's files and those of an answer sent back never do."""
import pytest
from django.test import Client

from dispatch import handling, review
from dispatch.models import Reply, Role
from petitions.models import Attachment, Status
from petitions.services import CleanUpload
from tests.channels.test_pages import jpeg
from tests.factories import file_petition

pytestmark = pytest.mark.django_db


def photo(name):
    return CleanUpload(original_name=name, content=jpeg(), content_type="image/jpeg", extension=".jpg")


def citizen_page(petition):
    client = Client()
    response = client.post("/petitions/track/", {"number": petition.number, "phone": "13912345678"})
    assert response.status_code == 302
    return client, client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


@pytest.fixture
def answered(city, catalog, settings, tmp_path, street_handler, urban_handler, dispatcher,
             django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path)
    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city, attachments=[photo("楼下商铺照片.jpg")])
    lead = petition.assignments.get(role=Role.LEAD)
    co = petition.assignments.get(role=Role.CO)
    handling.assignment_sign(assignment=co, actor=urban_handler)
    handling.assignment_answer(assignment=co, actor=urban_handler, content="已派执法队员到场，责令商铺整改。",
                               uploads=[photo("内部执法记录-李队长13800001111.jpg")])
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="已处理完毕，请查收处理结果。",
                               uploads=[photo("被退回的答复附件.jpg")])
    review.reply_review(reply=Reply.objects.get(), approve=False, actor=dispatcher, note="请写明整改结果")
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经联合执法，商铺已停止外放音响。",
                               uploads=[photo("整改后现场.jpg"), photo("商户身份证复印件.jpg")])
    return petition


def test_the_citizen_gets_only_the_files_the_reviewer_kept(client, answered, dispatcher):
    reply = Reply.objects.get(review=Reply.Review.PENDING)
    assert sorted(a.original_name for a in reply.attachments.all()) == ["商户身份证复印件.jpg", "整改后现场.jpg"]
    client.force_login(dispatcher)
    base = f"/admin/dispatch/queuedpetition/{answered.pk}/console/"
    page = client.get(base).content.decode()
    assert "商户身份证复印件.jpg" in page and 'name="publish_file"' in page  # the reviewer sees what would go out
    kept = reply.attachments.get(original_name="整改后现场.jpg")
    response = client.post(base + "review/", {"reply": reply.pk, "approve": "yes", "public_answer": "",
                                              "files_listed": "1", "publish_file": [str(kept.pk)]})
    assert response.status_code == 302
    answered.refresh_from_db()
    assert answered.status == Status.CALLBACK
    citizen, page = citizen_page(answered)
    assert "楼下商铺照片.jpg" in page and "整改后现场.jpg" in page
    for hidden in ("内部执法记录", "被退回的答复附件", "商户身份证复印件"):
        assert hidden not in page
    for attachment in Attachment.objects.filter(petition=answered):
        shown = attachment.original_name in ("楼下商铺照片.jpg", "整改后现场.jpg")
        status = citizen.get(f"/petitions/track/{answered.number}/files/{attachment.pk}/").status_code
        assert status == (200 if shown else 404), attachment.original_name


def test_before_the_review_the_citizen_sees_no_unit_file(answered):
    _citizen, page = citizen_page(answered)
    assert "楼下商铺照片.jpg" in page and "整改后现场.jpg" not in page and "内部执法记录" not in page


def test_an_answer_approved_without_a_choice_publishes_its_own_files_only(answered, dispatcher):
    review.reply_review(reply=Reply.objects.get(review=Reply.Review.PENDING), approve=True, actor=dispatcher)
    shown = set(Attachment.objects.filter(published_at__isnull=False).values_list("original_name", flat=True))
    assert shown == {"整改后现场.jpg", "商户身份证复印件.jpg"}


def test_the_migration_links_earlier_files_to_their_answer_and_publishes_the_approved_ones(answered, dispatcher):
    import importlib

    from django.apps import apps

    review.reply_review(reply=Reply.objects.get(review=Reply.Review.PENDING), approve=True, actor=dispatcher)
    # As before the upgrade: no links, nothing marked.
    for reply in Reply.objects.all():
        reply.attachments.clear()
    Attachment.objects.update(published_at=None)
    importlib.import_module("dispatch.migrations.0011_answer_files").link_and_publish(apps, None)
    shown = set(Attachment.objects.filter(published_at__isnull=False).values_list("original_name", flat=True))
    assert shown == {"整改后现场.jpg", "商户身份证复印件.jpg"}
    rejected = Reply.objects.get(review=Reply.Review.REJECTED)
    assert [a.original_name for a in rejected.attachments.all()] == ["被退回的答复附件.jpg"]


def test_a_review_form_sent_back_keeps_the_files_the_reviewer_unticked(client, answered, dispatcher):
    reply = Reply.objects.get(review=Reply.Review.PENDING)
    kept = reply.attachments.get(original_name="整改后现场.jpg")
    held = reply.attachments.get(original_name="商户身份证复印件.jpg")
    client.force_login(dispatcher)
    base = f"/admin/dispatch/queuedpetition/{answered.pk}/console/"
    response = client.post(base + "review/", {"reply": reply.pk, "approve": "yes", "note": "长" * 1001,
                                              "files_listed": "1", "publish_file": [str(kept.pk)]})
    assert response.status_code == 400
    page = response.content.decode()
    assert f'value="{kept.pk}" checked' in page and f'value="{held.pk}" checked' not in page
