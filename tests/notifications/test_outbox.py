"""The outbox: queued with the change, sent after commit, retried with backoff, never twice."""
import datetime as dt
import json

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from notifications import backends, services
from notifications.models import Notification
from tests.concurrency import postgres_only, race

NOW = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)


class Flaky(backends.SmsBackend):
    calls = []
    fail = True

    def send(self, *, recipient, body, key):
        Flaky.calls.append(key)
        if Flaky.fail:
            raise ConnectionError("gateway down")


@pytest.fixture
def flaky(settings):
    settings.PORTAL_SMS_BACKEND = "tests.notifications.test_outbox.Flaky"
    Flaky.calls, Flaky.fail = [], True
    return Flaky


@pytest.mark.django_db
def test_enqueue_is_idempotent_on_its_key():
    first = services.notification_enqueue(key="k1", channel="sms", recipient="13800000000", body="hi")
    again = services.notification_enqueue(key="k1", channel="sms", recipient="13900000000", body="other")
    assert first.pk == again.pk and Notification.objects.count() == 1


@pytest.mark.django_db
def test_sent_after_commit_and_not_at_all_on_rollback(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_enqueue(key="e1", channel="email", recipient="unit@example.gov.cn", subject="督办",
                                      body="请于两个工作日内回复")
    assert [m.to for m in mail.outbox] == [["unit@example.gov.cn"]]
    assert Notification.objects.get(key="e1").status == "sent"
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.notification_enqueue(key="e2", channel="email", recipient="x@example.gov.cn", body="x")
            raise RuntimeError("the change failed")
    assert not Notification.objects.filter(key="e2").exists() and len(mail.outbox) == 1


@pytest.mark.django_db
def test_backoff_then_failed_after_max_attempts(flaky):
    n = services.notification_enqueue(key="s1", channel="sms", recipient="13800000000", body="hi")
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=NOW)
    moment = NOW
    delays = []
    for attempt in range(1, services.MAX_ATTEMPTS + 1):
        assert services.notification_send(pk=n.pk, now=moment) is False
        n.refresh_from_db()
        delays.append(n.next_attempt_at - moment)
        assert not services.notification_send(pk=n.pk, now=moment)  # not due again yet
        moment = n.next_attempt_at
    assert [d.total_seconds() / 60 for d in delays] == [1, 2, 4, 8, 16, 32]
    assert n.status == "failed" and n.attempts == services.MAX_ATTEMPTS and "gateway down" in n.last_error
    services.notification_retry(notification=n)
    n.refresh_from_db()
    assert (n.status, n.attempts) == ("pending", 0)


@pytest.mark.django_db
def test_a_second_send_of_the_same_row_does_nothing(flaky):
    flaky.fail = False
    n = services.notification_enqueue(key="s2", channel="sms", recipient="13800000000", body="hi")
    Notification.objects.filter(pk=n.pk).update(next_attempt_at=NOW, status="pending")
    assert services.notification_send(pk=n.pk, now=NOW) in (True, False)
    calls = len(flaky.calls)
    assert services.notification_send(pk=n.pk, now=NOW) is False
    assert len(flaky.calls) == calls


@pytest.mark.django_db
def test_sweep_sends_lost_tasks_and_reclaims_stuck_rows(flaky):
    flaky.fail = False
    lost = Notification.objects.create(key="lost", channel="sms", recipient="1", body="b", next_attempt_at=NOW,
                                       created_at=NOW)
    stuck = Notification.objects.create(key="stuck", channel="sms", recipient="1", body="b", next_attempt_at=NOW,
                                        created_at=NOW, status="sending", claimed_at=NOW - dt.timedelta(minutes=30))
    fresh = Notification.objects.create(key="fresh", channel="sms", recipient="1", body="b", next_attempt_at=NOW,
                                        created_at=NOW, status="sending", claimed_at=NOW - dt.timedelta(minutes=1))
    result = services.sweep_outbox(now=NOW)
    assert result["reclaimed"] == 1 and result["sent"] == 2
    assert set(Notification.objects.filter(status="sent").values_list("key", flat=True)) == {"lost", "stuck"}
    assert Notification.objects.get(pk=fresh.pk).status == "sending"
    assert services.sweep_outbox(now=NOW)["sent"] == 0


