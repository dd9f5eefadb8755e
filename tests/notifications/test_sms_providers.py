"""SMS through Alibaba Cloud's official SDK, against a local fake of its API (tests/notifications/fake_aliyun.py)."""
import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from notifications import backends, services, sms_providers
from notifications.models import Notification
from tests.notifications.fake_aliyun import ACCESS_KEY_ID, ACCESS_KEY_SECRET, FakeAliyunSms

START = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.timezone.utc)
SIGN_NAME = "某市12345热线"
TEMPLATE = "SMS_100000001"


@pytest.fixture
def aliyun(settings):
    fake = FakeAliyunSms().start()
    settings.PORTAL_SMS_BACKEND = "notifications.sms_providers.AliyunSmsBackend"
    settings.PORTAL_SMS_ALIYUN_ACCESS_KEY_ID = ACCESS_KEY_ID
    settings.PORTAL_SMS_ALIYUN_ACCESS_KEY_SECRET = ACCESS_KEY_SECRET
    settings.PORTAL_SMS_ALIYUN_SIGN_NAME = SIGN_NAME
    settings.PORTAL_SMS_ALIYUN_TEMPLATE_CODE = TEMPLATE
    settings.PORTAL_SMS_ALIYUN_ENDPOINT = fake.endpoint
    yield fake
    fake.stop()


def enqueue(capture, key, recipient, body="您的诉求已办结，请对办理结果进行评价。"):
    with capture(execute=True):  # the send is queued after commit; Celery runs eagerly in tests
        return services.notification_enqueue(key=key, channel="sms", recipient=recipient, body=body)


@pytest.mark.django_db
def test_a_message_is_sent_once_through_the_sdk(aliyun, django_capture_on_commit_callbacks):
    row = enqueue(django_capture_on_commit_callbacks, "reply:7:sms", "+86 138 0013 8000")
    row.refresh_from_db()
    assert (row.status, row.attempts, row.recipient) == ("sent", 1, "13800138000")
    assert aliyun.rejected == []  # well-formed and correctly signed
    assert aliyun.sent == [{"to": "13800138000", "sign_name": SIGN_NAME, "template_code": TEMPLATE,
                            "params": {"content": "您的诉求已办结，请对办理结果进行评价。"}, "out_id": "reply:7:sms",
                            "biz_id": "000001^0"}]
    assert services.sweep_outbox(now=START + dt.timedelta(days=1))["sent"] == 0
    assert len(aliyun.sent) == 1


@pytest.mark.django_db
def test_a_caller_may_name_its_own_approved_template(aliyun):
    sms_providers.AliyunSmsBackend().send(recipient="13900001111", body="ignored", key="k",
                                          template_code="SMS_200000002", template_params={"number": "2611230001"})
    assert [(m["template_code"], m["params"]) for m in aliyun.sent] == [("SMS_200000002", {"number": "2611230001"})]


@pytest.mark.django_db
def test_the_gateway_down_ten_minutes_loses_nothing_and_sends_nothing_twice(aliyun,
                                                                             django_capture_on_commit_callbacks):
    keys = [f"notice:{i}:sms" for i in range(3)]
    aliyun.down("refused")
    with time_machine.travel(START, tick=False):
        for i, key in enumerate(keys):
            enqueue(django_capture_on_commit_callbacks, key, f"1380000000{i}", body=f"督办通知第{i}号")
    assert set(Notification.objects.values_list("status", "attempts")) == {("pending", 1)}
    for minute in range(1, 11):  # the beat sweeps every minute while the gateway is away
        if minute == 6:
            aliyun.down("503")  # back on the network, but answering "service unavailable"
        with time_machine.travel(START + dt.timedelta(minutes=minute), tick=False):
            services.sweep_outbox()
        assert aliyun.sent == [] and not Notification.objects.exclude(status="pending").exists()
    assert aliyun.requests, "the 503 answers were reached"
    assert "ServiceUnavailable" in Notification.objects.first().last_error
    aliyun.up()
    for minute in range(11, 71):
        with time_machine.travel(START + dt.timedelta(minutes=minute), tick=False):
            services.sweep_outbox()
    assert sorted(m["out_id"] for m in aliyun.sent) == keys  # each message exactly once
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert aliyun.rejected == []


