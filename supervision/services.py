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
from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lib.errors import ConflictError, DomainError
from org.calendar import get_calendar
from notifications.messaging import message_send, message_send_many, unit_recipients, units_recipients
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


def open_cases_on(*, targets, kind: str) -> bool:
    """Whether any of `targets` (objects of one model) has an open case of `kind`."""
    targets = list(targets)
    if not targets:
        return False
    content_type = ContentType.objects.get_for_model(targets[0])
    return SupervisionCase.objects.filter(content_type=content_type, object_id__in=[t.pk for t in targets],
                                          kind=kind, status=CaseStatus.OPEN).exists()


def _default_notice(case: SupervisionCase, note: str) -> str:
    # Stored as the notice and sent to the unit: in the units' language (the site's), whatever the language of
    # the supervisor's page that opened the case.
    with translation.override(settings.LANGUAGE_CODE):
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
    with transaction.atomic():
        # The case locked: two clicks on "Send" (or two supervisors) cannot both send the same notice.
        case = SupervisionCase.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.OPEN:
            raise DomainError(_("The case is closed."))
        if case.notices.filter(text=text.strip(), replied_at__isnull=True).exists():
            raise ConflictError(_("This notice was already sent and awaits the unit's reply."))
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


def cases_open_many(*, model, items: list[dict], kind: str, now: dt.datetime | None = None,
                    level: int = Level.HOTLINE, notify: bool = True) -> list[SupervisionCase]:
    """Open many cases at once (a sweep that found thousands overdue), set-based: one bulk insert of the
    cases, one INSERT ... SELECT of their history and one of their notices, whatever the number. Each item
    gives object_id, reference, title, unit_id, area_id and link. Targets that already have an open case of
    this kind are skipped (the partial unique constraint decides, so two sweeps at once cannot open a case twice).

    Returns the cases this call opened, and only those get an event and a notice: a sweep that calls it
    once per batch with the same `now` writes each case, event and notice exactly once. With notify=False
    the caller tells the units itself, once for all its batches (`notify_units_opened`). A sweep that must
    not hold every case in memory calls `cases_open_batch` and `notify_units_opened_at` instead."""
    if not items:
        return []
    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(model)
    with transaction.atomic():
        cases_open_batch(model=model, items=items, kind=kind, now=now, level=level)
        opened = list(SupervisionCase.objects.filter(
            content_type=content_type, kind=kind, opened_at=now, status=CaseStatus.OPEN,
            object_id__in=[item["object_id"] for item in items]).select_related("unit"))
        if notify:
            notify_units_opened(opened, kind, now)
    return opened


def cases_open_batch(*, model, items: list[dict], kind: str, now: dt.datetime, level: int = Level.HOTLINE) -> int:
    """The set-based core of `cases_open_many` for one batch: the cases (bulk, conflicts skipped), then the
    OPENED event and the notice of each case opened at `now` that has none yet, each one INSERT ... SELECT.
    Holds nothing but this batch's items; returns how many cases it opened."""
    if not items:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    escalate_at = get_calendar().deadline_from(now, _escalation_days())
    ids = [item["object_id"] for item in items]
    with transaction.atomic():
        SupervisionCase.objects.bulk_create(
            [SupervisionCase(content_type=content_type, kind=kind, level=level, opened_at=now, escalate_at=escalate_at,
                             **{k: item.get(k) for k in ("object_id", "reference", "unit_id", "area_id")},
                             title=(item.get("title") or "")[:200], link=item.get("link", "")) for item in items],
            ignore_conflicts=True, batch_size=5000,
        )
        return _history_for_opened(content_type, kind, now, ids, level)


# The columns a SELECT given to `cases_open_select` yields, in this order.
SELECT_COLUMNS = ("object_id", "reference", "title", "unit_id", "area_id", "link")


def _case_columns(model, kind: str, now: dt.datetime, level: int) -> tuple[list[str], list]:
    """The case table's columns for an INSERT ... SELECT whose SELECT yields SELECT_COLUMNS first, and the
    parameters of the rest: this call's constants (content type, kind, level, opened and escalation times) and
    the model's defaults, in the columns' order."""
    constants = {"content_type": ContentType.objects.get_for_model(model).pk, "kind": kind, "level": level,
                 "opened_at": now, "escalate_at": get_calendar().deadline_from(now, _escalation_days())}
    quote = connection.ops.quote_name
    fields = {f.attname: f for f in SupervisionCase._meta.concrete_fields if not f.primary_key}
    columns = [quote(fields[name].column) for name in SELECT_COLUMNS]
    params = []
    for attname, field in fields.items():
        if attname in SELECT_COLUMNS:
            continue
        name = attname.removesuffix("_id")
        columns.append(quote(field.column))
        params.append(field.get_db_prep_save(constants[name] if name in constants else field.get_default(), connection))
    return columns, params