@pytest.mark.django_db
@pytest.mark.parametrize("phone", ["0532-88912345", "12345", "1380000000", "23800000000", "13800000000x", ""])
def test_an_sms_to_a_number_that_is_not_a_mainland_mobile_is_failed_visibly_and_never_sent(
        flaky, phone, django_capture_on_commit_callbacks):
    flaky.fail = False
    with django_capture_on_commit_callbacks(execute=True):
        row = services.notification_enqueue(key="duty-phone", channel="sms", recipient=phone, body="督办通知")
    row.refresh_from_db()
    assert (row.status, row.last_error, row.recipient) == ("failed", "invalid mobile number", phone)
    services.notification_retry(notification=row)  # an administrator retries it: it still cannot be sent
    services.sweep_outbox(now=NOW + dt.timedelta(days=1))
    assert Notification.objects.get(pk=row.pk).status == "failed" and flaky.calls == []


@pytest.mark.django_db
def test_a_mobile_number_is_normalised_and_sent(flaky, django_capture_on_commit_callbacks):
    flaky.fail = False
    with django_capture_on_commit_callbacks(execute=True):
        row = services.notification_enqueue(key="m", channel="sms", recipient=" +86 139 1234 5678 ", body="x")
    row.refresh_from_db()
    assert (row.status, row.recipient, row.last_error) == ("sent", "13912345678", "")
    assert flaky.calls == ["m"]


@pytest.mark.django_db
@pytest.mark.parametrize("address", ["unit.example.gov.cn", "unit@", "办公室", ""])
def test_an_email_to_an_invalid_address_is_failed_visibly_and_never_sent(address, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        row = services.notification_enqueue(key="bad-mail", channel="email", recipient=address, subject="督办",
                                            body="请回复")
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("failed", "invalid e-mail address") and mail.outbox == []


@pytest.mark.django_db
def test_a_permanent_provider_error_fails_the_row_at_once(settings, django_capture_on_commit_callbacks):
    settings.PORTAL_SMS_BACKEND = "tests.notifications.test_outbox.Refusing"
    with django_capture_on_commit_callbacks(execute=True):
        row = services.notification_enqueue(key="gone", channel="sms", recipient="13800000000", body="x")
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "PermanentSmsError: isv.MOBILE_NUMBER_ILLEGAL"


class Refusing(backends.SmsBackend):
    def send(self, *, recipient, body, key, **template):
        raise backends.PermanentSmsError("isv.MOBILE_NUMBER_ILLEGAL")


@pytest.mark.django_db
def test_file_backend_writes_json_lines(settings, tmp_path):
    settings.PORTAL_SMS_FILE = tmp_path / "sms.log"
    backends.FileSmsBackend().send(recipient="13800000000", body="您的诉求已办结", key="k")
    line = json.loads((tmp_path / "sms.log").read_text().splitlines()[0])
    assert (line["to"], line["body"], line["key"]) == ("13800000000", "您的诉求已办结", "k")


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_enqueue_and_send_happen_once(flaky):
    flaky.fail = False
    results = race(*[lambda: services.notification_enqueue(key="same", channel="sms", recipient="13800000000",
                                                                body="b")
                     for _ in range(6)])
    assert all(kind == "ok" for kind, _ in results) and Notification.objects.count() == 1
    pk = Notification.objects.get().pk
    Notification.objects.filter(pk=pk).update(status="pending", next_attempt_at=NOW)
    flaky.calls.clear()
    sends = race(*[lambda: services.notification_send(pk=pk, now=NOW) for _ in range(4)])
    assert sum(1 for kind, sent in sends if sent is True) == 1
    assert len(flaky.calls) == 1


class OneBadNumber(backends.SmsBackend):
    calls = []

    def send(self, *, recipient, body, key):
        OneBadNumber.calls.append(key)
        if recipient == "13800000002":
            raise ConnectionError("gateway refused this one")


@pytest.mark.django_db
def test_a_batch_claims_together_sends_each_and_records_a_failure_on_its_row_alone(settings):
    """One task sends a filing's messages (issue 20): claimed in one statement, each delivered on its own;
    a row another worker claimed first is not sent again, a failing one is retried alone, a code is cleared."""
    settings.PORTAL_SMS_BACKEND = "tests.notifications.test_outbox.OneBadNumber"
    OneBadNumber.calls = []
    rows = [Notification.objects.create(key=key, channel="sms", recipient=phone, body="您的验证码 123456",
                                        next_attempt_at=NOW, created_at=NOW)
            for key, phone in (("a", "13800000001"), ("b", "13800000002"), ("citizen.login_code:c", "13800000003"),
                               ("d", "13800000004"))]
    Notification.objects.filter(pk=rows[3].pk).update(status="sending", claimed_at=NOW)  # another worker has it
    assert services.notifications_send([r.pk for r in rows] + [rows[0].pk], now=NOW) == 2
    assert sorted(OneBadNumber.calls) == ["a", "b", "citizen.login_code:c"]
    a, b, c, d = (Notification.objects.get(pk=r.pk) for r in rows)
    assert (a.status, a.attempts) == ("sent", 1) and a.body == "您的验证码 123456"
    assert (b.status, b.attempts) == ("pending", 1) and "refused" in b.last_error and b.next_attempt_at > NOW
    assert c.status == "sent" and "123456" not in c.body
    assert d.status == "sending"
    assert services.notifications_send([a.pk, c.pk], now=NOW) == 0  # sent rows are never sent twice


# --- a secret message (a one-time code) is not kept once it will not be sent ------------------------------------

CODE_TEXT = "您已当选“2026年度三民活动”市民代表，评议码A1B2C3D4E5，请于2026-12-20 17:00前评议"


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["Refusing", "Flaky"])
def test_a_voting_code_that_cannot_be_delivered_is_cleared_and_never_retried(settings, backend, admin_client):
    """A code that fails for good (the gateway refuses the number) or runs out of retries must not wait, readable,
    in Admin -> Outbox: whoever reads it could vote in the representative's place."""
    settings.PORTAL_SMS_BACKEND = f"tests.notifications.test_outbox.{backend}"
    Flaky.calls, Flaky.fail = [], True
    row = services.notification_enqueue(key="representative.code:7:sms:13800000000", channel="sms",
                                        recipient="13800000000", subject="三民活动评议码", body=CODE_TEXT)
    moment = NOW
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=moment)
    for _ in range(services.MAX_ATTEMPTS):
        services.notification_send(pk=row.pk, now=moment)
        row.refresh_from_db()
        assert row.status == "failed" or "A1B2C3D4E5" in row.body  # kept while a retry may still send it
        moment = row.next_attempt_at
    assert row.status == "failed" and "A1B2C3D4E5" not in row.body and row.last_error
    page = admin_client.get(f"/admin/notifications/notification/{row.pk}/change/").content.decode()
    assert "A1B2C3D4E5" not in page and "一次性码" in page
    calls = len(Flaky.calls)
    services.notification_retry(notification=row)  # nothing left to send: it stays failed
    admin_client.post("/admin/notifications/notification/", {
        "action": "retry_now", "_selected_action": [row.pk]})
    services.sweep_outbox(now=moment + dt.timedelta(days=1))
    assert Notification.objects.get(pk=row.pk).status == "failed" and len(Flaky.calls) == calls


