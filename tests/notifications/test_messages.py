"""Closing the loop: every citizen, unit and applicant is told at each step (docs/notifications.md)."""
from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation

from dispatch import handling, review, routing, sweeps
from dispatch import messages as dispatch_messages
from dispatch import services as dispatch_services
from dispatch.catalog import rule_create
from dispatch.models import Reply, Role, Target
from notifications.catalog import CATALOG
from notifications.messaging import quiet_until, unreachable_units
from notifications.models import InboxItem, MessageTemplate, Notification
from petitions import links
from petitions import services as petition_services
from petitions.models import Petition, Status
from supervision import services as supervision_services
from supervision.models import CaseKind
from tests import factories

SH = dt.timezone(dt.timedelta(hours=8))
PHONE = "13912345678"


def _form(city, **overrides):
    data = {"kind": "complaint", "area": city.street.pk, "classification": city.noise.pk, "address": "甲一路1号",
            "title": "楼下噪音扰民", "content": "每天晚上十一点以后楼下商铺音响声音很大，影响休息。",
            "complainant_type": "person", "complainant_name": "王小明", "complainant_phone": PHONE,
            "submission_token": str(uuid.uuid4())}
    data.update(overrides)
    return data


@pytest.fixture
def routed(city):
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    rule_create(key="fallback", kind="territorial", target=Target.DISTRICT, is_fallback=True)
    routing.invalidate()
    city.street_office.phone, city.street_office.email = "13900000001", "st1@example.gov.cn"
    city.street_office.save()
    yield
    routing.invalidate()


def _sms_to(phone):
    return list(Notification.objects.filter(channel="sms", recipient=phone).order_by("created_at", "id"))


@pytest.mark.django_db
def test_filing_on_the_web_form_queues_the_receipt_with_the_number_in_the_filings_transaction(client, city):
    with time_machine.travel(dt.datetime(2026, 6, 1, 10, 0, tzinfo=SH), tick=False):
        assert client.post("/petitions/new/", _form(city)).status_code == 302
    petition = Petition.objects.get()
    [receipt] = _sms_to(PHONE)
    assert petition.number in receipt.body and "/petitions/p/" in receipt.body
    assert receipt.key.startswith("citizen.receipt:")
    # A filing that rolls back tells nobody.
    with pytest.raises(RuntimeError), transaction.atomic():
        petition_services.petition_file(channel="web", kind="complaint", area=city.street, title="又一件事情",
                                        content="这是一件会被回滚的诉求内容。", complainant_name="李四",
                                        complainant_phone="13700000000")
        raise RuntimeError
    assert _sms_to("13700000000") == []


