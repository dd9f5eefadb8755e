"""Where messages go. E-mail uses Django's mail (console backend in development,
SMTP in production: DJANGO_EMAIL_*). SMS goes through a pluggable gateway
named by the PORTAL_SMS_BACKEND setting (a dotted path)."""
from __future__ import annotations

import json
import logging
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsBackend:
    """Send one SMS; raise on failure. `key` is passed as an idempotency key to
    gateways that support one, so a retry after a crash is not a second SMS."""

    def send(self, *, recipient: str, body: str, key: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send(self, *, recipient, body, key):
        logger.info("SMS to %s [%s]: %s", recipient, key, body)


class FileSmsBackend(SmsBackend):
    """Appends one JSON line per SMS to var/sms.log (development)."""

    def send(self, *, recipient, body, key):
        path = Path(getattr(settings, "PORTAL_SMS_FILE", settings.VAR_DIR / "sms.log"))
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"at": timezone.now().isoformat(), "to": recipient, "key": key, "body": body},
                                    ensure_ascii=False) + "\n")


class HttpSmsBackend(SmsBackend):
    """A generic HTTP gateway: POSTs JSON {to, body} with an Idempotency-Key header to
    PORTAL_SMS_URL, authenticated by PORTAL_SMS_TOKEN. Adapt to the provider's API."""

    def send(self, *, recipient, body, key):
        request = urllib.request.Request(
            settings.PORTAL_SMS_URL, method="POST",
            data=json.dumps({"to": recipient, "body": body}).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": key,
                     "Authorization": f"Bearer {getattr(settings, 'PORTAL_SMS_TOKEN', '')}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - configured URL
            if response.status >= 300:
                raise RuntimeError(f"gateway answered {response.status}")


def sms_backend() -> SmsBackend:
    return import_string(getattr(settings, "PORTAL_SMS_BACKEND", "notifications.backends.ConsoleSmsBackend"))()


def send_email(*, recipient: str, subject: str, body: str) -> None:
    send_mail(subject or body[:50], body, settings.DEFAULT_FROM_EMAIL, [recipient], fail_silently=False)