@pytest.mark.django_db
def test_the_admin_never_shows_a_secret_text_and_still_shows_the_others(admin_client):
    waiting = Notification.objects.create(key="citizen.login_code:13800000000:1:sms:13800000000", channel="sms",
                                          recipient="13800000000", body="您的验证码是482913", next_attempt_at=NOW,
                                          created_at=NOW)
    plain = Notification.objects.create(key="citizen.closed:1:sms:13800000000", channel="sms",
                                        recipient="13800000000", body="您的诉求已办结", next_attempt_at=NOW,
                                        created_at=NOW)
    listing = admin_client.get("/admin/notifications/notification/").content.decode()
    page = admin_client.get(f"/admin/notifications/notification/{waiting.pk}/change/").content.decode()
    assert "482913" not in listing and "482913" not in page and "一次性码" in page
    assert "您的诉求已办结" in admin_client.get(f"/admin/notifications/notification/{plain.pk}/change/").content.decode()


# --- each row is marked right after its own delivery; a slow batch keeps its claim -----------------------------

class DiesOnTheThird(backends.SmsBackend):
    calls = []

    def send(self, *, recipient, body, key):
        DiesOnTheThird.calls.append(key)
        if len(DiesOnTheThird.calls) == 3:
            raise SystemExit("worker killed")  # OOM, a deploy, SIGKILL: mid-batch, mid-delivery


@pytest.mark.django_db
def test_a_worker_killed_mid_batch_leaves_only_the_message_it_was_delivering_in_doubt(settings):
    settings.PORTAL_SMS_BACKEND = "tests.notifications.test_outbox.DiesOnTheThird"
    DiesOnTheThird.calls = []
    rows = [Notification.objects.create(key=f"citizen.closed:{i}:sms:1380000000{i}", channel="sms",
                                        recipient=f"1380000000{i}", body="已办结", next_attempt_at=NOW, created_at=NOW)
            for i in range(5)]
    with time_machine.travel(NOW, tick=False) as clock:
        with pytest.raises(SystemExit):
            services.sweep_outbox()
        assert [Notification.objects.get(pk=r.pk).status for r in rows] == ["sent", "sent", "sending", "sending",
                                                                             "sending"]
        DiesOnTheThird.calls = ["-"] * 3  # the next worker does not die
        clock.shift(services.STUCK_AFTER + dt.timedelta(minutes=1))
        assert services.sweep_outbox()["reclaimed"] == 3
    # The two delivered before the crash are not sent again; the third was in flight (the honest limit).
    assert DiesOnTheThird.calls[3:] == [r.key for r in rows[2:]]
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


