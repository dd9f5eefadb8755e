"""Information requests on their legal clock (DOMAIN.md section 10; docs/disclosure.md)."""
from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from disclosure import messages, rules, selectors
from disclosure.reports import annual_report, annual_report_table  # noqa: F401 (the views' entry points)
from disclosure.models import (
    WITHHOLDING,
    AbandonReason,
    AnswerType,
    ApplicantType,
    Body,
    DeliveryWay,
    Event,
    IdType,
    InfoRequest,
    ProgressReport,
    RequestCounter,
    RequestEvent,
    RequestEventKind as K,
    RequestStatus,
    Signup,
    WithholdReason,
)
from disclosure.transitions import allowed
from lib.errors import ConflictError, DomainError
from lib.workdays import SHANGHAI
from notifications.messaging import Recipients, message_send, unit_recipients
from org.calendar import get_calendar
from supervision.models import CaseKind
from supervision.services import case_open, cases_close_for

OPEN = (RequestStatus.RECEIVED, RequestStatus.CONSULTING, RequestStatus.CORRECTION)


def _in_site_language(text) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def _body_name(body: Body | None = None) -> str:
    """The body that received a request, in the applicant's messages (in the site's language)."""
    if body is not None:
        return body.unit.name
    with translation.override(settings.LANGUAGE_CODE):
        return settings.PORTAL_CITY_NAME + str(_("People's Government"))


def _record(request: InfoRequest, kind: str, *, actor=None, note: str = "", **data) -> None:
    RequestEvent.objects.create(request=request, at=timezone.now(), kind=kind, note=note, data=data,
                                actor=actor if getattr(actor, "pk", None) else None)


def _lock(request: InfoRequest) -> InfoRequest:
    return InfoRequest.objects.select_for_update().get(pk=request.pk)


def _conflict(request: InfoRequest) -> ConflictError:
    return ConflictError(_("The request is “%(status)s”.") % {"status": request.get_status_display()})


def _move(request: InfoRequest, to: str) -> None:
    """The only place a request's status changes: checked against disclosure.transitions."""
    if not allowed(request.status, to):
        raise _conflict(request)
    request.status = to


def _may_act(actor, request: InfoRequest) -> None:
    """An officer or head acts only on their own body's requests (the city's office watches the others)."""
    if actor is not None and not selectors.may_act_on(actor, request):
        raise DomainError(_("This request is addressed to another body."), code="not_allowed")


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


def _check_application(*, applicant_type: str, organisation_kind: str, id_type: str, id_number: str,
                       applicant_email: str, applicant_address: str, delivery_way: str, body: Body | None) -> None:
    """Art. 29: what an application must state; each missing part named on its field."""
    if body is not None and not body.is_active:
        raise DomainError(_("This body does not accept requests on the portal."), field="body")
    if applicant_type == ApplicantType.ORGANISATION:
        if not organisation_kind:
            raise DomainError(_("Say what kind of organisation applies."), field="organisation_kind")
        if id_type and id_type != IdType.USCC:
            raise DomainError(_("An organisation identifies itself by its unified social credit code."),
                              field="id_type")
    elif id_type == IdType.USCC:
        raise DomainError(_("A natural person identifies themselves by an identity document."), field="id_type")
    if id_type and not id_number:
        raise DomainError(_("Enter the document's number."), field="id_number")
    if delivery_way == DeliveryWay.EMAIL and not applicant_email:
        raise DomainError(_("Give the e-mail address to send the answer to."), field="applicant_email")
    if delivery_way == DeliveryWay.POST and not applicant_address.strip():
        raise DomainError(_("Give the postal address to send the answer to."), field="applicant_address")