def cases_open_select(*, model, select: tuple[str, list], object_ids: list[int], kind: str, now: dt.datetime,
                      level: int = Level.HOTLINE) -> int:
    """`cases_open_batch` for targets described by a SQL SELECT (its columns: SELECT_COLUMNS, the title at most
    200 characters) over `object_ids`: the cases are written by one INSERT ... SELECT in the database (a sweep
    flagging 70,000 spent a third of its time building case objects for bulk_create: issue 20), then their
    OPENED event and notice as in `cases_open_batch`. Returns how many cases it opened."""
    if not object_ids:
        return 0
    columns, params = _case_columns(model, kind, now, level)
    sql, select_params = select
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The SELECT's columns come first, in SELECT_COLUMNS' order (s.*), then this call's constants and the
            # model's defaults. ON CONFLICT DO NOTHING: a target with an open case of this kind keeps it.
            cursor.execute(
                f"INSERT INTO {connection.ops.quote_name(SupervisionCase._meta.db_table)} ({', '.join(columns)}) "
                f"SELECT s.*, {', '.join(['%s'] * len(params))} FROM ({sql}) AS s "
                f"WHERE true ON CONFLICT DO NOTHING",  # WHERE: SQLite's parser needs one before an upsert
                [*params, *select_params])  # in the order of their placeholders: the constants come first
        return _history_for_opened(ContentType.objects.get_for_model(model), kind, now, object_ids, level)


CLAIMED = "claimed"  # the name, inside cases_open_claiming's statement, of the rows its `claim` returned


def cases_open_claiming(*, model, claim: tuple[str, list], select: tuple[str, list], kind: str, now: dt.datetime,
                        level: int = Level.HOTLINE) -> tuple[int, int]:
    """PostgreSQL: claim targets and open their cases in one statement. `claim` is a data-modifying statement
    (an UPDATE ... RETURNING the ids of the batch of targets it flags), named CLAIMED inside the statement;
    `select` yields SELECT_COLUMNS for those targets (it reads its ids from CLAIMED), as `cases_open_select`'s
    does. Each target gets its case, and each case this statement opened its OPENED event and its notice, all in
    one WITH ... INSERT: no id list travels to Python and back, and nothing is looked up twice (a sweep flagging
    70,000 spent most of its time on those round trips and the NOT EXISTS re-checks: issue 20). A target that
    already has an open case of this kind keeps it and gets no second event or notice (ON CONFLICT DO NOTHING
    returns only the rows it wrote). Returns (rows claimed, cases opened)."""
    columns, params = _case_columns(model, kind, now, level)
    claim_sql, claim_params = claim
    select_sql, select_params = select
    quote = connection.ops.quote_name
    event, notice, case = (quote(m._meta.db_table) for m in (CaseEvent, SupervisionNotice, SupervisionCase))
    moment, reply_due = (connection.ops.adapt_datetimefield_value(v)
                         for v in (now, get_calendar().deadline_from(now, _reply_days())))
    with connection.cursor() as cursor:  # one statement: atomic by itself
        cursor.execute(
            f"WITH {CLAIMED} AS ({claim_sql}), "
            f"opened AS (INSERT INTO {case} ({', '.join(columns)}) "
            f"SELECT s.*, {', '.join(['%s'] * len(params))} FROM ({select_sql}) AS s "
            f"ON CONFLICT DO NOTHING RETURNING id, level), "
            f"events AS (INSERT INTO {event} (case_id, at, kind, level, note, actor_id) "
            f"SELECT id, %s, %s, level, '', NULL FROM opened), "
            f"notices AS (INSERT INTO {notice} (case_id, level, text, sent_at, sent_by_id, reply_due_at, reply) "
            f"SELECT id, level, %s, %s, NULL, %s, '' FROM opened) "
            f"SELECT (SELECT count(*) FROM {CLAIMED}), (SELECT count(*) FROM opened)",
            [*claim_params, *params, *select_params, moment, CaseEvent.Kind.OPENED, _bulk_notice(kind, level),
             moment, reply_due])
        claimed, opened = cursor.fetchone()
    return claimed, opened


