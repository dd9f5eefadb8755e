"""Admin -> Outbox: who may retry, what it says, and what it shows of the citizens it writes to."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from notifications import services
from notifications.models import Notification
from org.models import HandlingUnit
from petitions import links
from petitions.models import AccessRecord
from tests import factories

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
ROOT = Path(__file__).resolve().parents[2]


def _failed(key: str, recipient: str, channel: str = "sms", body: str = "您的诉求已办结") -> Notification:
    return Notification.objects.create(key=key, channel=channel, recipient=recipient, body=body, status="failed",
                                       attempts=6, next_attempt_at=NOW, created_at=NOW, last_error="gateway down")


def _retry(client, *rows):
    return client.post("/admin/notifications/notification/", {
        "action": "retry_now", "_selected_action": [row.pk for row in rows], "index": 0}, follow=True)


# --- retrying ------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_supervisor_who_only_reads_the_outbox_cannot_retry(client, supervisor, django_capture_on_commit_callbacks):
    row = _failed("citizen.closed:1:2:sms:13912345678", "13912345678")
    assert supervisor.has_perm("notifications.view_notification")
    assert not supervisor.has_perm("notifications.change_notification")
    client.force_login(supervisor)
    assert "retry_now" not in client.get("/admin/notifications/notification/").content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = _retry(client, row)
    row.refresh_from_db()
    assert response.status_code in (200, 403) and callbacks == []
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 6, NOW)


@pytest.mark.django_db
def test_retrying_says_how_many_were_queued_and_how_many_stay_failed(client, platform_admin,
                                                                      django_capture_on_commit_callbacks):
    good = [_failed(f"citizen.closed:{n}:9:sms:1391234567{n}", f"1391234567{n}") for n in range(2)]
    landline = _failed("unit.sign_reminder:5:sms:0532-88886666", "0532-88886666")
    landline.last_error = "invalid mobile number"
    landline.save()
    client.force_login(platform_admin)
    with django_capture_on_commit_callbacks(execute=False):
        response = _retry(client, *good, landline)
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert [Notification.objects.get(pk=r.pk).status for r in (*good, landline)] == ["pending", "pending", "failed"]
    assert any("2 条" in m and "重新" in m for m in said), said
    assert any("1 条" in m and "仍为失败" in m for m in said), said


# --- the retry schedule the documentation gives is the code's --------------------------------------------------

def test_the_documented_retry_waits_are_the_codes():
    waits = [int(services.backoff(attempt).total_seconds() // 60) for attempt in range(1, services.MAX_ATTEMPTS)]
    assert waits == [1, 2, 4, 8, 16] and services.MAX_ATTEMPTS == 6
    doc = " ".join((ROOT / "docs/notifications.md").read_text().split())
    said = f"waits {', '.join(str(w) for w in waits[:-1])} and then {waits[-1]} minutes"
    assert said in doc and "32 minutes" not in doc


# --- what the outbox shows of the citizens it writes to ---------------------------------------------------------

PHONE = "13912345678"


@pytest.fixture
def inspector(city):
    """A supervisor of the government inspection office (督查室): outside the platform."""
    office = HandlingUnit.objects.create(code="DCS", name="市政府督查室", kind="city_department")
    return factories.make_user("inspector", "supervisor", office)


@pytest.fixture
def report(city):
    """A confidential 举报: its reporter is known to the platform only."""
    petition = factories.file_petition(city, kind="report", confidential=True, complainant_phone=PHONE,
                                       title="举报科长受贿", content="我叫王小明，举报某科长受贿")
    return petition, Notification.objects.get(key__startswith=f"citizen.receipt:{petition.pk}:")


def _listing(client, q=""):
    return client.get("/admin/notifications/notification/", {"q": q} if q else {}).content.decode()


def _page(client, row):
    return client.get(f"/admin/notifications/notification/{row.pk}/change/").content.decode()


def _change_link(row):
    return f"/admin/notifications/notification/{row.pk}/change/"


@pytest.mark.django_db
def test_outside_the_platform_the_outbox_neither_finds_nor_shows_a_reporter(client, inspector, report):
    petition, row = report
    token = links.petition_link(petition).rstrip("/").rsplit("/", 1)[1]
    assert row.recipient == PHONE and token in row.body
    client.force_login(inspector)
    assert _change_link(row) in _listing(client)  # the row is there...
    for q in (PHONE, "139 1234 5678", "5678"):
        assert _change_link(row) not in _listing(client, q)  # ... but no phone finds it
    listing, page = _listing(client), _page(client, row)
    for shown in (listing, page):
        assert PHONE not in shown and "139****5678" not in shown and "不在平台外显示" in shown
    assert token not in page and "/petitions/p/" not in page and "【个人链接】" in page
    assert AccessRecord.objects.count() == 0


@pytest.mark.django_db
def test_a_platform_supervisor_reads_recipients_masked_and_cannot_search_by_them(client, supervisor, report):
    petition, row = report
    assert not supervisor.sees_personal_data
    client.force_login(supervisor)
    listing, page = _listing(client), _page(client, row)
    assert "139****5678" in listing and "139****5678" in page
    assert PHONE not in listing and PHONE not in page  # nor in the key, the breadcrumbs or the title
    assert "/petitions/p/" not in page and "【个人链接】" in page
    assert _change_link(row) not in _listing(client, PHONE)
    assert _change_link(row) in _listing(client, row.subject)  # the subject is searched


@pytest.mark.django_db
def test_platform_staff_who_see_personal_data_find_a_message_by_phone_recorded_and_never_read_a_personal_link(
        client, platform_admin, report, settings):
    petition, row = report
    applicant = Notification.objects.create(
        key="applicant.receipt:3:r:email:wang@example.com", channel="email", recipient="wang@example.com",
        body="您的申请已收到，查看：" + settings.PORTAL_PUBLIC_URL + reverse("disclosure:request_open", args=["MjAy:1v:x9"]),
        next_attempt_at=NOW, created_at=NOW)
    client.force_login(platform_admin)
    assert _change_link(row) in _listing(client, "139 1234 5678")
    [record] = AccessRecord.objects.all()
    assert record.user == platform_admin and record.action == "search" and PHONE not in record.detail
    page = _page(client, row)
    assert PHONE in page and "/petitions/p/" not in page and "【个人链接】" in page
    page = _page(client, applicant)
    assert "wang@example.com" in page and "MjAy" not in page and "/disclosure/requests/r/" not in page
    assert "【个人链接】" in page