def request_submit(*, applicant_name: str, applicant_phone: str, description: str, via: str = InfoRequest.Via.ONLINE,
                   applicant_email: str = "", signed_for_on: dt.date | None = None, actor=None,
                   submission_token: uuid.UUID | None = None, body: Body | None = None,
                   applicant_type: str = ApplicantType.PERSON, organisation_kind: str = "", id_type: str = "",
                   id_number: str = "", applicant_address: str = "", delivery_form: str = "electronic",
                   delivery_way: str = DeliveryWay.ONLINE, forwarded_from: InfoRequest | None = None) -> InfoRequest:
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
    today = timezone.localdate(now)
    if via not in InfoRequest.Via.values:
        raise DomainError(_("Choose how the request arrived."), field="via")
    if via == InfoRequest.Via.MAIL:
        if signed_for_on is None:
            raise DomainError(_("Give the day the registered mail was signed for."), field="signed_for_on")
        if signed_for_on > today:
            raise DomainError(_("The mail cannot be signed for in the future."), field="signed_for_on")
        if signed_for_on < today - dt.timedelta(days=rules.MAIL_SIGNED_FOR_MAX_AGE_DAYS):
            raise DomainError(_("The mail must have been signed for at most %(days)s days ago: check the date.")
                              % {"days": rules.MAIL_SIGNED_FOR_MAX_AGE_DAYS}, field="signed_for_on")
    if via != InfoRequest.Via.ONLINE and actor is not None and body is not None:
        _may_act(actor, InfoRequest(body=body))
    if applicant_type != ApplicantType.ORGANISATION:
        organisation_kind = ""
    _check_application(applicant_type=applicant_type, organisation_kind=organisation_kind, id_type=id_type,
                       id_number=id_number, applicant_email=applicant_email, applicant_address=applicant_address,
                       delivery_way=delivery_way, body=body)
    received_on = signed_for_on if via == InfoRequest.Via.MAIL else today
    try:
        with transaction.atomic():
            request = InfoRequest.objects.create(
                number=_allocate_number(today), body=body, applicant_type=applicant_type,
                organisation_kind=organisation_kind, applicant_name=applicant_name, id_type=id_type,
                id_number=id_number, applicant_phone=applicant_phone, applicant_email=applicant_email,
                applicant_address=applicant_address.strip(), description=description, delivery_form=delivery_form,
                delivery_way=delivery_way, via=via, submitted_at=now, received_on=received_on, due_on=received_on,
                submission_token=submission_token, forwarded_from=forwarded_from)
            request.due_on = _due(request)
            request.save(update_fields=["due_on"])
            _record(request, K.RECEIVED, actor=actor, via=via, received_on=received_on.isoformat(),
                    due_on=request.due_on.isoformat())
            messages.tell_applicant(request, "applicant.receipt", key="receipt", body=_body_name(body),
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
    _may_act(actor, request)
    if not text.strip():
        raise DomainError(_("Say what the applicant must add."), field="text")
    if not 1 <= answer_within_days <= 60:
        raise DomainError(_("Give the applicant 1 to 60 working days."), field="answer_within_days")
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.correction_sent_on is not None:
            raise DomainError(_("A correction notice can be sent only once (Art. 30)."), code="second_correction")
        if locked.status != RequestStatus.RECEIVED:
            raise _conflict(locked)
        limit = rules.correction_notice_deadline(get_calendar(), locked.received_on)
        if today > limit:
            raise DomainError(_("The correction notice had to be sent by %(date)s (7 working days after receipt).")
                              % {"date": limit}, code="correction_too_late")
        _move(locked, RequestStatus.CORRECTION)
        locked.correction_sent_on, locked.correction_text = today, text.strip()
        locked.correction_until = get_calendar().add_workdays(today, answer_within_days).due
        locked.save(update_fields=["status", "correction_sent_on", "correction_text", "correction_until"])
        _record(locked, K.CORRECTION, actor=actor, note=text, until=locked.correction_until.isoformat())
        messages.tell_applicant(locked, "applicant.correction", key="correction", what=text.strip()[:200],
                                by=locked.correction_until.isoformat())
    return locked


CORRECTED_TEXT_MAX = 5000  # as the application's own description


def request_corrected(*, request: InfoRequest, actor=None, text: str, on: dt.date | None = None,
                      online: bool = False) -> InfoRequest:
    """Art. 30: the corrected request arrived, and is stored; the 20 working days start again from the day it
    arrived (`clock_restarted_on`; the legal receipt date of Art. 31 stays).

    Online (the applicant sends it from their status page) it arrives the day it is sent. By hand or post the
    officer records the day it arrived: not in the future, not before the correction notice."""
    _may_act(actor, request)
    today = timezone.localdate(timezone.now(), SHANGHAI)
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the corrected request."), field="text")
    if len(text) > CORRECTED_TEXT_MAX:
        raise DomainError(_("The corrected request is at most %(max)s characters.") % {"max": CORRECTED_TEXT_MAX},
                          field="text")
    on = today if online or on is None else on
    if on > today:
        raise DomainError(_("The corrected request cannot arrive in the future."), field="on")
    with transaction.atomic():
        locked = _lock(request)
        # The sweep abandons a request the day after its correction date (Art. 30), but one posted or handed in
        # on that last day may reach the officer's desk only then: recorded by the office as arrived in time, it
        # reopens the request. Online, nothing arrives after the date, so an abandoned request stays so.
        abandoned_awaiting = (not online and locked.status == RequestStatus.ABANDONED
                              and locked.abandon_reason == AbandonReason.NO_CORRECTION)
        if locked.status != RequestStatus.CORRECTION and not abandoned_awaiting:
            raise ConflictError(_("No correction is awaited."))
        if on < locked.correction_sent_on:
            raise DomainError(_("The corrected request cannot arrive before the correction notice (%(date)s).")
                              % {"date": locked.correction_sent_on.isoformat()}, field="on")
        late = on > locked.correction_until
        if late and abandoned_awaiting:  # already abandoned: nothing more to do than say why
            raise DomainError(_("The correction had to arrive by %(date)s (Art. 30): the request counts as "
                                "abandoned. A new request can be made at any time.")
                              % {"date": locked.correction_until.isoformat()}, field="on", code="correction_late")
        if not late:
            if abandoned_awaiting:
                _reopen(locked, actor=actor, arrived_on=on)
            _accept_correction(locked, actor=actor, text=text, on=on, online=online)
    if late:
        # Art. 30: a correction not made by its date means the request counts as abandoned. Sent online after
        # that date (before the nightly sweep has run), it is abandoned now and the applicant told so; an arrival
        # the officer records by hand is refused on its date (a mistyped date can be corrected; the sweep
        # abandons the request if it really came late).
        if online:
            request_abandon(request=locked, reason=AbandonReason.NO_CORRECTION, on=today)
        raise DomainError(_("The correction had to arrive by %(date)s (Art. 30): the request counts as abandoned. "
                            "A new request can be made at any time.") % {"date": locked.correction_until.isoformat()},
                          field="on" if not online else None, code="correction_late")
    return locked


def _reopen(locked: InfoRequest, *, actor, arrived_on: dt.date) -> None:
    """Undo an abandonment for no correction (the correction had arrived in time): the request awaits its
    correction again. Abandonment wrote the status, the reason and `closed_on` (which the annual report counts:
    with them cleared the request is open again, carried over rather than counted as not corrected); it opened no
    supervision case. The applicant, told it was abandoned, is told of the correction received next."""
    abandoned_on = locked.closed_on
    _move(locked, RequestStatus.CORRECTION)
    locked.abandon_reason, locked.closed_on = "", None
    locked.save(update_fields=["status", "abandon_reason", "closed_on"])
    _record(locked, K.REOPENED, actor=actor, arrived_on=arrived_on.isoformat(),
            abandoned_on=abandoned_on.isoformat() if abandoned_on else None)


def _accept_correction(locked: InfoRequest, *, actor, text: str, on: dt.date, online: bool) -> None:
    """Art. 30: the period counts afresh from the corrected request. What was added to the old period does not
    carry over: the working days spent consulting a third party before the correction, and an extension approved
    (or asked) for the old period; they are kept in the event's data, and the new period may have its own
    extension (Art. 33)."""
    dropped = {"dropped_consulted_workdays": locked.consulted_workdays,
               "dropped_extension_days": locked.extension_days,
               "dropped_extension_asked_days": locked.extension_asked_days}
    _move(locked, RequestStatus.RECEIVED)
    locked.corrected_on = locked.clock_restarted_on = on
    locked.corrected_text = text
    locked.consulted_workdays = locked.extension_days = locked.extension_asked_days = 0
    locked.extension_approved_by = None
    if dropped["dropped_extension_days"] or dropped["dropped_extension_asked_days"]:
        locked.extension_reason = ""
    locked.due_on = _due(locked)
    locked.save(update_fields=["status", "corrected_on", "clock_restarted_on", "corrected_text", "due_on",
                               "consulted_workdays", "extension_days", "extension_asked_days",
                               "extension_approved_by", "extension_reason"])
    _record(locked, K.CORRECTED, actor=actor, note=text, due_on=locked.due_on.isoformat(),
            arrived_on=on.isoformat(), via="online" if online else "office",
            **{key: value for key, value in dropped.items() if value})
    messages.tell_applicant(locked, "applicant.corrected", key="corrected", due=locked.due_on.isoformat())
    if online:  # the officers learn it from their inbox, not by chance in the list of received requests
        messages.tell_officers(locked, "unit.request_corrected", key="corrected", due=locked.due_on.isoformat())


def _check_extension(days: int, reason: str) -> None:
    if not 1 <= days <= rules.MAX_EXTENSION_DAYS:
        raise DomainError(_("An extension is 1 to 20 working days."), field="days")
    if not reason.strip():
        raise DomainError(_("Give the reason notified to the applicant."), field="reason")


def _due_as_of(request: InfoRequest, today: dt.date) -> dt.date:
    """The answer deadline as it stands on `today`: during a third-party consultation the working days spent
    in it so far (never more than 15, Art. 32) do not count, though `due_on` adds them only when it ends."""
    if request.status != RequestStatus.CONSULTING or request.consultation_started_on is None:
        return request.due_on
    spent = min(get_calendar().workdays_between(request.consultation_started_on, today), rules.THIRD_PARTY_DAYS)
    return rules.answer_due(get_calendar(), request.clock_restarted_on or request.received_on,
                            extension_days=request.extension_days, paused_workdays=request.consulted_workdays + spent)


def extension_still_possible(request: InfoRequest, today: dt.date | None = None) -> bool:
    """Art. 33: the extension is decided within the answer period; once it has run out, only the answer is left."""
    today = today or timezone.localdate(timezone.now(), SHANGHAI)
    return today <= _due_as_of(request, today)


def _check_within_period(request: InfoRequest, today: dt.date) -> None:
    if not extension_still_possible(request, today):
        raise DomainError(_("The answer period ended on %(date)s: an extension can be asked for and approved "
                            "only within it (Art. 33).") % {"date": _due_as_of(request, today).isoformat()},
                          field="days", code="extension_too_late")


def request_extension_ask(*, request: InfoRequest, actor, days: int, reason: str) -> InfoRequest:
    """The officer asks the head of the disclosure office for the one extension of Art. 33."""
    _may_act(actor, request)
    _check_extension(days, reason)
    with transaction.atomic():
        locked = _lock(request)
        if locked.extension_days:
            raise DomainError(_("The request was already extended once (Art. 33)."), code="second_extension")
        if locked.extension_asked_days:
            raise DomainError(_("An extension is already waiting for the head's decision."), code="pending")
        if locked.status not in (RequestStatus.RECEIVED, RequestStatus.CONSULTING):
            raise _conflict(locked)
        _check_within_period(locked, timezone.localdate(timezone.now(), SHANGHAI))
        locked.extension_asked_days, locked.extension_reason = days, reason.strip()[:300]
        locked.save(update_fields=["extension_asked_days", "extension_reason"])
        _record(locked, K.EXTENSION_ASKED, actor=actor, note=reason.strip(), days=days)
    return locked


def request_extension_refuse(*, request: InfoRequest, actor, note: str = "") -> InfoRequest:
    """The head refuses the extension asked: the deadline stays; the officer may ask again."""
    _may_act(actor, request)
    if not actor.has_perm("disclosure.approve_extension"):
        raise DomainError(_("Only the head of the disclosure office decides an extension."), code="not_allowed")
    with transaction.atomic():
        locked = _lock(request)
        if not locked.extension_asked_days:
            raise ConflictError(_("No extension is waiting for a decision."))
        locked.extension_asked_days, locked.extension_reason = 0, ""
        locked.save(update_fields=["extension_asked_days", "extension_reason"])
        _record(locked, K.EXTENSION_REFUSED, actor=actor, note=note.strip())
    return locked


def request_extend(*, request: InfoRequest, actor, days: int | None = None, reason: str = "") -> InfoRequest:
    """Art. 33: one extension of at most 20 working days, approved by the head of the
    disclosure office and notified to the applicant. Without days and reason, approves
    what the officer asked (`request_extension_ask`)."""
    if not actor.has_perm("disclosure.approve_extension"):
        raise DomainError(_("Only the head of the disclosure office approves an extension."), code="not_allowed")
    _may_act(actor, request)
    with transaction.atomic():
        locked = _lock(request)
        if days is None:
            if not locked.extension_asked_days:
                raise ConflictError(_("No extension is waiting for a decision."))
            days, reason = locked.extension_asked_days, reason or locked.extension_reason
        _check_extension(days, reason)
        if locked.extension_days:
            raise DomainError(_("The request was already extended once (Art. 33)."), code="second_extension")
        if locked.status not in (RequestStatus.RECEIVED, RequestStatus.CONSULTING):
            raise _conflict(locked)
        # Asked in time is not enough: the head decides within the period too (a late approval would turn an
        # overdue answer into a punctual one after the fact).
        _check_within_period(locked, timezone.localdate(timezone.now(), SHANGHAI))
        locked.extension_days, locked.extension_approved_by = days, actor
        locked.extension_asked_days, locked.extension_reason = 0, reason.strip()[:300]
        locked.due_on = _due(locked)
        locked.save(update_fields=["extension_days", "extension_approved_by", "extension_asked_days",
                                   "extension_reason", "due_on"])
        _record(locked, K.EXTENDED, actor=actor, note=reason, days=days, due_on=locked.due_on.isoformat())
        messages.tell_applicant(locked, "applicant.extension", key="extension", due=locked.due_on.isoformat(),
                                reason=reason.strip()[:200])
    return locked


def request_consult(*, request: InfoRequest, actor, on: dt.date | None = None, third_party: str = "",
                    question: str = "") -> InfoRequest:
    """Art. 32/34: ask a third party (15 working days to answer); the time does not count."""
    _may_act(actor, request)
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.status != RequestStatus.RECEIVED:
            raise _conflict(locked)
        _move(locked, RequestStatus.CONSULTING)
        locked.consultation_started_on = on
        locked.third_party, locked.consultation_question = third_party.strip()[:200], question.strip()
        locked.consultation_due_on = get_calendar().add_workdays(on, rules.THIRD_PARTY_DAYS).due
        locked.save(update_fields=["status", "consultation_started_on", "consultation_due_on", "third_party",
                                   "consultation_question"])
        _record(locked, K.CONSULTING, actor=actor, note=locked.third_party,
                opinion_due=locked.consultation_due_on.isoformat())
        messages.tell_applicant(locked, "applicant.consultation", key=f"consultation:{on.isoformat()}")
    return locked


def request_consulted(*, request: InfoRequest, actor=None, on: dt.date | None = None,
                      silent: bool = False, note: str = "") -> InfoRequest:
    """The third party answered, or its 15 working days ran out (Art. 32: its silence is recorded; a
    co-authoring agency's silence counts as consent). Only the working days up to the answer, and never
    more than the 15 allowed, are added to the deadline: a consultation cannot stop the clock for ever."""
    _may_act(actor, request)
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.status != RequestStatus.CONSULTING:
            raise ConflictError(_("No consultation is running."))
        spent = get_calendar().workdays_between(locked.consultation_started_on, on)
        locked.consulted_workdays += min(spent, rules.THIRD_PARTY_DAYS)
        _move(locked, RequestStatus.RECEIVED)
        locked.due_on = _due(locked)
        locked.save(update_fields=["status", "consulted_workdays", "due_on"])
        _record(locked, K.CONSULTED, actor=actor, note=note.strip(), due_on=locked.due_on.isoformat(),
                silent=silent)
        messages.tell_applicant(locked, "applicant.consulted", key=f"consulted:{on.isoformat()}",
                                due=locked.due_on.isoformat())
    return locked


# The answers that give the applicant information, the only ones a fee may be charged on.
SUPPLIES_INFORMATION = (AnswerType.DISCLOSED, AnswerType.PARTLY)

NEEDS = {
    AnswerType.ALREADY_PUBLIC: ("where_published", lambda: _("Say where the information is published.")),
    AnswerType.NOT_THIS_BODY: ("right_body", lambda: _("Name the body that holds the information.")),
    AnswerType.NOT_DISCLOSED: ("withhold_reason", lambda: _("Give the legal reason for not disclosing.")),
    AnswerType.PARTLY: ("withhold_reason", lambda: _("Give the legal reason for what is withheld.")),
}


def _nth_this_month(request: InfoRequest) -> int:
    """The applicant's nth request of the calendar month in Beijing time (a request at 07:30 on the 1st
    belongs to the new month); the applicant is known by phone, and by identity document when given."""
    local = timezone.localtime(request.submitted_at, SHANGHAI)
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    same = Q(applicant_phone=request.applicant_phone)
    if request.id_number:
        same |= Q(id_type=request.id_type, id_number=request.id_number)
    return InfoRequest.objects.filter(same, submitted_at__gte=month_start, submitted_at__lte=request.submitted_at,
                                      forwarded_from__isnull=True).count()


def request_answer(*, request: InfoRequest, actor, answer_type: str, text: str, where_published: str = "",
                   right_body: str = "", withhold_reason: str = "", pages: int | None = 0,
                   fee_method: str = "none", right_body_ref: Body | None = None) -> InfoRequest:
    """Answer with one of the Art. 36 types; compute the fee by the 2020 rules."""
    _may_act(actor, request)
    if answer_type not in AnswerType.values:
        raise DomainError(_("Choose an answer type."), field="answer_type")
    if withhold_reason and withhold_reason not in WithholdReason.values:
        raise DomainError(_("Choose one of the legal reasons."), field="withhold_reason")
    if withhold_reason and answer_type not in WITHHOLDING:
        raise DomainError(_("A legal reason is given only with an answer that withholds information (not disclosed "
                            "or partly disclosed)."), field="withhold_reason")
    if right_body_ref is not None and not right_body.strip():
        right_body = right_body_ref.unit.name
    # Where it is published goes only with "already public", the right body only with "not this body's": a value
    # typed before the officer changed the answer's type would otherwise be printed on a letter it contradicts.
    values = {"where_published": where_published.strip() if answer_type == AnswerType.ALREADY_PUBLIC else "",
              "right_body": right_body.strip() if answer_type == AnswerType.NOT_THIS_BODY else "",
              "withhold_reason": withhold_reason}
    if answer_type in NEEDS:
        field, message = NEEDS[answer_type]
        if not values[field]:
            raise DomainError(message(), field=field)
    if answer_type == AnswerType.NOT_THIS_BODY and right_body_ref is not None and right_body_ref.pk == request.body_id:
        raise DomainError(_("Name another body than this one."), field="right_body_ref")
    if not text.strip():
        raise DomainError(_("Write the answer to the applicant."), field="text")
    pages = pages or 0
    if not 0 <= pages <= rules.MAX_PAGES:
        raise DomainError(_("Give a number of pages from 0 to %(max)s.") % {"max": rules.MAX_PAGES}, field="pages")
    if fee_method == "per_page" and pages <= 0:
        raise DomainError(_("Give the number of pages provided."), field="pages")
    today = timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.status not in (RequestStatus.RECEIVED, RequestStatus.CONSULTING):
            raise _conflict(locked)
        fee = 0
        if answer_type not in SUPPLIES_INFORMATION:
            fee_method = "none"  # fees are charged only on answers that supply information (2020 rules)
        if fee_method == "per_request":
            fee = rules.fee_per_request(_nth_this_month(locked))
        elif fee_method == "per_page":
            fee = rules.fee_per_pages(pages)
        _move(locked, RequestStatus.FEE_DUE if fee else RequestStatus.ANSWERED)
        locked.answer_type, locked.answer_text, locked.answered_on, locked.fee = answer_type, text.strip(), today, fee
        locked.where_published, locked.right_body = values["where_published"], values["right_body"]
        locked.right_body_ref = right_body_ref if answer_type == AnswerType.NOT_THIS_BODY else None
        locked.withhold_reason = values["withhold_reason"]
        locked.pages = pages
        # An extension still waiting for the head is moot once the request is answered: withdrawn (recorded on the
        # answer), or it would wait for a decision for ever.
        withdrawn = locked.extension_asked_days
        if withdrawn:
            locked.extension_asked_days, locked.extension_reason = 0, ""
        if fee:
            locked.fee_due_on = get_calendar().add_workdays(today, rules.PAYMENT_DAYS).due
        else:
            locked.closed_on = today
        locked.save()
        _record(locked, K.ANSWERED, actor=actor, answer_type=answer_type, fee=fee, pages=pages,
                **({"extension_ask_withdrawn": withdrawn} if withdrawn else {}))
        messages.tell_applicant(locked, "applicant.answered", key="answered",
                                outcome=_in_site_language(AnswerType(answer_type).label))
        if fee:
            messages.tell_applicant(locked, "applicant.fee_due", key="fee", amount=fee,
                                    by=locked.fee_due_on.isoformat())

        cases_close_for(target=locked, note=_("Answered."))
    return locked


def request_paid(*, request: InfoRequest, actor=None, on: dt.date | None = None) -> InfoRequest:
    _may_act(actor, request)
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = _lock(request)
        if locked.status != RequestStatus.FEE_DUE:
            raise ConflictError(_("No fee is due."))
        _move(locked, RequestStatus.ANSWERED)
        locked.paid_on = locked.closed_on = on
        locked.save(update_fields=["status", "paid_on", "closed_on"])
        _record(locked, K.PAID, actor=actor, fee=locked.fee)
        messages.tell_applicant(locked, "applicant.paid", key="paid", amount=locked.fee)
    return locked


def request_forward(*, request: InfoRequest, actor, to: Body | None = None) -> InfoRequest:
    """A request answered "not this body's" goes on to the body named: a new request there, received the day
    it is forwarded (Art. 31), its history linked to this one. Returns the new request."""
    _may_act(actor, request)
    with transaction.atomic():
        locked = _lock(request)
        to = to or locked.right_body_ref
        if locked.answer_type != AnswerType.NOT_THIS_BODY:
            raise ConflictError(_("Only a request answered “not this body's” is forwarded."))
        if to is None:
            raise DomainError(_("Choose the body to forward the request to."), field="to")
        if to.pk == locked.body_id:
            raise DomainError(_("Name another body than this one."), field="to")
        if locked.forwards.exists():
            raise ConflictError(_("The request was already forwarded."))
        forwarded = request_submit(
            applicant_name=locked.applicant_name, applicant_phone=locked.applicant_phone,
            description=locked.description, via=locked.via if locked.via != InfoRequest.Via.MAIL else
            InfoRequest.Via.IN_PERSON, applicant_email=locked.applicant_email, body=to,
            applicant_type=locked.applicant_type, organisation_kind=locked.organisation_kind, id_type=locked.id_type,
            id_number=locked.id_number, applicant_address=locked.applicant_address,
            delivery_form=locked.delivery_form, delivery_way=locked.delivery_way, forwarded_from=locked)
        _record(locked, K.FORWARDED, actor=actor, note=to.unit.name, to=forwarded.number)
        messages.tell_applicant(locked, "applicant.forwarded", key="forwarded", body=to.unit.name,
                                new_number=forwarded.number)
    return forwarded


def request_abandon(*, request: InfoRequest, reason: str, on: dt.date | None = None) -> bool:
    """No correction in time (Art. 30), or the fee unpaid within 20 working days: treated as abandoned."""
    on = on or timezone.localdate()
    status = RequestStatus.CORRECTION if reason == AbandonReason.NO_CORRECTION else RequestStatus.FEE_DUE
    with transaction.atomic():
        locked = _lock(request)
        if locked.status != status:
            return False
        _move(locked, RequestStatus.ABANDONED)
        locked.abandon_reason, locked.closed_on = reason, on
        locked.save(update_fields=["status", "abandon_reason", "closed_on"])
        _record(locked, K.ABANDONED, note=reason)
        messages.tell_applicant(locked, "applicant.abandoned", key="abandoned",
                                reason=_in_site_language(AbandonReason(reason).label))
    return True


def sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """Beat: overdue requests enter the supervision pool; corrections not returned
    and fees not paid in time make a request abandoned. Idempotent."""
    today = today or timezone.localdate()
    overdue = 0
    for request in InfoRequest.objects.filter(status=RequestStatus.RECEIVED, overdue_at__isnull=True,
                                              due_on__lt=today).select_related("body"):
        if InfoRequest.objects.filter(pk=request.pk, overdue_at__isnull=True).update(overdue_at=timezone.now()):
            overdue += 1
            case_open(target=request, kind=CaseKind.DISCLOSURE_OVERDUE, reference=request.number,
                      title=request.description[:100], unit=request.body.unit if request.body else None,
                      link=reverse("admin:disclosure_inforequest_change", args=[request.pk]))
    # Art. 32: a third party silent past its 15 working days: the silence is recorded, the clock resumes.
    resumed = 0
    for request in InfoRequest.objects.filter(status=RequestStatus.CONSULTING, consultation_due_on__lt=today):
        try:
            request_consulted(request=request, on=request.consultation_due_on, silent=True)
        except ConflictError:
            continue
        resumed += 1
    abandoned = 0
    for status, field, reason in ((RequestStatus.CORRECTION, "correction_until", AbandonReason.NO_CORRECTION),
                                  (RequestStatus.FEE_DUE, "fee_due_on", AbandonReason.FEE_UNPAID)):
        for request in InfoRequest.objects.filter(status=status, **{f"{field}__lt": today}):
            abandoned += request_abandon(request=request, reason=reason, on=today)
    return {"overdue": overdue, "abandoned": abandoned, "resumed": resumed}


# --- practical projects and public events ---------------------------------------------------------------

def project_progress(project) -> int:
    """The latest reported percentage (0 before the first report)."""
    latest = project.reports.filter(percent__isnull=False).order_by("-reported_on", "-due_on").first()
    return latest.percent if latest else 0


def may_report(user, project) -> bool:
    """The lead unit reports its own project's progress (platform admins may too)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.role == "admin" or (user.unit_id is not None and user.unit_id == project.lead_unit_id)


def progress_report(*, report, percent: int, text: str, actor=None):
    """The lead unit's scheduled progress report (公开挂牌), published at once; a late one closes its
    supervision case."""
    if actor is not None and not may_report(actor, report.project):
        raise DomainError(_("Only the project's lead unit reports its progress."), code="not_allowed")
    if percent is None or not 0 <= percent <= 100:
        raise DomainError(_("Progress is a percentage from 0 to 100."), field="percent")
    if not text.strip():
        raise DomainError(_("Describe the progress."), field="text")
    with transaction.atomic():
        ProgressReport.objects.filter(pk=report.pk).update(
            percent=percent, text=text.strip(), reported_on=timezone.localdate(),
            reported_by=actor if getattr(actor, "pk", None) else None)
        report.refresh_from_db()
        cases_close_for(target=report, note=_("Progress reported."))
    return report


def project_reports_sweep(*, today: dt.date | None = None) -> dict[str, int]:
    """A progress report not in by its date: the lead unit is reminded the next day; still missing
    `rules.PROJECT_REPORT_GRACE_DAYS` working days after its date, it enters the supervision pool. Idempotent."""
    today = today or timezone.localdate()
    now = timezone.now()
    reminded = supervised = 0
    late = ProgressReport.objects.filter(reported_on__isnull=True, due_on__lt=today).select_related(
        "project__lead_unit")
    for report in late.filter(reminded_at__isnull=True):
        if ProgressReport.objects.filter(pk=report.pk, reminded_at__isnull=True).update(reminded_at=now):
            reminded += 1
            message_send(code="unit.project_report_due", key=str(report.pk), to=unit_recipients(report.project.lead_unit),
                         context={"project": report.project.title, "due": report.due_on.isoformat(),
                                  "link": settings.PORTAL_PUBLIC_URL + reverse("disclosure:unit_projects")})
    calendar = get_calendar()
    for report in late.filter(supervised_at__isnull=True):
        if calendar.add_workdays(report.due_on, rules.PROJECT_REPORT_GRACE_DAYS).due >= today:
            continue
        if ProgressReport.objects.filter(pk=report.pk, supervised_at__isnull=True).update(supervised_at=now):
            supervised += 1
            case_open(target=report, kind=CaseKind.OVERDUE, reference=f"{report.project.year}-{report.project.pk}",
                      title=_("Progress report of “%(project)s” due %(due)s") % {
                          "project": report.project.title, "due": report.due_on.isoformat()},
                      unit=report.project.lead_unit,
                      link=reverse("admin:disclosure_project_change", args=[report.project.pk]))
    return {"reminded": reminded, "supervised": supervised}


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