@pytest.mark.django_db
def test_each_new_assignment_queues_its_units_message_in_the_assignments_transaction(
        city, routed, street_handler, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        petition = factories.file_petition(city)
    lead = petition.assignments.get(role=Role.LEAD)
    unit_sms = [n for n in _sms_to("13900000001") if n.key.startswith("unit.new_work_order:")]
    assert len(unit_sms) == 1 and petition.number in unit_sms[0].body and "签收" in unit_sms[0].body
    assert Notification.objects.filter(channel="email", recipient="st1@example.gov.cn",
                                       key__startswith="unit.new_work_order:").count() == 1
    assert InboxItem.objects.filter(user=street_handler, key=f"unit.new_work_order:{lead.pk}").exists()
    # ... written in the same transaction as the assignment: a re-dispatch rolled back leaves no message.
    before = Notification.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        dispatch_services.dispatch_redispatch(petition=petition, lead_unit=city.urban, actor=None, reason="改派试验")
        raise RuntimeError
    assert Notification.objects.count() == before
    # The citizen hears where it went and when to expect the answer.
    dispatched = [n for n in _sms_to(petition.complainant_phone) if n.key.startswith("citizen.dispatched:")]
    assert len(dispatched) == 1 and "甲一街道办事处" in dispatched[0].body


@pytest.mark.django_db
def test_a_units_work_reaches_only_the_members_who_handle_it(city, routed, django_capture_on_commit_callbacks):
    """A district government's disclosure officers and head, and the district platform's supervisor, are its
    members too, and cannot open a work order (403): they are not told of one."""
    handler = factories.make_user("gov_handler", "unit_handler", city.district_gov)
    for username, role in (("gov_watch", "district_supervisor"), ("gov_officer", "disclosure_officer"),
                           ("gov_head", "disclosure_head")):
        factories.make_user(username, role, city.district_gov)
    with django_capture_on_commit_callbacks(execute=True):
        petition = factories.file_petition(city, classification=city.parking)  # the fallback: the district
    lead = petition.assignments.get(role=Role.LEAD)
    assert lead.unit == city.district_gov
    dispatch_messages.sign_reminder(lead)
    for code in ("unit.new_work_order", "unit.sign_reminder"):
        told = InboxItem.objects.filter(key=f"{code}:{lead.pk}").values_list("user__username", flat=True)
        assert list(told) == [handler.username], code


@pytest.mark.django_db
def test_units_are_told_in_the_sites_language_and_the_citizen_in_their_own(city, routed, street_handler,
                                                                           django_capture_on_commit_callbacks):
    """A citizen filing on the English site: the unit's work order is Chinese (its role too, and the calendar's
    note), the citizen's own messages English."""
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        petition = factories.file_petition(city, language="en")
    lead = petition.assignments.get(role=Role.LEAD)
    [order] = InboxItem.objects.filter(user=street_handler, key=f"unit.new_work_order:{lead.pk}")
    [sms] = [n for n in _sms_to("13900000001") if n.key.startswith("unit.new_work_order:")]
    for text in (order.body, sms.body):
        assert "（主办）" in text and not re.search(r"[A-Za-z]{4,}", text.split("http")[0]), text
    [dispatched] = [n for n in _sms_to(PHONE) if n.key.startswith("citizen.dispatched:")]
    assert dispatched.body.startswith("[") and "was sent to" in dispatched.body
    assert "暂按" not in dispatched.body  # the calendar's note, if any, in the citizen's language


@pytest.mark.django_db
def test_a_supervision_notice_opened_from_the_english_interface_reaches_the_unit_in_chinese(
        city, routed, street_handler):
    petition = factories.file_petition(city)
    with translation.override("en"):
        case, _opened = supervision_services.case_open(
            target=petition, kind=CaseKind.OVERDUE, reference=petition.number, title=petition.title,
            unit=city.street_office)
    notice = case.notices.get()
    [told] = InboxItem.objects.filter(user=street_handler, key__startswith="unit.supervision_notice:")
    for text in (notice.text, told.body):
        assert "督办通知" in text and "supervision notice" not in text, text


@pytest.mark.django_db
def test_answer_rating_link_reopen_and_rejection_reach_the_right_people(
        client, city, routed, street_handler, dispatcher, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        petition = factories.file_petition(city)
    lead = petition.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，已处理完毕。")
    review.reply_review(reply=Reply.objects.get(), approve=False, actor=dispatcher, note="答复过于笼统")
    rejected = [n for n in _sms_to("13900000001") if n.key.startswith("unit.reply_rejected:")]
    assert len(rejected) == 1 and "答复过于笼统" in rejected[0].body
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已整改完毕。")
    with django_capture_on_commit_callbacks(execute=True):
        review.reply_review(reply=Reply.objects.get(review="pending"), approve=True, actor=dispatcher)
    [answered] = [n for n in _sms_to(petition.complainant_phone) if n.key.startswith("citizen.answered:")]
    link = re.search(r"http\S+", answered.body).group(0)
    # The link opens the petition in a fresh browser, without number or phone, and it can be rated.
    fresh = client.__class__()
    page = fresh.get(link.replace("http://127.0.0.1:8000", ""), follow=True)
    assert page.status_code == 200 and "商铺已整改完毕" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        fresh.post(f"/petitions/track/{petition.number}/rate/", {"satisfaction": "unsatisfied", "solved": "no",
                                                                 "comment": "噪音依旧"})
    reopened = [n for n in _sms_to(petition.complainant_phone) if n.key.startswith("citizen.reopened:")]
    assert len(reopened) == 1 and "噪音依旧" in reopened[0].body
    # The tracking page shows the citizen the round that reopened and why, and their rating and comment.
    page = fresh.get(f"/petitions/track/{petition.number}/").content.decode()
    assert page.count("噪音依旧") >= 2  # in the reopened round of the timeline and beside the rating
    assert "2" in page.split("噪音依旧")[0][-60:]  # the timeline names the new round


@pytest.mark.django_db
@pytest.mark.parametrize("mangle", ["tamper", "revoked", "expired"])
def test_a_wrong_expired_or_revoked_link_gets_one_answer_that_reveals_nothing(client, city, settings, mangle):
    petition = factories.file_petition(city)
    token = links.petition_token(petition)
    if mangle == "tamper":
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    elif mangle == "revoked":
        links.petition_links_revoke(petition=petition)
    else:
        settings.PORTAL_LINK_MAX_AGE_DAYS = 1
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=2 if mangle == "expired" else 0)):
        response = client.get(f"/petitions/p/{token}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert petition.number not in body and petition.title not in body
    assert client.get(f"/petitions/track/{petition.number}/").status_code == 404  # nothing was unlocked


@pytest.mark.django_db
def test_quiet_hours_hold_non_urgent_sms_until_morning_but_not_urgent_ones(city, routed):
    late = dt.datetime(2026, 6, 1, 22, 30, tzinfo=SH)
    assert quiet_until(late) == dt.datetime(2026, 6, 2, 8, 0, tzinfo=SH)
    assert quiet_until(dt.datetime(2026, 6, 2, 7, 59, tzinfo=SH)) == dt.datetime(2026, 6, 2, 8, 0, tzinfo=SH)
    assert quiet_until(dt.datetime(2026, 6, 2, 8, 0, tzinfo=SH)) is None
    with time_machine.travel(late, tick=False):
        petition = factories.file_petition(city)
        dispatch_services.dispatch_petition(petition=petition)
        heating = factories.file_petition(city, classification=city.heating_outage)
        city.heating.phone = "13900000002"
        city.heating.save()
        dispatch_services.dispatch_redispatch(petition=heating, lead_unit=city.heating, actor=None, reason="供热")
    [noise] = [n for n in _sms_to("13900000001") if n.key.startswith("unit.new_work_order:")]
    assert noise.next_attempt_at == dt.datetime(2026, 6, 2, 8, 0, tzinfo=SH)
    [outage] = [n for n in _sms_to("13900000002") if n.key.startswith("unit.new_work_order:")]
    assert outage.next_attempt_at == late  # an outage goes at once
    # E-mail never waits.
    assert all(n.next_attempt_at == late for n in Notification.objects.filter(channel="email"))


@pytest.mark.django_db
def test_a_template_using_an_unknown_variable_is_refused_when_saved(client, platform_admin):
    template = MessageTemplate.objects.get(code="citizen.receipt")
    template.body_zh = "您的诉求{numbr}已受理"
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert "body_zh" in error.value.message_dict and "{numbr}" in str(error.value)
    template.body_zh = "您的诉求{number.__class__}已受理"
    with pytest.raises(ValidationError):
        template.full_clean()
    client.force_login(platform_admin)
    response = client.post(f"/admin/notifications/messagetemplate/{template.pk}/change/", {
        "subject_zh": "x", "body_zh": "编号{number}{nope}", "subject_en": "x", "body_en": "number {number}",
        "is_active": "on"})
    assert response.status_code == 200 and "nope" in response.content.decode()
    assert MessageTemplate.objects.get(pk=template.pk).body_zh != "编号{number}{nope}"


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["编号{number", "编号number}", "编号{number}}"])
def test_a_template_with_unbalanced_braces_is_refused_in_words(client, platform_admin, body):
    """Python's parser says "expected '}' before end of string": the form says what is wrong, translated, and
    does not pass the parser's text off as a variable's name."""
    template = MessageTemplate.objects.get(code="citizen.receipt")
    template.body_zh = body
    with pytest.raises(ValidationError) as error:
        template.full_clean()
    assert error.value.message_dict["body_zh"] == ["花括号不成对：每个变量都要写成前后花括号齐全的形式，如{number}。"]
    client.force_login(platform_admin)
    response = client.post(f"/admin/notifications/messagetemplate/{template.pk}/change/", {
        "subject_zh": "x", "body_zh": body, "subject_en": "x", "body_en": "number {number}", "is_active": "on"})
    page = response.content.decode()
    assert response.status_code == 200 and "花括号不成对" in page
    assert "expected" not in page and "Single" not in page and "不是变量" not in page
    assert MessageTemplate.objects.get(pk=template.pk).body_zh != body


