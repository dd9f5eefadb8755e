"""Reads of the channels used in more than one place."""
from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from petitions.models import Attachment, Channel, Petition


def grid_reports(user) -> QuerySet[Petition]:
    """What a grid worker reported, newest first, with what their list shows."""
    return (Petition.objects.filter(channel=Channel.GRID, filed_by=user)
            .select_related("area", "classification")
            # Their own photos: a unit's answer files are not theirs to count.
            .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.filter(purpose="petition")))
            .order_by("-received_at"))
