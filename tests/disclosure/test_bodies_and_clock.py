"""Issue 19: every body answers its own information requests on the legal clock (Regulations on Open
Government Information, 2019; DOMAIN.md section 10; docs/disclosure.md). Dates on the 2026 official
calendar; 2 Nov 2026 is a Monday."""
import datetime as dt

import pytest
import time_machine

from disclosure import pdf, rules, services
from disclosure.admin import actions_for
from disclosure.models import AnswerType, InfoRequest, RequestEvent, RequestStatus
from disclosure.transitions import TRANSITIONS
from lib.errors import ConflictError, DomainError
from notifications.models import Notification
from supervision.models import SupervisionCase
from tests.disclosure.conftest import application
from tests.factories import make_user

SH = dt.timezone(dt.timedelta(hours=8))
D = dt.date
ADMIN = "/admin/disclosure/inforequest/"


def on(day: dt.date, hour=10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=SH), tick=False)


def submit(body, day=D(2026, 11, 2), **kw):
    with on(day):
        return services.request_submit(applicant_name="张三", applicant_phone="13900000001", body=body,
                                       description="请公开2026年老旧小区改造项目清单", **kw)


def codes_to(phone: str) -> list[str]:
    return [n.key.split(":")[0] for n in Notification.objects.filter(recipient=phone).order_by("id")]


# --- 1. bodies, scoping ------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_officer_sees_and_moves_only_their_own_bodys_requests(client, bodies, urban_officer, district_officer,
                                                                office_officer):
    mine, theirs = submit(bodies.urban), submit(bodies.district)
    client.force_login(urban_officer)
    listing = client.get(ADMIN).content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert client.get(f"{ADMIN}{mine.pk}/change/").status_code == 200
    assert client.get(f"{ADMIN}{theirs.pk}/change/").status_code == 302  # the admin: "does not exist"
    assert client.get(f"{ADMIN}{theirs.pk}/act/correction/").status_code == 404
    assert client.get(f"{ADMIN}{theirs.pk}/notice/receipt.pdf").status_code == 404
    with pytest.raises(DomainError) as raised, on(D(2026, 11, 3)):
        services.request_correction(request=theirs, actor=urban_officer, text="请说明具体小区")
    assert raised.value.code == "not_allowed"
    # The city's office supervises every body: it sees both, and moves neither.
    client.force_login(office_officer)
    listing = client.get(ADMIN).content.decode()
    assert mine.number in listing and theirs.number in listing
    assert client.get(f"{ADMIN}{theirs.pk}/change/").status_code == 200
    assert client.get(f"{ADMIN}{theirs.pk}/act/correction/").status_code == 403


@pytest.mark.django_db
def test_the_detail_page_opens_for_officers_admins_and_the_superuser_not_403(client, bodies, urban_officer,
                                                                              platform_admin):
    """The custom action route `<pk>/<action>/` caught the admin's own `<pk>/change/`: 403 for everyone."""
    item = submit(bodies.urban)
    boss = make_user("ogi_root", "admin", is_superuser=True)
    for user in (urban_officer, platform_admin, boss):
        client.force_login(user)
        page = client.get(f"{ADMIN}{item.pk}/change/")
        assert page.status_code == 200, user
        assert item.number in page.content.decode()


@pytest.mark.django_db
def test_the_supervision_pools_link_to_an_overdue_request_lands_on_its_working_page(client, bodies, urban_officer):
    item = submit(bodies.urban)
    assert services.sweep(today=item.due_on + dt.timedelta(days=1))["overdue"] == 1
    case = SupervisionCase.objects.get(object_id=item.pk)
    assert case.unit == bodies.urban.unit
    client.force_login(urban_officer)
    page = client.get(case.link)
    assert page.status_code == 200 and "step-answer" in page.content.decode()


