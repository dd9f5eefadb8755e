"""A unit's work on its assignment (办理): sign for it, contact the citizen, stop the
clock while waiting, answer, and ask the platform for a return or an extension.
A unit acts only on its own assignments.
"""
from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import deadlines, perfunctory
from dispatch.assignments import (
    check_member,
    lock_both,
    move,
    still_live,
)
from dispatch.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    Reply,
    RequestStatus,
    ReturnRequest,
    Role,
)
from lib.errors import ConflictError, DomainError
from org.models import HandlingUnit
from petitions import services as petition_services
from petitions.models import EventKind, Status
from supervision import services as supervision
from supervision.models import CaseKind

MAX_EXTENSION_DAYS = 20

def assignment_sign(*, assignment: Assignment, actor) -> Assignment:
    """签收: the unit acknowledges the petition; for the lead, handling starts."""
    check_member(actor, assignment)
    now = timezone.now()
    with transaction.atomic():
        petition, locked = lock_both(assignment)
        still_live(locked)
        if locked.status != AssignmentStatus.PENDING:
            signer = locked.signed_by.get_full_name() or locked.signed_by.username if locked.signed_by else "?"
            raise ConflictError(_("Already signed for by %(name)s at %(time)s.")
                                % {"name": signer, "time": timezone.localtime(locked.signed_at).strftime("%Y-%m-%d %H:%M")})
        move(locked, AssignmentStatus.SIGNED, signed_at=now, signed_by=actor)
        if locked.role == Role.LEAD and petition.status == Status.DISPATCHED:
            petition_services.petition_transition(petition=petition, to=Status.IN_PROGRESS, actor=actor,
                                                  kind=EventKind.SIGNED, data={"units": [locked.unit.name]}, now=now)
        else:
            petition_services.petition_record_event(petition=petition, kind=EventKind.SIGNED, actor=actor,
                                                    data={"units": [locked.unit.name]}, public=True)
    return locked


def assignment_record_contact(*, assignment: Assignment, actor, note: str) -> None:
    check_member(actor, assignment)
    if not note.strip():
        raise DomainError(_("Write down what was said with the citizen."), field="note")
    status = Assignment.objects.values_list("status", flat=True).get(pk=assignment.pk)
    if status not in (AssignmentStatus.SIGNED, AssignmentStatus.ANSWERED):
        raise DomainError(_("Sign for the petition first."), code="not_signed")
    petition_services.petition_record_event(petition=assignment.petition, kind=EventKind.CONTACTED, actor=actor,
                                            reason=note.strip(), data={"unit": assignment.unit.name}, public=True)


def assignment_wait_for_citizen(*, assignment: Assignment, actor, reason: str) -> Assignment:
    """Stop the handling clock while the unit waits for the citizen or a third party."""
    check_member(actor, assignment)
    if not reason.strip():
        raise DomainError(_("Say what the unit is waiting for."), field="reason")
    with transaction.atomic():
        _petition, locked = lock_both(assignment)
        if locked.status != AssignmentStatus.SIGNED or locked.paused_at:
            raise DomainError(_("Only a petition being handled, and not already waiting, can wait."))
        locked.paused_at = timezone.now()
        locked.save(update_fields=["paused_at"])
        petition_services.petition_record_event(petition=locked.petition, kind=EventKind.NOTE, actor=actor,
                                                reason=reason, data={"clock": "paused"})
    return locked


def assignment_resume(*, assignment: Assignment, actor) -> Assignment:
    check_member(actor, assignment)
    now = timezone.now()
    with transaction.atomic():
        petition, locked = lock_both(assignment)
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
    check_member(actor, assignment)
    if len(content.strip()) < 10:
        raise DomainError(_("Write the answer: what was done and the result (at least 10 characters)."),
                          field="content")
    now = timezone.now()
    with transaction.atomic():
        petition, locked = lock_both(assignment)
        still_live(locked)
        if locked.status == AssignmentStatus.PENDING:
            raise DomainError(_("Sign for the petition first."), code="not_signed")
        if locked.status != AssignmentStatus.SIGNED:
            raise ConflictError(_("This petition has already been answered."))
        move(locked, AssignmentStatus.ANSWERED, answered_at=now, answer=content.strip(), paused_at=None)
        supervision.cases_close_for(target=locked, kinds=[CaseKind.OVERDUE], note=_("The unit answered."))
        if uploads:
            petition_services.attachments_add(petition=petition, uploads=uploads, actor=actor, purpose="answer")
        if locked.role == Role.CO:
            petition_services.petition_record_event(petition=petition, kind=EventKind.REPLIED, actor=actor,
                                                    reason=content.strip(), data={"co_unit": locked.unit.name})
            return locked
        Reply.objects.create(petition=petition, assignment=locked, round=petition.handling_round,
                             content=content.strip(), solved=solved, submitted_at=now, submitted_by=actor,
                             perfunctory=perfunctory.found_in(content))
        petition_services.petition_transition(petition=petition, to=Status.REPLIED, actor=actor,
                                              kind=EventKind.REPLIED, expected=[Status.IN_PROGRESS],
                                              data={"units": [locked.unit.name]}, now=now)
    return locked


def assignment_request_return(*, assignment: Assignment, actor, reason: str,
                              suggested_unit: HandlingUnit | None = None) -> ReturnRequest:
    """退单: the unit asks to give the petition back. It keeps handling until the
    platform decides (first-receiver responsibility, 先办后议)."""
    check_member(actor, assignment)
    if len(reason.strip()) < 10:
        raise DomainError(_("Explain why this petition is not your unit's (at least 10 characters)."),
                          field="reason")
    with transaction.atomic():
        petition, locked = lock_both(assignment)
        still_live(locked)
        if locked.status not in (AssignmentStatus.PENDING, AssignmentStatus.SIGNED):
            raise DomainError(_("An answered petition can no longer be returned."))
        if ReturnRequest.objects.filter(assignment=locked, status=RequestStatus.PENDING).exists():
            raise DomainError(_("A return request is already waiting for the platform."))
        request = ReturnRequest.objects.create(assignment=locked, reason=reason.strip(), suggested_unit=suggested_unit,
                                               requested_at=timezone.now(), requested_by=actor)
        petition_services.petition_record_event(petition=petition, kind=EventKind.RETURN, actor=actor,
                                                reason=reason.strip(), data={"unit": locked.unit.name, "requested": True})
    return request



def assignment_request_extension(*, assignment: Assignment, actor, days: int, reason: str) -> ExtensionRequest:
    check_member(actor, assignment)
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise DomainError(_("Ask for 1 to %(max)s working days.") % {"max": MAX_EXTENSION_DAYS}, field="days")
    if len(reason.strip()) < 10:
        raise DomainError(_("Explain why more time is needed (at least 10 characters)."), field="reason")
    with transaction.atomic():
        petition, locked = lock_both(assignment)
        still_live(locked)
        if locked.status != AssignmentStatus.SIGNED:
            raise DomainError(_("Only a petition being handled can be extended."))
        if ExtensionRequest.objects.filter(assignment=locked, status=RequestStatus.PENDING).exists():
            raise DomainError(_("An extension request is already waiting for the platform."))
        request = ExtensionRequest.objects.create(assignment=locked, days=days, reason=reason.strip(),
                                                  requested_at=timezone.now(), requested_by=actor)
        petition_services.petition_record_event(petition=petition, kind=EventKind.EXTENSION, actor=actor,
                                                reason=reason.strip(), data={"days": days, "requested": True})
    return request
