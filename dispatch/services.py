"""Every dispatch and handling action, callable alike from the admin, the unit
pages, Celery and the API. Each one locks the petition row first and then
its assignments (one lock order everywhere: no deadlocks), checks the
transition, saves and records the step in the petition's history, in one
transaction. A user who lost a race gets a ConflictError saying what happened.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import deadlines, messages, routing
from dispatch.models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    ASSIGNMENT_TRANSITIONS,
    Assignment,
    AssignmentStatus,
    CatalogRule,
    ExtensionRequest,
    Reply,
    RequestStatus,
    ReturnRequest,
    Role,
)
from lib.errors import ConflictError, DomainError
from org.models import HandlingUnit, User
from petitions import services as petition_services
from petitions.models import EventKind, Petition, Status
from supervision import services as supervision
from supervision.models import CaseKind

logger = logging.getLogger(__name__)

LIVE = (AssignmentStatus.PROPOSED, *ACTIVE_ASSIGNMENT_STATUSES)
MAX_EXTENSION_DAYS = 20


# --- helpers ---------------------------------------------------------------------------------------

def _lock_petition(petition: Petition | int) -> Petition:
    pk = petition.pk if isinstance(petition, Petition) else petition
    # of=("self",): lock only the petition row, not the joined reference rows.
    return Petition.objects.select_for_update(of=("self",)).select_related("classification", "area").get(pk=pk)


def _lock_assignment(assignment: Assignment | int) -> Assignment:
    pk = assignment.pk if isinstance(assignment, Assignment) else assignment
    return Assignment.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)


def _move(assignment: Assignment, to: str, **changes) -> Assignment:
    if to not in ASSIGNMENT_TRANSITIONS[assignment.status]:
        raise DomainError(
            _("The assignment is “%(from)s” and cannot become “%(to)s”.")
            % {"from": assignment.get_status_display(), "to": AssignmentStatus(to).label},
            code="invalid_transition",
        )
    assignment.status = to
    for name, value in changes.items():
        setattr(assignment, name, value)
    assignment.save(update_fields=["status", *changes])
    return assignment


def _check_member(actor: User, assignment: Assignment) -> None:
    """Units act only on their own assignments (pages and API check this too)."""
    if not (actor.is_superuser or (actor.role == User.Role.UNIT_HANDLER and actor.unit_id == assignment.unit_id)):
        raise DomainError(_("This petition is not assigned to your unit."), code="not_your_unit")


def _still_live(assignment: Assignment) -> None:
    if assignment.status == AssignmentStatus.CANCELLED:
        raise ConflictError(_("This petition has meanwhile been withdrawn from your unit (re-dispatched or returned)."))


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


def _cancel_live(petition: Petition, now: dt.datetime, *, roles=(Role.LEAD, Role.CO)) -> list[int]:
    live = list(Assignment.objects.select_for_update().filter(petition=petition, status__in=LIVE, role__in=roles))
    for assignment in live:
        _move(assignment, AssignmentStatus.CANCELLED, closed_at=now)
        supervision.cases_close_for(target=assignment, note=_("Withdrawn from the unit."))
    Reply.objects.filter(petition=petition, review=Reply.Review.PENDING).update(
        review=Reply.Review.REJECTED, reviewed_at=now, review_note=_("Withdrawn: the petition was re-dispatched.")
    )
    return [a.unit_id for a in live]


def _validate_unit(unit: HandlingUnit, field: str) -> None:
    if not unit.is_active:
        raise DomainError(_("%(unit)s is no longer active.") % {"unit": unit.name}, field=field)
    if unit.kind == HandlingUnit.Kind.PLATFORM:
        raise DomainError(_("The hotline platform cannot handle petitions as a unit."), field=field)


# --- catalog ----------------------------------------------------------------------------------------

RULE_FIELDS = ("kind", "classification", "area", "keywords", "target", "lead_unit", "priority", "is_fallback", "note")


def rule_create(*, key: str, actor=None, co_units: Iterable[HandlingUnit] = (), **fields) -> CatalogRule:
    if CatalogRule.objects.filter(key=key).exists():
        raise DomainError(_("A rule with this key exists; revise it instead."), field="key")
    rule = CatalogRule(key=key, version=1, created_at=timezone.now(),
                       created_by=actor if getattr(actor, "pk", None) else None, **fields)
    rule.full_clean(exclude=["created_by"])
    _check_rule(rule)
    with transaction.atomic():
        rule.save()
        rule.co_units.set(list(co_units))
    transaction.on_commit(routing.invalidate)
    return rule


def _check_rule(rule: CatalogRule) -> None:
    if rule.target == "unit" and rule.lead_unit_id is None:
        raise DomainError(_("A rule that sends to a named unit needs that unit."), field="lead_unit")
    if rule.target != "unit" and rule.lead_unit_id is not None:
        raise DomainError(_("Only a rule that sends to a named unit names a lead unit."), field="lead_unit")


def rule_revise(*, rule: CatalogRule, actor=None, co_units: Iterable[HandlingUnit] | None = None, **fields) -> CatalogRule:
    """Edit a rule by adding its next version; the old version is retired, not changed,
    so the assignments it made keep pointing at the rule as it was."""
    now = timezone.now()
    with transaction.atomic():
        current = CatalogRule.objects.select_for_update().get(pk=rule.pk)
        if not current.active:
            raise ConflictError(_("This version was already replaced; open the current one."))
        values = {name: getattr(current, name) for name in RULE_FIELDS}
        values.update(fields)
        new_co_units = list(co_units) if co_units is not None else list(current.co_units.all())
        current.active = False
        current.retired_at = now
        current.save(update_fields=["active", "retired_at"])
        revised = CatalogRule(key=current.key, version=current.version + 1, created_at=now,
                              created_by=actor if getattr(actor, "pk", None) else None, **values)
        revised.full_clean(exclude=["created_by"], validate_constraints=False)
        _check_rule(revised)
        revised.save()
        revised.co_units.set(new_co_units)
    transaction.on_commit(routing.invalidate)
    return revised


def rule_retire(*, rule: CatalogRule, actor=None) -> CatalogRule:
    with transaction.atomic():
        updated = CatalogRule.objects.filter(pk=rule.pk, active=True).update(active=False, retired_at=timezone.now())
        if not updated:
            raise ConflictError(_("This rule was already retired."))
    transaction.on_commit(routing.invalidate)
    rule.refresh_from_db()
    return rule


# --- repeats -------------------------------------------------------------------------------------------

def repeat_detect(*, petition: Petition) -> Petition | None:
    """Link a new petition to the matter it repeats, if any (DOMAIN.md section 6).

    A repeat is the same classification item within PORTAL_REPEAT_WINDOW_DAYS
    of an earlier petition, from the same phone or at the same place. (The
    same phone about a different item is a different matter.)
    """
    if petition.classification_id is None:
        return None
    since = petition.received_at - dt.timedelta(days=settings.PORTAL_REPEAT_WINDOW_DAYS)
    earlier = (
        Petition.objects.filter(classification_id=petition.classification_id, received_at__gte=since,
                                received_at__lte=petition.received_at)
        .exclude(pk=petition.pk).exclude(status=Status.MERGED)
        .filter(Q(complainant_phone=petition.complainant_phone) | Q(area_id=petition.area_id))
        .order_by("received_at", "pk")
        .only("pk", "repeat_of_id", "number")
        .first()
    )
    if earlier is None:
        return None
    count = petition_services.petition_link_repeat(
        petition=petition, original=earlier,
        reason=_("Same matter as %(number)s within %(days)s days.")
        % {"number": earlier.number, "days": settings.PORTAL_REPEAT_WINDOW_DAYS},
    )
    if count + 1 >= settings.PORTAL_REPEAT_NOTICE_THRESHOLD:  # the original plus its repeats
        from dispatch.supervision import repeat_notice

        repeat_notice(root=Petition.objects.get(pk=earlier.repeat_of_id or earlier.pk))
    return earlier


# --- dispatch ----------------------------------------------------------------------------------------------

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
        locked = _lock_petition(petition)
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
                    reason=explanation, data={"rule": decision.lead_rule_id},
                )
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
                data={"units": units, "rule": decision.lead_rule_id}, now=now,
            )
            messages.announce(made, locked)
    return made


def dispatch_confirm(*, petition: Petition, actor) -> list[Assignment]:
    """A dispatcher confirms the proposed dispatch: the clocks start now."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_petition(petition)
        proposals = list(Assignment.objects.select_for_update()
                         .filter(petition=locked, status=AssignmentStatus.PROPOSED).order_by("role"))
        if not proposals:
            raise ConflictError(_("There is no proposal to confirm: someone may have confirmed or changed it already."))
        for assignment in proposals:
            _move(assignment, AssignmentStatus.PENDING, dispatched_at=now, dispatched_by=actor,
                  **deadlines.clocks(now, locked.classification))
        units = _unit_names([a.unit_id for a in sorted(proposals, key=lambda a: a.role != Role.LEAD)])
        petition_services.petition_transition(
            petition=locked, to=Status.DISPATCHED, actor=actor, kind=EventKind.DISPATCHED,
            data={"units": units, "confirmed": True}, expected=[Status.RECEIVED, Status.CONSULTATION], now=now,
        )
        messages.announce(proposals, locked)
    return proposals


