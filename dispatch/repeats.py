"""What counts as the same matter (DOMAIN.md section 6; docs/supervision.md, "Repeats").

A repeat is the same matter raised again: the same complainant (the same mobile phone or the same ID
number) about the same classification item within PORTAL_REPEAT_WINDOW_DAYS, or a link a dispatcher
makes by hand, with a reason, and can undo. Praise, suggestions and consultations are never repeats:
three people thanking one street office are not a complaint about it. The decision is taken again
whenever a petition gets or changes its classification, because the item is half of "the same matter";
a decision a dispatcher took by hand stands.

Every petition of a chain carries the chain's count (petitions.services.petition_link_repeat), and from
the PORTAL_REPEAT_NOTICE_THRESHOLD-th petition (3 by default) the special supervision opens on the
newest live petition of the chain: the one a unit is handling now, not the closed original.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from dispatch.models import Assignment, AssignmentStatus, Role
from lib.errors import DomainError
from petitions import privacy
from petitions import services as petition_services
from petitions.models import OPEN_STATUSES, Kind, Petition, Status
from supervision import services as supervision
from supervision.models import CaseKind, Level

# Kinds that never make a repeat, on either side of the link.
NEVER_REPEATS = frozenset({Kind.PRAISE, Kind.SUGGESTION, Kind.CONSULTATION})


def same_matter(petition: Petition) -> Petition | None:
    """The earliest petition of the same matter as `petition`, by the automatic rule, or None."""
    if petition.classification_id is None or petition.kind in NEVER_REPEATS:
        return None
    same_person = Q()
    if petition.complainant_phone:
        same_person |= Q(complainant_phone=petition.complainant_phone)
    if petition.complainant_id_number:
        same_person |= Q(complainant_id_number=petition.complainant_id_number)
    if not same_person:
        return None  # an anonymous petition has no complainant to repeat
    since = petition.received_at - dt.timedelta(days=settings.PORTAL_REPEAT_WINDOW_DAYS)
    return (
        Petition.objects.filter(same_person, classification_id=petition.classification_id,
                                received_at__gte=since, received_at__lte=petition.received_at)
        .exclude(pk=petition.pk).exclude(status=Status.MERGED).exclude(kind__in=NEVER_REPEATS)
        .exclude(repeat_of_id=petition.pk)  # its own repeats come after it
        .order_by("received_at", "pk")
        .only("pk", "repeat_of_id", "number")
        .first()
    )


def repeat_detect(*, petition: Petition, fresh: bool = False) -> Petition | None:
    """Decide (again) whether `petition` repeats an earlier matter; called at intake and whenever its
    classification is set or changed. Returns the petition it was linked to, if any. `fresh`: the petition
    was filed a moment ago and is as intake saved it (no link yet, nobody decided by hand): not read again."""
    if not fresh:
        petition.refresh_from_db(fields=["repeat_of", "repeat_count", "repeat_by_hand", "classification", "kind"])
    if petition.repeat_by_hand:
        return None  # a dispatcher decided; detection does not overrule them
    earlier = same_matter(petition)
    wanted_root = (earlier.repeat_of_id or earlier.pk) if earlier else None
    if petition.repeat_of_id and petition.repeat_of_id != wanted_root:
        petition_services.petition_unlink_repeat(
            petition=petition, reason=_("No longer the same matter after the classification changed."))
    if earlier is None or petition.repeat_of_id == wanted_root:
        return None
    count = petition_services.petition_link_repeat(
        petition=petition, original=earlier,
        reason=_("Same complainant and item as %(number)s within %(days)s days.")
        % {"number": earlier.number, "days": settings.PORTAL_REPEAT_WINDOW_DAYS},
    )
    repeat_notice(root_id=wanted_root, count=count)
    return earlier


def repeat_link(*, petition: Petition, original: Petition, actor, reason: str) -> int:
    """A dispatcher links two petitions as the same matter by hand (undoable with `repeat_unlink`)."""
    if not reason.strip():
        raise DomainError(_("Say why these petitions are the same matter."), field="reason")
    if petition.kind in NEVER_REPEATS or original.kind in NEVER_REPEATS:
        raise DomainError(_("Praise, suggestions and consultations are never repeats."), field="original")
    if original.status == Status.MERGED:
        raise DomainError(_("Petition %(number)s is merged; link the one it was merged into.")
                          % {"number": original.number}, field="original")
    count = petition_services.petition_link_repeat(petition=petition, original=original, actor=actor,
                                                   reason=reason.strip(), by_hand=True)
    repeat_notice(root_id=original.repeat_of_id or original.pk, count=count)
    return count


def repeat_unlink(*, petition: Petition, actor, reason: str) -> Petition:
    """A dispatcher undoes a repeat link, with a reason; the decision stands against later detection."""
    return petition_services.petition_unlink_repeat(petition=petition, actor=actor, reason=reason, by_hand=True)


def chain(root_id: int):
    """The petitions of one matter, oldest first."""
    return Petition.objects.filter(Q(pk=root_id) | Q(repeat_of_id=root_id)).order_by("received_at", "pk")


def repeat_notice(*, root_id: int, count: int) -> None:
    """The same matter raised for the 3rd time or more: a special supervision notice to the inspection
    office of the unit handling the newest live petition of the chain (DOMAIN.md section 6)."""
    if count + 1 < settings.PORTAL_REPEAT_NOTICE_THRESHOLD:  # the original plus its repeats
        return
    members = list(chain(root_id).only("pk", "status", "number", "area_id", "title", "confidential",
                                       "received_at"))
    if supervision.open_cases_on(targets=members, kind=CaseKind.REPEAT):
        return  # the matter is already under special supervision: one case a matter, not one a call
    live = [p for p in members if p.status in OPEN_STATUSES]
    target = (live or members)[-1]
    # Addressed to the unit handling the target itself, never to an earlier petition's lead: the new petition
    # may have gone to another unit (another street, a re-dispatch). Not dispatched yet (at intake detection
    # runs before routing; a proposal awaits confirmation; the dispatcher's queue): the notice waits, and
    # dispatch opens it once the target has its lead (services._repeat_notice_on_dispatch).
    handled_by = (Assignment.objects.filter(petition=target, role=Role.LEAD)
                  .exclude(status__in=[AssignmentStatus.CANCELLED, AssignmentStatus.PROPOSED]))
    lead = handled_by.select_related("unit").order_by("-dispatched_at").first()
    if lead is None and live:
        return
    if lead is None:  # the whole matter is closed: the last unit that handled it
        lead = (Assignment.objects.filter(petition__in=[p.pk for p in members], role=Role.LEAD)
                .exclude(status__in=[AssignmentStatus.CANCELLED, AssignmentStatus.PROPOSED]).select_related("unit")
                .order_by("-petition__received_at", "-dispatched_at").first())
    supervision.case_open(
        target=target, kind=CaseKind.REPEAT, reference=target.number, title=privacy.case_title(target),
        level=Level.INSPECTION, unit=lead.unit if lead else None, area=target.area,
        link=f"/dispatch/supervision/petition/{target.pk}/",
        note=_("The same matter raised %(count)s times.") % {"count": count + 1},
    )
