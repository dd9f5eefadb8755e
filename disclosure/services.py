"""Information requests on their legal clock (DOMAIN.md section 10; docs/disclosure.md)."""
from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from disclosure import messages, rules
from disclosure.models import (
    AnswerType,
    Event,
    InfoRequest,
    ProgressReport,
    RequestCounter,
    RequestEvent,
    RequestStatus,
    Signup,
    WithholdReason,
)
from lib.errors import ConflictError, DomainError
from notifications.messaging import Recipients, message_send
from lib.workdays import SHANGHAI
from org.calendar import get_calendar
from supervision.models import CaseKind
from supervision.services import case_open, cases_close_for

OPEN = (RequestStatus.RECEIVED, RequestStatus.CONSULTING, RequestStatus.CORRECTION)


def _in_site_language(text) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _body_name() -> str:
    """The body that received a request, in the applicant's messages (in the site's language)."""
    with translation.override(settings.LANGUAGE_CODE):
        return settings.PORTAL_CITY_NAME + str(_("People's Government"))


def _record(request: InfoRequest, kind: str, *, actor=None, note: str = "", **data) -> None:
    RequestEvent.objects.create(request=request, at=timezone.now(), kind=kind, note=note, data=data,
                                actor=actor if getattr(actor, "pk", None) else None)


def _lock(request: InfoRequest) -> InfoRequest:
    return InfoRequest.objects.select_for_update().get(pk=request.pk)


def _due(request: InfoRequest) -> dt.date:
    # From the legal receipt date, or from the corrected request's arrival when a correction restarted it.
    start = request.clock_restarted_on or request.received_on
    return rules.answer_due(get_calendar(), start, extension_days=request.extension_days,
                            paused_workdays=request.consulted_workdays)


def _allocate_number(day: dt.date) -> str:
    """The next request number of the day: YSQ + yyyymmdd + 4-digit sequence.

    Counting the day's requests and adding one gave two requests submitted at the same
    moment the same number (issue 13: the second hit the unique constraint, an HTTP 500).
    The counter row is locked (select_for_update) until the submitting transaction ends,
    so the second waits for the first and takes the next number; the insert-if-missing
    is conflict-tolerant so the first two requests of a day do not collide either.
    """
    RequestCounter.objects.bulk_create([RequestCounter(day=day, last=0)], ignore_conflicts=True)
    counter = RequestCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"YSQ{day:%Y%m%d}{counter.last:04d}"


def request_submit(*, applicant_name: str, applicant_phone: str, description: str, via: str = InfoRequest.Via.ONLINE,
                   applicant_email: str = "", signed_for_on: dt.date | None = None, actor=None,
                   submission_token: uuid.UUID | None = None) -> InfoRequest:
    """Art. 31: received the day it is submitted in person, the day registered mail is
    signed for, the day an online request is confirmed (the portal confirms at once).

    With a submission token already used, returns the request that token made: the
    online form posted twice makes one request.
    """
    if submission_token is not None:
        existing = InfoRequest.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing
    now = timezone.now()
    if via == InfoRequest.Via.MAIL and signed_for_on is None:
        raise DomainError(_("Give the day the registered mail was signed for."), field="signed_for_on")
    received_on = signed_for_on if via == InfoRequest.Via.MAIL else timezone.localdate(now)
    try:
        with transaction.atomic():
            request = InfoRequest.objects.create(
                number=_allocate_number(timezone.localdate(now)), applicant_name=applicant_name,
                applicant_phone=applicant_phone, applicant_email=applicant_email, description=description, via=via,
                submitted_at=now, received_on=received_on, due_on=received_on, submission_token=submission_token)
            request.due_on = _due(request)
            request.save(update_fields=["due_on"])
            _record(request, "received", actor=actor, received_on=received_on.isoformat(),
                    due_on=request.due_on.isoformat())
            messages.tell_applicant(request, "applicant.receipt", key="receipt",
                                    body=_body_name(),
                                    due=request.due_on.isoformat())
    except IntegrityError:
        # Two posts of the same form raced past the check above: the other one won.
        if submission_token is not None:
            existing = InfoRequest.objects.filter(submission_token=submission_token).first()
            if existing is not None:
                return existing
        raise
    return request


