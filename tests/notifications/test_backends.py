"""The generic HTTP SMS gateway, against a local fake (no outside network)."""
import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notifications import services
from notifications.models import Notification


class FakeGateway:
    """Answers `status` to every POST and records what it was sent."""

    def __init__(self):
        self.received, self.status = [], 202
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fake.received.append({"headers": dict(self.headers), "json": json.loads(body)})
                self.send_response(fake.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    fake = FakeGateway()
    settings.PORTAL_SMS_BACKEND = "notifications.backends.HttpSmsBackend"
    settings.PORTAL_SMS_URL = fake.url
    settings.PORTAL_SMS_TOKEN = "gateway-token"
    yield fake
    fake.stop()


@pytest.mark.django_db
def test_the_http_gateway_gets_the_message_with_its_idempotency_key(gateway, django_capture_on_commit_callbacks):
    gateway.status = 503
    with django_capture_on_commit_callbacks(execute=True):
        row = services.notification_enqueue(key="reply:9:sms", channel="sms", recipient="13800000000",
                                            body="您的诉求已受理")
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("pending", 1) and "503" in row.last_error
    gateway.status = 202
    assert services.sweep_outbox(now=row.next_attempt_at + dt.timedelta(seconds=1))["sent"] == 1
    assert Notification.objects.get(pk=row.pk).status == "sent"
    assert [r["json"] for r in gateway.received] == [{"to": "13800000000", "body": "您的诉求已受理"}] * 2
    last = gateway.received[-1]["headers"]
    assert (last["Idempotency-Key"], last["Authorization"]) == ("reply:9:sms", "Bearer gateway-token")
