"""Dispatch and re-dispatch (派单, 改派, 直派, 会商): the actions that decide which
units handle a petition, callable alike from the admin, Celery and the API.
Each one locks the petition row first and then its assignments (one lock order
everywhere: no deadlocks), checks the transition, saves and records the step in
the petition's history, in one transaction.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import deadlines, messages, repeats, routing
from dispatch.assignments import (
    LIVE,
    cancel_assignment,
    cancel_live,
    lock_assignment,
    lock_petition,
    move,
    requests_withdraw,
    still_live,
)
from dispatch.models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    ASSIGNMENT_TRANSITIONS,
    Assignment,
    AssignmentStatus,
    Consultation,
    Role,
)
from lib.errors import ConflictError, DomainError
from org.calendar import get_calendar
from org.models import HandlingUnit
from petitions import services as petition_services
from petitions.models import EventKind, Petition, Status
from supervision import services as supervision
from supervision.models import CaseKind

logger = logging.getLogger(__name__)


def _unit_names(unit_ids: Iterable[int]) -> list[str]:
    names = dict(HandlingUnit.objects.filter(pk__in=list(unit_ids)).values_list("pk", "name"))
    return [names[i] for i in unit_ids if i in names]


def _create_assignments(petition: Petition, *, lead_id: int, co_ids: list[int], rule_by_unit: dict[int, int],
                        actor, status: str, now: dt.datetime) -> list[Assignment]:
    units = [(lead_id, Role.LEAD)] + [(u, Role.CO) for u in co_ids if u != lead_id]
    clocks = deadlines.clocks(now, petition.classification) if status == AssignmentStatus.PENDING else {}
    return Assignment.objects.bulk_create([
        Assignment(petition=petition, unit_id=unit_id, role=role, status=status, rule_id=rule_by_unit.get(unit_id),
                   round=petition.handling_round, dispatched_at=now,
                   dispatched_by=actor if getattr(actor, "pk", None) else None, **clocks)
        for unit_id, role in units
    ])


def _validate_unit(unit: HandlingUnit, field: str) -> None:
    if not unit.is_active:
        raise DomainError(_("%(unit)s is no longer active.") % {"unit": unit.name}, field=field)
    if unit.kind == HandlingUnit.Kind.PLATFORM:
        raise DomainError(_("The hotline platform cannot handle petitions as a unit."), field=field)



def _repeat_notice_on_dispatch(petition: Petition) -> None:
    """A repeated matter's special supervision waits for its newest petition's lead (repeats.repeat_notice):
    the petition now has one, so the notice goes to that unit (once a matter: repeat_notice checks)."""
    if petition.repeat_of_id:
        repeats.repeat_notice(root_id=petition.repeat_of_id, count=petition.repeat_count)


def dispatch_petition(*, petition: Petition | int, actor=None, mode: str | None = None) -> list[Assignment]:
    """Route a received petition by the catalog.

    mode "auto" (the default, PORTAL_DISPATCH_MODE) sends at once; "confirm"
    records the proposal for a dispatcher to confirm. Returns the assignments
    made (empty when the catalog could not decide: the petition waits in the
    dispatcher's queue, and its history says why).
    """
    mode = mode or settings.PORTAL_DISPATCH_MODE
    now = timezone.now()
    with transaction.atomic():
        locked = lock_petition(petition)
        if locked.status not in (Status.RECEIVED, Status.CONSULTATION):
            raise ConflictError(_("Petition %(number)s is already “%(status)s”.")
                                % {"number": locked.number, "status": locked.get_status_display()})
        if Assignment.objects.filter(petition=locked, status__in=LIVE).exists():
            raise ConflictError(_("Petition %(number)s already has a proposed dispatch.") % {"number": locked.number})
        decision = routing.decide_for(locked)
        explanation = " ".join(decision.explanation)
        if not decision.routed:
            petition_services.petition_record_event(petition=locked, kind=EventKind.NOTE, reason=explanation,
                                                    actor=actor)
            return []
        if decision.consultation:
            if locked.status != Status.CONSULTATION:
                petition_services.petition_transition(
                    petition=locked, to=Status.CONSULTATION, actor=actor, kind=EventKind.DISPATCHED,
                    reason=explanation, data={"rule": decision.lead_rule_id}, now=now, held=True,
                )
                consultation_start(petition=locked, now=now)
            return []
        status = AssignmentStatus.PROPOSED if mode == "confirm" else AssignmentStatus.PENDING
        made = _create_assignments(locked, lead_id=decision.lead_unit_id, co_ids=decision.co_unit_ids,
                                   rule_by_unit=decision.rule_by_unit, actor=actor, status=status, now=now)
        units = _unit_names([decision.lead_unit_id, *decision.co_unit_ids])
        if status == AssignmentStatus.PROPOSED:
            petition_services.petition_record_event(
                petition=locked, kind=EventKind.NOTE, actor=actor, reason=explanation,
                data={"proposed": units},
            )
        else:
            petition_services.petition_transition(
                petition=locked, to=Status.DISPATCHED, actor=actor, kind=EventKind.DISPATCHED, reason=explanation,
                data={"units": units, "rule": decision.lead_rule_id}, now=now, held=True,
            )
            messages.announce(made, locked)
            _repeat_notice_on_dispatch(locked)
    return made


def dispatch_confirm(*, petition: Petition, actor) -> list[Assignment]:
    """A dispatcher confirms the proposed dispatch: the clocks start now."""
    now = timezone.now()
    with transaction.atomic():
        locked = lock_petition(petition)
        proposals = list(Assignment.objects.select_for_update()
                         .filter(petition=locked, status=AssignmentStatus.PROPOSED).order_by("role"))
        if not proposals:
            raise ConflictError(_("There is no proposal to confirm: someone may have confirmed or changed it already."))
        for assignment in proposals:
            move(assignment, AssignmentStatus.PENDING, dispatched_at=now, dispatched_by=actor,
                  **deadlines.clocks(now, locked.classification))
        units = _unit_names([a.unit_id for a in sorted(proposals, key=lambda a: a.role != Role.LEAD)])
        petition_services.petition_transition(
            petition=locked, to=Status.DISPATCHED, actor=actor, kind=EventKind.DISPATCHED,
            data={"units": units, "confirmed": True}, expected=[Status.RECEIVED, Status.CONSULTATION], now=now,
            held=True,
        )
        messages.announce(proposals, locked)
        _repeat_notice_on_dispatch(locked)
    return proposals


REDISPATCHABLE = (Status.RECEIVED, Status.CONSULTATION, Status.DISPATCHED, Status.IN_PROGRESS)


def petition_seen(petition: Petition) -> str:
    """The petition's last change as a page shows it: posted back with a decision, so that the same decision
    posted twice (a double click, the back button) finds the petition changed and is refused."""
    return petition.updated_at.isoformat() if petition.updated_at else ""


def dispatch_redispatch(*, petition: Petition, lead_unit: HandlingUnit, co_units: Iterable[HandlingUnit] = (),
                        actor, reason: str, expected: Iterable[str] | None = None, seen: str | None = None,
                        kind: str = EventKind.DISPATCHED) -> list[Assignment]:
    """Send the petition to another lead (and co-units): the live assignments
    are withdrawn and the new ones start their clocks now. `seen`: petition_seen() of the page the decision was
    made on; when the petition changed since (re-dispatched a moment ago included), the decision is refused."""
    if not reason.strip():
        raise DomainError(_("Say why the petition is re-dispatched."), field="reason")
    _validate_unit(lead_unit, "lead_unit")
    co_units = [u for u in co_units if u.pk != lead_unit.pk]
    for unit in co_units:
        _validate_unit(unit, "co_units")
    now = timezone.now()
    with transaction.atomic():
        locked = lock_petition(petition)
        if (expected is not None and locked.status not in set(expected)) or \
                (seen is not None and petition_seen(locked) != seen):
            raise ConflictError(
                _("Petition %(number)s was changed meanwhile: it is now “%(status)s”. Reload and decide again.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        if locked.status not in REDISPATCHABLE:
            raise DomainError(_("A petition that is “%(status)s” cannot be re-dispatched.")
                              % {"status": locked.get_status_display()}, code="invalid_transition")
        withdrawn = cancel_live(locked, now)
        made = _create_assignments(locked, lead_id=lead_unit.pk, co_ids=[u.pk for u in co_units], rule_by_unit={},
                                   actor=actor, status=AssignmentStatus.PENDING, now=now)
        petition_services.petition_transition(
            petition=locked, to=Status.DISPATCHED, actor=actor, kind=kind, reason=reason,
            data={"units": _unit_names([lead_unit.pk, *[u.pk for u in co_units]]),
                  "withdrawn": _unit_names(withdrawn)}, now=now, held=True,
        )
        messages.announce(made, locked)
        _repeat_notice_on_dispatch(locked)
    return made


def dispatch_replace_lead(*, petition: Petition, lead_unit: HandlingUnit, actor, reason: str,
                          kind: str = EventKind.RETURN) -> Assignment:
    """A new lead for the petition (an approved return naming the unit that should lead): only the lead's
    assignment is withdrawn and the new lead starts its clock now. The live co-units keep their assignments,
    their answers and their clocks: they did nothing wrong and must not sign and answer again. A co-unit named
    as the new lead leaves its co-handling for the lead's work."""
    _validate_unit(lead_unit, "new_lead")
    now = timezone.now()
    with transaction.atomic():
        locked = lock_petition(petition)
        if locked.status not in REDISPATCHABLE:
            raise DomainError(_("A petition that is “%(status)s” cannot be re-dispatched.")
                              % {"status": locked.get_status_display()}, code="invalid_transition")
        withdrawn = cancel_live(locked, now, roles=(Role.LEAD,))
        for co in Assignment.objects.select_for_update().filter(petition=locked, role=Role.CO, status__in=LIVE,
                                                                unit=lead_unit):
            cancel_assignment(co, now)
            withdrawn.append(co.unit_id)
        made = _create_assignments(locked, lead_id=lead_unit.pk, co_ids=[], rule_by_unit={}, actor=actor,
                                   status=AssignmentStatus.PENDING, now=now)
        petition_services.petition_transition(
            petition=locked, to=Status.DISPATCHED, actor=actor, kind=kind, reason=reason,
            data={"units": [lead_unit.name], "withdrawn": _unit_names(withdrawn)}, now=now, held=True,
        )
        messages.announce(made, locked)
        _repeat_notice_on_dispatch(locked)
    return made[0]


def dispatch_direct_to_street(*, petition: Petition, unit: HandlingUnit, actor, reason: str,
                              expected: Iterable[str] | None = None, seen: str | None = None) -> list[Assignment]:
    """Send straight to a street or town office (直派乡镇街道)."""
    if unit.kind != HandlingUnit.Kind.STREET_OFFICE:
        raise DomainError(_("Choose a street or town office."), field="unit")
    return dispatch_redispatch(petition=petition, lead_unit=unit, actor=actor, reason=reason, expected=expected,
                               seen=seen)


def dispatch_add_co_unit(*, petition: Petition, unit: HandlingUnit, actor, reason: str = "") -> Assignment:
    _validate_unit(unit, "unit")
    now = timezone.now()
    with transaction.atomic():
        locked = lock_petition(petition)
        if locked.status not in (Status.DISPATCHED, Status.IN_PROGRESS):
            raise DomainError(_("Co-handling units can be added while the petition is being handled."),
                              code="invalid_transition")
        if Assignment.objects.filter(petition=locked, unit=unit, status__in=LIVE).exists():
            raise DomainError(_("%(unit)s already works on this petition.") % {"unit": unit.name}, field="unit")
        assignment = Assignment.objects.create(
            petition=locked, unit=unit, role=Role.CO, status=AssignmentStatus.PENDING, round=locked.handling_round,
            dispatched_at=now, dispatched_by=actor, **deadlines.clocks(now, locked.classification),
        )
        petition_services.petition_record_event(petition=locked, kind=EventKind.DISPATCHED, actor=actor,
                                                reason=reason, data={"units": [unit.name], "co_unit_added": True},
                                                public=True)
        messages.announce([assignment], locked)
    return assignment


def dispatch_remove_co_unit(*, assignment: Assignment, actor, reason: str = "") -> Assignment:
    with transaction.atomic():
        locked_petition = lock_petition(assignment.petition_id)
        locked = lock_assignment(assignment)
        if locked.role != Role.CO:
            raise DomainError(_("Only a co-handling unit can be removed; re-dispatch to change the lead."))
        still_live(locked)
        cancel_assignment(locked, timezone.now())
        petition_services.petition_record_event(petition=locked_petition, kind=EventKind.DISPATCHED, actor=actor,
                                                reason=reason, data={"co_unit_removed": locked.unit.name})
    return locked


def dispatch_to_consultation(*, petition: Petition, actor, reason: str) -> Petition:
    """No clear owner (new technology, new industries, regulatory gaps): joint
    consultation (会商研判) decides a fallback owner, then re-dispatches."""
    if not reason.strip():
        raise DomainError(_("Say why the petition needs joint consultation."), field="reason")
    now = timezone.now()
    with transaction.atomic():
        locked = lock_petition(petition)
        withdrawn = cancel_live(locked, now)
        petition_services.petition_transition(petition=locked, to=Status.CONSULTATION, actor=actor,
                                              kind=EventKind.DISPATCHED, reason=reason,
                                              data={"withdrawn": _unit_names(withdrawn)}, now=now, held=True)
        consultation_start(petition=locked, now=now)
    petition.refresh_from_db()
    return petition


def consultation_start(*, petition: Petition, now: dt.datetime) -> Consultation:
    """Joint consultation gets its clock: PORTAL_CONSULTATION_WORKING_DAYS working days
    (docs/supervision.md); past it dispatch.sweeps.sweep_consultations puts it in the pool."""
    Consultation.objects.filter(petition=petition, ended_at__isnull=True).update(ended_at=now)
    return Consultation.objects.create(
        petition=petition, started_at=now,
        due_at=get_calendar().deadline_from(now, settings.PORTAL_CONSULTATION_WORKING_DAYS))


def on_left_waiting(*, petition_id: int, from_status: str) -> None:
    """The petition left joint consultation or the callback: that clock stops and its chase ends."""
    target = Petition(pk=petition_id)
    if from_status == Status.CONSULTATION:
        Consultation.objects.filter(petition_id=petition_id, ended_at__isnull=True).update(ended_at=timezone.now())
        supervision.cases_close_for(target=target, kinds=[CaseKind.CONSULTATION_OVERDUE],
                                    note=_("The joint consultation concluded."))
    elif from_status == Status.CALLBACK:
        supervision.cases_close_for(target=target, kinds=[CaseKind.CALLBACK_OVERDUE],
                                    note=_("The callback was made."))


def dispatch_merge(*, petition: Petition, into: Petition, actor, duplicate: bool, reason: str = "") -> Petition:
    with transaction.atomic():
        locked = lock_petition(petition)
        cancel_live(locked, timezone.now())
        return petition_services.petition_merge(petition=locked, into=into, actor=actor, duplicate=duplicate,
                                                reason=reason)



def on_petition_closed(*, petition_id: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        for assignment in Assignment.objects.select_for_update().filter(
            petition_id=petition_id, status__in=ACTIVE_ASSIGNMENT_STATUSES
        ):
            if AssignmentStatus.DONE in ASSIGNMENT_TRANSITIONS[assignment.status]:
                move(assignment, AssignmentStatus.DONE, closed_at=now)
            else:
                move(assignment, AssignmentStatus.CANCELLED, closed_at=now)
        # A closed (or merged, or routed-out) petition chases nobody: every open case on any of its
        # assignments, co-units' included, and on the petition itself is closed with it.
        note = _("The petition was closed.")
        for assignment in Assignment.objects.filter(petition_id=petition_id).only("pk"):
            supervision.cases_close_for(target=assignment, note=note)
        supervision.cases_close_for(target=Petition(pk=petition_id), note=note)
        # Nor does it wait for a decision: a unit's request still pending leaves the dispatcher's queue.
        requests_withdraw(assignments=Assignment.objects.filter(petition_id=petition_id).values("pk"), now=now,
                          note=note)


def on_petition_reopened(*, petition_id: int) -> None:
    """Unsatisfied callback or look-back: the lead unit handles again, on a new clock."""
    now = timezone.now()
    with transaction.atomic():
        petition = lock_petition(petition_id)
        lead = (Assignment.objects.select_for_update()
                .filter(petition=petition, role=Role.LEAD).exclude(status=AssignmentStatus.CANCELLED)
                .order_by("-dispatched_at").first())
        if lead is None:
            return
        if lead.status in (AssignmentStatus.ANSWERED, AssignmentStatus.DONE):
            clocks = deadlines.clocks(now, petition.classification, with_sign=False)
            move(lead, AssignmentStatus.SIGNED, round=petition.handling_round, answered_at=None, closed_at=None,
                  warning="none", extended_days=0, waited_days=0, **clocks)


def dispatch_new_petition(petition_id: int, petition: Petition | None = None) -> None:
    """Called after a petition enters the workflow: link repeats, then route. `petition`: the one intake
    has just filed and committed (then nothing is read back; dispatch_petition still locks its row)."""
    fresh = petition is not None and petition.pk == petition_id
    if not fresh:
        petition = Petition.objects.select_related("classification", "area").get(pk=petition_id)
    try:
        repeats.repeat_detect(petition=petition, fresh=fresh)
    except Exception:  # a repeat link must never stop the dispatch
        logger.exception("repeat detection failed for petition %s", petition_id)
    if petition.classification_id is None:
        return  # the dispatcher classifies it first
    try:
        dispatch_petition(petition=petition)
    except ConflictError:
        pass  # someone dispatched it meanwhile
    except Exception:
        # The petition is safe in the dispatcher's queue; the straggler sweep retries.
        logger.exception("automatic dispatch failed for petition %s", petition_id)

def dispatch_stragglers(*, older_than: dt.timedelta = dt.timedelta(minutes=5)) -> int:
    """Auto-dispatch what the after-commit hook missed (a crash between commit and
    dispatch): classified petitions still received and without a proposal."""
    if settings.PORTAL_DISPATCH_MODE != "auto":
        return 0
    cutoff = timezone.now() - older_than
    done = 0
    waiting = (Petition.objects.filter(status=Status.RECEIVED, classification__isnull=False, received_at__lte=cutoff)
               .exclude(assignments__status__in=["proposed", "pending", "signed", "answered"])
               .exclude(events__kind=EventKind.NOTE, events__data__has_key="proposed")
               .values_list("pk", flat=True)[:500])
    for pk in waiting:
        try:
            done += bool(dispatch_petition(petition=pk, mode="auto"))
        except (ConflictError, DomainError):
            continue
    return done


def dispatch_classify(*, petition: Petition, classification, actor, reason: str = "") -> Petition:
    """A dispatcher sets or corrects the classification item, then the petition is routed if it still
    waits for dispatch. The console and the API both call this (one place for the step). The repeat
    decision runs again, because "the same matter" depends on the item (DOMAIN.md section 6)."""
    with transaction.atomic():
        # One step: the new item and its routing are saved together or not at all. A proposal made for the old
        # item (confirm mode) is withdrawn first: "Confirm" must never send the petition where the old item went.
        petition_services.petition_classify(petition=petition, classification=classification, actor=actor,
                                            reason=reason)
        petition.refresh_from_db()
        try:
            with transaction.atomic():
                repeats.repeat_detect(petition=petition)
        except Exception:  # a repeat link must never stop the dispatch
            logger.exception("repeat detection failed for petition %s", petition.pk)
        if petition.status == Status.RECEIVED:
            if Assignment.objects.filter(petition=petition, status=AssignmentStatus.PROPOSED).exists():
                cancel_live(lock_petition(petition), timezone.now())
            dispatch_petition(petition=petition, actor=actor)  # it locks the petition itself
    return petition
