"""The platform's decisions on what the units sent up: returns and extensions
asked for, answers reviewed before the citizen sees them (一个门出), and the
callback (回访).
"""
from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import deadlines, messages
from dispatch.assignments import (
    cancel_assignment,
    cancel_live,
    lock_assignment,
    lock_petition,
    move,
)
from dispatch.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    Reply,
    RequestStatus,
    ReturnRequest,
    Role,
    WarningLevel,
)
from dispatch.services import dispatch_replace_lead
from lib.errors import ConflictError, DomainError
from org.models import HandlingUnit
from petitions import services as petition_services
from petitions.models import EventKind, Petition, Rating, Status
from supervision import services as supervision
from supervision.models import CaseKind


def _decide(request: ReturnRequest | ExtensionRequest, *, approve: bool, actor, note: str, now):
    """Record the platform's decision on a unit's request, under the usual lock order
    (petition, request, assignment); a second decider gets a ConflictError."""
    petition = lock_petition(request.assignment.petition_id)
    locked_request = type(request).objects.select_for_update().get(pk=request.pk)
    if locked_request.status != RequestStatus.PENDING:
        raise ConflictError(_("This request was already decided."))
    assignment = lock_assignment(locked_request.assignment_id)
    locked_request.status = RequestStatus.APPROVED if approve else RequestStatus.REFUSED
    locked_request.decided_at, locked_request.decided_by, locked_request.decision_note = now, actor, note
    locked_request.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    return petition, locked_request, assignment


def return_decide(*, request: ReturnRequest, approve: bool, actor, note: str = "",
                  new_lead: HandlingUnit | None = None) -> ReturnRequest:
    """The platform approves a return (the petition is re-dispatched, or goes back
    to the queue) or refuses it (the unit must handle it)."""
    now = timezone.now()
    if not approve and not note.strip():
        raise DomainError(_("Tell the unit why it must handle the petition."), field="note")
    with transaction.atomic():
        petition, locked_request, assignment = _decide(request, approve=approve, actor=actor, note=note, now=now)
        data = {"unit": assignment.unit.name, "approved": approve}
        messages.return_decided(locked_request, assignment, petition)
        if not approve:
            petition_services.petition_record_event(petition=petition, kind=EventKind.RETURN, actor=actor,
                                                    reason=note, data=data)
            return locked_request
        if assignment.role == Role.CO or assignment.status == AssignmentStatus.CANCELLED:
            if assignment.status != AssignmentStatus.CANCELLED:
                cancel_assignment(assignment, now)
            petition_services.petition_record_event(petition=petition, kind=EventKind.RETURN, actor=actor,
                                                    reason=note, data=data)
            return locked_request
        if new_lead is not None:
            # Only the lead changes: the co-units keep their work, answers and clocks (docs/dispatch.md).
            dispatch_replace_lead(petition=petition, lead_unit=new_lead, actor=actor,
                                  reason=note or _("Return approved."), kind=EventKind.RETURN)
        else:
            cancel_live(petition, now)
            petition_services.petition_transition(petition=petition, to=Status.RECEIVED, actor=actor,
                                                  kind=EventKind.RETURN, reason=note, data=data, now=now)
    return locked_request



def extension_decide(*, request: ExtensionRequest, approve: bool, actor, note: str = "") -> ExtensionRequest:
    """The platform approves an extension (working days added to the deadline) or refuses it, saying why: the unit
    must then finish by the deadline it has, and is told the reason (as for a refused return)."""
    now = timezone.now()
    if not approve and not note.strip():
        raise DomainError(_("Tell the unit why it gets no more time."), field="note")
    with transaction.atomic():
        petition, locked_request, assignment = _decide(request, approve=approve, actor=actor, note=note, now=now)
        data = {"days": locked_request.days, "approved": approve}
        if approve and assignment.status in (AssignmentStatus.SIGNED, AssignmentStatus.PENDING):
            new_due = deadlines.extend(assignment.handle_due_at, locked_request.days)
            data.update({"from": assignment.handle_due_at.isoformat(), "to": new_due.isoformat()})
            assignment.handle_due_at = new_due
            assignment.extended_days += locked_request.days
            assignment.warn_at = deadlines.warn_at(assignment.clock_started_at or assignment.dispatched_at, new_due)
            # The new deadline is what the sweeps judge from now on; an earlier overdue stays on record (overdue_at).
            if new_due > now:
                assignment.warning = "yellow" if assignment.warn_at <= now else "none"
            assignment.save(update_fields=["handle_due_at", "extended_days", "warn_at", "warning"])
            if new_due > now:
                # The time the request waited for the platform is the platform's: an extension approved after the
                # deadline ends the chase the sweep opened meanwhile, or the case would escalate on a unit whose
                # deadline is still to come (docs/supervision.md, "Fair clocks").
                supervision.cases_close_for(target=assignment, kinds=[CaseKind.OVERDUE],
                                            note=_("An extension was approved: the new deadline is still to come."))
        petition_services.petition_record_event(petition=petition, kind=EventKind.EXTENSION, actor=actor,
                                                reason=note, data=data)
        messages.extension_decided(locked_request, assignment, petition)
    return locked_request



