"""Reads of petitions that more than one caller needs."""
from __future__ import annotations

from dataclasses import dataclass
import datetime as dt

from django.db import connection
from django.db.models import FilteredRelation, Q, QuerySet

import re

from lib.identity import normalise_phone
from django.utils.translation import gettext as _

from petitions.models import LEAD_CLOCK_STATUSES, EventKind, Petition, PetitionEvent, Status

_CJK = re.compile(r"[\u4e00-\u9fff]")
BIGRAM_MATCH = "portal_bigrams(title || ' ' || content || ' ' || address) @@ to_tsquery('simple', %s)"


def word_bigrams(text: str) -> list[str]:
    """The pairs of adjacent Chinese characters of `text`, in order: what the search index holds for a text
    (the database's portal_bigrams, petitions migration 0017, applies the same rule) and what a search asks for."""
    return [text[i:i + 2] for i in range(len(text) - 1) if _CJK.match(text[i]) and _CJK.match(text[i + 1])]


@dataclass
class TimelineStep:
    at: dt.datetime
    label: str
    detail: str


def petition_for_tracking(*, number: str, phone: str) -> Petition | None:
    """The petition with this number, only if the phone matches the complainant's."""
    return (
        Petition.objects.select_related("area", "classification")
        .filter(number=number, complainant_phone=phone)
        .first()
    )


def public_timeline(petition: Petition) -> list[TimelineStep]:
    """The public steps of a petition: what happened and when, never by whom."""
    steps = []
    for event in petition.events.filter(public=True).order_by("at", "id"):
        label = Status(event.to_status).label if event.to_status else event.get_kind_display()
        if event.kind == EventKind.FILED:
            label = EventKind.FILED.label
        detail = ""
        units = event.data.get("units") if isinstance(event.data, dict) else None
        if units:
            detail = "、".join(units)
        if event.kind == EventKind.CLOCK:
            # A stop of the handling clock and its end (dispatch.handling): that handling waits, and what the unit
            # asks of the citizen when it waits for their materials; never the unit's other words.
            clock = event.data.get("clock") if isinstance(event.data, dict) else None
            if clock == "approved":
                label, detail = _("Handling paused"), ""
            elif clock == "paused":
                materials = event.data.get("reason") == "materials"
                label = _("Waiting for your further materials") if materials else _("Handling paused")
                detail = event.data.get("asked", "") if materials else ""
            elif clock in ("resumed", "capped"):
                label, detail = _("Handling resumed"), ""
            else:
                continue
        if event.kind == EventKind.SUPPLEMENT:
            label, detail = _("You added materials"), ""
        if event.kind == EventKind.REOPENED:
            # A new round of handling, and why: the citizen's own comment or the platform's finding.
            label = _("Reopened for round %(round)s") % {"round": event.data.get("round", 1) + 1} \
                if isinstance(event.data, dict) and event.data.get("round") else EventKind.REOPENED.label
            detail = event.reason
        steps.append(TimelineStep(at=event.at, label=str(label), detail=detail))
    return steps


def petition_search(queryset: QuerySet[Petition], term: str) -> QuerySet[Petition]:
    """Find by tracking number, by phone, or by words of the title and content."""
    term = term.strip()
    if not term:
        return queryset
    if term.isdigit() and len(term) >= 14:
        return queryset.filter(number=term)
    try:
        # A whole phone number: an exact match through the phone index.
        return queryset.filter(complainant_phone=normalise_phone(term))
    except ValueError:
        pass
    digits = term.replace("-", "").replace(" ", "")
    if digits.isdigit() and len(digits) >= 7:
        return queryset.filter(complainant_phone__contains=digits)
    condition = Q()
    bigrams = []
    for word in term.split()[:6]:
        # Chinese has no letter case: a plain LIKE, which is exact for Chinese and cheaper.
        lookup = "contains" if _CJK.search(word) else "icontains"
        condition &= (Q(**{f"title__{lookup}": word}) | Q(**{f"content__{lookup}": word})
                      | Q(**{f"address__{lookup}": word}))
        # Only pairs of Chinese characters: they are what the index holds.
        bigrams += word_bigrams(word)
    if bigrams and connection.vendor == "postgresql":
        # Narrow through the bigram index first (migrations 0005, 0017); the LIKE above confirms.
        queryset = queryset.extra(where=[BIGRAM_MATCH], params=[" & ".join(sorted(set(bigrams)))])
    return queryset.filter(condition)


def history(petition: Petition) -> QuerySet[PetitionEvent]:
    return petition.events.select_related("actor").order_by("at", "id")


def lead_clock(petition: Petition) -> tuple[dt.datetime | None, dict | None]:
    """The live lead assignment's clock in one query: the answer date the citizen may expect (none while the clock
    is stopped: the deadline moves when it restarts) and, while it is stopped, since when and whether the unit waits
    for the citizen's materials (and what it asks for). Read through the reverse relations dispatch declares, so
    petitions imports nothing of dispatch."""
    if petition.status not in LEAD_CLOCK_STATUSES:
        return None, None
    row = (petition.assignments.filter(role="lead").exclude(status="cancelled")
           .annotate(open_pause=FilteredRelation("pauses", condition=Q(pauses__ended_at__isnull=True)))
           .order_by("-dispatched_at")
           .values("handle_due_at", "paused_at", "status", "open_pause__reason", "open_pause__reason_text").first())
    if row is None:
        return None, None
    if not row["paused_at"]:
        return row["handle_due_at"], None
    if row["status"] != "signed":
        return None, None
    materials = row["open_pause__reason"] == "materials"
    return None, {"since": row["paused_at"], "materials": materials,
                  "asked": (row["open_pause__reason_text"] or "") if materials else ""}


def expected_answer_at(petition: Petition) -> dt.datetime | None:
    """When the citizen can expect the answer: the live lead assignment's handling deadline (none while its clock
    is stopped)."""
    return lead_clock(petition)[0]