REDISPATCHABLE = (Status.RECEIVED, Status.CONSULTATION, Status.DISPATCHED, Status.IN_PROGRESS)


def dispatch_redispatch(*, petition: Petition, lead_unit: HandlingUnit, co_units: Iterable[HandlingUnit] = (),
                        actor, reason: str, expected: Iterable[str] | None = None,
                        kind: str = EventKind.DISPATCHED) -> list[Assignment]:
    """Send the petition to another lead (and co-units): the live assignments
    are withdrawn and the new ones start their clocks now."""
    if not reason.strip():
        raise DomainError(_("Say why the petition is re-dispatched."), field="reason")
    _validate_unit(lead_unit, "lead_unit")
    co_units = [u for u in co_units if u.pk != lead_unit.pk]
    for unit in co_units:
        _validate_unit(unit, "co_units")
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_petition(petition)
        if expected is not None and locked.status not in set(expected):
            raise ConflictError(
                _("Petition %(number)s was changed meanwhile: it is now “%(status)s”. Reload and decide again.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        if locked.status not in REDISPATCHABLE:
            raise DomainError(_("A petition that is “%(status)s” cannot be re-dispatched.")
                              % {"status": locked.get_status_display()}, code="invalid_transition")
        withdrawn = _cancel_live(locked, now)
        made = _create_assignments(locked, lead_id=lead_unit.pk, co_ids=[u.pk for u in co_units], rule_by_unit={},
                                   actor=actor, status=AssignmentStatus.PENDING, now=now)
        petition_services.petition_transition(
            petition=locked, to=Status.DISPATCHED, actor=actor, kind=kind, reason=reason,
            data={"units": _unit_names([lead_unit.pk, *[u.pk for u in co_units]]),
                  "withdrawn": _unit_names(withdrawn)}, now=now,
        )
        messages.announce(made, locked)
    return made


def dispatch_direct_to_street(*, petition: Petition, unit: HandlingUnit, actor, reason: str,
                              expected: Iterable[str] | None = None) -> list[Assignment]:
    """Send straight to a street or town office (直派乡镇街道)."""
    if unit.kind != HandlingUnit.Kind.STREET_OFFICE:
        raise DomainError(_("Choose a street or town office."), field="unit")
    return dispatch_redispatch(petition=petition, lead_unit=unit, actor=actor, reason=reason, expected=expected)


def dispatch_add_co_unit(*, petition: Petition, unit: HandlingUnit, actor, reason: str = "") -> Assignment:
    _validate_unit(unit, "unit")
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_petition(petition)
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
        locked_petition = _lock_petition(assignment.petition_id)
        locked = _lock_assignment(assignment)
        if locked.role != Role.CO:
            raise DomainError(_("Only a co-handling unit can be removed; re-dispatch to change the lead."))
        _still_live(locked)
        _move(locked, AssignmentStatus.CANCELLED, closed_at=timezone.now())
        petition_services.petition_record_event(petition=locked_petition, kind=EventKind.DISPATCHED, actor=actor,
                                                reason=reason, data={"co_unit_removed": locked.unit.name})
    return locked


def dispatch_to_consultation(*, petition: Petition, actor, reason: str) -> Petition:
    """No clear owner (new technology, new industries, regulatory gaps): joint
    consultation (会商研判) decides a fallback owner, then re-dispatches."""
    if not reason.strip():
        raise DomainError(_("Say why the petition needs joint consultation."), field="reason")
    with transaction.atomic():
        locked = _lock_petition(petition)
        withdrawn = _cancel_live(locked, timezone.now())
        petition_services.petition_transition(petition=locked, to=Status.CONSULTATION, actor=actor,
                                              kind=EventKind.DISPATCHED, reason=reason,
                                              data={"withdrawn": _unit_names(withdrawn)})
    petition.refresh_from_db()
    return petition


def dispatch_merge(*, petition: Petition, into: Petition, actor, duplicate: bool, reason: str = "") -> Petition:
    with transaction.atomic():
        locked = _lock_petition(petition)
        _cancel_live(locked, timezone.now())
        return petition_services.petition_merge(petition=locked, into=into, actor=actor, duplicate=duplicate,
                                                reason=reason)


# --- the unit's work -----------------------------------------------------------------------------------------

def assignment_sign(*, assignment: Assignment, actor) -> Assignment:
    """签收: the unit acknowledges the petition; for the lead, handling starts."""
    _check_member(actor, assignment)
    now = timezone.now()
    with transaction.atomic():
        petition = _lock_petition(assignment.petition_id)
        locked = _lock_assignment(assignment)
        _still_live(locked)
        if locked.status != AssignmentStatus.PENDING:
            signer = locked.signed_by.get_full_name() or locked.signed_by.username if locked.signed_by else "?"
            raise ConflictError(_("Already signed for by %(name)s at %(time)s.")
                                % {"name": signer, "time": timezone.localtime(locked.signed_at).strftime("%Y-%m-%d %H:%M")})
        _move(locked, AssignmentStatus.SIGNED, signed_at=now, signed_by=actor)
        if locked.role == Role.LEAD and petition.status == Status.DISPATCHED:
            petition_services.petition_transition(petition=petition, to=Status.IN_PROGRESS, actor=actor,
                                                  kind=EventKind.SIGNED, data={"units": [locked.unit.name]}, now=now)
        else:
            petition_services.petition_record_event(petition=petition, kind=EventKind.SIGNED, actor=actor,
                                                    data={"units": [locked.unit.name]}, public=True)
    return locked


def assignment_record_contact(*, assignment: Assignment, actor, note: str) -> None:
    _check_member(actor, assignment)
    if not note.strip():
        raise DomainError(_("Write down what was said with the citizen."), field="note")
    status = Assignment.objects.values_list("status", flat=True).get(pk=assignment.pk)
    if status not in (AssignmentStatus.SIGNED, AssignmentStatus.ANSWERED):
        raise DomainError(_("Sign for the petition first."), code="not_signed")
    petition_services.petition_record_event(petition=assignment.petition, kind=EventKind.CONTACTED, actor=actor,
                                            reason=note.strip(), data={"unit": assignment.unit.name}, public=True)


def assignment_wait_for_citizen(*, assignment: Assignment, actor, reason: str) -> Assignment:
    """Stop the handling clock while the unit waits for the citizen or a third party."""
    _check_member(actor, assignment)
    if not reason.strip():
        raise DomainError(_("Say what the unit is waiting for."), field="reason")
    with transaction.atomic():
        _lock_petition(assignment.petition_id)
        locked = _lock_assignment(assignment)
        if locked.status != AssignmentStatus.SIGNED or locked.paused_at:
            raise DomainError(_("Only a petition being handled, and not already waiting, can wait."))
        locked.paused_at = timezone.now()
        locked.save(update_fields=["paused_at"])
        petition_services.petition_record_event(petition=locked.petition, kind=EventKind.NOTE, actor=actor,
                                                reason=reason, data={"clock": "paused"})
    return locked


def assignment_resume(*, assignment: Assignment, actor) -> Assignment:
    _check_member(actor, assignment)
    now = timezone.now()
    with transaction.atomic():
        petition = _lock_petition(assignment.petition_id)
        locked = _lock_assignment(assignment)
        if not locked.paused_at:
            raise DomainError(_("The clock is not stopped."))
        new_due = deadlines.resume(locked.handle_due_at, locked.paused_at, now, petition.classification)
        data = {"clock": "resumed", "from": locked.handle_due_at.isoformat(), "to": new_due.isoformat()}
        locked.waited_days += deadlines.waited_workdays(locked.paused_at, now, petition.classification)
        locked.handle_due_at, locked.paused_at = new_due, None
        locked.warn_at = deadlines.warn_at(locked.clock_started_at or locked.dispatched_at, new_due)
        if new_due > now and locked.warning == "red":
            locked.warning = "yellow"
        locked.save(update_fields=["handle_due_at", "paused_at", "waited_days", "warn_at", "warning"])
        petition_services.petition_record_event(petition=petition, kind=EventKind.NOTE, actor=actor, data=data)
    return locked


def assignment_answer(*, assignment: Assignment, actor, content: str, solved: bool = True, uploads=()) -> Assignment:
    """Answer: a co-unit answers to the lead; the lead's answer goes to platform review."""
    _check_member(actor, assignment)
    if len(content.strip()) < 10:
        raise DomainError(_("Write the answer: what was done and the result (at least 10 characters)."),
                          field="content")
    now = timezone.now()
    with transaction.atomic():
        petition = _lock_petition(assignment.petition_id)
        locked = _lock_assignment(assignment)
        _still_live(locked)
        if locked.status == AssignmentStatus.PENDING:
            raise DomainError(_("Sign for the petition first."), code="not_signed")
        if locked.status != AssignmentStatus.SIGNED:
            raise ConflictError(_("This petition has already been answered."))
        _move(locked, AssignmentStatus.ANSWERED, answered_at=now, answer=content.strip(), paused_at=None)
        supervision.cases_close_for(target=locked, kinds=[CaseKind.OVERDUE], note=_("The unit answered."))
        if uploads:
            petition_services.attachments_add(petition=petition, uploads=uploads, actor=actor, purpose="answer")
        if locked.role == Role.CO:
            petition_services.petition_record_event(petition=petition, kind=EventKind.REPLIED, actor=actor,
                                                    reason=content.strip(), data={"co_unit": locked.unit.name})
            return locked
        Reply.objects.create(petition=petition, assignment=locked, round=petition.handling_round,
                             content=content.strip(), solved=solved, submitted_at=now, submitted_by=actor)
        petition_services.petition_transition(petition=petition, to=Status.REPLIED, actor=actor,
                                              kind=EventKind.REPLIED, expected=[Status.IN_PROGRESS],
                                              data={"units": [locked.unit.name]}, now=now)
    return locked


def assignment_request_return(*, assignment: Assignment, actor, reason: str,
                              suggested_unit: HandlingUnit | None = None) -> ReturnRequest:
    """退单: the unit asks to give the petition back. It keeps handling until the
    platform decides (first-receiver responsibility, 先办后议)."""
    _check_member(actor, assignment)
    if len(reason.strip()) < 10:
        raise DomainError(_("Explain why this petition is not your unit's (at least 10 characters)."),
                          field="reason")
    with transaction.atomic():
        petition = _lock_petition(assignment.petition_id)
        locked = _lock_assignment(assignment)
        _still_live(locked)
        if locked.status not in (AssignmentStatus.PENDING, AssignmentStatus.SIGNED):
            raise DomainError(_("An answered petition can no longer be returned."))
        if ReturnRequest.objects.filter(assignment=locked, status=RequestStatus.PENDING).exists():
            raise DomainError(_("A return request is already waiting for the platform."))
        request = ReturnRequest.objects.create(assignment=locked, reason=reason.strip(), suggested_unit=suggested_unit,
                                               requested_at=timezone.now(), requested_by=actor)
        petition_services.petition_record_event(petition=petition, kind=EventKind.RETURN, actor=actor,
                                                reason=reason.strip(), data={"unit": locked.unit.name, "requested": True})
    return request


def return_decide(*, request: ReturnRequest, approve: bool, actor, note: str = "",
                  new_lead: HandlingUnit | None = None) -> ReturnRequest:
    """The platform approves a return (the petition is re-dispatched, or goes back
    to the queue) or refuses it (the unit must handle it)."""
    now = timezone.now()
    if not approve and not note.strip():
        raise DomainError(_("Tell the unit why it must handle the petition."), field="note")
    with transaction.atomic():
        petition = _lock_petition(request.assignment.petition_id)
        locked_request = ReturnRequest.objects.select_for_update().get(pk=request.pk)
        if locked_request.status != RequestStatus.PENDING:
            raise ConflictError(_("This request was already decided."))
        assignment = _lock_assignment(locked_request.assignment_id)
        locked_request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
        locked_request.decided_at, locked_request.decided_by, locked_request.decision_note = now, actor, note
        locked_request.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        data = {"unit": assignment.unit.name, "approved": approve}
        messages.return_decided(locked_request, assignment, petition)
        if not approve:
            petition_services.petition_record_event(petition=petition, kind=EventKind.RETURN, actor=actor,
                                                    reason=note, data=data)
            return locked_request
        if assignment.role == Role.CO or assignment.status == AssignmentStatus.CANCELLED:
            if assignment.status != AssignmentStatus.CANCELLED:
                _move(assignment, AssignmentStatus.CANCELLED, closed_at=now)
            petition_services.petition_record_event(petition=petition, kind=EventKind.RETURN, actor=actor,
                                                    reason=note, data=data)
            return locked_request
        if new_lead is not None:
            co_units = [a.unit for a in petition.assignments.filter(role=Role.CO, status__in=LIVE).select_related("unit")]
            dispatch_redispatch(petition=petition, lead_unit=new_lead, co_units=co_units, actor=actor,
                                reason=note or _("Return approved."), kind=EventKind.RETURN)
        else:
            _cancel_live(petition, now)
            petition_services.petition_transition(petition=petition, to=Status.RECEIVED, actor=actor,
                                                  kind=EventKind.RETURN, reason=note, data=data, now=now)
    return locked_request


def assignment_request_extension(*, assignment: Assignment, actor, days: int, reason: str) -> ExtensionRequest:
    _check_member(actor, assignment)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DomainError(_("Ask for 1 to %(max)s working days.") % {"max": MAX_EXTENSION_DAYS}, field="days")
    if len(reason.strip()) < 10:
        raise DomainError(_("Explain why more time is needed (at least 10 characters)."), field="reason")
    with transaction.atomic():
        petition = _lock_petition(assignment.petition_id)
        locked = _lock_assignment(assignment)
        _still_live(locked)
        if locked.status != AssignmentStatus.SIGNED:
            raise DomainError(_("Only a petition being handled can be extended."))
        if ExtensionRequest.objects.filter(assignment=locked, status=RequestStatus.PENDING).exists():
            raise DomainError(_("An extension request is already waiting for the platform."))
        request = ExtensionRequest.objects.create(assignment=locked, days=days, reason=reason.strip(),
                                                  requested_at=timezone.now(), requested_by=actor)
        petition_services.petition_record_event(petition=petition, kind=EventKind.EXTENSION, actor=actor,
                                                reason=reason.strip(), data={"days": days, "requested": True})
    return request


def extension_decide(*, request: ExtensionRequest, approve: bool, actor, note: str = "") -> ExtensionRequest:
    now = timezone.now()
    with transaction.atomic():
        petition = _lock_petition(request.assignment.petition_id)
        locked_request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
        if locked_request.status != RequestStatus.PENDING:
            raise ConflictError(_("This request was already decided."))
        assignment = _lock_assignment(locked_request.assignment_id)
        locked_request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
        locked_request.decided_at, locked_request.decided_by, locked_request.decision_note = now, actor, note
        locked_request.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        data = {"days": locked_request.days, "approved": approve}
        if approve and assignment.status in (AssignmentStatus.SIGNED, AssignmentStatus.PENDING):
            new_due = deadlines.extend(assignment.handle_due_at, locked_request.days)
            data.update({"from": assignment.handle_due_at.isoformat(), "to": new_due.isoformat()})
            assignment.handle_due_at = new_due
            assignment.extended_days += locked_request.days
            assignment.warn_at = deadlines.warn_at(assignment.clock_started_at or assignment.dispatched_at, new_due)
            # The new deadline is what the sweeps judge from now on; an earlier overdue stays on record.
            if new_due > now:
                assignment.warning = "yellow" if assignment.warn_at <= now else "none"
            assignment.save(update_fields=["handle_due_at", "extended_days", "warn_at", "warning"])
        petition_services.petition_record_event(petition=petition, kind=EventKind.EXTENSION, actor=actor,
                                                reason=note, data=data)
        messages.extension_decided(locked_request, assignment, petition)
    return locked_request


# --- platform review and callback ---------------------------------------------------------------------------

def reply_review(*, reply: Reply, approve: bool, actor, note: str = "", public_answer: str = "") -> Reply:
    """一个门出: the platform checks the unit's answer before the citizen sees it.
    Approved: the answer is published and the callback is due. Rejected:
    back to the lead unit for re-handling (重办)."""
    if not approve and not note.strip():
        raise DomainError(_("Tell the unit what is wrong with the answer."), field="note")
    now = timezone.now()
    with transaction.atomic():
        petition = _lock_petition(reply.petition_id)
        locked = Reply.objects.select_for_update().get(pk=reply.pk)
        if locked.review != Reply.Review.PENDING:
            raise ConflictError(_("This answer was already reviewed."))
        assignment = _lock_assignment(locked.assignment_id)
        locked.review = Reply.Review.APPROVED if approve else Reply.Review.REJECTED
        locked.reviewed_at, locked.reviewed_by, locked.review_note = now, actor, note
        locked.save(update_fields=["review", "reviewed_at", "reviewed_by", "review_note"])
        if approve:
            answer = public_answer.strip() or locked.content
            petition_services.petition_transition(
                petition=petition, to=Status.CALLBACK, actor=actor, kind=EventKind.REVIEWED, reason=note,
                changes={"answer": answer, "answered_at": now}, expected=[Status.REPLIED], now=now,
            )
        else:
            _move(assignment, AssignmentStatus.SIGNED, answered_at=None)
            petition_services.petition_transition(
                petition=petition, to=Status.IN_PROGRESS, actor=actor, kind=EventKind.REVIEWED, reason=note,
                data={"rejected": True}, expected=[Status.REPLIED], now=now,
            )
            messages.reply_rejected(assignment, petition, note, locked.pk)
    return locked


def callback_record(*, petition: Petition, actor, satisfaction: str, solved: bool, comment: str = ""):
    """An operator's callback (回访) by phone: recorded as the citizen's rating."""
    from petitions.models import Rating

    return petition_services.petition_rate(petition=petition, satisfaction=satisfaction, solved=solved,
                                           comment=comment, source=Rating.Source.CALLBACK, actor=actor)


# --- reactions to petition events (dispatch.receivers) ---------------------------------------------------------

def on_petition_closed(*, petition_id: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        for assignment in Assignment.objects.select_for_update().filter(
            petition_id=petition_id, status__in=ACTIVE_ASSIGNMENT_STATUSES
        ):
            if AssignmentStatus.DONE in ASSIGNMENT_TRANSITIONS[assignment.status]:
                _move(assignment, AssignmentStatus.DONE, closed_at=now)
            else:
                _move(assignment, AssignmentStatus.CANCELLED, closed_at=now)


def on_petition_reopened(*, petition_id: int) -> None:
    """Unsatisfied callback or look-back: the lead unit handles again, on a new clock."""
    now = timezone.now()
    with transaction.atomic():
        petition = _lock_petition(petition_id)
        lead = (Assignment.objects.select_for_update()
                .filter(petition=petition, role=Role.LEAD).exclude(status=AssignmentStatus.CANCELLED)
                .order_by("-dispatched_at").first())
        if lead is None:
            return
        if lead.status in (AssignmentStatus.ANSWERED, AssignmentStatus.DONE):
            clocks = deadlines.clocks(now, petition.classification, with_sign=False)
            _move(lead, AssignmentStatus.SIGNED, round=petition.handling_round, answered_at=None, closed_at=None,
                  warning="none", extended_days=0, waited_days=0, **clocks)


def dispatch_new_petition(petition_id: int) -> None:
    """Called after a petition enters the workflow: link repeats, then route."""
    petition = Petition.objects.select_related("classification", "area").get(pk=petition_id)
    try:
        repeat_detect(petition=petition)
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