def request_correction(*, request: InfoRequest, actor, text: str, answer_within_days: int = 15) -> InfoRequest:
    """Art. 30: ONE correction notice, within 7 working days of receipt, saying what to add
    and by when. The clock stops until the corrected request arrives."""
    if not text.strip():
        raise DomainError(_("Say what the applicant must add."), field="text")
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.correction_sent_on is not None:
            raise DomainError(_("A correction notice can be sent only once (Art. 30)."), code="second_correction")
        if locked.status != RequestStatus.RECEIVED:
            raise ConflictError(_("The request is “%(status)s”.") % {"status": locked.get_status_display()})
        limit = rules.correction_notice_deadline(get_calendar(), locked.received_on)
        if today > limit:
            raise DomainError(_("The correction notice had to be sent by %(date)s (7 working days after receipt).")
                              % {"date": limit}, code="correction_too_late")
        locked.status = RequestStatus.CORRECTION
        locked.correction_sent_on, locked.correction_text = today, text.strip()
        locked.correction_until = get_calendar().add_workdays(today, answer_within_days).due
        locked.save(update_fields=["status", "correction_sent_on", "correction_text", "correction_until"])
        _record(locked, "correction", actor=actor, note=text, until=locked.correction_until.isoformat())
        messages.tell_applicant(locked, "applicant.correction", key="correction", what=text.strip()[:200],
                                by=locked.correction_until.isoformat())
    return locked


def request_corrected(*, request: InfoRequest, actor=None, on: dt.date | None = None) -> InfoRequest:
    """The corrected request arrived: the 20 working days start again from that day."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.status != RequestStatus.CORRECTION:
            raise ConflictError(_("No correction is awaited."))
        # The legal receipt date (Art. 31) stays; the restart is recorded on its own (Art. 30).
        locked.status, locked.corrected_on, locked.clock_restarted_on = RequestStatus.RECEIVED, on, on
        locked.due_on = _due(locked)
        locked.save(update_fields=["status", "corrected_on", "clock_restarted_on", "due_on"])
        _record(locked, "corrected", actor=actor, due_on=locked.due_on.isoformat())
    return locked


def request_extend(*, request: InfoRequest, actor, days: int, reason: str) -> InfoRequest:
    """Art. 33: one extension of at most 20 working days, approved by the head of the
    disclosure office and notified to the applicant."""
    if not actor.has_perm("disclosure.approve_extension"):
        raise DomainError(_("Only the head of the disclosure office approves an extension."), code="not_allowed")
    if not 1 <= days <= rules.MAX_EXTENSION_DAYS:
        raise DomainError(_("An extension is 1 to 20 working days."), field="days")
    if not reason.strip():
        raise DomainError(_("Give the reason notified to the applicant."), field="reason")
    with transaction.atomic():
        locked = _lock(request)
        if locked.extension_days:
            raise DomainError(_("The request was already extended once (Art. 33)."), code="second_extension")
        if locked.status not in (RequestStatus.RECEIVED, RequestStatus.CONSULTING):
            raise ConflictError(_("The request is “%(status)s”.") % {"status": locked.get_status_display()})
        locked.extension_days, locked.extension_approved_by = days, actor
        locked.due_on = _due(locked)
        locked.save(update_fields=["extension_days", "extension_approved_by", "due_on"])
        _record(locked, "extended", actor=actor, note=reason, days=days, due_on=locked.due_on.isoformat())
        messages.tell_applicant(locked, "applicant.extension", key="extension", due=locked.due_on.isoformat(),
                                reason=reason.strip()[:200])
    return locked


def request_consult(*, request: InfoRequest, actor, on: dt.date | None = None) -> InfoRequest:
    """Art. 32/34: ask a third party (15 working days to answer); the time does not count."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.status != RequestStatus.RECEIVED:
            raise ConflictError(_("The request is “%(status)s”.") % {"status": locked.get_status_display()})
        locked.status, locked.consultation_started_on = RequestStatus.CONSULTING, on
        locked.consultation_due_on = get_calendar().add_workdays(on, rules.THIRD_PARTY_DAYS).due
        locked.save(update_fields=["status", "consultation_started_on", "consultation_due_on"])
        _record(locked, "consulting", actor=actor, opinion_due=locked.consultation_due_on.isoformat())
        messages.tell_applicant(locked, "applicant.consultation", key=f"consultation:{on.isoformat()}")
    return locked


