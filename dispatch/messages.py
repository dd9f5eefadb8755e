"""What dispatch tells the units and the citizen, and when (docs/notifications.md).

Called inside the transaction that makes the change, so a unit learns of a
work order exactly when the assignment exists. The words put into a message (a
role, a decision, the calendar's note) are lazy: `message_send` reads them in the
recipient's language (the site's for units, the citizen's own for them), not in
the language of the request that triggered it. Units are told on their duty
phone and e-mail and in every member's inbox; an outage (water, power, gas,
heating: an urgent classification item) ignores the quiet hours.
"""
from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from dispatch.models import Assignment, AssignmentStatus, Role
from lib.workdays import local_date
from notifications.messaging import Recipients, message_send, message_send_many, unit_recipients, units_recipients
from org.calendar import get_calendar
from petitions import privacy
from petitions.messages import tell_citizen


def _provisional(moment, calendar=None):
    """A deadline in a year with no official calendar is counted Monday to Friday and may move (DOMAIN.md
    section 5): the message says so, as the pages do (org.templatetags.portal.calendar_note). `calendar`:
    the one already at hand (each get_calendar() asks the shared cache for the calendar's version)."""
    if moment and not (calendar or get_calendar()).is_complete(local_date(moment).year):
        return _(" (provisional: no official calendar yet)")
    return ""


def _when(moment, calendar=None):
    return format_lazy("{}{}", timezone.localtime(moment).strftime("%m-%d %H:%M"), _provisional(moment, calendar)
                       ) if moment else ""


def _unit_link(assignment: Assignment) -> str:
    return settings.PORTAL_PUBLIC_URL + reverse("dispatch:detail", args=[assignment.pk])


def _urgent(petition) -> bool:
    return bool(petition.classification and petition.classification.tier == "urgent")


def announce(assignments, petition) -> None:
    """New work orders to their units, and the citizen told where their petition went.

    The units' work orders of one filing are written together (issue 20): their recipients in two queries,
    every outbox row in one INSERT and every inbox item in another, with the keys `message_send` would use."""
    pending = [a for a in assignments if a.status == AssignmentStatus.PENDING]
    if not pending:
        return
    calendar = get_calendar()  # once for the filing's messages
    by_unit = units_recipients([a.unit_id for a in pending])
    recipients = {unit.pk: to for unit, to in by_unit.items()}
    names = {unit.pk: unit.name for unit in by_unit}  # the units are read once, for both messages
    message_send_many(code="unit.new_work_order", urgent=_urgent(petition), sends=[{
        "key": str(assignment.pk), "to": recipients.get(assignment.unit_id, Recipients()),
        "link": reverse("dispatch:detail", args=[assignment.pk]),
        "context": {"number": petition.number, "role": Role(assignment.role).label,
                    "classification": petition.classification.name if petition.classification else "",
                    "area": petition.area.name, "sign_due": _when(assignment.sign_due_at, calendar),
                    "handle_due": _when(assignment.handle_due_at, calendar), "link": _unit_link(assignment),
                    "title": privacy.case_title(petition)}} for assignment in pending])
    lead = next((a for a in pending if a.role == Role.LEAD), None)
    if lead is not None:
        units = "、".join(names.get(a.unit_id, "") for a in sorted(pending, key=lambda a: a.role != Role.LEAD))
        tell_citizen(petition, "citizen.dispatched", key=f"{petition.pk}:{lead.pk}", units=units,
                     expected=format_lazy("{}{}", timezone.localtime(lead.handle_due_at).strftime("%Y-%m-%d"),
                                          _provisional(lead.handle_due_at, calendar))
                     if lead.handle_due_at else "")


def reply_rejected(assignment: Assignment, petition, note: str, reply_pk: int) -> None:
    message_send(code="unit.reply_rejected", key=str(reply_pk), to=unit_recipients(assignment.unit),
                 link=reverse("dispatch:detail", args=[assignment.pk]),
                 # The template puts its own full stop after the note ("…：{note}。请于…"): not two.
                 context={"number": petition.number, "note": privacy.for_units(petition, note).rstrip("。．.!！ "),
                          "handle_due": _when(assignment.handle_due_at),
                          "link": _unit_link(assignment)})


def _decision(approve: bool):
    # Lazy: read in the units' language when the message is rendered, whatever the reviewer's browser speaks.
    return _("approved") if approve else _("refused")


def return_decided(request, assignment: Assignment, petition) -> None:
    message_send(code="unit.return_decided", key=str(request.pk), to=unit_recipients(assignment.unit),
                 link=reverse("dispatch:detail", args=[assignment.pk]),
                 context={"number": petition.number, "decision": _decision(request.status == "approved"),
                          "note": privacy.for_units(petition, request.decision_note), "link": _unit_link(assignment)})


def extension_decided(request, assignment: Assignment, petition) -> None:
    message_send(code="unit.extension_decided", key=str(request.pk), to=unit_recipients(assignment.unit),
                 link=reverse("dispatch:detail", args=[assignment.pk]),
                 context={"number": petition.number, "decision": _decision(request.status == "approved"),
                          "note": privacy.for_units(petition, request.decision_note),
                          "handle_due": _when(assignment.handle_due_at),
                          "link": _unit_link(assignment)})


def sign_reminder(assignment: Assignment) -> None:
    message_send(code="unit.sign_reminder", key=str(assignment.pk), to=unit_recipients(assignment.unit),
                 urgent=_urgent(assignment.petition), link=reverse("dispatch:detail", args=[assignment.pk]),
                 context={"number": assignment.petition.number, "sign_due": _when(assignment.sign_due_at),
                          "link": _unit_link(assignment)})


def daily_digest(unit, today, counts: dict) -> None:
    message_send(code="unit.daily_digest", key=f"{unit.pk}:{today.isoformat()}", to=unit_recipients(unit),
                 link=reverse("dispatch:queue"),
                 context={"unit": unit.name, "pending": counts["pending"], "in_progress": counts["in_progress"],
                          "yellow": counts["yellow"], "red": counts["red"],
                          "link": settings.PORTAL_PUBLIC_URL + reverse("dispatch:queue")})