# --- 2. the clock's steps ----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_extension_is_asked_by_the_officer_and_approved_only_by_the_bodys_own_head(
        bodies, urban_officer, urban_head, district_head):
    item = submit(bodies.urban)
    first_due = item.due_on
    with pytest.raises(DomainError) as raised:
        services.request_extend(request=item, actor=urban_officer, days=10, reason="需调取档案")
    assert raised.value.code == "not_allowed"  # an officer does not approve
    with on(D(2026, 11, 10)):
        item = services.request_extension_ask(request=item, actor=urban_officer, days=10, reason="需调取档案")
    assert item.due_on == first_due and item.extension_asked_days == 10
    with pytest.raises(DomainError) as raised:
        services.request_extend(request=item, actor=district_head)
    assert raised.value.code == "not_allowed"  # another body's head does not either
    with on(D(2026, 11, 11)):
        item = services.request_extend(request=item, actor=urban_head)
    assert item.extension_days == 10 and item.extension_approved_by == urban_head and item.extension_asked_days == 0
    assert item.due_on == D(2026, 12, 14)  # 30 working days after 2 Nov
    assert "applicant.extension" in codes_to("13900000001")
    with pytest.raises(DomainError) as raised:
        services.request_extension_ask(request=item, actor=urban_officer, days=5, reason="再延")
    assert raised.value.code == "second_extension"


@pytest.mark.django_db
def test_a_refused_extension_leaves_the_deadline_and_tells_the_applicant_nothing(bodies, urban_officer, urban_head):
    item = submit(bodies.urban)
    with on(D(2026, 11, 10)):
        services.request_extension_ask(request=item, actor=urban_officer, days=10, reason="需调取档案")
        item = services.request_extension_refuse(request=item, actor=urban_head, note="期限内可以办结")
    assert item.extension_days == 0 and item.extension_asked_days == 0
    assert "applicant.extension" not in codes_to("13900000001")
    assert list(item.events.values_list("kind", flat=True)) == ["received", "extension_asked", "extension_refused"]


@pytest.mark.django_db
def test_an_extension_is_neither_asked_for_nor_approved_once_the_answer_period_has_run_out(
        client, bodies, urban_officer, urban_head):
    item = submit(bodies.urban)
    assert item.due_on == D(2026, 11, 30)  # 20 working days after Monday 2 Nov
    # Asked on the last day, in time; the head comes back to it the next day: too late (Art. 33).
    with on(D(2026, 11, 30), hour=23):
        item = services.request_extension_ask(request=item, actor=urban_officer, days=10, reason="需调取档案")
    with on(D(2026, 12, 1), hour=8):
        with pytest.raises(DomainError) as raised:
            services.request_extend(request=item, actor=urban_head)
        assert (raised.value.code, raised.value.field) == ("extension_too_late", "days")
        assert "2026-11-30" in raised.value.message
        item.refresh_from_db()
        assert (item.extension_days, item.due_on) == (0, D(2026, 11, 30))
        # The head may still refuse it (clearing the request); the page offers nothing else.
        assert [name for name, _label in actions_for(item, urban_head)
                if name.startswith("extend")] == ["extend_refuse"]
        item = services.request_extension_refuse(request=item, actor=urban_head)
        assert not [name for name, _label in actions_for(item, urban_head) if name.startswith("extend")]
        with pytest.raises(DomainError) as raised:
            services.request_extend(request=item, actor=urban_head, days=10, reason="需调取档案")
        assert raised.value.code == "extension_too_late"
        # Through the officer's form: the message on the field, nothing stored.
        client.force_login(urban_officer)
        page = client.post(f"/admin/disclosure/inforequest/{item.pk}/act/extend_ask/",
                           {"days": "10", "reason": "需调取档案"}, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 400 and "answer period ended on 2026-11-30" in str(page.context["form"].errors["days"])
    item.refresh_from_db()
    assert (item.extension_asked_days, item.extension_days) == (0, 0)
    assert list(item.events.values_list("kind", flat=True)) == ["received", "extension_asked", "extension_refused"]


@pytest.mark.django_db
def test_during_a_consultation_the_extension_is_possible_until_the_deadline_the_paused_days_make(
        bodies, urban_officer, urban_head):
    item = submit(bodies.urban)
    with on(D(2026, 11, 20)):
        item = services.request_consult(request=item, actor=urban_officer, third_party="某公司")
    # 2 Dec: past the 30 Nov stored so far, but 8 working days of consultation (23 Nov - 2 Dec) do not count.
    with on(D(2026, 12, 2)):
        item = services.request_extension_ask(request=item, actor=urban_officer, days=5, reason="需调取档案")
        item = services.request_extend(request=item, actor=urban_head)
    assert item.extension_days == 5


@pytest.mark.django_db
def test_a_misaddressed_request_is_answered_not_this_body_naming_the_right_one_and_forwarded(
        bodies, urban_officer, district_officer):
    item = submit(bodies.urban)
    with pytest.raises(DomainError) as raised:
        services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.NOT_THIS_BODY, text="不属于")
    assert raised.value.field == "right_body"
    with on(D(2026, 11, 4)):
        item = services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.NOT_THIS_BODY,
                                       text="您申请的信息不属于本机关负责公开。", right_body_ref=bodies.district)
        assert item.right_body == "甲区人民政府" and item.status == RequestStatus.ANSWERED
        forwarded = services.request_forward(request=item, actor=urban_officer)
    assert forwarded.body == bodies.district and forwarded.forwarded_from == item
    assert forwarded.received_on == D(2026, 11, 4) and forwarded.description == item.description
    assert "applicant.forwarded" in codes_to("13900000001")
    with pytest.raises(ConflictError):
        services.request_forward(request=item, actor=urban_officer)
    # The right body's officer now works it; the first body's does not.
    with pytest.raises(DomainError):
        services.request_consult(request=forwarded, actor=urban_officer, third_party="某公司")
    services.request_consult(request=forwarded, actor=district_officer, third_party="某公司")


