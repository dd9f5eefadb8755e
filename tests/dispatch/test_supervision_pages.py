"""The supervisors' dashboard and the units' answers to notices."""
import datetime as dt
import io

import pytest
import time_machine
from openpyxl import load_workbook

from dispatch.models import Role
from dispatch.sweeps import sweep_deadlines
from supervision.models import SupervisionCase
from tests.factories import file_petition

SH = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 11, 23, 9, 0, tzinfo=SH)
LATER = dt.datetime(2026, 11, 27, 9, 0, tzinfo=SH)


@pytest.fixture
def overdue(city, catalog, django_capture_on_commit_callbacks):
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    sweep_deadlines(now=LATER)
    return petition


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_dashboard_shows_overdue_by_district_and_unit(client, overdue, supervisor):
    client.force_login(supervisor)
    response = client.get("/dispatch/supervision/")
    assert response.status_code == 200
    by_unit = {row["unit__name"]: row for row in response.context["by_unit"]}
    assert by_unit["甲一街道办事处"]["red"] == 1
    assert response.context["by_district"][0]["petition__district__name"] == "甲区"
    assert response.context["pool_by_level"] == {1: 2}


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_filters_narrow_the_view(client, overdue, supervisor, city):
    client.force_login(supervisor)
    response = client.get("/dispatch/supervision/", {"district": city.other_district.pk})
    assert response.context["by_unit"] == []
    response = client.get("/dispatch/supervision/pool/", {"level": 2})
    assert list(response.context["cases"]) == []
    response = client.get("/dispatch/supervision/pool/", {"level": 1})
    assert len(response.context["cases"]) == 2


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_drill_down_masks_the_phone_and_acts_on_cases(client, overdue, supervisor):
    client.force_login(supervisor)
    page = client.get(f"/dispatch/supervision/petition/{overdue.pk}/").content.decode()
    assert overdue.number in page and "139****5678" in page and "13912345678" not in page
    case = SupervisionCase.objects.filter(object_id=overdue.assignments.get(role=Role.LEAD).pk).first()
    client.post(f"/dispatch/supervision/case/{case.pk}/escalate/", {"note": "领导批示"})
    case.refresh_from_db()
    assert case.level == 2
    client.post(f"/dispatch/supervision/case/{case.pk}/close/", {"note": "已解决"})
    case.refresh_from_db()
    assert case.status == "closed"


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_drill_down_masks_who_in_the_words_and_the_history_but_keeps_where(client, city, catalog, supervisor):
    """The header masks the caller; the words must not give them back: a handler's contact note and the
    citizen's own text carry the name, the phone and the ID number as people write them."""
    from petitions.models import EventKind

    petition = file_petition(city, content="我是王小明，住3号楼2单元501，电话139.1234.5678，身份证370202198001011234。"
                                           "楼下商铺每天夜里放音乐。")
    petition.events.create(kind=EventKind.NOTE, at=LATER, reason="已电话联系王小明13912345678，约定周五上门。")
    client.force_login(supervisor)
    page = client.get(f"/dispatch/supervision/petition/{petition.pk}/").content.decode()
    for secret in ("王小明", "13912345678", "139.1234.5678", "370202198001011234"):
        assert secret not in page, secret
    assert "约定周五上门" in page and "3号楼2单元501" in page and "楼下商铺每天夜里放音乐" in page


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_export_has_the_three_sheets(client, overdue, supervisor):
    client.force_login(supervisor)
    book = load_workbook(io.BytesIO(client.get("/dispatch/supervision/export.xlsx").content))
    assert len(book.sheetnames) == 3
    pool_rows = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in pool_rows} == {overdue.number}


@pytest.mark.django_db
def test_only_supervisory_roles_see_the_dashboard(client, overdue, operator, street_handler):
    for user in (operator, street_handler):
        client.force_login(user)
        assert client.get("/dispatch/supervision/").status_code == 403
    client.logout()
    assert client.get("/dispatch/supervision/").status_code == 302


@pytest.mark.django_db
def test_dispatcher_reads_but_cannot_act(client, overdue, dispatcher):
    client.force_login(dispatcher)
    assert client.get("/dispatch/supervision/pool/").status_code == 200
    case = SupervisionCase.objects.first()
    assert client.post(f"/dispatch/supervision/case/{case.pk}/close/").status_code == 403


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_unit_replies_to_its_notice_and_not_to_others(client, overdue, street_handler, other_street_handler):
    lead = overdue.assignments.get(role=Role.LEAD)
    notice = SupervisionCase.objects.get(object_id=lead.pk).notices.get()
    client.force_login(street_handler)
    page = client.get(f"/dispatch/a/{lead.pk}/").content.decode()
    assert notice.text[:10] in page
    short = client.post(f"/dispatch/a/{lead.pk}/notices/{notice.pk}/reply/", {"text": "已整改完毕"})
    assert short.status_code == 400  # refused on its field, with what was typed kept
    assert f'aria-describedby="reply-{notice.pk}-error">已整改完毕</textarea>' in short.content.decode()
    notice.refresh_from_db()
    assert notice.replied_at is None
    client.post(f"/dispatch/a/{lead.pk}/notices/{notice.pk}/reply/", {"text": "已安排专人今日上门处理完毕。"})
    notice.refresh_from_db()
    assert notice.replied_at is not None
    client.force_login(other_street_handler)
    assert client.post(f"/dispatch/a/{lead.pk}/notices/{notice.pk}/reply/", {"text": "x" * 20}).status_code == 404