def reply_review(*, reply: Reply, approve: bool, actor, note: str = "", public_answer: str = "",
                 published_files: Iterable[int] | None = None) -> Reply:
    """一个门出: the platform checks the unit's answer before the citizen sees it.
    Approved: the answer is published with the files the reviewer kept (`published_files`, ids of the answer's
    files; None keeps them all) and the callback is due. Rejected: back to the lead unit for re-handling (重办);
    its files are never shown to the citizen."""
    if not approve and not note.strip():
        raise DomainError(_("Tell the unit what is wrong with the answer."), field="note")
    now = timezone.now()
    with transaction.atomic():
        petition = lock_petition(reply.petition_id)
        locked = Reply.objects.select_for_update().get(pk=reply.pk)
        if locked.review != Reply.Review.PENDING:
            raise ConflictError(_("This answer was already reviewed."))
        assignment = lock_assignment(locked.assignment_id)
        locked.review = Reply.Review.APPROVED if approve else Reply.Review.REJECTED
        locked.reviewed_at, locked.reviewed_by, locked.review_note = now, actor, note
        locked.save(update_fields=["review", "reviewed_at", "reviewed_by", "review_note"])
        if approve:
            answer = public_answer.strip() or locked.content
            petition_services.petition_transition(
                petition=petition, to=Status.CALLBACK, actor=actor, kind=EventKind.REVIEWED, reason=note,
                changes={"answer": answer, "answered_at": now}, expected=[Status.REPLIED], now=now,
            )
            files = locked.attachments.all()
            if published_files is not None:
                files = files.filter(pk__in=[int(pk) for pk in published_files])
            petition_services.attachments_publish(ids=[f.pk for f in files], now=now)
            # The lead's answer covers the co-units (docs/dispatch.md): one that has not answered is no longer
            # on the clock, and its open cases close, as they would when the petition closes (on_petition_closed).
            for co in Assignment.objects.select_for_update().filter(
                    petition=petition, role=Role.CO, status__in=[AssignmentStatus.PENDING, AssignmentStatus.SIGNED]):
                cancel_assignment(co, now, note=_("The lead unit's answer, which covers the co-units, was published."))
        else:
            # Review time is the platform's, not the unit's (DOMAIN.md section 5): the unit gets back the
            # working days its answer spent waiting for this review (docs/supervision.md).
            new_due = deadlines.resume(assignment.handle_due_at, locked.submitted_at, now, petition.classification)
            warn = deadlines.warn_at(assignment.clock_started_at or assignment.dispatched_at, new_due)
            # Counted in waited_days as a stop of the clock is (handling._restart): a recomputation after a calendar
            # change rebuilds the deadline from the tier + extended_days + waited_days and must keep these days.
            waited = assignment.waited_days + deadlines.waited_workdays(locked.submitted_at, now,
                                                                       petition.classification)
            move(assignment, AssignmentStatus.SIGNED, answered_at=None, handle_due_at=new_due, warn_at=warn,
                 warning=WarningLevel.YELLOW if warn <= now < new_due else WarningLevel.NONE, overdue_at=None,
                 waited_days=waited)
            petition_services.petition_transition(
                petition=petition, to=Status.IN_PROGRESS, actor=actor, kind=EventKind.REVIEWED, reason=note,
                data={"rejected": True}, expected=[Status.REPLIED], now=now,
            )
            messages.reply_rejected(assignment, petition, note, locked.pk)
    return locked


def callback_record(*, petition: Petition, actor, satisfaction: str, solved: bool, comment: str = ""):
    """An operator's callback (回访) by phone: recorded as the citizen's rating."""
    return petition_services.petition_rate(petition=petition, satisfaction=satisfaction, solved=solved,
                                           comment=comment, source=Rating.Source.CALLBACK, actor=actor)