@pytest.mark.django_db
def test_the_status_moves_only_along_the_transition_table(bodies, urban_officer):
    assert TRANSITIONS[RequestStatus.ANSWERED] == frozenset()
    # Abandoned is final but for one way back: a correction that had arrived in time, recorded late (Art. 30).
    assert TRANSITIONS[RequestStatus.ABANDONED] == frozenset({RequestStatus.CORRECTION})
    assert set(TRANSITIONS) == set(RequestStatus.values)
    item = submit(bodies.urban)
    item = services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.DISCLOSED, text="予以公开")
    for step in (lambda: services.request_consult(request=item, actor=urban_officer),
                 lambda: services.request_corrected(request=item, actor=urban_officer, text="请公开金湖路小区改造清单"),
                 lambda: services.request_paid(request=item, actor=urban_officer),
                 lambda: services.request_answer(request=item, actor=urban_officer, answer_type="disclosed", text="再答")):
        with pytest.raises(ConflictError):
            step()


@pytest.mark.django_db
def test_the_history_is_typed_and_append_only(bodies):
    item = submit(bodies.urban)
    event = item.events.get()
    assert event.kind == "received" and event.get_kind_display()
    event.note = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()
    assert RequestEvent.objects.get().note == ""


@pytest.mark.django_db
def test_every_clock_event_sends_its_message_to_the_applicant(bodies, urban_officer, urban_head):
    with on(D(2026, 11, 2)):
        item = services.request_submit(applicant_name="张三", applicant_phone="13900000001", body=bodies.urban,
                                       description="请公开2026年老旧小区改造项目清单", applicant_email="a@example.cn")
    with on(D(2026, 11, 3)):
        item = services.request_correction(request=item, actor=urban_officer, text="请说明具体小区")
    with on(D(2026, 11, 5)):
        item = services.request_corrected(request=item, actor=urban_officer, text="请公开金湖路小区改造清单")
        services.request_extension_ask(request=item, actor=urban_officer, days=5, reason="需调取档案")
        item = services.request_extend(request=item, actor=urban_head)
        item = services.request_consult(request=item, actor=urban_officer, third_party="某物业公司")
    with on(D(2026, 11, 9)):
        item = services.request_consulted(request=item, actor=urban_officer)
        item = services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.PARTLY,
                                       text="部分公开", withhold_reason="third_party", fee_method="per_page", pages=50)
        services.request_paid(request=item, actor=urban_officer)
    assert codes_to("13900000001") == ["applicant.receipt", "applicant.correction", "applicant.corrected",
                                       "applicant.extension", "applicant.consultation", "applicant.consulted",
                                       "applicant.answered", "applicant.fee_due", "applicant.paid"]
    assert codes_to("a@example.cn")[:3] == ["applicant.receipt", "applicant.correction", "applicant.corrected"]
    # The sweep's steps tell the applicant too: a correction never sent back makes the request abandoned.
    other = submit(bodies.urban, day=D(2026, 11, 2))
    with on(D(2026, 11, 3)):
        other = services.request_correction(request=other, actor=urban_officer, text="请补充")
    services.sweep(today=other.correction_until + dt.timedelta(days=1))
    other.refresh_from_db()
    assert other.status == RequestStatus.ABANDONED and other.abandon_reason == "no_correction"
    assert Notification.objects.filter(key__startswith=f"applicant.abandoned:{other.pk}:").exists()