def request_consulted(*, request: InfoRequest, actor=None, on: dt.date | None = None,
                      silent: bool = False) -> InfoRequest:
    """The third party answered, or its 15 working days ran out (Art. 32: its silence is recorded; a
    co-authoring agency's silence counts as consent). Only the working days up to the answer, and never
    more than the 15 allowed, are added to the deadline: a consultation cannot stop the clock for ever."""
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.status != RequestStatus.CONSULTING:
            raise ConflictError(_("No consultation is running."))
        spent = get_calendar().workdays_between(locked.consultation_started_on, on)
        locked.consulted_workdays += min(spent, rules.THIRD_PARTY_DAYS)
        locked.status = RequestStatus.RECEIVED
        locked.due_on = _due(locked)
        locked.save(update_fields=["status", "consulted_workdays", "due_on"])
        _record(locked, "consulted", actor=actor, due_on=locked.due_on.isoformat(), silent=silent)
    return locked


# The answers that give the applicant information, the only ones a fee may be charged on.
SUPPLIES_INFORMATION = (AnswerType.DISCLOSED, AnswerType.PARTLY)

NEEDS = {
    AnswerType.ALREADY_PUBLIC: ("where_published", lambda: _("Say where the information is published.")),
    AnswerType.NOT_THIS_BODY: ("right_body", lambda: _("Name the body that holds the information.")),
    AnswerType.NOT_DISCLOSED: ("withhold_reason", lambda: _("Give the legal reason for not disclosing.")),
    AnswerType.PARTLY: ("withhold_reason", lambda: _("Give the legal reason for what is withheld.")),
}


def request_answer(*, request: InfoRequest, actor, answer_type: str, text: str, where_published: str = "",
                   right_body: str = "", withhold_reason: str = "", pages: int = 0,
                   fee_method: str = "none") -> InfoRequest:
    """Answer with one of the Art. 36 types; compute the fee by the 2020 rules."""
    if answer_type not in AnswerType.values:
        raise DomainError(_("Choose an answer type."), field="answer_type")
    if withhold_reason and withhold_reason not in WithholdReason.values:
        raise DomainError(_("Choose one of the legal reasons."), field="withhold_reason")
    values = {"where_published": where_published.strip(), "right_body": right_body.strip(),
              "withhold_reason": withhold_reason}
    if answer_type in NEEDS:
        field, message = NEEDS[answer_type]
        if not values[field]:
            raise DomainError(message(), field=field)
    if not text.strip():
        raise DomainError(_("Write the answer to the applicant."), field="text")
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.status not in (RequestStatus.RECEIVED, RequestStatus.CONSULTING):
            raise ConflictError(_("The request is “%(status)s”.") % {"status": locked.get_status_display()})
        fee = 0
        if answer_type not in SUPPLIES_INFORMATION:
            fee_method = "none"  # fees are charged only on answers that supply information (2020 rules)
        if fee_method == "per_request":
            # The applicant's calendar month in Beijing time: a request at 07:30 on the 1st belongs to the new month.
            local = timezone.localtime(locked.submitted_at, SHANGHAI)
            month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
            nth = InfoRequest.objects.filter(applicant_phone=locked.applicant_phone, submitted_at__gte=month_start,
                                             submitted_at__lte=locked.submitted_at).count()
            fee = rules.fee_per_request(nth)
        elif fee_method == "per_page":
            fee = rules.fee_per_pages(pages)
        locked.answer_type, locked.answer_text, locked.answered_on, locked.fee = answer_type, text.strip(), today, fee
        locked.where_published, locked.right_body = values["where_published"], values["right_body"]
        locked.withhold_reason = values["withhold_reason"]
        if fee:
            locked.status, locked.fee_due_on = RequestStatus.FEE_DUE, get_calendar().add_workdays(
                today, rules.PAYMENT_DAYS).due
        else:
            locked.status = RequestStatus.ANSWERED
        locked.save()
        _record(locked, "answered", actor=actor, answer_type=answer_type, fee=fee)
        messages.tell_applicant(locked, "applicant.answered", key="answered",
                                outcome=_in_site_language(AnswerType(answer_type).label))
        if fee:
            messages.tell_applicant(locked, "applicant.fee_due", key="fee", amount=fee,
                                    by=locked.fee_due_on.isoformat())

        cases_close_for(target=locked, note=_("Answered."))
    return locked


