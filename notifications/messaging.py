"""Send one message of the catalog to the people it is for, through every channel they have.

`message_send` renders the administrator's template for the message in the
recipient's language (the citizen's own, the site's for units and staff) and writes one outbox row per channel (SMS, e-mail) and
one inbox item per staff member, all in the caller's transaction: a change that
rolls back tells nobody, and a change that commits is told exactly once (each
row has a key derived from the caller's key).

Quiet hours (PORTAL_QUIET_HOURS, default 21:00-08:00 Beijing time): a
non-urgent SMS waits in the outbox for the morning; urgent matters (outages of
water, power, gas and heating) go at once. E-mail and the inbox never wait.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from lib.workdays import SHANGHAI
from notifications.catalog import CATALOG
from notifications.models import InboxItem, MessageTemplate, template_cache_key
from notifications.services import insert_new, insert_new_many, notification_enqueue, notifications_enqueue_many
from org.models import HandlingUnit, User


class _Blanks(dict):
    """Missing variables render empty rather than failing a send at 3 a.m."""

    def __missing__(self, key):
        return ""


# No e-mail and no mainland mobile number: nothing can reach the unit (one check with the admin's banner and filter).
UNREACHABLE = HandlingUnit.unreachable()


@dataclass
class Recipients:
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    users: list = field(default_factory=list)  # staff accounts, for the in-app inbox


TEMPLATE_CACHE_SECONDS = 300

# Further deliveries of a message, registered by apps above this one (the WeChat account tells the citizens who
# filed through it): fn(code=, context=, subject=, body=) -> [(channel, recipient, payload)], each written as
# one more outbox row in the same transaction, keyed like the others.
_FANOUTS: list = []


def fanout_register(fn) -> None:
    if fn not in _FANOUTS:
        _FANOUTS.append(fn)


def template_for(code: str) -> MessageTemplate:
    """The administrator's wording, created from the catalog's default the first time.
    Cached: every filing sends a receipt, and the wording changes a few times a year
    (saving a template clears its cache entry, see notifications.signals)."""
    template = cache.get(template_cache_key(code))
    if template is None:
        template = MessageTemplate.objects.filter(code=code).first()
        if template is None:
            message = CATALOG[code]
            template, _ = MessageTemplate.objects.get_or_create(code=code, defaults={
                "subject_zh": message.subject_zh, "body_zh": message.body_zh,
                "subject_en": message.subject_en, "body_en": message.body_en})
        cache.set(template_cache_key(code), template, TEMPLATE_CACHE_SECONDS)
    return template



def render(code: str, context: dict, language: str | None = None, template: MessageTemplate | None = None
           ) -> tuple[str, str]:
    """The message in `language`, the recipient's: the citizen's own (petition.language), the site's
    (settings.LANGUAGE_CODE) for units and staff. The context's lazy texts (a role, a decision, a note on the
    calendar) are read in it too, whatever the language of the request that triggered the message: a citizen
    filing on the English site must not send the unit "新工单…（Lead）"."""
    template = template or template_for(code)
    language = language or settings.LANGUAGE_CODE
    english = language.startswith("en")
    with translation.override(language):
        values = _Blanks({k: "" if v is None else str(v) for k, v in context.items()})
    values.setdefault("city", settings.PORTAL_CITY_NAME)
    subject = (template.subject_en if english else template.subject_zh).format_map(values)
    body = (template.body_en if english else template.body_zh).format_map(values)
    return subject, body


def quiet_until(now: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours if `now` falls inside them, else None."""
    start, end = settings.PORTAL_QUIET_HOURS
    if start == end:
        return None
    local = now.astimezone(SHANGHAI)
    minutes = local.hour * 60 + local.minute
    inside = (start <= minutes or minutes < end) if start > end else (start <= minutes < end)
    if not inside:
        return None
    release = local.replace(hour=end // 60, minute=end % 60, second=0, microsecond=0)
    if release <= local:
        release += dt.timedelta(days=1)
    return release


def message_send(*, code: str, key: str, context: dict, to: Recipients, language: str | None = None,
                 urgent: bool = False, link: str = "") -> int:
    """Queue message `code` to everyone in `to`, in `language` (by default the site's, the units' and staff's).
    Returns how many rows were written (0 when switched off)."""
    if code not in CATALOG:
        raise KeyError(code)
    template = template_for(code)
    if not template.is_active:
        return 0
    subject, body = render(code, context, language, template)
    now = timezone.now()
    hold = None if urgent else quiet_until(now)
    written = 0
    for phone in dict.fromkeys(p for p in to.phones if p):
        notification_enqueue(key=f"{code}:{key}:sms:{phone}", channel="sms", recipient=phone, subject=subject,
                             body=body[:500], not_before=hold)
        written += 1
    for email in dict.fromkeys(e for e in to.emails if e):
        notification_enqueue(key=f"{code}:{key}:email:{email}", channel="email", recipient=email,
                             subject=subject, body=body)
        written += 1
    for fanout in _FANOUTS:
        for channel, recipient, payload in fanout(code=code, context=context, subject=subject, body=body):
            notification_enqueue(key=f"{code}:{key}:{channel}:{recipient}", channel=channel, recipient=recipient,
                                 subject=subject, body=payload, not_before=hold)
            written += 1
    for user in to.users:
        item = InboxItem(user=user, key=f"{code}:{key}"[:200], subject=subject[:200], body=body, link=link[:300],
                         created_at=now)
        if insert_new(item, ["user", "key"]) is not None:  # None: already in their inbox
            written += 1
    return written


def message_send_many(*, code: str, sends: list[dict], urgent: bool = False) -> int:
    """`message_send` for many recipients at once (a sweep's digests to hundreds of units): each item has
    key, context, to (Recipients) and optionally link and language. Every outbox row and inbox item is
    written in multi-row INSERTs, duplicates of a key skipped; returns how many rows were written."""
    if code not in CATALOG:
        raise KeyError(code)
    template = template_for(code) if sends else None
    if template is None or not template.is_active:
        return 0
    now = timezone.now()
    hold = None if urgent else quiet_until(now)
    rows, items = [], []
    for send in sends:
        subject, body = render(code, send["context"], send.get("language"), template)
        key, to = send["key"], send["to"]
        rows += [{"key": f"{code}:{key}:sms:{p}", "channel": "sms", "recipient": p, "subject": subject,
                  "body": body[:500], "not_before": hold} for p in dict.fromkeys(p for p in to.phones if p)]
        rows += [{"key": f"{code}:{key}:email:{e}", "channel": "email", "recipient": e, "subject": subject,
                  "body": body} for e in dict.fromkeys(e for e in to.emails if e)]
        items += [InboxItem(user=user, key=f"{code}:{key}"[:200], subject=subject[:200], body=body,
                            link=send.get("link", "")[:300], created_at=now) for user in to.users]
    return notifications_enqueue_many(rows) + len(insert_new_many(items, ["user", "key"]))


# Who of a unit's members is told of its work (work orders, reminders, notices, digests): the handlers, who work
# its assignments on the unit's pages (org.permissions.is_unit_member). A unit's other members do not: the
# disclosure officers and head of a body (their own messages: disclosure.messages.tell_officers) and a district
# platform's supervisors, whose unit is the district government, cannot open a work order.
UNIT_WORKERS = (User.Role.UNIT_HANDLER,)


def units_recipients(unit_ids: list[int]) -> dict:
    """`unit_recipients` for many units in two queries: {unit: Recipients}."""
    units = HandlingUnit.objects.in_bulk(unit_ids)
    members: dict[int, list] = {}
    for user in User.objects.filter(unit_id__in=unit_ids, is_active=True, role__in=UNIT_WORKERS):
        members.setdefault(user.unit_id, []).append(user)
    return {unit: Recipients(phones=[unit.phone] if unit.phone else [], emails=[unit.email] if unit.email else [],
                             users=members.get(unit.pk, [])) for unit in units.values()}


def unit_recipients(unit) -> Recipients:
    """A unit's duty phone and e-mail, and its active handlers' inboxes."""
    members = list(unit.members.filter(is_active=True, role__in=UNIT_WORKERS)) if unit is not None else []
    return Recipients(phones=[unit.phone] if unit is not None and unit.phone else [],
                      emails=[unit.email] if unit is not None and unit.email else [], users=members)


def unreachable_units(queryset=None):
    """Active units no message can reach: no e-mail address and no duty mobile (a landline cannot take an
    SMS). An inbox is read only when someone logs in, so members alone do not make a unit reachable."""
    queryset = HandlingUnit.objects.filter(is_active=True) if queryset is None else queryset
    return queryset.filter(UNREACHABLE).order_by("kind", "code")
