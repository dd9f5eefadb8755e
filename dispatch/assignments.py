"""What every action on assignments shares: the lock order, the transition check
against ASSIGNMENT_TRANSITIONS, and the unit-membership check.

Every action locks the petition row first and then its assignments (one lock
order everywhere: no deadlocks). A user who lost a race gets a ConflictError
saying what happened.
"""
from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from dispatch.models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    ASSIGNMENT_TRANSITIONS,
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    Reply,
    RequestStatus,
    ReturnRequest,
    Role,
)
from lib.errors import ConflictError, DomainError
from org.models import User
from petitions.models import Petition
from supervision import services as supervision

LIVE = (AssignmentStatus.PROPOSED, *ACTIVE_ASSIGNMENT_STATUSES)


def lock_petition(petition: Petition | int) -> Petition:
    pk = petition.pk if isinstance(petition, Petition) else petition
    # of=("self",): lock only the petition row, not the joined reference rows.
    return Petition.objects.select_for_update(of=("self",)).select_related("classification", "area").get(pk=pk)


def lock_assignment(assignment: Assignment | int) -> Assignment:
    pk = assignment.pk if isinstance(assignment, Assignment) else assignment
    return Assignment.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)


def lock_both(assignment: Assignment) -> tuple[Petition, Assignment]:
    """Lock the petition, then the assignment: always in this order, so two actions on one petition (a unit
    signing, the platform re-dispatching) wait for each other instead of deadlocking."""
    return lock_petition(assignment.petition_id), lock_assignment(assignment)


def move(assignment: Assignment, to: str, **changes) -> Assignment:
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


def check_member(actor: User, assignment: Assignment) -> None:
    """Units act only on their own assignments (pages and API check this too)."""
    if not (actor.is_superuser or (actor.role == User.Role.UNIT_HANDLER and actor.unit_id == assignment.unit_id)):
        raise DomainError(_("This petition is not assigned to your unit."), code="not_your_unit")


def still_live(assignment: Assignment) -> None:
    if assignment.status == AssignmentStatus.CANCELLED:
        raise ConflictError(_("This petition has meanwhile been withdrawn from your unit (re-dispatched or returned)."))


def requests_withdraw(*, assignments, now: dt.datetime, note: str,
                      kinds=(ReturnRequest, ExtensionRequest)) -> int:
    """Pending requests with nothing left to decide (the assignment withdrawn or answered, the petition closed)
    leave the dispatcher's queue and the unit's page: "awaiting the platform" must not outlive the work."""
    withdrawn = 0
    for model in kinds:
        withdrawn += model.objects.filter(assignment__in=assignments, status=RequestStatus.PENDING).update(
            status=RequestStatus.WITHDRAWN, decided_at=now, decision_note=note)
    return withdrawn


def cancel_assignment(assignment: Assignment, now: dt.datetime, *, note: str = "") -> Assignment:
    """The platform takes the work from the unit (re-dispatch, a co-unit removed, a return approved): the
    assignment is cancelled and its open supervision cases close with it. The unit is no longer chased for
    work it no longer holds (DOMAIN.md section 6: the platform's decisions are not the unit's), and its requests
    still awaiting the platform are withdrawn. Every way of withdrawing an assignment goes through here, so none
    of them can forget the cases or leave a request in the dispatcher's queue."""
    note = note or _("Withdrawn from the unit.")
    move(assignment, AssignmentStatus.CANCELLED, closed_at=now)
    supervision.cases_close_for(target=assignment, note=note)
    requests_withdraw(assignments=[assignment.pk], now=now, note=note)
    return assignment


def cancel_live(petition: Petition, now: dt.datetime, *, roles=(Role.LEAD, Role.CO)) -> list[int]:
    live = list(Assignment.objects.select_for_update().filter(petition=petition, status__in=LIVE, role__in=roles))
    for assignment in live:
        cancel_assignment(assignment, now)
    Reply.objects.filter(petition=petition, review=Reply.Review.PENDING).update(
        review=Reply.Review.REJECTED, reviewed_at=now, review_note=_("Withdrawn: the petition was re-dispatched.")
    )
    return [a.unit_id for a in live]
