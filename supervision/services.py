"""Opening, noticing, escalating and closing supervision cases.

Timers are columns: `SupervisionCase.escalate_at` and
`SupervisionNotice.reply_due_at`, swept by `sweep_escalations` from Celery
beat. Every change is a conditional UPDATE on the state the sweep saw, so two
beats or two workers running at once cannot escalate a case twice.
"""
from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lib.errors import ConflictError, DomainError
from org.calendar import get_calendar
from notifications.messaging import message_send, unit_recipients
from supervision.models import CaseEvent, CaseKind, CaseStatus, Level, SupervisionCase, SupervisionNotice

logger = logging.getLogger(__name__)

LEVEL_SENDERS = {
    Level.HOTLINE: "12345",
    Level.INSPECTION: "督查室",
    Level.DISCIPLINE: "纪检监察",
}


def _escalation_days() -> int:
    return getattr(settings, "PORTAL_ESCALATION_WORKDAYS", 3)


def _reply_days() -> int:
    return getattr(settings, "PORTAL_NOTICE_REPLY_WORKDAYS", 2)


def _record(case, kind, *, at, actor=None, note="") -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, at=at, level=case.level, note=note,
                                    actor=actor if getattr(actor, "pk", None) else None)


def _notify_unit(case: SupervisionCase, notice: SupervisionNotice) -> None:
    """Tell the unit by e-mail, SMS and its members' inboxes, through the outbox (sent after commit, once)."""
    unit = case.unit
    if unit is None:
        return
    message_send(code="unit.supervision_notice", key=str(notice.pk), to=unit_recipients(unit), link=case.link,
                 context={"sender": LEVEL_SENDERS[case.level], "reference": case.reference, "text": notice.text,
                          "reply_due": timezone.localtime(notice.reply_due_at).strftime("%Y-%m-%d %H:%M")
                          if notice.reply_due_at else ""})


def case_open(*, target, kind: str, reference: str, title: str, unit=None, area=None, link: str = "",
              note: str = "", actor=None, now: dt.datetime | None = None,
              level: int = Level.HOTLINE) -> tuple[SupervisionCase, bool]:
    """Open a case on `target`, or return the open one of the same kind.
    A notice goes to the unit at once, with its reply deadline."""
    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(target)
    existing = SupervisionCase.objects.filter(content_type=content_type, object_id=target.pk, kind=kind,
                                              status=CaseStatus.OPEN).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            case = SupervisionCase.objects.create(
                content_type=content_type, object_id=target.pk, kind=kind, reference=reference, title=title[:200],
                unit=unit, area=area, link=link, opened_at=now, level=level,
                escalate_at=get_calendar().deadline_from(now, _escalation_days()),
            )
            _record(case, CaseEvent.Kind.OPENED, at=now, actor=actor, note=note)
            notice_send(case=case, actor=actor, text=_default_notice(case, note), now=now)
    except IntegrityError:
        # Another sweep opened it a moment ago (the partial unique constraint decided).
        return SupervisionCase.objects.get(content_type=content_type, object_id=target.pk, kind=kind,
                                           status=CaseStatus.OPEN), False
    return case, True


def _default_notice(case: SupervisionCase, note: str) -> str:
    text = _("%(sender)s supervision notice on %(reference)s (%(title)s): %(kind)s. Reply with the measures "
             "taken and the result by the deadline.") % {
        "sender": LEVEL_SENDERS[case.level], "reference": case.reference, "title": case.title,
        "kind": CaseKind(case.kind).label,
    }
    return f"{text} {note}".strip()


def notice_send(*, case: SupervisionCase, actor, text: str, reply_days: int | None = None,
                now: dt.datetime | None = None) -> SupervisionNotice:
    if not text.strip():
        raise DomainError(_("Write the notice."), field="text")
    now = now or timezone.now()
    reply_days = reply_days if reply_days is not None else _reply_days()
    if not 1 <= reply_days <= 20:
        raise DomainError(_("Give the unit 1 to 20 working days to reply."), field="reply_days")
    if case.status != CaseStatus.OPEN:
        raise DomainError(_("The case is closed."))
    notice = SupervisionNotice.objects.create(
        case=case, level=case.level, text=text.strip(), sent_at=now,
        sent_by=actor if getattr(actor, "pk", None) else None,
        reply_due_at=get_calendar().deadline_from(now, reply_days),
    )
    _record(case, CaseEvent.Kind.NOTICE, at=now, actor=actor, note=text.strip())
    _notify_unit(case, notice)
    return notice