@pytest.mark.django_db
def test_a_partial_answer_with_a_page_fee_waits_for_payment_then_closes(bodies, urban_officer):
    item = submit(bodies.urban)
    with on(D(2026, 11, 9)):
        item = services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.PARTLY,
                                       text="部分公开", withhold_reason="third_party", fee_method="per_page", pages=50)
    assert (item.status, item.fee, item.closed_on) == (RequestStatus.FEE_DUE, 200, None)  # 20 pages at ¥10
    with on(D(2026, 11, 12)):
        item = services.request_paid(request=item, actor=urban_officer)
    assert (item.status, item.closed_on) == (RequestStatus.ANSWERED, D(2026, 11, 12))


# --- 3. Art. 31 channels, entered by officers ---------------------------------------------------------------

@pytest.mark.django_db
def test_art_31_in_person_is_received_that_day_with_a_printed_receipt_and_mail_the_day_signed_for(
        client, bodies, urban_officer):
    client.force_login(urban_officer)
    with on(D(2026, 11, 6)):
        response = client.post(f"{ADMIN}record/", {**application(bodies.urban, applicant_phone="0532-85912345"),
                                                   "via": "in_person"})
        assert response.status_code == 302
        item = InfoRequest.objects.get()
        assert (item.via, item.received_on, item.applicant_phone) == ("in_person", D(2026, 11, 6), "0532-85912345")
        receipt = client.get(f"{ADMIN}{item.pk}/notice/receipt.pdf")
        assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
        future = client.post(f"{ADMIN}record/", {**application(bodies.urban), "via": "mail",
                                                 "signed_for_on": "2026-11-09"})
        assert future.status_code == 400 and "signed_for_on" in future.context["form"].errors
        missing = client.post(f"{ADMIN}record/", {**application(bodies.urban), "via": "mail"})
        assert missing.status_code == 400 and "signed_for_on" in missing.context["form"].errors
        # Another body's request cannot be entered by this officer.
        other = client.post(f"{ADMIN}record/", {**application(bodies.district), "via": "in_person"})
        assert other.status_code == 400 and "body" in other.context["form"].errors
        client.post(f"{ADMIN}record/", {**application(bodies.urban), "via": "mail", "signed_for_on": "2026-11-04"})
    mailed = InfoRequest.objects.get(via="mail")
    assert mailed.received_on == D(2026, 11, 4) and mailed.due_on == D(2026, 12, 2)
    assert InfoRequest.objects.count() == 2


# --- 4. Art. 29 application ---------------------------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("overrides, field", [
    ({"id_number": "370202199001011238"}, "id_number"),  # wrong check digit
    ({"applicant_type": "organisation", "organisation_kind": "law_firm", "id_type": "uscc",
      "id_number": "91370200163562681A"}, "id_number"),  # wrong check character
    ({"applicant_type": "organisation", "organisation_kind": "law_firm"}, "id_type"),  # an ID card for a firm
    ({"applicant_type": "organisation", "id_type": "uscc", "id_number": "91370200163562681G"}, "organisation_kind"),
    ({"delivery_way": "email"}, "applicant_email"),
    ({"delivery_way": "post", "delivery_form": "paper"}, "applicant_address"),
    ({"id_type": "passport", "id_number": "护照"}, "id_number"),
    ({"body": ""}, "body"),
])
def test_art_29_an_incomplete_or_invalid_application_is_refused_on_its_field(client, bodies, overrides, field):
    response = client.post("/disclosure/requests/new/", {**application(bodies.urban), **overrides})
    assert response.status_code == 400 and field in response.context["form"].errors
    assert InfoRequest.objects.count() == 0


