"""The handling units' own pages: their queue, each petition, and the actions
on it. A unit handler sees only their unit's work (dispatch.selectors)."""
from __future__ import annotations

import functools
import uuid

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from openpyxl import Workbook

from dispatch import forms, handling, selectors
from dispatch.models import AssignmentStatus, ExtensionRequest, Reply, RequestStatus, ReturnRequest, Role
from lib import spreadsheets
from lib.errors import DomainError
from org.permissions import unit_required
from petitions import drafts, privacy
from petitions.models import Attachment
from petitions.selectors import history
from supervision.models import SupervisionNotice
from supervision.services import notice_reply as reply_service


# What a unit may have typed into a form on a page left open (answer, note, reasons, a reply to a notice).
TYPED_FIELDS = ("content", "note", "reason", "text")


def _withdrawn_page(view):
    """A work order withdrawn from the unit meanwhile (the platform re-dispatched it, removed the co-unit,
    approved its return): an old link or a page left open says so, with what was typed shown back, instead of
    "Not found"."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except selectors.Withdrawn as withdrawn:
            typed = [request.POST.get(name, "").strip() for name in TYPED_FIELDS] if request.method == "POST" else []
            return render(request, "dispatch/withdrawn.html", {
                "assignment": withdrawn.assignment, "typed": [text for text in typed if text],
            }, status=410)
    return wrapped


QUEUE_PAGE = 50  # rows a page; the pager reaches every row, and the export has them all in one file
QUEUE_SEEN = "unit_queue"  # a cookie remembers the unit's queue last looked at (no session write, no query)


@unit_required
def queue(request):
    current = request.GET.get("queue") or request.COOKIES.get(QUEUE_SEEN, "to_sign")
    if current not in selectors.QUEUES:
        current = "to_sign"
    now = timezone.now()
    term = request.GET.get("q", "").strip()[:100]
    rows = selectors.unit_queue_search(selectors.unit_queue(request.user, current, now), term)
    # The queue's own order, then the id: rows of equal deadline keep their place from one page to the next.
    counts = selectors.unit_queue_counts(request.user, now)  # the whole queues, whatever the search and the page
    paginator = Paginator(rows.order_by(*rows.query.order_by, "pk"), QUEUE_PAGE)
    if not term:
        paginator.count = counts[current]  # the tab's own count: no second COUNT of the same rows
    page = paginator.get_page(request.GET.get("page"))
    response = render(request, "dispatch/queue.html", {
        "queue": current, "items": page, "page": page, "query": term, "counts": counts, "now": now,
    })
    if request.COOKIES.get(QUEUE_SEEN) != current:  # "Back to the queue" from a petition returns here
        response.set_cookie(QUEUE_SEEN, current, path="/dispatch/", samesite="Lax", httponly=True,
                            secure=request.is_secure())
    return response


@unit_required
def export(request):
    """The unit's queue as a spreadsheet, with the same isolation as the page."""
    current = request.GET.get("queue") or "all"  # an empty ?queue= is the documented default, not a 404
    if current not in selectors.QUEUES:
        raise Http404
    term = request.GET.get("q", "").strip()[:100]  # the queue as the page shows it, searched or not
    book = Workbook()
    sheet = book.active
    sheet.title = current
    rows = ([
        a.petition.number, privacy.shown_text(request.user, a.petition, a.petition.title), a.petition.area.name,
        a.petition.classification.name if a.petition.classification else "", a.get_role_display(),
        a.get_status_display(), _local(a.dispatched_at), _local(a.sign_due_at), _local(a.handle_due_at),
    ] for a in selectors.unit_queue_search(selectors.unit_queue(request.user, current), term).iterator(chunk_size=500))
    spreadsheets.write_rows(sheet, rows, header=[
        _("Tracking number"), _("Title"), _("Area"), _("Category"), _("Role"), _("Status"), _("Dispatched at"),
        _("Sign-for deadline"), _("Handling deadline")])
    return spreadsheets.xlsx_response(book, f"queue-{current}.xlsx")


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


# The page holds five forms; "reason" is a field of three of them. Each form gets its own id prefix so no
# element id repeats (labels stay bound to their own field).
FORM_KEYS = {"note_form": forms.NoteForm, "answer_form": forms.AnswerForm, "return_form": forms.ReturnForm,
             "extension_form": forms.ExtensionForm, "wait_form": forms.WaitForm}


