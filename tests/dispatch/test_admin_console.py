"""The dispatcher's queue and console, and the catalog's admin pages."""
import io

import pytest
from openpyxl import Workbook, load_workbook

from dispatch.models import Assignment, CatalogRule, Reply, Role
from org.models import HandlingUnit
from petitions.models import Status
from tests.factories import file_petition, make_user

WHISTLEBLOWER, WHISTLEBLOWER_PHONE = "张建国", "13953218888"


@pytest.fixture
def received(city):
    return file_petition(city, classification=None)


@pytest.mark.django_db
def test_queue_lists_undispatched_petitions(client, received, dispatcher):
    client.force_login(dispatcher)
    page = client.get("/admin/dispatch/queuedpetition/").content.decode()
    assert received.number in page


@pytest.mark.django_db
def test_classify_then_the_catalog_routes(client, received, city, catalog, dispatcher):
    client.force_login(dispatcher)
    url = f"/admin/dispatch/queuedpetition/{received.pk}/console/"
    assert client.get(url).status_code == 200
    response = client.post(url + "classify/", {"classification": city.parking.pk})
    assert response.status_code == 302
    received.refresh_from_db()
    assert received.status == Status.DISPATCHED


@pytest.mark.django_db
def test_redispatch_with_a_stale_view_is_refused(client, received, city, catalog, dispatcher):
    client.force_login(dispatcher)
    url = f"/admin/dispatch/queuedpetition/{received.pk}/console/redispatch/"
    data = {"lead_unit": city.district_gov.pk, "reason": "区级牵头", "expected": "received"}
    assert client.post(url, data).status_code == 302
    response = client.post(url, {**data, "lead_unit": city.urban.pk}, follow=True)  # still thinks "received"
    assert "changed meanwhile" in response.content.decode() or "已变为" in response.content.decode() or \
        "修改" in response.content.decode()
    assert received.assignments.get(role=Role.LEAD, status="pending").unit == city.district_gov


@pytest.mark.django_db
def test_console_reviews_and_records_the_callback(client, city, catalog, dispatcher, street_handler,
                                                  django_capture_on_commit_callbacks):
    from dispatch import handling

    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    lead = petition.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已整改完毕。")
    client.force_login(dispatcher)
    base = f"/admin/dispatch/queuedpetition/{petition.pk}/console/"
    reply = Reply.objects.get()
    response = client.post(base + "review/", {"reply": reply.pk, "approve": "no", "note": ""})
    assert response.status_code == 400 and "note" in response.context["review_form"].errors
    client.post(base + "review/", {"reply": reply.pk, "approve": "yes", "public_answer": ""})
    petition.refresh_from_db()
    assert petition.status == Status.CALLBACK
    with django_capture_on_commit_callbacks(execute=True):
        client.post(base + "callback/", {"satisfaction": "basic", "solved": "yes"})
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED and petition.ratings.get().source == "callback"


@pytest.mark.django_db
def test_the_console_says_what_a_decision_did_and_an_extension_offers_no_unit_to_re_dispatch_to(
        client, city, catalog, dispatcher, street_handler, django_capture_on_commit_callbacks):
    from dispatch import handling
    from notifications.models import InboxItem

    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    lead = petition.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    extension = handling.assignment_request_extension(assignment=lead, actor=street_handler, days=3,
                                                      reason="需要协调物业和城管共同整改。")
    client.force_login(dispatcher)
    base = f"/admin/dispatch/queuedpetition/{petition.pk}/console/"
    page = client.get(base).content.decode()
    assert f'id="id_extension{extension.pk}_new_lead"' not in page and f'id="id_extension{extension.pk}_note"' in page
    followed = client.post(base + "extension/", {"request": extension.pk, "approve": "yes", "note": ""}, follow=True)
    assert "已同意延期。" in followed.content.decode()
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已整改完毕。")
    followed = client.post(base + "review/", {"reply": Reply.objects.get().pk, "approve": "no",
                                              "note": "请补充噪音检测结果。"}, follow=True)
    assert "答复已退回承办单位重办" in followed.content.decode()
    told = InboxItem.objects.get(user=street_handler, subject__contains="退回重办")
    assert "请补充噪音检测结果。请于" in told.body  # the note's own full stop and the template's: one, not two