@pytest.mark.django_db
def test_an_invalid_number_fails_at_once_and_visibly(aliyun, django_capture_on_commit_callbacks):
    aliyun.illegal_numbers = {"19900000000"}  # well-formed, but no carrier has it
    row = enqueue(django_capture_on_commit_callbacks, "k-illegal", "19900000000")
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "PermanentSmsError" in row.last_error and "isv.MOBILE_NUMBER_ILLEGAL" in row.last_error
    services.sweep_outbox(now=START + dt.timedelta(days=1))
    assert len(aliyun.requests) == 1 and aliyun.sent == []  # no retries


@pytest.mark.django_db
def test_throttling_is_retried_later(aliyun, django_capture_on_commit_callbacks):
    aliyun.answer_code = "isv.BUSINESS_LIMIT_CONTROL"
    with time_machine.travel(START, tick=False):
        row = enqueue(django_capture_on_commit_callbacks, "k-busy", "13700000000")
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1) and "isv.BUSINESS_LIMIT_CONTROL" in row.last_error
    aliyun.answer_code = ""
    assert services.sweep_outbox(now=START + dt.timedelta(minutes=1))["sent"] == 1
    assert [m["out_id"] for m in aliyun.sent] == ["k-busy"]


@pytest.mark.django_db
def test_the_fake_checks_the_signature(aliyun, settings):
    settings.PORTAL_SMS_ALIYUN_ACCESS_KEY_SECRET = "not-the-secret"
    with pytest.raises(backends.SmsError) as raised:
        sms_providers.AliyunSmsBackend().send(recipient="13800000000", body="x", key="k")
    assert not isinstance(raised.value, backends.PermanentSmsError)  # a key fixed by the operator cures it
    assert "SignatureDoesNotMatch" in str(raised.value)
    assert aliyun.rejected == ["signature does not match"] and aliyun.sent == []


def test_a_refused_connection_is_reported_without_the_message(aliyun):
    aliyun.down("refused")
    with pytest.raises(backends.SmsError) as raised:
        sms_providers.AliyunSmsBackend().send(recipient="13800000000", body="您的诉求", key="k")
    assert "Connection refused" in str(raised.value) and "13800000000" not in str(raised.value)


def test_missing_or_malformed_settings_are_configuration_errors(aliyun, settings):
    settings.PORTAL_SMS_ALIYUN_TEMPLATE_CODE = "content"
    with pytest.raises(ImproperlyConfigured, match="SMS_123456789"):
        sms_providers.AliyunSmsBackend()
    settings.PORTAL_SMS_ALIYUN_SIGN_NAME = ""
    with pytest.raises(ImproperlyConfigured, match="PORTAL_SMS_ALIYUN_SIGN_NAME"):
        sms_providers.AliyunSmsBackend()


@pytest.mark.parametrize(("extra", "named"), [
    ({}, "PORTAL_SMS_ALIYUN_ACCESS_KEY_ID"),
    ({"PORTAL_SMS_ALIYUN_ACCESS_KEY_ID": "id", "PORTAL_SMS_ALIYUN_ACCESS_KEY_SECRET": "s",
      "PORTAL_SMS_ALIYUN_SIGN_NAME": "某市", "PORTAL_SMS_ALIYUN_TEMPLATE_CODE": "123"}, "PORTAL_SMS_ALIYUN_TEMPLATE_CODE"),
])
def test_the_aliyun_backend_without_its_settings_stops_start_up(extra, named):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_SMS_")}
    env.update(extra, PORTAL_SMS_BACKEND="notifications.sms_providers.AliyunSmsBackend")
    result = subprocess.run([sys.executable, "manage.py", "check"], check=False, cwd=Path(__file__).resolve().parents[2],
                            env=env, capture_output=True, text=True)
    assert result.returncode != 0 and named in result.stderr