@pytest.mark.django_db
def test_an_admin_edits_a_template_and_the_next_message_uses_it(client, city):
    template = MessageTemplate.objects.get(code="citizen.receipt")
    template.body_zh = "【测试】编号{number}，链接{link}"
    template.full_clean()
    template.save()
    factories.file_petition(city, complainant_phone="13811112222")
    [sms] = _sms_to("13811112222")
    assert sms.body.startswith("【测试】编号")


@pytest.mark.django_db
def test_callbacks_and_sign_for_limits_are_reminded_once(city, routed, street_handler, dispatcher,
                                                          django_capture_on_commit_callbacks):
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=SH), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            petition = factories.file_petition(city)
        lead = petition.assignments.get(role=Role.LEAD)
    sign_due = lead.sign_due_at
    for offset in (dt.timedelta(hours=1, minutes=30), dt.timedelta(hours=1)):
        sweeps.sweep_deadlines(now=sign_due - offset)
    assert len([n for n in _sms_to("13900000001") if n.key.startswith("unit.sign_reminder:")]) == 1
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，已处理完毕。")
    review.reply_review(reply=Reply.objects.get(), approve=True, actor=dispatcher)
    petition.refresh_from_db()
    assert petition.status == Status.CALLBACK
    later = petition.answered_at + dt.timedelta(days=1, minutes=1)
    assert sweeps.remind_callbacks(now=later) == 1
    assert sweeps.remind_callbacks(now=later + dt.timedelta(hours=1)) == 0
    assert len([n for n in _sms_to(petition.complainant_phone) if n.key.startswith("citizen.callback_reminder:")]) == 1