@pytest.mark.django_db
def test_the_console_keeps_the_queue_the_dispatcher_came_from(client, city, catalog, dispatcher, street_handler,
                                                              django_capture_on_commit_callbacks):
    """From the callbacks tab to a console, a callback recorded, then "Back to the queue": the callbacks tab,
    not the routing queue (the change list's filters travel with every form and link of the console)."""
    from dispatch import handling, review

    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city)
    lead = petition.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已整改完毕。")
    review.reply_review(reply=Reply.objects.get(), approve=True, actor=dispatcher, note="", public_answer="")
    client.force_login(dispatcher)
    queue = client.get("/admin/dispatch/queuedpetition/?queue=callbacks").content.decode()
    assert petition.number in queue
    assert f"/admin/dispatch/queuedpetition/{petition.pk}/change/?_changelist_filters=queue%3Dcallbacks" in queue
    opened = client.get(f"/admin/dispatch/queuedpetition/{petition.pk}/change/?_changelist_filters=queue%3Dcallbacks")
    assert opened["Location"] == (f"/admin/dispatch/queuedpetition/{petition.pk}/console/"
                                  "?_changelist_filters=queue%3Dcallbacks")
    console = client.get(opened["Location"]).content.decode()
    assert 'href="/admin/dispatch/queuedpetition/?queue=callbacks"' in console
    assert f'action="/admin/dispatch/queuedpetition/{petition.pk}/console/callback/?_changelist_filters=' \
           'queue%3Dcallbacks"' in console
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/admin/dispatch/queuedpetition/{petition.pk}/console/callback/"
                           "?_changelist_filters=queue%3Dcallbacks", {"satisfaction": "basic", "solved": "yes"})
    assert done["Location"].endswith("/console/?_changelist_filters=queue%3Dcallbacks")
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED
    # Without filters (a link typed or bookmarked), the console and its way back are the plain ones.
    plain = client.get(f"/admin/dispatch/queuedpetition/{petition.pk}/console/").content.decode()
    assert 'href="/admin/dispatch/queuedpetition/"' in plain and "_changelist_filters" not in plain


@pytest.mark.django_db
def test_operator_cannot_use_the_console(client, received, operator):
    client.force_login(operator)
    assert client.get(f"/admin/dispatch/queuedpetition/{received.pk}/console/").status_code == 403


@pytest.mark.django_db
def test_dry_run_explains_the_decision(client, city, catalog, platform_admin):
    client.force_login(platform_admin)
    response = client.get("/admin/dispatch/catalogrule/dry-run/",
                          {"classification": city.noise.pk, "area": city.community.pk, "text": ""})
    decision = response.context["decision"]
    assert decision.lead_unit_id == city.street_office.pk
    assert "甲一街道办事处" in response.content.decode()


@pytest.mark.django_db
def test_editing_a_rule_in_the_admin_adds_a_version(client, city, catalog, platform_admin):
    client.force_login(platform_admin)
    rule = catalog["urban_group"]
    data = {"kind": "sector", "classification": city.parking.parent.pk, "area": "", "keywords": "",
            "target": "unit", "lead_unit": city.district_gov.pk, "priority": 0, "note": "改由区政府"}
    response = client.post(f"/admin/dispatch/catalogrule/{rule.pk}/change/", data)
    assert response.status_code == 302
    versions = CatalogRule.objects.filter(key="urban-group").order_by("version")
    assert [(v.version, v.active) for v in versions] == [(1, False), (2, True)]
    assert client.get(f"/admin/dispatch/catalogrule/{rule.pk}/change/").status_code in (200, 403)
    assert client.post(f"/admin/dispatch/catalogrule/{rule.pk}/change/", data).status_code == 403


def sheet_bytes(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "catalog.xlsx"
    return out


@pytest.mark.django_db
def test_catalog_export_then_import_round_trip(client, city, catalog, platform_admin):
    client.force_login(platform_admin)
    exported = client.get("/admin/dispatch/catalogrule/export/").content
    rows = list(load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True))
    assert rows[0][0] == "key" and len(rows) == 1 + CatalogRule.objects.filter(active=True).count()
    # Change one rule, retire another, add a new one.
    changed = []
    for row in rows:
        row = list(row)
        if row[0] == "heat":
            row[8] = 7
        if row[0] == "fallback":
            row[11] = 0
        changed.append(row)
    changed.append(["new-rule", "sector", city.demolition.code, "", "", "unit", "URB", "", 0, 0, "", 1])
    response = client.post("/admin/dispatch/catalogrule/import/", {"file": sheet_bytes(changed)})
    assert response.status_code == 302
    assert CatalogRule.objects.get(key="heat", active=True).version == 2
    assert not CatalogRule.objects.filter(key="fallback", active=True).exists()
    assert CatalogRule.objects.get(key="new-rule").lead_unit == city.urban


@pytest.mark.django_db
def test_catalog_import_with_a_bad_row_changes_nothing(client, city, catalog, platform_admin):
    client.force_login(platform_admin)
    header = ["key", "kind", "classification", "area", "keywords", "target", "lead_unit", "co_units", "priority",
              "is_fallback", "note", "active"]
    rows = [header, ["ok-rule", "sector", city.parking.code, "", "", "unit", "URB", "", 0, 0, "", 1],
            ["bad-rule", "sector", "NOPE", "", "", "unit", "NOUNIT", "", "x", 0, "", 1]]
    before = CatalogRule.objects.count()
    response = client.post("/admin/dispatch/catalogrule/import/", {"file": sheet_bytes(rows)})
    assert response.status_code == 400
    errors = " ".join(response.context["result"].errors)
    assert "Row 3" in errors or "第 3" in errors or "3" in errors
    assert "NOPE" in errors and "NOUNIT" in errors
    assert CatalogRule.objects.count() == before
    response = client.post("/admin/dispatch/catalogrule/import/", {"file": sheet_bytes([["wrong"]])})
    assert response.status_code == 400