def notice_reply(*, notice: SupervisionNotice, actor, text: str) -> SupervisionNotice:
    if len(text.strip()) < 10:
        raise DomainError(_("Say what was done (at least 10 characters)."), field="text")
    if notice.case.unit_id is not None and not actor.is_superuser and actor.unit_id != notice.case.unit_id:
        raise DomainError(_("This notice is not addressed to your unit."), code="not_your_unit")
    now = timezone.now()
    with transaction.atomic():
        updated = SupervisionNotice.objects.filter(pk=notice.pk, replied_at__isnull=True).update(
            replied_at=now, reply=text.strip(), replied_by=actor)
        if not updated:
            raise ConflictError(_("This notice was already answered."))
        _record(notice.case, CaseEvent.Kind.REPLIED, at=now, actor=actor, note=text.strip())
    notice.refresh_from_db()
    return notice


def case_escalate(*, case: SupervisionCase, actor=None, reason: str = "", now: dt.datetime | None = None) -> bool:
    """Move an open case up one level, once: returns False if someone else just did,
    or it is already at the top level (then its timer is cleared)."""
    now = now or timezone.now()
    seen_level = case.level
    with transaction.atomic():
        if seen_level >= Level.DISCIPLINE:
            SupervisionCase.objects.filter(pk=case.pk, level=seen_level).update(escalate_at=None)
            return False
        updated = SupervisionCase.objects.filter(pk=case.pk, status=CaseStatus.OPEN, level=seen_level).update(
            level=seen_level + 1,
            escalate_at=get_calendar().deadline_from(now, _escalation_days()) if seen_level + 1 < Level.DISCIPLINE else None,
        )
        if not updated:
            return False  # another worker got there first, or it was closed
        case.refresh_from_db()
        _record(case, CaseEvent.Kind.ESCALATED, at=now, actor=actor, note=reason)
        notice_send(case=case, actor=actor, text=_default_notice(case, reason), now=now)
    return True


def case_close(*, case: SupervisionCase, actor=None, note: str = "") -> bool:
    now = timezone.now()
    with transaction.atomic():
        updated = SupervisionCase.objects.filter(pk=case.pk, status=CaseStatus.OPEN).update(
            status=CaseStatus.CLOSED, closed_at=now, close_note=note, escalate_at=None)
        if updated:
            case.refresh_from_db()
            _record(case, CaseEvent.Kind.CLOSED, at=now, actor=actor, note=note)
    return bool(updated)


def cases_close_for(*, target, kinds=None, note: str = "") -> int:
    """Close the open cases on a target (its unit answered, the request was decided)."""
    cases = SupervisionCase.objects.filter(content_type=ContentType.objects.get_for_model(target),
                                           object_id=target.pk, status=CaseStatus.OPEN)
    if kinds:
        cases = cases.filter(kind__in=kinds)
    return sum(case_close(case=case, note=note) for case in cases)