def _form(key, *args):
    return FORM_KEYS[key](*args, auto_id=f"id_{key.removesuffix('_form')}_%s")


def _history(request, petition) -> list:
    """The petition's history as the unit reads it: each line labelled for staff, its words in full (a reviewer's
    or a decider's note is addressed to the unit) and, on a confidential petition, through the redactor."""
    events = list(history(petition).exclude(kind="note"))
    for event in events:
        event.label = selectors.event_label(event)
        event.shown_reason = privacy.for_units(petition, event.reason)
    return events


def _our_answer(request, assignment) -> dict | None:
    """The unit's latest answer and what became of it: the lead's goes to the platform's review (waiting, approved
    with the wording published to the citizen, or sent back with the reviewer's note); a co-unit's goes to the
    lead unit."""
    petition = assignment.petition
    if assignment.role == Role.CO:
        if not assignment.answer:
            return None
        return {"content": assignment.answer, "at": assignment.answered_at, "to_lead": True}
    reply = (Reply.objects.filter(assignment=assignment).select_related("submitted_by")
             .prefetch_related("attachments").order_by("-submitted_at", "-pk").first())
    if reply is None:
        return None
    approved = reply.review == Reply.Review.APPROVED
    return {
        "content": reply.content, "at": reply.submitted_at, "solved": reply.solved,
        "by": reply.submitted_by.get_full_name() or reply.submitted_by.username if reply.submitted_by else "",
        "files": [(f, privacy.attachment_name(request.user, f)) for f in reply.attachments.all()],
        "review": reply.review, "reviewed_at": reply.reviewed_at,
        "note": privacy.for_units(petition, reply.review_note),
        "published": privacy.for_units(petition, petition.answer) if approved and petition.answer else "",
    }


def _detail_context(request, assignment, **forms_override):
    petition = assignment.petition
    context = {
        "assignment": assignment, "petition": petition,
        "events": _history(request, petition),
        "our_answer": _our_answer(request, assignment), "Review": Reply.Review,
        # The unit's own stops of the clock, with their reasons and the platform's decisions.
        "pauses": assignment.pauses.select_related("decided_by").order_by("started_at"),
        "open_pause": assignment.pauses.filter(ended_at__isnull=True).first(),
        # A confidential petition's words reach the unit through the redactor; files always under neutral names.
        "shown": {field: privacy.shown_text(request.user, petition, getattr(petition, field))
                  for field in ("title", "content", "address")},
        "attachments": [(f, privacy.attachment_name(request.user, f)) for f in petition.attachments.all()],
        "co_answers": selectors.co_answers(assignment) if assignment.role == Role.LEAD else [],
        "pending_return": ReturnRequest.objects.filter(assignment=assignment, status=RequestStatus.PENDING).first(),
        "pending_extension": ExtensionRequest.objects.filter(assignment=assignment, status=RequestStatus.PENDING).first(),
        **{key: _form(key) for key in FORM_KEYS}, "now": timezone.now(),
        "notices": _open_notices(assignment),
        "Status": AssignmentStatus,
        "back_queue": request.COOKIES.get(QUEUE_SEEN) if request.COOKIES.get(QUEUE_SEEN) in selectors.QUEUES
        else "to_sign",
    }
    context.update(forms_override)
    return context


def _open_notices(assignment):
    """Supervision notices addressed to this unit about this petition."""
    return (SupervisionNotice.objects.filter(case__unit_id=assignment.unit_id, case__status="open")
            .filter(Q(case__content_type__model="assignment", case__object_id=assignment.pk)
                    | Q(case__content_type__model="petition", case__object_id=assignment.petition_id))
            .select_related("case").order_by("sent_at"))


@unit_required
@require_POST
@_withdrawn_page
def notice_reply(request, pk: int, notice_pk: int):
    assignment = selectors.unit_assignment(request.user, pk)
    notice = _open_notices(assignment).filter(pk=notice_pk).first()
    if notice is None:
        raise Http404
    text = request.POST.get("text", "")
    try:
        reply_service(notice=notice, actor=request.user, text=text)
    except DomainError as error:
        # The reply comes back under its notice with what was typed, never lost behind a redirect.
        context = _detail_context(request, assignment)
        context["reply_kept"] = {"pk": notice.pk, "text": text, "error": error.message}
        return render(request, "dispatch/detail.html", context, status=400)
    messages.success(request, _("Reply sent to the supervisors."))
    return redirect("dispatch:detail", pk=assignment.pk)