@pytest.mark.django_db
def test_art_29_an_organisation_applies_with_its_credit_code_for_paper_by_post(client, bodies):
    response = client.post("/disclosure/requests/new/", application(
        bodies.district, applicant_type="organisation", organisation_kind="research", applicant_name="某研究院",
        id_type="uscc", id_number="91370200 163562681g", delivery_form="paper", delivery_way="post",
        applicant_address="青岛市市南区香港中路1号"), follow=True)
    assert response.status_code == 200
    item = InfoRequest.objects.get()
    assert (item.body, item.applicant_type, item.organisation_kind, item.id_number, item.delivery_way) == (
        bodies.district, "organisation", "research", "91370200163562681G", "post")
    assert item.number in response.content.decode()


# --- notices -------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_each_notice_prints_as_pdf_once_its_step_is_taken(client, bodies, urban_officer, urban_head):
    item = submit(bodies.urban)
    client.force_login(urban_officer)
    assert client.get(f"{ADMIN}{item.pk}/notice/correction.pdf").status_code == 404  # no notice sent yet
    with on(D(2026, 11, 3)):
        services.request_correction(request=item, actor=urban_officer, text="请说明具体小区")
        services.request_corrected(request=item, actor=urban_officer, text="请公开金湖路小区改造清单")
        services.request_extend(request=item, actor=urban_head, days=5, reason="需调取档案")
        services.request_consult(request=item, actor=urban_officer, third_party="某物业公司")
        services.request_consulted(request=item, actor=urban_officer)
        services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.DISCLOSED, text="予以公开")
    for kind in ("receipt", "correction", "extension", "consultation", "answer"):
        response = client.get(f"{ADMIN}{item.pk}/notice/{kind}.pdf")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf", kind
        assert response.content.startswith(b"%PDF") and b"STSong-Light" in response.content


# --- the legal reason of a withholding answer ----------------------------------------------------------------

def tracked(client, item) -> str:
    """The applicant's status page, as opened from their personal link (the session remembers the request)."""
    session = client.session
    session["disclosure:tracked"] = [item.pk]
    session.save()
    return client.get(f"/disclosure/requests/track/{item.number}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("answer_type", [AnswerType.DISCLOSED, AnswerType.ALREADY_PUBLIC, AnswerType.NOT_HELD])
def test_a_legal_reason_is_refused_on_an_answer_that_withholds_nothing(client, bodies, urban_officer, answer_type):
    item = submit(bodies.urban)
    with on(D(2026, 11, 5)), pytest.raises(DomainError) as raised:
        services.request_answer(request=item, actor=urban_officer, answer_type=answer_type, text="见附件",
                                where_published="市政府网站", withhold_reason="state_secret")
    assert raised.value.field == "withhold_reason"
    item.refresh_from_db()
    assert (item.status, item.answer_type, item.withhold_reason) == (RequestStatus.RECEIVED, "", "")
    # Through the officer's form: on the field, nothing stored.
    client.force_login(urban_officer)
    with on(D(2026, 11, 5)):
        page = client.post(f"{ADMIN}{item.pk}/act/answer/", {"answer_type": answer_type, "text": "见附件",
                                                             "where_published": "市政府网站",
                                                             "withhold_reason": "state_secret", "fee_method": "none"})
    assert page.status_code == 400 and "withhold_reason" in page.context["form"].errors
    item.refresh_from_db()
    assert item.status == RequestStatus.RECEIVED and not item.events.filter(kind="answered").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("answer_type, reason, label", [(AnswerType.NOT_DISCLOSED, "state_secret", "国家秘密"),
                                                        (AnswerType.PARTLY, "third_party", "第三方")])
def test_the_legal_reason_is_on_the_letter_and_on_the_applicants_page(client, bodies, urban_officer, answer_type,
                                                                      reason, label):
    item = submit(bodies.urban)
    with on(D(2026, 11, 5)):
        item = services.request_answer(request=item, actor=urban_officer, answer_type=answer_type, text="经审查答复",
                                       withhold_reason=reason)
    assert "不予公开的法律依据" in " ".join(pdf._paragraphs(item, "answer"))
    page = tracked(client, item)
    assert "不予公开的法律依据" in page and str(item.get_withhold_reason_display()) in page and label in page


@pytest.mark.django_db
def test_a_full_disclosure_letter_names_no_reason_for_withholding(client, bodies, urban_officer):
    item = submit(bodies.urban)
    with on(D(2026, 11, 5)):
        item = services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.DISCLOSED,
                                       text="予以公开")
    # Even a reason left on an older row is not printed with a full disclosure.
    InfoRequest.objects.filter(pk=item.pk).update(withhold_reason="state_secret")
    item.refresh_from_db()
    assert "不予公开的法律依据" not in " ".join(pdf._paragraphs(item, "answer"))
    assert "不予公开的法律依据" not in tracked(client, item)


