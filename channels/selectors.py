"""Reads of the channels used in more than one place."""
from __future__ import annotations

from django.db.models import QuerySet

from petitions.models import Channel, Petition


def grid_reports(user) -> QuerySet[Petition]:
    """What a grid worker reported, newest first, with what their list shows."""
    return (Petition.objects.filter(channel=Channel.GRID, filed_by=user)
            .select_related("area", "classification").prefetch_related("attachments").order_by("-received_at"))