class SlowGateway(backends.SmsBackend):
    """Answers in 15 s (the Aliyun backend's 5 s connect and 10 s read timeouts): 50 messages take 12.5 minutes,
    longer than STUCK_AFTER. `during` runs once, at the given call, as another worker would meanwhile."""
    calls, traveller, seconds, during = [], None, 15, {}

    def send(self, *, recipient, body, key):
        SlowGateway.calls.append(key)
        SlowGateway.traveller.shift(dt.timedelta(seconds=SlowGateway.seconds))
        then = SlowGateway.during.pop(len(SlowGateway.calls), None)
        if then:
            then()


@pytest.fixture
def slow(settings):
    settings.PORTAL_SMS_BACKEND = "tests.notifications.test_outbox.SlowGateway"
    SlowGateway.calls, SlowGateway.seconds, SlowGateway.during = [], 15, {}
    with time_machine.travel(NOW, tick=False) as traveller:
        SlowGateway.traveller = traveller
        yield SlowGateway


def _due_rows(count: int) -> list[Notification]:
    return [Notification.objects.create(key=f"citizen.closed:{i}:sms:138{i:08d}", channel="sms",
                                        recipient=f"138{i:08d}", body="已办结", next_attempt_at=NOW, created_at=NOW)
            for i in range(count)]


@pytest.mark.django_db
def test_a_batch_slower_than_the_reclaim_window_keeps_its_claim_and_sends_each_message_once(slow):
    rows = _due_rows(50)
    # Ten minutes and fifteen seconds in, the next minute's beat sweep runs on another worker.
    slow.during[41] = services.sweep_outbox
    services.sweep_outbox()
    assert sorted(slow.calls) == sorted(r.key for r in rows)  # each once
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_rows_reclaimed_from_a_hung_batch_are_left_to_the_worker_that_reclaimed_them(slow):
    """A delivery that hangs past STUCK_AFTER (no backend should: each has a timeout of seconds) loses the batch
    its claim: the sweep reclaims and sends the rest, and the batch, when it wakes up, does not send them again."""
    first, *rest = _due_rows(3)
    slow.seconds = 11 * 60
    slow.during[1] = lambda: (setattr(SlowGateway, "seconds", 1), services.sweep_outbox())
    services.sweep_outbox()
    assert [slow.calls.count(r.key) for r in rest] == [1, 1]
    assert slow.calls.count(first.key) == 2  # the hung one itself: the documented limit
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.postgres
@postgres_only
@pytest.mark.django_db(transaction=True)
def test_workers_racing_over_the_same_batch_send_each_message_once(flaky):
    """Four workers are handed the same 20 messages (a task and three sweeps): each row is claimed by one of
    them, delivered once and marked by its own UPDATE."""
    flaky.fail = False
    rows = _due_rows(20)
    pks = [r.pk for r in rows]
    results = race(*[lambda order=order: services.notifications_send(order, now=NOW)
                     for order in (pks, pks[::-1], pks[5:] + pks[:5], pks[10:] + pks[:10])])
    assert all(kind == "ok" for kind, _ in results), results
    assert sum(sent for _, sent in results) == 20 and sorted(flaky.calls) == sorted(r.key for r in rows)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.django_db
def test_a_sweep_writing_many_messages_in_one_transaction_queues_tasks_of_at_most_fifty(
        monkeypatch, django_capture_on_commit_callbacks):
    """A sweep's digests to 120 units are committed together; the workers get three tasks (50, 50, 20) they can
    share, not one task one worker spends the night on, and every message is in exactly one of them."""
    from notifications import tasks

    queued = []
    monkeypatch.setattr(tasks.send_notifications, "delay", lambda pks: queued.append(list(pks)))
    monkeypatch.setattr(tasks.send_notification, "delay", lambda pk: queued.append([pk]))
    rows = [{"key": f"digest:{n}", "channel": "email", "recipient": f"unit{n}@example.gov.cn", "body": "超期提醒"}
            for n in range(120)]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        assert services.notifications_enqueue_many(rows) == 120
    assert [len(batch) for batch in queued] == [50, 50, 20]
    assert sorted(pk for batch in queued for pk in batch) == sorted(Notification.objects.values_list("pk", flat=True))