@pytest.fixture
def confidential_overdue(city, catalog, django_capture_on_commit_callbacks):
    with time_machine.travel(MON, tick=False), django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city, confidential=True)
    sweep_deadlines(now=LATER)
    return petition


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_what_a_supervisor_writes_on_a_confidential_case_reaches_the_unit_masked(
        client, confidential_overdue, supervisor, django_capture_on_commit_callbacks):
    """Staff write the caller's name and phone into notices ("电话回访王小明…"): the unit, which must never learn a
    confidential complainant's identity, receives the notice masked, and the pool keeps it masked."""
    from notifications.models import InboxItem, Notification
    from supervision.models import CaseEvent, SupervisionNotice

    client.force_login(supervisor)
    case = SupervisionCase.objects.filter(
        object_id=confidential_overdue.assignments.get(role=Role.LEAD).pk, status="open").first()
    before = set(Notification.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/dispatch/supervision/case/{case.pk}/notice/",
                    {"text": "电话回访王小明（13912345678），称噪音仍在，请王小明所在小区物业配合。", "reply_days": 2})
        client.post(f"/dispatch/supervision/case/{case.pk}/escalate/", {"note": "王小明再次来电"})
    sent = [n.body for n in Notification.objects.exclude(pk__in=before)] + list(
        InboxItem.objects.values_list("body", flat=True)) + list(SupervisionNotice.objects.values_list("text", flat=True))
    assert sent and any("称噪音仍在" in text for text in sent)
    assert not any("王小明" in text or "13912345678" in text for text in sent), sent
    assert not CaseEvent.objects.filter(note__contains="王小明").exists()


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
@pytest.mark.parametrize("data, field", [({"text": "请于两日内办结并书面回复整改措施。", "reply_days": 30}, "reply_days"),
                                         ({"text": "   ", "reply_days": 2}, "text")])
def test_a_notice_refused_comes_back_under_its_case_with_what_was_typed(client, overdue, supervisor, data, field):
    """30 working days to reply is refused: the supervisor sees the petition's page again, the error on its field
    under that case only, the notice they typed still there; nothing is sent."""
    from supervision.models import SupervisionNotice

    client.force_login(supervisor)
    cases = list(SupervisionCase.objects.filter(status="open").order_by("pk"))
    assert len(cases) == 2  # the lead's and the co-unit's overdue cases, each with its own form
    url = f"/dispatch/supervision/petition/{overdue.pk}/"
    before = SupervisionNotice.objects.count()
    refused = client.post(f"/dispatch/supervision/case/{cases[0].pk}/notice/", {**data, "next": url})
    assert refused.status_code == 400
    page = refused.content.decode()
    bound = next(c for c in refused.context["cases"] if c.pk == cases[0].pk).notice_form
    other = next(c for c in refused.context["cases"] if c.pk == cases[1].pk).notice_form
    assert field in bound.errors and not other.is_bound
    if data["text"].strip():
        assert page.count(data["text"]) == 1  # kept, under its own case only
    assert f'id="id_c{cases[0].pk}_text"' in page and f'id="id_c{cases[1].pk}_text"' in page
    assert SupervisionNotice.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("path, data", [("/dispatch/supervision/pauses/", {"pause": "²"}),
                                        ("/dispatch/supervision/lookback/", {"sample": "²"}),
                                        ("/dispatch/supervision/pauses/", {"pause": "99999999999999999999"})])
def test_a_malformed_id_posted_to_the_supervisors_pages_is_not_found_not_a_crash(client, supervisor, path, data):
    client.force_login(supervisor)
    assert client.post(path, data).status_code == 404


@pytest.mark.django_db
@time_machine.travel(LATER, tick=False)
def test_each_case_on_the_drill_down_names_its_unit(client, overdue, supervisor):
    """Two overdue cases (the lead's and the co-unit's): each heading says which unit it chases."""
    client.force_login(supervisor)
    page = client.get(f"/dispatch/supervision/petition/{overdue.pk}/").content.decode()
    headings = [h for h in page.split("<h2>")[1:] if "notice" in h or "督办" in h or "超期" in h]
    assert any("甲一街道办事处" in h.split("</h2>")[0] for h in headings)
    assert any("市城市管理局" in h.split("</h2>")[0] for h in headings)


@pytest.mark.django_db
def test_the_drill_down_names_a_send_back_and_keeps_a_long_note_whole(client, city, catalog, supervisor, dispatcher,
                                                                     django_capture_on_commit_callbacks):
    """A supervisor must tell an answer sent back from ordinary handling, and read the reviewer's whole note."""
    from dispatch import handling, review
    from dispatch.models import Reply
    from tests.factories import make_user

    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    lead = petition.assignments.get(role=Role.LEAD)
    handler = make_user("street_handler_2", "unit_handler", lead.unit)
    handling.assignment_sign(assignment=lead, actor=handler)
    handling.assignment_answer(assignment=lead, actor=handler, content="经现场核查，商铺音响已拆除。", solved=True)
    note = "答复未说明噪音检测结果和商铺整改的具体时间，" * 10 + "请补充后重新提交。"
    review.reply_review(reply=Reply.objects.get(), approve=False, actor=dispatcher, note=note)
    client.force_login(supervisor)
    page = client.get(f"/dispatch/supervision/petition/{petition.pk}/").content.decode()
    timeline = page.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert "答复被退回重办" in timeline and note in timeline
