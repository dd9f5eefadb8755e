"""SMS providers reached through their official SDKs.

Alibaba Cloud SMS (dysmsapi 2017-05-25, package `alibabacloud-dysmsapi20170525`)
sends only pre-approved templates under a pre-approved sign name. The portal
renders its own texts, so the default is one approved template whose whole
content is a variable, `${content}`, filled with the rendered text; a caller
that has a template of its own approved may pass its code (and parameters).

How the answer is read (codes from the provider's error-code reference):
- "OK": accepted; the BizId is logged to match delivery receipts.
- a code in PERMANENT_CODES (a bad number, a withdrawn template or sign, bad
  parameters): PermanentSmsError, the outbox fails the row at once;
- anything else (throttling, "system busy", HTTP 5xx, a refused connection, a
  code we do not know): SmsError, the outbox retries with backoff, at most
  MAX_ATTEMPTS times, so even a wrong guess here ends visible, not looping.

The outbox key goes out as OutId, which the provider echoes in delivery receipts.
It is a reference, not an idempotency key: Alibaba Cloud does not deduplicate on
it, so the outbox's claim (services.notification_send) is what prevents doubles.
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from notifications.backends import PermanentSmsError, SmsBackend, SmsError

logger = logging.getLogger(__name__)

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com"
TEMPLATE_CODE = re.compile(r"^SMS_\d+$")
# The one variable of the default template "${content}".
CONTENT_PARAM = "content"

PERMANENT_CODES = frozenset({
    "isv.MOBILE_NUMBER_ILLEGAL",  # not a number the carriers know
    "isv.MOBILE_COUNT_OVER_LIMIT",
    "isv.SMS_TEMPLATE_ILLEGAL",  # the template does not exist or was withdrawn
    "isv.SMS_CONTENT_CODE_ILLEGAL",
    "isv.SMS_SIGNATURE_ILLEGAL",  # the sign name does not exist or was withdrawn
    "isv.SMS_SIGN_NAME_ILLEGAL",
    "isv.TEMPLATE_MISSING_PARAMETERS",
    "isv.CONTENT_MISSING_PARAMETERS",
    "isv.TEMPLATE_PARAMS_ILLEGAL",
    "isv.INVALID_PARAMETERS",
    "isv.INVALID_JSON_PARAM",
    "isv.PARAM_LENGTH_LIMIT",  # the text is longer than the template's variable allows
    "isv.PARAM_NOT_SUPPORT_URL",
    "isv.BLACK_KEY_CONTROL_LIMIT",  # a blocked word in the text
})


@dataclass(frozen=True)
class AliyunSettings:
    access_key_id: str
    access_key_secret: str
    sign_name: str
    template_code: str
    protocol: str
    host: str


def aliyun_settings() -> AliyunSettings:
    """Read and check the PORTAL_SMS_ALIYUN_* settings; a gap is a configuration error, not a failed SMS."""
    values = {name: getattr(settings, f"PORTAL_SMS_ALIYUN_{name.upper()}", "") or ""
              for name in ("access_key_id", "access_key_secret", "sign_name", "template_code")}
    missing = [f"PORTAL_SMS_ALIYUN_{name.upper()}" for name, value in values.items() if not value.strip()]
    if missing:
        raise ImproperlyConfigured(f"The Alibaba Cloud SMS backend needs {', '.join(missing)}")
    if not TEMPLATE_CODE.match(values["template_code"]):
        raise ImproperlyConfigured(
            f"PORTAL_SMS_ALIYUN_TEMPLATE_CODE must look like SMS_123456789, got {values['template_code']!r}")
    endpoint = urlsplit(getattr(settings, "PORTAL_SMS_ALIYUN_ENDPOINT", "") or ALIYUN_ENDPOINT)
    if endpoint.scheme not in ("https", "http") or not endpoint.netloc:
        raise ImproperlyConfigured(f"PORTAL_SMS_ALIYUN_ENDPOINT must be an http(s) URL, got {endpoint.geturl()!r}")
    return AliyunSettings(**values, protocol=endpoint.scheme, host=endpoint.netloc)


class AliyunSmsBackend(SmsBackend):
    """Alibaba Cloud SMS through its official SDK (ACS3-HMAC-SHA256 signed requests)."""

    connect_timeout_ms = 5_000
    read_timeout_ms = 10_000

    def __init__(self):
        self.settings = aliyun_settings()

    def _client(self):
        # The SDK is imported here: it is heavy, and only the worker that sends needs it.
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.utils_models import Config

        return Client(Config(
            access_key_id=self.settings.access_key_id, access_key_secret=self.settings.access_key_secret,
            endpoint=self.settings.host, protocol=self.settings.protocol,
            connect_timeout=self.connect_timeout_ms, read_timeout=self.read_timeout_ms))

    def send(self, *, recipient, body, key, template_code="", template_params=None):
        from alibabacloud_dysmsapi20170525 import models
        from darabonba.runtime import RuntimeOptions
        from Tea.exceptions import TeaException

        request = models.SendSmsRequest(
            phone_numbers=recipient, sign_name=self.settings.sign_name,
            template_code=template_code or self.settings.template_code,
            template_param=json.dumps(template_params or {CONTENT_PARAM: body}, ensure_ascii=False),
            out_id=key)
        try:
            # RuntimeOptions() without retry options: the SDK tries once; the outbox owns retries.
            answer = self._client().send_sms_with_options(request, RuntimeOptions()).body
        except TeaException as error:  # an HTTP error answer (4xx, 5xx) parsed by the SDK, or no answer at all
            code = getattr(error, "code", "") or ""
            if not code:
                # The SDK wraps a refused connection or a timeout with the whole URL, query and
                # all (the citizen's number and text): keep only the reason.
                reason = re.search(r"\[Errno -?\d+\] [^'\"()]+|timed out|Connection aborted", str(error))
                raise SmsError(f"Alibaba Cloud SMS could not be reached: "
                               f"{reason.group(0) if reason else type(error).__name__}") from None
            raise _error(code, getattr(error, "message", "") or "") from None
        if answer.code != "OK":
            raise _error(answer.code or "", answer.message or "")
        logger.info("SMS %s accepted by Alibaba Cloud: BizId %s", key, answer.biz_id)


def _error(code: str, message: str) -> SmsError:
    text = f"Alibaba Cloud SMS answered {code}: {message}"[:500]
    return PermanentSmsError(text) if code in PERMANENT_CODES else SmsError(text)
