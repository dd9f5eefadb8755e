"""Admin -> Outbox: who may retry, what it says, and what it shows of the citizens it writes to."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.contrib.messages import get_messages

from notifications import services
from notifications.models import Notification

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