def request_paid(*, request: InfoRequest, actor=None, on: dt.date | None = None) -> InfoRequest:
    with transaction.atomic():
        locked = _lock(request)
        if locked.status != RequestStatus.FEE_DUE:
            raise ConflictError(_("No fee is due."))
        locked.status, locked.paid_on = RequestStatus.ANSWERED, on or timezone.localdate()
        locked.save(update_fields=["status", "paid_on"])
        _record(locked, "paid", actor=actor)
    return locked


def sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Beat: overdue requests enter the supervision pool; corrections not returned
    and fees not paid in time make a request abandoned. Idempotent."""
    today = today or timezone.localdate()
    overdue = 0
    for request in InfoRequest.objects.filter(status=RequestStatus.RECEIVED, overdue_at__isnull=True, due_on__lt=today):
        if InfoRequest.objects.filter(pk=request.pk, overdue_at__isnull=True).update(overdue_at=timezone.now()):
            overdue += 1
            case_open(target=request, kind=CaseKind.DISCLOSURE_OVERDUE, reference=request.number,
                      title=request.description[:100], link=f"/admin/disclosure/inforequest/{request.pk}/change/")
    # Art. 32: a third party silent past its 15 working days: the silence is recorded, the clock resumes.
    resumed = 0
    for request in InfoRequest.objects.filter(status=RequestStatus.CONSULTING, consultation_due_on__lt=today):
        try:
            request_consulted(request=request, on=request.consultation_due_on, silent=True)
        except ConflictError:
            continue
        resumed += 1
    abandoned = 0
    for status, field in ((RequestStatus.CORRECTION, "correction_until"), (RequestStatus.FEE_DUE, "fee_due_on")):
        for request in InfoRequest.objects.filter(status=status, **{f"{field}__lt": today}):
            if InfoRequest.objects.filter(pk=request.pk, status=status).update(status=RequestStatus.ABANDONED):
                abandoned += 1
                _record(request, "abandoned", note=field)
    return {"overdue": overdue, "abandoned": abandoned, "resumed": resumed}


REPORT_ROWS = [
    ("予以公开", [AnswerType.DISCLOSED]),
    ("部分公开", [AnswerType.PARTLY]),
    ("不予公开", [AnswerType.NOT_DISCLOSED]),
    ("无法提供", [AnswerType.NOT_HELD, AnswerType.NEEDS_CREATION, AnswerType.UNCLEAR]),
    ("不予处理", [AnswerType.PETITION, AnswerType.REPEAT, AnswerType.PUBLISHED_MATERIAL, AnswerType.MASS,
              AnswerType.CONFIRMATION]),
    ("其他处理", [AnswerType.ALREADY_PUBLIC, AnswerType.NOT_THIS_BODY, AnswerType.SPECIAL_REGISTER, AnswerType.OTHER]),
]


def annual_report_table(year: int) -> dict:
    """The statistics table of the annual OGI report, from the data."""
    answered = InfoRequest.objects.filter(answered_on__year=year)
    by_type = dict(answered.values_list("answer_type").annotate(n=Count("pk")))
    by_reason = dict(answered.filter(answer_type=AnswerType.NOT_DISCLOSED).values_list("withhold_reason")
                     .annotate(n=Count("pk")))
    return {
        "year": year,
        "received": InfoRequest.objects.filter(received_on__year=year).count(),
        "carried_over": InfoRequest.objects.filter(received_on__year=year - 1).exclude(answered_on__year=year - 1)
        .exclude(status=RequestStatus.ABANDONED).count(),
        "rows": [{"label": label, "count": sum(by_type.get(t, 0) for t in types),
                  "detail": {str(AnswerType(t).label): by_type.get(t, 0) for t in types}} for label, types in REPORT_ROWS],
        "withheld": {str(WithholdReason(r).label): by_reason.get(r, 0) for r in WithholdReason.values},
        "abandoned": InfoRequest.objects.filter(received_on__year=year, status=RequestStatus.ABANDONED).count(),
        "fees": sum(answered.exclude(paid_on=None).values_list("fee", flat=True)),
    }


# --- practical projects and public events ---------------------------------------------------------------

def project_progress(project) -> int:
    """The latest reported percentage (0 before the first report)."""
    latest = project.reports.filter(percent__isnull=False).order_by("-reported_on", "-due_on").first()
    return latest.percent if latest else 0


def progress_report(*, report, percent: int, text: str, actor=None):
    if not 0 <= percent <= 100:
        raise DomainError(_("Progress is a percentage from 0 to 100."), field="percent")
    if not text.strip():
        raise DomainError(_("Describe the progress."), field="text")
    ProgressReport.objects.filter(pk=report.pk).update(percent=percent, text=text.strip(),
                                                       reported_on=timezone.localdate())
    report.refresh_from_db()
    return report


def event_signup(*, event, name: str, phone: str, submission_token: uuid.UUID | None = None):
    """Sign up for an event. The event row is locked while counting, so two people
    taking the last place at once cannot both get it.

    With a submission token already used, returns the sign-up that token made: the
    form posted twice signs up once and confirms twice. The token is looked up under
    the event's lock, so two posts racing in are served one after the other.
    """
    now = timezone.now()
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        if submission_token is not None:
            existing = Signup.objects.filter(submission_token=submission_token).first()
            if existing is not None and existing.event_id == locked.pk:
                return existing
            if existing is not None:  # a token lifted from another event's form: not a repeat of this one
                submission_token = None
        if now > locked.signup_closes_at:
            raise DomainError(_("Sign-up for this event is closed."), code="closed")
        if Signup.objects.filter(event=locked, phone=phone).exists():
            raise DomainError(_("This phone number is already signed up."), field="phone")
        if Signup.objects.filter(event=locked).count() >= locked.capacity:
            raise DomainError(_("The event is full."), code="full")
        signup = Signup.objects.create(event=locked, name=name.strip(), phone=phone, created_at=now,
                                       submission_token=submission_token)
        message_send(code="attendee.confirmed", key=str(signup.pk), to=Recipients(phones=[phone]),
                     context={"event": locked.title, "where": locked.place,
                              "when": timezone.localtime(locked.starts_at).strftime("%Y-%m-%d %H:%M")})
        return signup


def inspection_rate(*, event, phone: str, score: int, comment: str = ""):
    """A citizen who took part in an inspection rates the project, once, after the event."""
    if event.kind != Event.Kind.INSPECTION:
        raise DomainError(_("Only inspections are rated."))
    if timezone.now() < event.starts_at:
        raise DomainError(_("Rate the project after the inspection."), code="too_early")
    if not 1 <= score <= 5:
        raise DomainError(_("Give a score from 1 to 5."), field="score")
    updated = Signup.objects.filter(event=event, phone=phone, score__isnull=True).update(score=score,
                                                                                        comment=comment.strip())
    if not updated:
        raise DomainError(_("Only participants rate, once."), field="phone")
