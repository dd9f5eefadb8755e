"""Where messages go. E-mail uses Django's mail (console backend in development,
SMTP in production: DJANGO_EMAIL_*). SMS goes through a pluggable gateway
named by the PORTAL_SMS_BACKEND setting (a dotted path); the providers that
need an SDK (Alibaba Cloud) live in notifications.sms_providers.

A backend raises on failure. Most failures are worth retrying (the gateway is
down, busy or throttling): the outbox retries them with backoff. A failure that
no retry can cure (the number does not exist, the template was withdrawn)
raises PermanentSmsError, and the outbox fails the row at once, visibly."""
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


class SmsError(Exception):
    """The gateway did not take the message; worth retrying later."""


class PermanentDeliveryError(Exception):
    """Any channel's "no retry can help" (an unknown recipient, a withdrawn template): the row fails at once."""


class PermanentSmsError(SmsError, PermanentDeliveryError):
    """The gateway refused the message for good (e.g. an invalid number): retrying cannot help."""


# Further outbox channels, registered by the apps above that own them (docs/notifications.md, "More channels"):
# channel code -> a function that sends one Notification row and raises on failure, like an SMS backend.
_DELIVERIES: dict = {}


def delivery_register(channel: str, send) -> None:
    """`send(notification)` delivers one row of `channel`; called from the registering app's ready()."""
    _DELIVERIES[channel] = send


def delivery_for(channel: str):
    try:
        return _DELIVERIES[channel]
    except KeyError:
        raise PermanentDeliveryError(f"no delivery registered for channel {channel!r}") from None


class SmsBackend:
    """Send one SMS; raise on failure. `key` is passed as an idempotency key to
    gateways that support one, so a retry after a crash is not a second SMS.

    Providers that only send pre-approved templates (Alibaba Cloud) also take an
    optional `template_code` (and its `template_params`) to use instead of their
    configured default; the others ignore both."""

    def send(self, *, recipient: str, body: str, key: str, template_code: str = "",
             template_params: dict[str, str] | None = None) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(SmsBackend):
    def send(self, *, recipient, body, key, **template):
        logger.info("SMS to %s [%s]: %s", recipient, key, body)


class FileSmsBackend(SmsBackend):
    """Appends one JSON line per SMS to var/sms.log (development)."""

    def send(self, *, recipient, body, key, **template):
        path = Path(getattr(settings, "PORTAL_SMS_FILE", settings.VAR_DIR / "sms.log"))
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps({"at": timezone.now().isoformat(), "to": recipient, "key": key, "body": body},
                                    ensure_ascii=False) + "\n")


class HttpSmsBackend(SmsBackend):
    """A generic HTTP gateway: POSTs JSON {to, body} with an Idempotency-Key header to
    PORTAL_SMS_URL, authenticated by PORTAL_SMS_TOKEN. Adapt to the provider's API."""

    def send(self, *, recipient, body, key, **template):
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