@pytest.mark.django_db
def test_the_inbox_shows_the_unread_count_and_marks_read(client, city, routed, street_handler,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        factories.file_petition(city)
    client.force_login(street_handler)
    page = client.get("/dispatch/").content.decode()
    assert re.search(r'href="/inbox/">[^<]*<span class="badge red"[^>]*>1</span>', page)
    item = InboxItem.objects.get(user=street_handler)
    response = client.post(f"/inbox/{item.pk}/read/")
    assert response.status_code == 302 and response["Location"].startswith("/dispatch/a/")
    assert InboxItem.objects.get(pk=item.pk).read_at is not None
    assert 'class="badge red"' not in client.get("/inbox/").content.decode().split("</header>")[0]


@pytest.mark.django_db
def test_a_unit_no_message_can_reach_is_a_visible_fault(client, city, supervisor, platform_admin):
    client.force_login(supervisor)
    page = client.get("/dispatch/supervision/").content.decode()
    assert "甲一街道办事处" in page  # the test city's units have no phone or e-mail
    client.force_login(platform_admin)
    admin = client.get("/admin/").content.decode()
    assert "?reachable=no" in admin
    listed = client.get("/admin/org/handlingunit/?reachable=no").content.decode()
    assert "甲一街道办事处" in listed


@pytest.mark.django_db
def test_a_unit_whose_duty_mobile_is_written_with_86_and_spaces_is_reachable_as_the_outbox_sends_to_it(
        client, city, platform_admin):
    unit = city.other_street_office
    unit.phone = "+86 139 0532 0399"
    unit.save()
    unit.refresh_from_db()
    assert unit.phone == "13905320399"  # stored as the outbox sends to it
    assert unit not in unreachable_units()
    client.force_login(platform_admin)
    assert "乙一街道办事处" not in client.get("/admin/org/handlingunit/?reachable=no").content.decode()
    assert "乙一街道办事处" in client.get("/admin/org/handlingunit/?reachable=yes").content.decode()
    banner = list(client.get("/admin/").context["unreachable_units"])  # the admin's warning on every page
    assert "甲一街道办事处" in banner and "乙一街道办事处" not in banner
    unit.phone = "0532-8888 6666"  # a landline takes no SMS: still a fault
    unit.save()
    assert unit in unreachable_units()


@pytest.mark.django_db
def test_the_applicant_is_told_and_follows_the_request_by_number_and_phone_and_by_link(client, city, platform_admin):
    from disclosure import services as disclosure_services

    item = disclosure_services.request_submit(applicant_name="赵六", applicant_phone="13655556666",
                                              description="申请公开某路段道路改造工程的预算和招标文件。")
    disclosure_services.request_correction(request=item, actor=platform_admin, text="请说明具体路段名称")
    texts = [n.body for n in _sms_to("13655556666")]
    assert any(item.number in t and "/disclosure/requests/r/" in t for t in texts)
    assert any("请说明具体路段名称" in t for t in texts)
    wrong = client.post("/disclosure/requests/track/", {"number": item.number, "phone": "13655550000"})
    assert wrong.status_code == 400 and "请说明具体路段名称" not in wrong.content.decode()
    response = client.post("/disclosure/requests/track/", {"number": item.number, "phone": "13655556666"},
                           follow=True)
    assert response.status_code == 200 and "请说明具体路段名称" in response.content.decode()
    link = re.search(r"http\S+", texts[0]).group(0).replace("http://127.0.0.1:8000", "")
    assert client.__class__().get(link, follow=True).status_code == 200


def test_docs_list_every_message_of_the_catalog():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "notifications.md").read_text()
    assert [code for code in CATALOG if f"`{code}`" not in doc] == []


