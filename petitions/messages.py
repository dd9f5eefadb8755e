"""What the portal tells a citizen about their petition, and when (docs/notifications.md).

Called inside the transaction of the change it reports, so the message is
queued exactly when the change commits. Each message carries the citizen's
personal link (petitions.links). A landline caller gets no SMS (the operator
calls them back); a petition with no mobile number is told nothing here.
"""
from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse

from notifications.messaging import Recipients, message_send, unit_recipients
from petitions.links import petition_link
from petitions.models import Petition, Status

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Statuses whose message is queued by petition_transition (the rest by the step that knows more).
_ON_STATUS = {Status.CALLBACK: "citizen.answered", Status.CLOSED: "citizen.closed",
              Status.CLOSED_ON_SPOT: "citizen.closed"}


def tell_citizen(petition: Petition, code: str, *, key: str, urgent: bool = False, **context) -> int:
    if not _MOBILE.match(petition.complainant_phone or ""):
        return 0
    # petition_channel: lets a channel's fanout (the WeChat copy) skip petitions that did not come through it.
    context = {"number": petition.number, "link": petition_link(petition), "petition_channel": petition.channel,
               **context}
    return message_send(code=code, key=key, context=context, to=Recipients(phones=[petition.complainant_phone]),
                        language=petition.language, urgent=urgent)


def on_transition(petition: Petition, *, from_status: str, to_status: str, reopened: bool, reason: str,
                  event_id: int) -> None:
    """The citizen's message for a status change, keyed on the history event (one message per step)."""
    if reopened:
        tell_citizen(petition, "citizen.reopened", key=f"{petition.pk}:{event_id}", reason=reason[:60])
        return
    code = _ON_STATUS.get(to_status)
    if code and from_status != to_status:
        tell_citizen(petition, code, key=f"{petition.pk}:{event_id}")
    if to_status == Status.CALLBACK and from_status != to_status:
        # The citizens of the petitions merged into this one are answered here too: each is told once, on their
        # own number and link (their page shows this one's progress and answer), unless they are the same person.
        told = {petition.complainant_phone}
        for merged in Petition.objects.filter(merged_into=petition, status=Status.MERGED).order_by("pk"):
            if merged.complainant_phone not in told:
                told.add(merged.complainant_phone)
                tell_citizen(merged, "citizen.merged_answered", key=f"{merged.pk}:{event_id}", into=petition.number)
    if to_status == Status.MERGED and petition.merged_into_id:
        number, status = Petition.objects.filter(pk=petition.merged_into_id).values_list("number", "status").first()
        # Merged into a petition already answered: the answer is there to read now, not "when it is answered".
        code = "citizen.merged_answered" if status in (Status.CALLBACK, Status.CLOSED) else "citizen.merged"
        tell_citizen(petition, code, key=f"{petition.pk}:{event_id}", into=number)


def units_supplemented(petition: Petition, *, event_id: int) -> int:
    """The citizen added materials: every unit holding live work on the petition is told, on its work order's link.
    (Read through the reverse relation dispatch declares, so petitions imports nothing of dispatch.)"""
    sent = 0
    live = petition.assignments.filter(status__in=["pending", "signed"]).select_related("unit").order_by("pk")
    for assignment in live:
        path = reverse("dispatch:detail", args=[assignment.pk])
        sent += message_send(code="unit.supplemented", key=f"{assignment.pk}:{event_id}", link=path,
                             context={"number": petition.number, "link": settings.PORTAL_PUBLIC_URL + path},
                             to=unit_recipients(assignment.unit))
    return sent