def _history_for_opened(content_type, kind: str, now: dt.datetime, ids: list[int], level: int) -> int:
    """The OPENED event and the notice of each case of `kind` opened at `now` on `ids` that has none yet (each
    one INSERT ... SELECT; a second call with the same batch adds nothing). Returns how many events it wrote."""
    reply_due_at = get_calendar().deadline_from(now, _reply_days())
    # This call's cases: opened now, of this kind, on these targets (an older open case has another time),
    # and not yet given their history (a second call with the same batch adds nothing).
    opened = SupervisionCase.objects.filter(content_type=content_type, kind=kind, opened_at=now,
                                            status=CaseStatus.OPEN, object_id__in=ids)
    case_sql, case_params = opened.order_by().values("pk").query.sql_with_params()
    event, notice, case = (m._meta.db_table for m in (CaseEvent, SupervisionNotice, SupervisionCase))
    moment, reply_due = (connection.ops.adapt_datetimefield_value(v) for v in (now, reply_due_at))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {event} (case_id, at, kind, level, note, actor_id) "
            f"SELECT c.id, %s, %s, c.level, '', NULL FROM {case} c WHERE c.id IN ({case_sql}) "
            f"AND NOT EXISTS (SELECT 1 FROM {event} e WHERE e.case_id = c.id AND e.kind = %s)",
            [moment, CaseEvent.Kind.OPENED, *case_params, CaseEvent.Kind.OPENED])
        created = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {notice} (case_id, level, text, sent_at, sent_by_id, reply_due_at, reply) "
            f"SELECT c.id, c.level, %s, %s, NULL, %s, '' FROM {case} c WHERE c.id IN ({case_sql}) "
            f"AND NOT EXISTS (SELECT 1 FROM {notice} n WHERE n.case_id = c.id)",
            [_bulk_notice(kind, level), moment, reply_due, *case_params])
    return created


def notify_units_opened_at(*, model, kind: str, now: dt.datetime, listed: int = 20) -> dict[int, int]:
    """One digest per unit for every case of `kind` opened at `now` (all the batches of one sweep), with the
    exact count and the first references: one GROUP BY, one query for the references, one for the units'
    members, and the messages in bulk. Returns {unit_id: count}."""
    content_type = ContentType.objects.get_for_model(model)
    opened = SupervisionCase.objects.filter(content_type=content_type, kind=kind, opened_at=now,
                                            unit__isnull=False)
    counts = dict(opened.values("unit_id").annotate(n=Count("pk")).order_by().values_list("unit_id", "n"))
    if not counts:
        return {}
    ranked = (opened.annotate(rank=Window(RowNumber(), partition_by=[F("unit_id")], order_by=F("pk").asc()))
              .filter(rank__lte=listed).order_by("unit_id", "rank").values_list("unit_id", "reference"))
    first: dict[int, list[str]] = {}
    for unit_id, reference in ranked:  # `listed` a unit at most, filtered in the database
        first.setdefault(unit_id, []).append(reference)
    label = CaseKind(kind).label
    sends = []
    for unit, recipients in units_recipients(list(counts)).items():
        references = first.get(unit.pk, [])
        count = counts[unit.pk]
        with translation.override(settings.LANGUAGE_CODE):  # the units' language, whoever opened the cases
            subject = _("%(count)s petitions entered the supervision pool: %(kind)s") % {"count": count,
                                                                                           "kind": label}
        numbers = "、".join(references) + ("…" if count > len(references) else "")
        sends.append({"key": f"pool:{kind}:{unit.pk}:{now.isoformat()}", "to": recipients,
                      "context": {"summary": subject, "numbers": numbers}})
    message_send_many(code="unit.deadline_digest", sends=sends)
    return counts


def _bulk_notice(kind: str, level: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):  # the units' language, as _default_notice
        return _("%(sender)s supervision notice: %(kind)s. Reply with the measures taken and the result by the "
                 "deadline.") % {"sender": LEVEL_SENDERS[level], "kind": CaseKind(kind).label}


def notify_units_opened(cases: list[SupervisionCase], kind: str, now: dt.datetime) -> None:
    """One message per unit for a batch, not one per case: a unit with forty
    overdue petitions gets one SMS listing them, not forty (written in bulk)."""
    by_unit: dict = {}
    for case in cases:
        if case.unit_id is not None:
            by_unit.setdefault(case.unit_id, []).append(case.reference)
    sends = []
    for unit, recipients in units_recipients(list(by_unit)).items():
        references = by_unit[unit.pk]
        with translation.override(settings.LANGUAGE_CODE):  # the units' language, whoever opened the cases
            subject = _("%(count)s petitions entered the supervision pool: %(kind)s") % {
                "count": len(references), "kind": CaseKind(kind).label}
        numbers = "、".join(references[:20]) + ("…" if len(references) > 20 else "")
        sends.append({"key": f"pool:{kind}:{unit.pk}:{now.isoformat()}", "to": recipients,
                      "context": {"summary": subject, "numbers": numbers}})
    message_send_many(code="unit.deadline_digest", sends=sends)