@pytest.mark.django_db
def test_where_published_and_the_right_body_go_only_with_their_answer_types(bodies, urban_officer):
    """Typed before the officer changed the answer's type, they would be printed on a letter they contradict."""
    item = submit(bodies.urban)
    with on(D(2026, 11, 5)):
        item = services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.DISCLOSED,
                                       text="予以公开", where_published="市政府网站", right_body="市财政局")
    assert (item.where_published, item.right_body) == ("", "")
    paragraphs = " ".join(pdf._paragraphs(item, "answer"))
    assert "市政府网站" not in paragraphs and "市财政局" not in paragraphs
    other = submit(bodies.urban)
    with on(D(2026, 11, 5)):
        other = services.request_answer(request=other, actor=urban_officer, answer_type=AnswerType.ALREADY_PUBLIC,
                                        text="已主动公开", where_published="市政府网站", right_body="市财政局")
    assert (other.where_published, other.right_body) == ("市政府网站", "")


# --- the page fee's bounds -----------------------------------------------------------------------------------

@pytest.mark.django_db
def test_an_absurd_number_of_pages_is_refused_on_its_field_not_a_server_error(client, bodies, urban_officer):
    item = submit(bodies.urban)
    client.force_login(urban_officer)
    client.raise_request_exception = False
    with on(D(2026, 11, 5)):
        for pages in (str(10**19), str(rules.MAX_PAGES + 1)):
            page = client.post(f"{ADMIN}{item.pk}/act/answer/", {"answer_type": "disclosed", "text": "见附件",
                                                                 "fee_method": "per_page", "pages": pages})
            assert page.status_code == 400 and "pages" in page.context["form"].errors
        with pytest.raises(DomainError) as raised:
            services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.DISCLOSED, text="见附件",
                                    fee_method="per_page", pages=10**19)
        assert raised.value.field == "pages"
        item.refresh_from_db()
        assert (item.status, item.fee) == (RequestStatus.RECEIVED, 0)
        # The most pages allowed make a fee that fits the column (a PostgreSQL integer).
        item = services.request_answer(request=item, actor=urban_officer, answer_type=AnswerType.DISCLOSED,
                                       text="见附件", fee_method="per_page", pages=rules.MAX_PAGES)
    item.refresh_from_db()
    assert item.fee == rules.fee_per_pages(rules.MAX_PAGES) < 2**31 - 1


