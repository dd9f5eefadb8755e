"""The beat's sweeps that keep every assignment on its clock (DOMAIN.md sections
5-6), the reminders and digests, the monthly look-back, and recomputing open
deadlines when the calendar changes. (Named apart from the `supervision` app,
whose pool these sweeps feed.)

Each sweep reads only what became due, through the partial indexes on
Assignment (warn_at, handle_due_at, sign_due_at), and claims rows with a
conditional UPDATE: the WHERE clause repeats the state the sweep looked for,
so a row is flagged once however many workers or beats run. On PostgreSQL
the candidate rows are also locked with SKIP LOCKED, so two sweeps share the
work instead of queueing behind each other.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Concat, Substr
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dispatch import handling, messages, recompute
from dispatch.models import Assignment, AssignmentStatus, Consultation, LookbackSample, Role, WarningLevel
from lib.errors import ConflictError, DomainError
from notifications.messaging import message_send, unit_recipients
from org.calendar import get_calendar
from org.models import HandlingUnit
from petitions import privacy
from petitions import services as petition_services
from petitions.messages import tell_citizen
from petitions.models import Petition, Status
from supervision import services as supervision
from supervision.models import CaseKind, Level

OPEN = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED)
SIGN_REMINDER_BEFORE = dt.timedelta(hours=2)
CALLBACK_REMINDER_AFTER = dt.timedelta(days=1)


def _claim(candidates, condition: Q, batch: int, **changes) -> list[int]:
    """Lock up to `batch` candidate ids and flag them; returns the ids flagged.

    On PostgreSQL the SELECT ... FOR UPDATE SKIP LOCKED holds the rows until the
    UPDATE (rows another sweep holds are skipped, rows it already flagged no
    longer match), so the ids selected are exactly the ids flagged. SQLite has
    no row locks, but its write transactions are serial (transaction_mode
    IMMEDIATE in settings), which gives the same guarantee.
    """
    with transaction.atomic():
        query = candidates.order_by().values_list("pk", flat=True)
        if settings.IS_POSTGRES:
            query = query.select_for_update(skip_locked=True)
        ids = list(query[:batch])
        if ids:
            Assignment.objects.filter(condition, pk__in=ids).update(**changes)
        return ids


def sweep_deadlines(*, now: dt.datetime | None = None, batch: int = 10000) -> dict[str, int]:
    """Yellow at 75% of the time, red when overdue (into the supervision pool),
    and a chase when the sign-for deadline passes. Idempotent."""
    now = now or timezone.now()
    counts = {"yellow": 0, "red": 0, "sign_overdue": 0}

    # Each unit is told once per sweep, with the exact count, however many batches the sweep took.
    yellow = Q(warning=WarningLevel.NONE, status__in=OPEN, paused_at__isnull=True, warn_at__lte=now, handle_due_at__gt=now)
    flagged: list[int] = []
    while ids := _claim(Assignment.objects.filter(yellow), yellow, batch, warning=WarningLevel.YELLOW):
        counts["yellow"] += len(ids)
        flagged += ids
    if flagged:
        _notify(flagged, "yellow", now)

    red = Q(status__in=OPEN, paused_at__isnull=True, handle_due_at__lte=now) & ~Q(warning=WarningLevel.RED)
    # Batch by batch, holding one batch's ids at a time (peak memory flat in the backlog); each unit is then
    # told once, with the exact count, from the cases themselves (one GROUP BY), however many batches it took.
    opened = 0
    if settings.IS_POSTGRES:  # each batch one statement: flag, open the cases, their events and notices
        counts["red"], opened = _flag_overdue_all(red, now, batch)
    else:
        while ids := _claim(Assignment.objects.filter(red), red, batch, warning=WarningLevel.RED, overdue_at=now):
            counts["red"] += len(ids)
            opened += _into_pool(ids, now)
            del ids
    if opened:
        supervision.notify_units_opened_at(model=Assignment, kind=CaseKind.OVERDUE, now=now)

    # Two hours before the sign-for limit, one reminder per assignment (through the sign-for index).
    soon = Q(status=AssignmentStatus.PENDING, sign_overdue_at__isnull=True, sign_reminded_at__isnull=True,
             sign_due_at__gt=now, sign_due_at__lte=now + SIGN_REMINDER_BEFORE)
    counts["sign_reminded"] = 0
    while ids := _claim(Assignment.objects.filter(soon), soon, batch, sign_reminded_at=now):
        counts["sign_reminded"] += len(ids)
        for assignment in Assignment.objects.filter(pk__in=ids).select_related("petition", "unit"):
            messages.sign_reminder(assignment)

    late_sign = Q(status=AssignmentStatus.PENDING, sign_overdue_at__isnull=True, sign_due_at__lte=now)
    late: list[int] = []
    while ids := _claim(Assignment.objects.filter(late_sign), late_sign, batch, sign_overdue_at=now):
        counts["sign_overdue"] += len(ids)
        late += ids
    if late:
        _notify(late, "sign", now)
    return counts


def _rows(ids: list[int]):
    return (Assignment.objects.filter(pk__in=ids)
            .values("pk", "unit_id", "unit__email", "unit__phone", "petition__number", "petition__title",
                    "petition__area_id", "handle_due_at"))


def _notify(ids: list[int], what: str, now: dt.datetime) -> None:
    by_unit: dict = {}
    for row in _rows(ids):
        by_unit.setdefault(row["unit_id"], []).append(row["petition__number"])
    units = {u.pk: u for u in HandlingUnit.objects.filter(pk__in=list(by_unit))}
    for unit_id, numbers in by_unit.items():
        with translation.override(settings.LANGUAGE_CODE):  # the units' language, whatever runs the sweep
            if what == "yellow":
                subject = _("%(count)s petitions have used 75%% of their time") % {"count": len(numbers)}
            else:
                subject = _("%(count)s petitions were not signed for in time") % {"count": len(numbers)}
        listed = "、".join(numbers[:20]) + ("…" if len(numbers) > 20 else "")
        digest = hashlib.sha1(",".join(sorted(numbers)).encode()).hexdigest()[:16]
        message_send(code="unit.deadline_digest", key=f"deadline:{what}:{unit_id}:{digest}",
                     to=unit_recipients(units[unit_id]), context={"summary": subject, "numbers": listed},
                     link="/dispatch/")


def _flag_overdue_all(red: Q, now: dt.datetime, batch: int) -> tuple[int, int]:
    """PostgreSQL: flag every overdue assignment, batch by batch (`_flag_overdue`). When the first batch comes
    back full, PORTAL_SWEEP_WORKERS connections take the rest at once: the database does a batch's work while
    Python waits, so one connection keeps one core busy, and SKIP LOCKED hands each connection rows no other
    holds, so each row is still flagged once (issue 20). An idle sweep, or one inside a transaction (a caller's
    atomic block, a test: other connections could not see its rows), stays on its own connection. Returns
    (flagged, opened)."""
    def drain() -> tuple[int, int]:
        flagged = opened = 0
        while claimed := _flag_overdue(red, now, batch):
            flagged, opened = flagged + claimed[0], opened + claimed[1]
        return flagged, opened

    def in_thread() -> tuple[int, int]:
        try:
            return drain()
        finally:
            connection.close()  # this thread's own connection

    first = _flag_overdue(red, now, batch) or (0, 0)
    workers = 1 if connection.in_atomic_block else settings.PORTAL_SWEEP_WORKERS
    results = [first]
    if first[0] < batch:  # a short batch: nothing was left (or another sweep holds the rest)
        pass
    elif workers == 1:
        results.append(drain())
    else:
        with ThreadPoolExecutor(max_workers=workers - 1) as pool:
            others = [pool.submit(in_thread) for _ in range(workers - 1)]
            results += [drain(), *(other.result() for other in others)]
    return sum(r[0] for r in results), sum(r[1] for r in results)


def _flag_overdue(red: Q, now: dt.datetime, batch: int) -> tuple[int, int] | None:
    """PostgreSQL: flag up to `batch` overdue assignments red and open their supervision cases, in one statement
    (`supervision.services.cases_open_claiming`): the rows are picked with FOR UPDATE SKIP LOCKED, as `_claim`
    does, flagged by an UPDATE ... RETURNING their ids, and their cases written from `_pool_rows` over exactly
    those ids. Returns (flagged, opened), or None when nothing was left to flag."""
    table = connection.ops.quote_name(Assignment._meta.db_table)
    with transaction.atomic():
        pick, pick_params = (Assignment.objects.filter(red).order_by().values("pk")
                             .select_for_update(skip_locked=True)[:batch].query.sql_with_params())
        # The picked rows are locked by this statement (a row another sweep holds is skipped; one it flagged
        # meanwhile is re-checked against `red` under the lock and dropped), so each is flagged once.
        # = ANY(ARRAY(...)): the batch's ids are picked first, then each row is reached through the primary key
        # (a join let the planner hash the whole table for every batch).
        claim = (f"UPDATE {table} a SET warning = %s, overdue_at = %s WHERE a.id = ANY(ARRAY({pick})) "
                 f"RETURNING a.id", [WarningLevel.RED, now, *pick_params])
        flagged, opened = supervision.cases_open_claiming(
            model=Assignment, kind=CaseKind.OVERDUE, now=now, claim=claim,
            select=_pool_rows(RawSQL(f"SELECT id FROM {supervision.CLAIMED}", [])))
    return (flagged, opened) if flagged else None


def _into_pool(ids: list[int], now: dt.datetime) -> int:
    """Open the overdue cases of these assignments in the supervision pool (set-based, one batch): how many.
    The cases are written from a SELECT over the assignments, in the database (no case object in Python)."""
    return supervision.cases_open_select(model=Assignment, kind=CaseKind.OVERDUE, now=now, object_ids=ids,
                                         select=_pool_rows(ids))


def _pool_rows(ids) -> tuple[str, list]:
    """The SQL of the pool's columns for the assignments `ids` (a list, or a subquery of ids), in
    supervision.services.SELECT_COLUMNS' order: both ways into the pool (`_into_pool`, `_flag_overdue`) write
    their cases from it. A confidential title may name the complainant: the number instead."""
    title = Case(When(petition__confidential=True, then=F("petition__number")),
                 default=Substr("petition__title", 1, 200))
    link = Concat(Value("/dispatch/supervision/assignment/"), Cast("pk", output_field=CharField()), Value("/"),
                  output_field=CharField())
    # Annotations only, in SELECT_COLUMNS' order: the SELECT's columns are in that order.
    rows = (Assignment.objects.filter(pk__in=ids).order_by()
            .annotate(c_object=F("pk"), c_reference=F("petition__number"), c_title=title, c_unit=F("unit_id"),
                      c_area=F("petition__area_id"), c_link=link)
            .values_list("c_object", "c_reference", "c_title", "c_unit", "c_area", "c_link"))
    return rows.query.sql_with_params()



# --- look-back (回头看) --------------------------------------------------------------------------------------

def lookback_draw(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """Sample the petitions closed in `month` for re-checking. The draw is
    seeded by the month, so a second run (or a second beat) draws the same
    sample and adds nothing. Returns the number of new samples."""
    now = now or timezone.now()
    first = month.replace(day=1)
    after = (first + dt.timedelta(days=32)).replace(day=1)
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(after, dt.time.min, tzinfo=tz)
    closed = list(Petition.objects.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
                  .order_by("pk").values_list("pk", flat=True))
    if not closed:
        return 0
    size = min(settings.PORTAL_LOOKBACK_MAX, math.ceil(len(closed) * settings.PORTAL_LOOKBACK_RATE_PERCENT / 100))
    chosen = random.Random(f"lookback-{first.isoformat()}").sample(closed, size)
    before = LookbackSample.objects.filter(month=first).count()
    LookbackSample.objects.bulk_create([LookbackSample(month=first, petition_id=pk, drawn_at=now) for pk in chosen],
                                       ignore_conflicts=True)
    return LookbackSample.objects.filter(month=first).count() - before


def lookback_record(*, sample: LookbackSample, actor, false_closure: bool, note: str) -> LookbackSample:
    """A supervisor re-checked the petition (called the citizen, visited). A
    false closure (假办结 / 被满意) reopens it and opens a supervision case."""
    if len(note.strip()) < 5:
        raise DomainError(_("Say what the re-check found."), field="note")
    now = timezone.now()
    with transaction.atomic():
        updated = LookbackSample.objects.filter(pk=sample.pk, result=LookbackSample.Result.PENDING).update(
            result=LookbackSample.Result.FALSE_CLOSURE if false_closure else LookbackSample.Result.CONFIRMED,
            checked_at=now, checked_by=actor, note=note.strip())
        if not updated:
            raise ConflictError(_("This sample was already re-checked."))
        sample.refresh_from_db()
        if false_closure:
            petition = petition_services.petition_reopen(petition=sample.petition, actor=actor,
                                                         reason=_("Look-back found a false closure: %(note)s")
                                                         % {"note": note.strip()})
            lead = petition.assignments.filter(role=Role.LEAD).exclude(status="cancelled").select_related("unit").first()
            supervision.case_open(target=petition, kind=CaseKind.FALSE_CLOSURE, reference=petition.number,
                                  title=privacy.case_title(petition), unit=lead.unit if lead else None,
                                  area=petition.area,
                                  link=f"/dispatch/supervision/petition/{petition.pk}/",
                                  note=privacy.for_units(petition, note.strip()),
                                  actor=actor, level=Level.INSPECTION)
    return sample


# --- the calendar changed -------------------------------------------------------------------------------------

def recompute_deadlines(*, years: list[int]) -> int:
    """Next year's holidays were published (or a day was corrected): recompute
    the open working-day deadlines whose clock runs through those years, set-based
    in the database on PostgreSQL (dispatch/recompute.py); returns the rows changed."""
    return recompute.recompute_deadlines(years=years)


# --- reminders and digests (docs/notifications.md) ---------------------------------------------------------

def remind_callbacks(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """A day after the answer was published and still no rating: remind the citizen once per round."""
    now = now or timezone.now()
    due = Q(status=Status.CALLBACK, answered_at__lte=now - CALLBACK_REMINDER_AFTER,
            callback_reminded_round__lt=F("handling_round"))
    reminded = 0
    while True:
        with transaction.atomic():
            query = Petition.objects.filter(due).order_by().values_list("pk", flat=True)
            if settings.IS_POSTGRES:
                query = query.select_for_update(skip_locked=True)
            ids = list(query[:batch])
            if not ids:
                return reminded
            Petition.objects.filter(due, pk__in=ids).update(callback_reminded_round=F("handling_round"))
            for petition in Petition.objects.filter(pk__in=ids):
                tell_citizen(petition, "citizen.callback_reminder", key=f"{petition.pk}:{petition.handling_round}")
        reminded += len(ids)


def daily_digest(*, today: dt.date | None = None) -> int:
    """Every working morning, each unit with open work gets its counts (one GROUP BY for the city)."""
    today = today or timezone.localdate()
    if not get_calendar().is_workday(today):
        return 0
    rows = (Assignment.objects.filter(status__in=OPEN).values("unit_id")
            .annotate(pending=Count("pk", filter=Q(status=AssignmentStatus.PENDING)),
                      in_progress=Count("pk", filter=Q(status=AssignmentStatus.SIGNED)),
                      yellow=Count("pk", filter=Q(warning=WarningLevel.YELLOW)),
                      red=Count("pk", filter=Q(warning=WarningLevel.RED))))
    units = HandlingUnit.objects.in_bulk([r["unit_id"] for r in rows])
    for row in rows:
        unit = units.get(row["unit_id"])
        if unit is not None:
            messages.daily_digest(unit, today, row)
    return len(rows)


# --- nothing waits without a clock (issue 15, item 3; docs/supervision.md) ------------------------------------

def _claim_rows(model, condition: Q, batch: int, **changes) -> list[int]:
    """Like _claim, for any model: lock the due rows (SKIP LOCKED on PostgreSQL) and flag them once."""
    with transaction.atomic():
        query = model.objects.filter(condition).order_by().values_list("pk", flat=True)
        if settings.IS_POSTGRES:
            query = query.select_for_update(skip_locked=True, of=("self",))
        ids = list(query[:batch])
        if ids:
            model.objects.filter(condition, pk__in=ids).update(**changes)
        return ids


def _petition_items(petition_ids) -> list[dict]:
    """Pool items for petitions (consultation and callback cases point at the petition; the platform's own work)."""
    return [{"object_id": p.pk, "reference": p.number, "title": privacy.case_title(p), "unit_id": None,
             "area_id": p.area_id, "link": f"/dispatch/supervision/petition/{p.pk}/"}
            for p in Petition.objects.filter(pk__in=petition_ids)]


def sweep_consultations(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """A joint consultation still open past PORTAL_CONSULTATION_WORKING_DAYS enters the pool, once."""
    now = now or timezone.now()
    due = Q(ended_at__isnull=True, overdue_at__isnull=True, due_at__lte=now, petition__status=Status.CONSULTATION)
    opened = 0
    while ids := _claim_rows(Consultation, due, batch, overdue_at=now):
        petitions = Consultation.objects.filter(pk__in=ids).values_list("petition_id", flat=True)
        opened += len(supervision.cases_open_many(model=Petition, kind=CaseKind.CONSULTATION_OVERDUE, now=now,
                                                  items=_petition_items(petitions)))
    return opened


def sweep_callbacks(*, now: dt.datetime | None = None, batch: int = 1000) -> int:
    """An answer published PORTAL_CALLBACK_WORKING_DAYS working days ago and still not called back
    (rated or closed as unreachable) enters the pool, once per round."""
    now = now or timezone.now()
    due = Q(status=Status.CALLBACK, callback_overdue_at__isnull=True, callback_due_at__lte=now)
    opened = 0
    while ids := _claim_rows(Petition, due, batch, callback_overdue_at=now):
        opened += len(supervision.cases_open_many(model=Petition, kind=CaseKind.CALLBACK_OVERDUE, now=now,
                                                  items=_petition_items(ids)))
    return opened


def sweep_pause_caps(*, now: dt.datetime | None = None) -> int:
    """A unit's stopped clock reaching the round's cap restarts; the platform is asked (dispatch.handling)."""
    return handling.pauses_reach_cap(now=now or timezone.now())


def sweep_waiting_clocks(*, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {"consultations": sweep_consultations(now=now), "callbacks": sweep_callbacks(now=now),
            "pauses_capped": sweep_pause_caps(now=now)}
