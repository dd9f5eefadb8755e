"""What counts as the same matter (DOMAIN.md section 6): linking a repeat to the
matter it repeats at intake, and the supervision notice when a matter is
complained about too often.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from dispatch.models import (
    Role,
)
from petitions import privacy
from petitions import services as petition_services
from petitions.models import Petition, Status
from supervision import services as supervision
from supervision.models import CaseKind, Level


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
        repeat_notice(root=Petition.objects.get(pk=earlier.repeat_of_id or earlier.pk))
    return earlier


def repeat_notice(*, root: Petition) -> None:
    """The same matter complained about 3 or more times: a supervision notice to
    the unit's inspection office (DOMAIN.md section 6)."""
    if root.repeat_count + 1 < settings.PORTAL_REPEAT_NOTICE_THRESHOLD:  # the original plus its repeats
        return
    lead = root.assignments.filter(role=Role.LEAD).exclude(status="cancelled").select_related("unit").first()
    supervision.case_open(
        target=root, kind=CaseKind.REPEAT, reference=root.number, title=privacy.case_title(root), level=Level.INSPECTION,
        unit=lead.unit if lead else None, area=root.area, link=f"/dispatch/supervision/petition/{root.pk}/",
        note=_("Complained about %(count)s times.") % {"count": root.repeat_count + 1},
    )