@pytest.mark.django_db
def test_an_extension_asked_then_overtaken_by_the_answer_or_a_correction_is_no_longer_waiting_for_the_head(
        client, bodies, urban_officer):
    """Asked, then the officer answered: the ask is withdrawn (recorded on the answer), the banner goes and the
    list's "extension waiting for the head" no longer shows it; one asked before a correction notice is not
    waiting either while the applicant corrects (the head cannot decide it then)."""
    answered, correcting = submit(bodies.urban), submit(bodies.urban)
    with on(D(2026, 11, 3)):
        for item in (answered, correcting):
            services.request_extension_ask(request=item, actor=urban_officer, days=10, reason="需调取档案")
        services.request_correction(request=correcting, actor=urban_officer, text="请写明小区名称")
        services.request_answer(request=answered, actor=urban_officer, answer_type=AnswerType.DISCLOSED,
                                text="见附件")
    answered.refresh_from_db()
    assert (answered.extension_asked_days, answered.extension_reason) == (0, "")
    assert answered.events.get(kind="answered").data["extension_ask_withdrawn"] == 10
    client.force_login(urban_officer)
    with on(D(2026, 11, 4)):
        waiting = client.get(f"{ADMIN}?clock=extension").content.decode()
        assert answered.number not in waiting and correcting.number not in waiting
        for item in (answered, correcting):
            assert 'id="extension-asked"' not in client.get(f"{ADMIN}{item.pk}/change/").content.decode()


@pytest.mark.django_db
def test_a_bad_body_in_the_requests_list_is_ignored_not_a_server_error(client, bodies, urban_officer, office_officer):
    mine, theirs = submit(bodies.urban), submit(bodies.district)
    client.force_login(office_officer)
    for value in ("abc", "1" * 25, "-3", "０"):
        page = client.get(ADMIN, {"body": value})
        assert page.status_code == 200, value
        listing = page.content.decode()
        assert mine.number in listing and theirs.number in listing, value
    listing = client.get(ADMIN, {"body": str(bodies.urban.pk)}).content.decode()
    assert mine.number in listing and theirs.number not in listing


@pytest.mark.django_db
def test_the_history_names_each_event_and_reads_its_details_in_words_not_json(client, bodies, urban_officer):
    item = submit(bodies.urban)
    event = item.events.get()
    with on(D(2026, 11, 2)):
        client.force_login(urban_officer)
        page = client.get(f"{ADMIN}{item.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert str(event) == "Received"
        assert "received ·" not in page and '{"via"' not in page and "&quot;via&quot;" not in page
        assert "arrived: Online" in page and "received on (Art. 31): 2026-11-02" in page
        assert "answer due: 2026-11-30" in page
        zh = client.get(f"{ADMIN}{item.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        assert "received on (Art. 31)" not in zh and "2026-11-30" in zh


@pytest.mark.django_db
def test_a_postal_receipt_date_long_past_is_refused_on_its_field(client, bodies, urban_officer):
    """2001-01-01 made the request overdue at once and counted it in 2001's annual report: a registered letter
    signed for more than rules.MAIL_SIGNED_FOR_MAX_AGE_DAYS (30) days ago is a typo."""
    assert rules.MAIL_SIGNED_FOR_MAX_AGE_DAYS == 30
    client.force_login(urban_officer)
    with on(D(2026, 12, 9)):
        for day in ("2001-01-01", "2026-11-08"):
            refused = client.post(f"{ADMIN}record/", {**application(bodies.urban), "via": "mail", "signed_for_on": day},
                                  HTTP_ACCEPT_LANGUAGE="en")
            assert refused.status_code == 400, day
            assert "at most 30 days ago" in str(refused.context["form"].errors["signed_for_on"]), day
        with pytest.raises(DomainError) as raised:
            services.request_submit(applicant_name="张三", applicant_phone="13900000001", body=bodies.urban,
                                    description="请公开2026年老旧小区改造项目清单", via=InfoRequest.Via.MAIL,
                                    signed_for_on=D(2001, 1, 1), actor=urban_officer)
        assert raised.value.field == "signed_for_on"
        assert client.post(f"{ADMIN}record/", {**application(bodies.urban), "via": "mail",
                                               "signed_for_on": "2026-11-09"}).status_code == 302  # 30 days ago
    assert InfoRequest.objects.get().received_on == D(2026, 11, 9)