def sweep_escalations(*, now: dt.datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Escalate open cases whose timer ran out and notices whose reply is late.
    Reads only due rows through the partial indexes; idempotent."""
    now = now or timezone.now()
    escalated = late = 0
    for notice in (SupervisionNotice.objects.filter(replied_at__isnull=True, reply_overdue_at__isnull=True,
                                                    reply_due_at__lte=now)
                   .select_related("case").order_by("reply_due_at")[:batch]):
        claimed = SupervisionNotice.objects.filter(pk=notice.pk, reply_overdue_at__isnull=True,
                                                   replied_at__isnull=True).update(reply_overdue_at=now)
        if not claimed:
            continue  # another sweep got there first
        late += 1
        _record(notice.case, CaseEvent.Kind.REPLY_OVERDUE, at=now)
        if notice.case.status == CaseStatus.OPEN and notice.level == notice.case.level:
            escalated += case_escalate(case=notice.case, reason=_("The unit did not reply to the notice in time."),
                                       now=now)
    for case in SupervisionCase.objects.filter(status=CaseStatus.OPEN, escalate_at__lte=now).order_by("escalate_at")[:batch]:
        try:
            escalated += case_escalate(case=case, reason=_("Still unresolved after the escalation period."), now=now)
        except Exception:  # one bad row must not stop the sweep: push its timer forward
            logger.exception("escalating case %s failed", case.pk)
            SupervisionCase.objects.filter(pk=case.pk).update(escalate_at=now + dt.timedelta(hours=1))
    return {"escalated": escalated, "late_replies": late}


def cases_open_many(*, model, items: list[dict] | None = None, kind: str, now: dt.datetime | None = None,
                    level: int = Level.HOTLINE, insert_sql: str | None = None, insert_params=()) -> int:
    """Open many cases at once (a sweep that found thousands overdue) in a few
    set-based statements instead of a dozen queries per case. Each item gives
    object_id, reference, title, unit_id, area_id and link. Targets that
    already have an open case of this kind are skipped (the partial unique
    constraint decides, so two sweeps at once cannot open a case twice).
    Returns the number of cases opened. A caller that can select the case rows
    from its own tables passes `insert_sql` (see case_insert_sql) instead of items.
    """
    if not items and insert_sql is None:
        return 0
    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(model)
    calendar = get_calendar()
    escalate_at = calendar.deadline_from(now, _escalation_days())
    with transaction.atomic():
        if insert_sql is not None:
            # The caller's INSERT ... SELECT writes the case rows straight from its own tables.
            with connection.cursor() as cursor:
                cursor.execute(insert_sql, insert_params)
        else:
            SupervisionCase.objects.bulk_create(
                [SupervisionCase(content_type=content_type, kind=kind, level=level, opened_at=now, escalate_at=escalate_at,
                                 **{k: item.get(k) for k in ("object_id", "reference", "title", "unit_id", "area_id")},
                                 link=item.get("link", "")) for item in items],
                ignore_conflicts=True, batch_size=2000,
            )
        # The cases this call created carry its timestamp; history and notices for
        # them in two INSERT ... SELECT statements (plain SQL both databases run).
        stamp = connection.ops.adapt_datetimefield_value(now)  # as the ORM stores it, on either database
        params = [content_type.pk, kind, stamp]
        opened_where = "content_type_id = %s AND kind = %s AND opened_at = %s AND status = 'open'"
        event_table, case_table = CaseEvent._meta.db_table, SupervisionCase._meta.db_table
        notice_table = SupervisionNotice._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {event_table} (case_id, at, kind, level, note) "
                f"SELECT id, %s, %s, level, '' FROM {case_table} WHERE {opened_where}",
                [stamp, CaseEvent.Kind.OPENED, *params])
            cursor.execute(
                f"INSERT INTO {notice_table} (case_id, level, text, sent_at, reply_due_at, reply) "
                f"SELECT id, level, %s, %s, %s, '' FROM {case_table} WHERE {opened_where}",
                [_bulk_notice(kind, level), stamp,
                 connection.ops.adapt_datetimefield_value(calendar.deadline_from(now, _reply_days())), *params])
            opened = cursor.rowcount
        cases = SupervisionCase.objects.filter(content_type=content_type, kind=kind, opened_at=now).select_related("unit")
        _notify_units_summary(list(cases.only("reference", "unit")), kind, now)
    return opened


def _bulk_notice(kind: str, level: int) -> str:
    return _("%(sender)s supervision notice: %(kind)s. Reply with the measures taken and the result by the "
             "deadline.") % {"sender": LEVEL_SENDERS[level], "kind": CaseKind(kind).label}


def _notify_units_summary(cases: list[SupervisionCase], kind: str, now: dt.datetime) -> None:
    """One message per unit for a batch, not one per case: a unit with forty
    overdue petitions gets one SMS listing them, not forty."""
    by_unit: dict = {}
    for case in cases:
        if case.unit is not None:
            by_unit.setdefault(case.unit, []).append(case.reference)
    for unit, references in by_unit.items():
        subject = _("%(count)s petitions entered the supervision pool: %(kind)s") % {
            "count": len(references), "kind": CaseKind(kind).label}
        numbers = "、".join(references[:20]) + ("…" if len(references) > 20 else "")
        message_send(code="unit.deadline_digest", key=f"pool:{kind}:{unit.pk}:{now.isoformat()}",
                     to=unit_recipients(unit), context={"summary": subject, "numbers": numbers})


def case_insert_sql(*, select_from: str) -> str:
    """INSERT ... SELECT for the case table; `select_from` yields, in order: object_id,
    reference, title, unit_id, area_id, link; the first five parameters are content
    type, kind, level, opened_at, escalate_at. A target with an open case of the same
    kind is skipped (ON CONFLICT on the partial unique index)."""
    table = SupervisionCase._meta.db_table
    return (f"INSERT INTO {table} (content_type_id, kind, level, status, opened_at, escalate_at, close_note, "
            f"object_id, reference, title, unit_id, area_id, link) "
            f"SELECT %s, %s, %s, 'open', %s, %s, '', src.* FROM ({select_from}) AS src WHERE true "
            f"ON CONFLICT DO NOTHING")


def case_insert_params(*, model, kind: str, now: dt.datetime, level: int = Level.HOTLINE) -> list:
    return [ContentType.objects.get_for_model(model).pk, kind, level, connection.ops.adapt_datetimefield_value(now),
            connection.ops.adapt_datetimefield_value(get_calendar().deadline_from(now, _escalation_days()))]