@unit_required
@_withdrawn_page
def detail(request, pk: int):
    assignment = selectors.unit_assignment(request.user, pk)
    return render(request, "dispatch/detail.html", _detail_context(request, assignment))


ACTIONS = {
    # name: (form class or None, context key, service call)
    "sign": (None, None, lambda a, u, d: handling.assignment_sign(assignment=a, actor=u)),
    "contact": (forms.NoteForm, "note_form",
                lambda a, u, d: handling.assignment_record_contact(assignment=a, actor=u, note=d["note"])),
    "answer": (forms.AnswerForm, "answer_form",
               lambda a, u, d: handling.assignment_answer(assignment=a, actor=u, content=d["content"],
                                                          solved=d["solved"], uploads=d["attachments"])),
    "return": (forms.ReturnForm, "return_form",
               lambda a, u, d: handling.assignment_request_return(assignment=a, actor=u, reason=d["reason"],
                                                                  suggested_unit=d["suggested_unit"])),
    "extension": (forms.ExtensionForm, "extension_form",
                  lambda a, u, d: handling.assignment_request_extension(assignment=a, actor=u, days=d["days"],
                                                                        reason=d["reason"])),
    "wait": (forms.WaitForm, "wait_form",
             lambda a, u, d: handling.assignment_wait_for_citizen(assignment=a, actor=u, code=d["code"],
                                                                 reason=d["reason"])),
    "resume": (None, None, lambda a, u, d: handling.assignment_resume(assignment=a, actor=u)),
}

DONE_MESSAGES = {
    "sign": gettext_lazy("Signed for. The handling clock is running."),
    "contact": gettext_lazy("Contact recorded."),
    "answer": gettext_lazy("Answer submitted."),
    "return": gettext_lazy("Return requested: keep handling until the platform decides."),
    "extension": gettext_lazy("Extension requested."),
    "wait": gettext_lazy("The clock is stopped while you wait."),
    "resume": gettext_lazy("The clock runs again."),
}


def _answer_draft(request) -> uuid.UUID | None:
    """The answer form's draft token, when the POST carries a well-formed one."""
    try:
        return uuid.UUID(request.POST.get("draft", ""))
    except ValueError:
        return None


@unit_required
@require_POST
@_withdrawn_page
def act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    assignment = selectors.unit_assignment(request.user, pk)
    form_class, key, perform = ACTIONS[action]
    form = _form(key, request.POST, request.FILES) if form_class else None
    draft = _answer_draft(request) if action == "answer" else None
    # Files kept from an earlier try that the unit ticked "Remove" go before anything is read (as on the citizen's
    # form, petitions.views._files_in_hand): they are neither sent with the answer nor listed again.
    drafts.drafts_forget(draft, request.POST.getlist("drop_kept"))
    kept = drafts.drafts_load(draft)

    def sent_back(form):
        extra = {key: form}
        if draft is not None:
            if "attachments" not in form.errors:  # the files that passed wait for the corrected answer
                fresh = form.cleaned_data.get("attachments") or []
                drafts.drafts_keep(draft, fresh)
            extra["answer_kept"] = drafts.drafts_listed(draft)  # each with the index its Remove box posts
        return render(request, "dispatch/detail.html", _detail_context(request, assignment, **extra), status=400)

    if form is not None and not form.is_valid():
        return sent_back(form)
    data = form.cleaned_data if form else {}
    if draft is not None:
        data = {**data, "attachments": kept + (data.get("attachments") or [])}
    try:
        perform(assignment, request.user, data)
    except DomainError as error:
        if form is not None and error.field in form.fields:
            form.add_error(error.field, error.message)
            return sent_back(form)
        messages.error(request, error.message)
    else:
        drafts.drafts_drop(draft)
        messages.success(request, DONE_MESSAGES[action])
    return redirect("dispatch:detail", pk=assignment.pk)


@unit_required
@_withdrawn_page
def attachment(request, pk: int, attachment_pk: int):
    assignment = selectors.unit_assignment(request.user, pk)
    item = Attachment.objects.filter(pk=attachment_pk, petition_id=assignment.petition_id).first()
    if item is None:
        raise Http404
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=privacy.attachment_name(request.user, item),
                        content_type=item.content_type)
