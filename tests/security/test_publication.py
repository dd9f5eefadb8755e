"""Nothing private gets out (DOMAIN.md section 13).

A confidential report of wrongdoing is filed on the web form with the
reporter's name, phone, ID number and room number written into the text, as
people really write; a non-confidential complaint with consent to publish
carries the same kinds of data. Then every anonymous page, every Open311 list
and detail (JSON and XML) and every public API response is crawled: none of
the confidential report's words, and none of anyone's personal data, is found.
The units and the inspection office read the confidential report without the
reporter's identity.
"""
from __future__ import annotations

import re
import uuid
import xml.etree.ElementTree as ET
from urllib.parse import urljoin, urlparse

import pytest

from dispatch import handling, review, routing
from dispatch.catalog import rule_create
from dispatch.models import Reply, Role, Target
from petitions import publication
from petitions.models import Kind, Petition, Status
from tests import factories

# What the whistle-blower wrote about themself (a valid ID number: the check digit is right).
REPORTER_NAME = "张建国"
REPORTER_PHONE = "13953218888"
REPORTER_ID = "370202198507151232"
REPORTER_ROOM = "3号楼2单元501室"
REPORT_TEXT = (f"我叫{REPORTER_NAME}，身份证号{REPORTER_ID}，电话{REPORTER_PHONE}，住福州路88号{REPORTER_ROOM}。"
               "我实名举报某局王科长收受商户红包，时间是上个月十五号，地点在他办公室。")
REPORT_TITLE = "举报某局科长收受红包"
REPORT_SECRET_WORDS = ["收受商户红包", REPORT_TITLE]

# A neighbour's complaint, published with consent: its words appear, masked.
NEIGHBOUR_NAME = "李秀英"
NEIGHBOUR_PHONE = "13805321234"
NEIGHBOUR_ROOM = "5栋1201"
COMPLAINT_TEXT = (f"本人{NEIGHBOUR_NAME}，家住甲一路12号{NEIGHBOUR_ROOM}，联系电话{NEIGHBOUR_PHONE}。"
                  "楼下烧烤店每天营业到凌晨两点，油烟和噪音严重影响居民休息，希望有关部门尽快处理。")

PERSONAL = [REPORTER_NAME, REPORTER_PHONE, REPORTER_ID, REPORTER_ROOM, "501室",
            NEIGHBOUR_NAME, NEIGHBOUR_PHONE, NEIGHBOUR_ROOM, "1201"]

SKIP_PREFIXES = ("/admin/", "/accounts/logout", "/i18n/", "/static/", "/media/", "/dispatch/", "/petitions/attachments/")


def _form(city, **overrides):
    data = {
        "kind": "complaint", "area": city.street.pk, "classification": city.noise.pk, "address": "甲一路12号",
        "title": "烧烤店油烟噪音扰民", "content": COMPLAINT_TEXT, "complainant_type": "person",
        "complainant_name": NEIGHBOUR_NAME, "complainant_phone": NEIGHBOUR_PHONE,
        "submission_token": str(uuid.uuid4()), "publish_consent": "on",
    }
    data.update(overrides)
    return data


@pytest.fixture
def routed(city):
    rule_create(key="noise-t", kind="territorial", classification=city.noise, target=Target.STREET)
    rule_create(key="fallback", kind="territorial", target=Target.DISTRICT, is_fallback=True)
    routing.invalidate()
    yield
    routing.invalidate()


@pytest.fixture
def filed(client, city, routed, street_handler, dispatcher, django_capture_on_commit_callbacks):
    """The report and the complaint, filed on the web form, handled, answered and published."""
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/petitions/new/", _form(
            city, kind="report", title=REPORT_TITLE, content=REPORT_TEXT, address=f"福州路88号{REPORTER_ROOM}",
            complainant_name=REPORTER_NAME, complainant_phone=REPORTER_PHONE, complainant_id_number=REPORTER_ID,
            confidential="on")).status_code == 302
        assert client.post("/petitions/new/", _form(city)).status_code == 302
    report = Petition.objects.get(kind=Kind.REPORT)
    complaint = Petition.objects.get(kind=Kind.COMPLAINT)
    assert report.confidential and not report.publish_consent  # consent means nothing on a confidential one
    for petition in (report, complaint):
        lead = petition.assignments.get(role=Role.LEAD)
        handling.assignment_sign(assignment=lead, actor=street_handler)
        handling.assignment_answer(
            assignment=lead, actor=street_handler,
            content=f"{NEIGHBOUR_NAME}女士您好，经现场核查，已责令商户整改，联系电话{NEIGHBOUR_PHONE}。")
        with django_capture_on_commit_callbacks(execute=True):
            review.reply_review(reply=Reply.objects.get(assignment=lead), approve=True, actor=dispatcher)
    report.refresh_from_db()
    complaint.refresh_from_db()
    assert report.status == complaint.status == Status.CALLBACK
    client.logout()
    return report, complaint


