"""A unit's work on its assignment (办理): sign for it, contact the citizen, stop the
clock while waiting, answer, and ask the platform for a return or an extension.
A unit acts only on its own assignments.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import deadlines, perfunctory
from dispatch.assignments import (
    check_member,
    lock_both,
    move,
    requests_withdraw,
    still_live,
)
from dispatch.models import (
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    Pause,
    PauseApproval,
    PauseReason,
    Reply,
    RequestStatus,
    ReturnRequest,
    Role,
    WarningLevel,
)
from lib.errors import ConflictError, DomainError
from org.calendar import get_calendar
from org.models import HandlingUnit, User
from org.permissions import user_district
from petitions import services as petition_services
from petitions.models import EventKind, PetitionEvent, Status
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
    with transaction.atomic():
        status = Assignment.objects.select_for_update().values_list("status", flat=True).get(pk=assignment.pk)
        if status not in (AssignmentStatus.SIGNED, AssignmentStatus.ANSWERED):
            raise DomainError(_("Sign for the petition first."), code="not_signed")
        # The same note by the same person a moment ago is the same post sent twice (a double click, the back
        # button): the citizen's timeline shows a contact once.
        if PetitionEvent.objects.filter(petition_id=assignment.petition_id, kind=EventKind.CONTACTED, actor=actor,
                                        reason=note.strip(),
                                        at__gte=timezone.now() - CONTACT_REPOST_WINDOW).exists():
            return
        petition_services.petition_record_event(petition=assignment.petition, kind=EventKind.CONTACTED, actor=actor,
                                                reason=note.strip(), data={"unit": assignment.unit.name}, public=True)


CONTACT_REPOST_WINDOW = dt.timedelta(minutes=10)


def _pause_cap() -> int:
    return settings.PORTAL_PAUSE_CAP_WORKING_DAYS


def _allowance_used(assignment: Assignment) -> int:
    """Working days of this round's allowance the unit's earlier stops used."""
    return sum(Pause.objects.filter(assignment=assignment, round=assignment.round, ended_at__isnull=False)
               .values_list("workdays", flat=True))


def assignment_wait_for_citizen(*, assignment: Assignment, actor, reason: str = "",
                                code: str = PauseReason.OTHER) -> Assignment:
    """Stop the handling clock while the unit waits for the citizen or a third party.

    The reason comes from a fixed list (PauseReason; 其他 needs the unit's words). Each round
    the unit may stop its clock for PORTAL_PAUSE_CAP_WORKING_DAYS working days in all; past
    that the clock restarts by itself (sweep_pause_caps) unless the platform approves."""
    check_member(actor, assignment)
    if code not in PauseReason.values:
        raise DomainError(_("Choose why the clock stops."), field="code")
    reason = reason.strip()
    if code == PauseReason.OTHER and not reason:
        raise DomainError(_("Say what the unit is waiting for."), field="reason")
    now = timezone.now()
    with transaction.atomic():
        petition, locked = lock_both(assignment)
        if locked.status != AssignmentStatus.SIGNED or locked.paused_at:
            raise DomainError(_("Only a petition being handled, and not already waiting, can wait."))
        if Pause.objects.filter(assignment=locked, ended_at__isnull=True).exists():
            raise DomainError(_("The last stop of the clock awaits the platform's approval: it is still open."))
        left = max(0, _pause_cap() - _allowance_used(locked))
        cap_at = get_calendar().deadline_from(now, left) if left else now
        pause = Pause.objects.create(assignment=locked, round=locked.round, reason=code, reason_text=reason[:500],
                                     started_at=now, started_by=actor, cap_at=cap_at)
        locked.paused_at = now
        locked.save(update_fields=["paused_at"])
        # On the citizen's timeline too (petitions.selectors.public_timeline): that handling waits, and, when it
        # waits for their materials, what the unit asks for (the form says the citizen reads those words).
        petition_services.petition_record_event(
            petition=petition, kind=EventKind.CLOCK, actor=actor, reason=pause.reason_shown, public=True,
            data={"clock": "paused", "unit": locked.unit.name, "reason": code, "allowance_left": left,
                  "cap_at": cap_at.isoformat(), "asked": reason[:500] if code == PauseReason.MATERIALS else ""})
    return locked


def _restart(locked: Assignment, petition, resumed_at, now) -> dict:
    """Move the deadline by the working time stopped (paused_at -> resumed_at); returns the history data.

    A deadline that is still to come at `now` is what the sweeps judge from now on, as after an extension approved
    late (review.extension_decide): a red mark and the *not handled in time* case opened meanwhile (the platform
    took its time to approve a longer stop) end here, or the case would go on escalating on a unit whose deadline
    is still to come. `overdue_at` stays on record."""
    new_due = deadlines.resume(locked.handle_due_at, locked.paused_at, resumed_at, petition.classification)
    data = {"clock": "resumed", "from": locked.handle_due_at.isoformat(), "to": new_due.isoformat()}
    locked.waited_days += deadlines.waited_workdays(locked.paused_at, resumed_at, petition.classification)
    locked.handle_due_at, locked.paused_at = new_due, None
    locked.warn_at = deadlines.warn_at(locked.clock_started_at or locked.dispatched_at, new_due)
    if new_due > now:
        _lift_overdue(locked, now, note=_("The clock restarted with its deadline still to come."))
    locked.save(update_fields=["handle_due_at", "paused_at", "waited_days", "warn_at", "warning"])
    return data


def _lift_overdue(locked: Assignment, moment, *, note: str) -> bool:
    """The unit's deadline is still to come as of `moment`: no red mark (yellow if the 75% point is passed, none
    otherwise) and its open *not handled in time* cases close with `note`. Returns whether it was red. The caller
    saves `warning`; the counters of open work follow it (their triggers, dispatch migration 0006)."""
    was_red = locked.warning == WarningLevel.RED
    if was_red:
        locked.warning = WarningLevel.YELLOW if locked.warn_at <= moment else WarningLevel.NONE
    elif locked.warning == WarningLevel.YELLOW and locked.warn_at > moment:
        locked.warning = WarningLevel.NONE  # its 75% point moved back into the future
    # A mark of none stays none: the sweep flags yellow at warn_at and tells the unit then.
    supervision.cases_close_for(target=locked, kinds=[CaseKind.OVERDUE], note=note)
    return was_red


def _pause_workdays(pause: Pause, until) -> int:
    """The allowance a stop used, up to its cap: in working days whatever the tier (deadlines.allowance_workdays)."""
    return deadlines.allowance_workdays(pause.started_at, min(until, pause.cap_at))


def assignment_resume(*, assignment: Assignment, actor) -> Assignment:
    check_member(actor, assignment)
    now = timezone.now()
    with transaction.atomic():
        petition, locked = lock_both(assignment)
        pause = Pause.objects.select_for_update().filter(assignment=locked, ended_at__isnull=True).first()
        if not locked.paused_at and not (pause and pause.approval == PauseApproval.PENDING):
            raise DomainError(_("The clock is not stopped."))
        data = _restart(locked, petition, now, now) if locked.paused_at else {"clock": "resumed"}
        if pause is not None:
            _pause_end(pause, now, actor)
        petition_services.petition_record_event(petition=petition, kind=EventKind.CLOCK, actor=actor, public=True,
                                                data={**data, "unit": locked.unit.name})
    return locked


def _pause_end(pause: Pause, now, actor) -> None:
    pause.ended_at = now
    pause.workdays = _pause_workdays(pause, now)
    fields = ["ended_at", "workdays"]
    if pause.approval == PauseApproval.PENDING:
        pause.approval = PauseApproval.WITHDRAWN
        fields.append("approval")
    pause.save(update_fields=fields)


def pauses_reach_cap(*, now=None, batch: int = 500) -> int:
    """Pauses whose allowance ran out: the clock restarts at the cap (as if resumed then) and the
    pause awaits the platform's approval. Conditional updates: a pause is capped once."""
    now = now or timezone.now()
    capped = 0
    for pause_id in list(Pause.objects.filter(ended_at__isnull=True, approval=PauseApproval.NONE, cap_at__lte=now)
                         .order_by("cap_at").values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            pause = Pause.objects.select_related("assignment").get(pk=pause_id)
            petition, locked = lock_both(pause.assignment)
            if locked.status != AssignmentStatus.SIGNED:
                # Withdrawn or answered meanwhile: the stop simply ends; there is no clock left to restart.
                Pause.objects.filter(pk=pause.pk, ended_at__isnull=True).update(
                    ended_at=pause.cap_at, workdays=_pause_workdays(pause, pause.cap_at))
                continue
            if not Pause.objects.filter(pk=pause.pk, ended_at__isnull=True, approval=PauseApproval.NONE).update(
                    approval=PauseApproval.PENDING):
                continue
            pause.workdays = _pause_workdays(pause, pause.cap_at)
            pause.save(update_fields=["workdays"])
            data = {"clock": "capped"}
            if locked.paused_at:
                data.update(_restart(locked, petition, pause.cap_at, now))
            petition_services.petition_record_event(
                petition=petition, kind=EventKind.CLOCK, public=True,
                reason=_("The unit's allowance of %(days)s working days of stopped clock ran out: the clock runs "
                         "again until the platform approves a longer stop.") % {"days": _pause_cap()},
                data={**data, "unit": locked.unit.name})
            capped += 1
    return capped


def pause_decide(*, pause: Pause, actor, approve: bool, note: str = "") -> Pause:
    """The platform (a dispatcher or a supervisor) decides a stop past the cap. Approved: the clock
    stops again from the cap, until the unit restarts it. Refused: it keeps running from the cap."""
    district = user_district(actor)
    city_platform = actor.has_role(User.Role.DISPATCHER, User.Role.SUPERVISOR, User.Role.ADMIN)
    if not city_platform and (district is None or pause.assignment.petition.district_id != district.pk):
        # The city platform decides anywhere; a district platform ("1 + 10") in its own district only.
        raise DomainError(_("Only the platform decides a stop past the cap."), code="forbidden")
    if not approve and len(note.strip()) < 5:
        raise DomainError(_("Tell the unit why the longer stop is refused."), field="note")
    now = timezone.now()
    with transaction.atomic():
        petition, locked = lock_both(pause.assignment)
        fresh = Pause.objects.select_for_update().get(pk=pause.pk)
        if fresh.approval != PauseApproval.PENDING or fresh.ended_at is not None:
            raise ConflictError(_("This stop of the clock was already decided or ended."))
        fresh.decided_at, fresh.decided_by, fresh.decision_note = now, actor, note.strip()[:1000]
        data = {"clock": "approved" if approve else "refused", "unit": locked.unit.name}
        if approve and locked.status == AssignmentStatus.SIGNED and not locked.paused_at:
            fresh.approval = PauseApproval.APPROVED
            locked.paused_at = fresh.cap_at  # stopped again since the cap: that time is not the unit's
            if locked.handle_due_at > fresh.cap_at:
                # The clock stands at the cap, with its deadline still to come: a red mark the sweep gave while the
                # platform decided, and the case it opened, were the platform's delay (docs/supervision.md, "Fair
                # clocks"), as for an extension approved late. A deadline already passed at the cap was the unit's
                # own time and stays red.
                if _lift_overdue(locked, fresh.cap_at, note=_("A longer stop of the clock was approved: the time "
                                                               "since the cap is the platform's.")):
                    data["overdue_lifted"] = True
            locked.save(update_fields=["paused_at", "warning"])
        elif approve:
            raise ConflictError(_("The unit is no longer handling this petition."))
        else:
            fresh.approval = PauseApproval.REFUSED
            fresh.ended_at = now
        fresh.save()
        # Public: an approved longer stop stops the clock again (the citizen's page says handling is paused).
        petition_services.petition_record_event(
            petition=petition, kind=EventKind.CLOCK, actor=actor, reason=note.strip(), public=approve, data=data)
    return fresh


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
        if locked.paused_at:
            # Answered while the clock is stopped: the stopped time is the unit's to keep (the deadline moves and
            # waited_days grows, as on "Resume"), or a rejected answer would find the unit overdue at once.
            restarted = _restart(locked, petition, now, now)
            petition_services.petition_record_event(petition=petition, kind=EventKind.CLOCK, actor=actor, public=True,
                                                    data={**restarted, "unit": locked.unit.name})
        move(locked, AssignmentStatus.ANSWERED, answered_at=now, answer=content.strip())
        for pause in Pause.objects.filter(assignment=locked, ended_at__isnull=True):
            _pause_end(pause, now, actor)
        supervision.cases_close_for(target=locked, kinds=[CaseKind.OVERDUE], note=_("The unit answered."))
        # An answered petition needs no more time, and a unit that answers has kept the work: neither its extension
        # nor its return request awaits the platform any more (approving that return later would throw the answer
        # away and send the citizen's petition round again).
        requests_withdraw(assignments=[locked.pk], now=now, note=_("The unit answered."))
        files = petition_services.attachments_add(petition=petition, uploads=uploads, actor=actor,
                                                  purpose="answer") if uploads else []
        if locked.role == Role.CO:
            petition_services.petition_record_event(petition=petition, kind=EventKind.REPLIED, actor=actor,
                                                    reason=content.strip(), data={"co_unit": locked.unit.name})
            return locked
        reply = Reply.objects.create(petition=petition, assignment=locked, round=petition.handling_round,
                                     content=content.strip(), solved=solved, submitted_at=now, submitted_by=actor,
                                     perfunctory=perfunctory.found_in(content))
        if files:
            reply.attachments.set(files)  # published with the answer if the platform keeps them (review.py)
        # The petition is the row lock_both locked: stepped on it, not read and locked again (issue 20).
        petition_services.petition_transition(petition=petition, to=Status.REPLIED, actor=actor,
                                              kind=EventKind.REPLIED, expected=[Status.IN_PROGRESS],
                                              data={"units": [locked.unit.name]}, now=now, held=True)
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