@pytest.mark.django_db
def test_a_reviewers_reason_sent_to_the_unit_masks_a_confidential_caller(city, catalog, dispatcher, street_handler,
                                                                         django_capture_on_commit_callbacks):
    from dispatch import handling, review
    from notifications.models import InboxItem, Notification

    with django_capture_on_commit_callbacks(execute=True):
        petition = file_petition(city, confidential=True)
    lead = petition.assignments.get(role=Role.LEAD)
    handling.assignment_sign(assignment=lead, actor=street_handler)
    handling.assignment_answer(assignment=lead, actor=street_handler, content="经现场核查，商铺已整改完毕。")
    with django_capture_on_commit_callbacks(execute=True):
        review.reply_review(reply=Reply.objects.get(), approve=False, actor=dispatcher,
                            note="已电话联系王小明（13912345678），他说噪音仍在，请重新核查。", public_answer="")
    told = list(InboxItem.objects.filter(user=street_handler).values_list("body", flat=True)) + [
        n.body for n in Notification.objects.exclude(recipient="13912345678")]
    assert any("请重新核查" in text for text in told), told
    assert not any("王小明" in text or "13912345678" in text for text in told), told


def _confidential_report(city, **fields):
    return file_petition(city, title=f"我是{WHISTLEBLOWER}，举报科长收红包",
                         content=f"我叫{WHISTLEBLOWER}，电话{WHISTLEBLOWER_PHONE}，举报某局科长收受红包。",
                         complainant_name=WHISTLEBLOWER, complainant_phone=WHISTLEBLOWER_PHONE, confidential=True,
                         kind="report", **fields)


@pytest.fixture
def inspector(city):
    """A supervisor of the government inspection office: staff, but not the hotline platform."""
    office = HandlingUnit.objects.create(code="INSPECT", name="市政府督查室", kind="city_department")
    return make_user("inspector", "supervisor", office)


@pytest.mark.django_db
def test_outside_the_platform_the_queue_never_finds_a_confidential_petition_by_phone(client, city, inspector,
                                                                                      dispatcher):
    petition = _confidential_report(city, classification=None)
    client.force_login(inspector)
    for query in (WHISTLEBLOWER_PHONE, "举报科长"):
        response = client.get("/admin/dispatch/queuedpetition/", {"q": query})
        assert list(response.context["cl"].result_list) == [], query
        assert WHISTLEBLOWER not in response.content.decode()
    listed = client.get("/admin/dispatch/queuedpetition/").content.decode()
    assert petition.number in listed and "举报科长收红包" in listed and WHISTLEBLOWER not in listed
    client.force_login(dispatcher)  # the platform's dispatcher finds it and reads it as filed
    response = client.get("/admin/dispatch/queuedpetition/", {"q": WHISTLEBLOWER_PHONE})
    assert list(response.context["cl"].result_list) == [petition]
    assert f"我是{WHISTLEBLOWER}" in response.content.decode()


@pytest.mark.django_db
def test_outside_the_platform_the_assignments_show_a_confidential_title_masked(client, city, catalog, inspector,
                                                                                dispatcher,
                                                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        petition = _confidential_report(city)
    assignment = Assignment.objects.filter(petition=petition).first()
    client.force_login(inspector)
    for url in ("/admin/dispatch/assignment/", f"/admin/dispatch/assignment/?q={petition.number}",
                f"/admin/dispatch/assignment/{assignment.pk}/change/"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200 and petition.number in page and "举报科长收红包" in page, url
        assert WHISTLEBLOWER not in page, url
    client.force_login(dispatcher)
    page = client.get(f"/admin/dispatch/assignment/{assignment.pk}/change/").content.decode()
    assert f"我是{WHISTLEBLOWER}" in page


@pytest.mark.django_db
@pytest.mark.parametrize("action, data", [
    ("remove_co", {"assignment": "abc"}),
    ("remove_co", {"assignment": "²"}),
    ("return", {"request": "²", "approve": "yes", "note": "同意"}),
    ("extension", {"request": "99999999999999999999999", "approve": "no", "note": "不同意"}),
    ("review", {"reply": "abc", "approve": "yes", "note": ""}),
])
def test_a_malformed_id_in_a_console_form_is_no_object_not_a_server_error(client, received, dispatcher, action,
                                                                           data):
    client.force_login(dispatcher)
    response = client.post(f"/admin/dispatch/queuedpetition/{received.pk}/console/{action}/", data)
    assert response.status_code == 404