def _xlsx_text(content: bytes) -> str:
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    return " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None)


def _links(body: str, base: str) -> set[str]:
    found = set()
    for raw in re.findall(r'''(?:href|src|action)=["']([^"'#]+)''', body):
        url = urljoin(base, raw.replace("&amp;", "&"))
        parsed = urlparse(url)
        if parsed.netloc in ("", "testserver") and parsed.path.startswith("/"):
            found.add(parsed.path + (f"?{parsed.query}" if parsed.query else ""))
    return found


def _crawl(client, seeds: list[str], limit: int = 400) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = list(seeds)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP_PREFIXES):
            continue
        response = client.get(url)
        if response.get("Content-Type", "").startswith(("image/", "application/pdf", "application/vnd")):
            body = response.content.decode("latin-1")
        else:
            body = b"".join(response.streaming_content).decode("utf-8", "replace") if response.streaming \
                else response.content.decode("utf-8", "replace")
        seen[url] = body
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            queue.extend(sorted(_links(body, "http://testserver" + url) - set(seen)))
    return seen


def _open311_urls(numbers: list[str]) -> list[str]:
    urls = []
    for fmt in ("json", "xml"):
        urls += [f"/open311/v2/discovery.{fmt}", f"/open311/v2/services.{fmt}",
                 f"/open311/v2/requests.{fmt}", f"/open311/v2/requests.{fmt}?start_date=2000-01-01T00:00:00Z",
                 f"/open311/v2/requests.{fmt}?status=open", f"/open311/v2/requests.{fmt}?status=closed",
                 f"/open311/v2/requests.{fmt}?service_request_id={','.join(numbers)}"]
        urls += [f"/open311/v2/requests/{n}.{fmt}" for n in numbers]
    return urls


PUBLIC_API = ["/api/v1/", "/api/v1/disclosure/policies/", "/api/v1/disclosure/questions/", "/api/schema/",
              "/api/v1/calendar/deadline?start=2026-09-30&days=3"]


@pytest.mark.django_db
def test_nothing_of_a_confidential_report_or_anyones_identity_reaches_an_anonymous_reader(client, filed):
    report, complaint = filed
    pages = _crawl(client, ["/", "/petitions/new/", "/petitions/track/", "/evaluation/bulletins/",
                            "/evaluation/statistics/", "/evaluation/sanmin/", "/disclosure/policies/",
                            "/disclosure/questions/", "/disclosure/projects/", "/disclosure/events/",
                            "/disclosure/requests/new/", "/calendar/deadline/", "/api/docs/"]
                   + _open311_urls([report.number, complaint.number]) + PUBLIC_API)
    assert len(pages) > 30
    leaks = {(url, secret) for url, body in pages.items() for secret in PERSONAL + REPORT_SECRET_WORDS
             if secret in body}
    assert leaks == set()
    # The report is unknown to the public, exactly like a number that does not exist.
    for fmt in ("json", "xml"):
        assert client.get(f"/open311/v2/requests/{report.number}.{fmt}").status_code == 404
    listed = pages["/open311/v2/requests.json?start_date=2000-01-01T00:00:00Z"]
    assert report.number not in listed and complaint.number in listed


