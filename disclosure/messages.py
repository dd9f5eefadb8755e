"""What an applicant for government information is told at each step of the legal clock,
and their personal link back to the request (docs/notifications.md, docs/disclosure.md).

Called inside the transaction of the step it reports. The link is signed, expires after
PORTAL_LINK_MAX_AGE_DAYS and is revoked by raising the request's `link_version`.
"""
from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from disclosure.models import InfoRequest
from lib.links import link_read, link_token
from notifications.messaging import Recipients, message_send
from org.models import User

SALT = "disclosure.request-link"
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def request_token(request: InfoRequest) -> str:
    return link_token(number=request.number, version=request.link_version, salt=SALT)


def request_link(request: InfoRequest) -> str:
    return settings.PORTAL_PUBLIC_URL + reverse("disclosure:request_open", args=[request_token(request)])


def request_from_token(token: str) -> InfoRequest | None:
    found = link_read(token, salt=SALT, max_age_days=settings.PORTAL_LINK_MAX_AGE_DAYS)
    return InfoRequest.objects.filter(number=found[0], link_version=found[1]).first() if found else None


def tell_applicant(request: InfoRequest, code: str, *, key: str, **context) -> int:
    phones = [request.applicant_phone] if _MOBILE.match(request.applicant_phone or "") else []
    emails = [request.applicant_email] if request.applicant_email else []
    context = {"number": request.number, "link": request_link(request), **context}
    return message_send(code=code, key=f"{request.pk}:{key}", context=context,
                        to=Recipients(phones=phones, emails=emails))


def tell_officers(request: InfoRequest, code: str, *, key: str, **context) -> int:
    """The body's disclosure officers and head, in their inbox, and the body's e-mail: something the applicant
    did online that restarts or changes their clock."""
    if request.body is None:
        return 0
    unit = request.body.unit
    officers = list(User.objects.filter(unit=unit, role__in=(User.Role.DISCLOSURE_OFFICER, User.Role.DISCLOSURE_HEAD),
                                        is_active=True))
    path = reverse("admin:disclosure_inforequest_change", args=[request.pk])
    context = {"number": request.number, "link": settings.PORTAL_PUBLIC_URL + path, **context}
    return message_send(code=code, key=f"{request.pk}:{key}:officers", context=context, link=path,
                        to=Recipients(emails=[unit.email] if unit.email else [], users=officers))