@pytest.mark.django_db
def test_representatives_get_their_code_by_sms_cleared_once_sent_and_one_reminder(city):
    from evaluation import sanmin
    from evaluation.models import Campaign, Candidate, Representative
    from notifications.services import notification_send

    now = dt.datetime(2026, 12, 10, 9, 0, tzinfo=SH)
    campaign = Campaign.objects.create(
        year=2026, title="2026年度三民活动", suggestions_open=dt.date(2026, 11, 1), suggestions_close=dt.date(2026, 11, 30),
        reports_start=dt.date(2026, 12, 1), reports_end=dt.date(2026, 12, 5), voting_opens_at=now - dt.timedelta(days=3),
        voting_closes_at=now + dt.timedelta(days=1))
    people = [Candidate.objects.create(campaign=campaign, name=f"代表{i}", phone=f"1360000000{i}", district=city.district,
                                       sector="community", source=Candidate.Source.POOL, external_id=f"P{i}")
              for i in range(2)]
    issued = [(Representative.objects.create(campaign=campaign, candidate=p, code_hash=f"h{i}"), f"CODE{i}")
              for i, p in enumerate(people)]
    # In the morning: a code sent in the quiet hours (from 21:00) waits for 08:00 (this test failed when run then).
    with time_machine.travel(now, tick=False):
        assert sanmin.codes_send(campaign=campaign, issued=issued) == 2
        sms = Notification.objects.get(recipient="13600000000")
        assert "CODE0" in sms.body and "2026年度三民活动" in sms.body
        notification_send(pk=sms.pk)
    sms.refresh_from_db()
    assert sms.status == "sent" and "CODE0" not in sms.body  # the code does not outlive its delivery
    Representative.objects.filter(candidate=people[1]).update(has_voted=True)
    with time_machine.travel(now, tick=False):
        assert sanmin.voting_reminders() == 1
        assert sanmin.voting_reminders() == 0
    assert Notification.objects.filter(key__startswith="representative.reminder:").get().recipient == "13600000000"


@pytest.mark.django_db
def test_every_other_step_tells_its_people(city, routed, street_handler, dispatcher, platform_admin,
                                           django_capture_on_commit_callbacks):
    """Returns and extensions decided, the units' daily digest, each step of an information request and an
    event sign-up: each queues its message to the right recipient (docs/notifications.md)."""
    from disclosure import services as disclosure_services
    from disclosure.models import AnswerType, Event
    from dispatch.models import ExtensionRequest, ReturnRequest

    with django_capture_on_commit_callbacks(execute=True):
        petition = factories.file_petition(city)
    lead = petition.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_request_extension(assignment=lead, actor=street_handler, days=3,
                                          reason="需要协调多个部门现场核查，时间不够。")
    review.extension_decide(request=ExtensionRequest.objects.get(), approve=True, actor=dispatcher, note="同意")
    handling.assignment_request_return(assignment=lead, actor=street_handler,
                                       reason="该事项属于市场监管部门职责，不属于本街道。")
    review.return_decide(request=ReturnRequest.objects.get(), approve=False, actor=dispatcher, note="先办后议")
    keys = [n.key for n in _sms_to("13900000001")]
    assert any(k.startswith("unit.extension_decided:") for k in keys)
    assert any(k.startswith("unit.return_decided:") for k in keys)
    with time_machine.travel(dt.datetime(2026, 12, 3, 8, 30, tzinfo=SH), tick=False):
        assert sweeps.daily_digest() >= 1
    assert any(n.key.startswith("unit.daily_digest:") for n in _sms_to("13900000001"))

    item = disclosure_services.request_submit(applicant_name="赵六", applicant_phone="13655556666",
                                              description="申请公开某路段道路改造工程的预算和招标文件。")
    disclosure_services.request_consult(request=item, actor=platform_admin)
    disclosure_services.request_consulted(request=item)
    admin_head = platform_admin
    admin_head.is_superuser = True
    admin_head.save()
    disclosure_services.request_extend(request=item, actor=admin_head, days=10, reason="需要调取档案")
    disclosure_services.request_answer(request=item, actor=platform_admin, answer_type=AnswerType.DISCLOSED,
                                       text="现予公开，共120页。", pages=120, fee_method="per_page")
    codes = {n.key.split(":")[0] for n in _sms_to("13655556666")}
    assert {"applicant.receipt", "applicant.consultation", "applicant.extension", "applicant.answered",
            "applicant.fee_due"} <= codes

    now = dt.datetime.now(dt.timezone.utc)
    event = Event.objects.create(kind="open_day", title="政府开放日", starts_at=now + dt.timedelta(days=5),
                                 place="市政府", capacity=10, signup_closes_at=now + dt.timedelta(days=4))
    disclosure_services.event_signup(event=event, name="钱七", phone="13611112222")
    [confirmation] = _sms_to("13611112222")
    assert confirmation.key.startswith("attendee.confirmed:") and "政府开放日" in confirmation.body