@pytest.mark.django_db
def test_a_published_complaint_shows_its_words_masked_only_with_consent(client, filed):
    _report, complaint = filed
    item = client.get(f"/open311/v2/requests/{complaint.number}.json").json()[0]
    assert set(item) == {"service_request_id", "status", "status_notes", "service_name", "service_code",
                         "description", "agency_responsible", "service_notice", "requested_datetime",
                         "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
                         "media_url"}
    assert "烧烤店每天营业到凌晨两点" in item["description"]  # the words, with consent
    assert "经现场核查" in item["status_notes"]  # the answer as approved
    assert not any(secret in str(item) for secret in PERSONAL)
    xml = ET.fromstring(client.get(f"/open311/v2/requests/{complaint.number}.xml").content)
    assert xml.find("request/service_request_id").text == complaint.number
    # The complainant's own name written with no cue around it is masked too (the rules alone miss it).
    Petition.objects.filter(pk=complaint.pk).update(content=f"{complaint.complainant_name}说楼下烧烤店每天营业到凌晨两点")
    item = client.get(f"/open311/v2/requests/{complaint.number}.json").json()[0]
    assert "烧烤店" in item["description"] and complaint.complainant_name not in item["description"]
    # Without consent, neither the words nor the address.
    Petition.objects.filter(pk=complaint.pk).update(publish_consent=False)
    item = client.get(f"/open311/v2/requests/{complaint.number}.json").json()[0]
    assert item["description"] == "" and item["address"] == "" and item["lat"] is None


@pytest.mark.django_db
@pytest.mark.parametrize("status,listed", [
    (Status.SCREENING, False), (Status.ROUTED_OUT, False), (Status.MERGED, False),
    (Status.RECEIVED, True), (Status.IN_PROGRESS, True), (Status.CLOSED, True),
])
def test_only_petitions_in_the_hotline_workflow_are_published(client, city, status, listed):
    petition = factories.file_petition(city)
    other = factories.file_petition(city)
    Petition.objects.filter(pk=petition.pk).update(status=status, merged_into=other if status == Status.MERGED else None)
    assert publication.is_publishable(Petition.objects.get(pk=petition.pk)) is listed
    assert (client.get(f"/open311/v2/requests/{petition.number}.json").status_code == 200) is listed


@pytest.mark.django_db
def test_units_read_a_confidential_report_without_the_reporters_identity(client, filed, street_handler):
    report, _complaint = filed
    lead = report.assignments.get(role=Role.LEAD)
    client.force_login(street_handler)
    responses = [client.get(f"/dispatch/a/{lead.pk}/"), client.get("/dispatch/?queue=all"),
                 client.get(f"/api/v1/assignments/{lead.pk}/"), client.get("/dispatch/export.xlsx?queue=all")]
    assert [r.status_code for r in responses] == [200, 200, 200, 200]
    bodies = [r.content.decode("utf-8", "replace") for r in responses[:3]] + [_xlsx_text(responses[3].content)]
    assert all("红包" in b for b in bodies)  # the matter itself reaches the unit
    assert not any(secret in body for body in bodies
                   for secret in (REPORTER_NAME, REPORTER_PHONE, REPORTER_ID, REPORTER_ROOM))


@pytest.mark.django_db
def test_the_inspection_office_does_not_see_a_confidential_complainant(client, filed, city):
    from org.models import HandlingUnit

    report, _complaint = filed
    office = HandlingUnit.objects.create(code="INSPECT", name="市政府督查室", kind="city_department")
    inspector = factories.make_user("inspector", "supervisor", office)
    client.force_login(inspector)
    pages = [client.get(f"/admin/petitions/petition/{report.pk}/change/").content.decode(),
             client.get(f"/dispatch/supervision/petition/{report.pk}/").content.decode()]
    assert "红包" in pages[0]
    # Searching by the reporter's phone does not find the report (the page echoes only what was typed).
    assert report.number not in client.get(f"/admin/petitions/petition/?q={REPORTER_PHONE}").content.decode()
    assert not any(secret in page for page in pages
                   for secret in (REPORTER_NAME, REPORTER_PHONE, REPORTER_ID, REPORTER_ROOM))


@pytest.mark.django_db
def test_staff_looks_at_personal_data_are_audited(client, filed, operator):
    from petitions.models import AccessRecord

    report, _complaint = filed
    client.force_login(operator)
    assert client.get(f"/admin/petitions/petition/{report.pk}/change/").status_code == 200
    client.get(f"/admin/petitions/petition/?q={REPORTER_PHONE}")
    records = list(AccessRecord.objects.order_by("at", "id").values_list("user__username", "action", "petition_id"))
    assert records == [("operator", "view", report.pk), ("operator", "search", None)]
    # The audit is no copy of the data: the phone searched for is masked in it.
    assert REPORTER_PHONE not in AccessRecord.objects.get(action="search").detail
