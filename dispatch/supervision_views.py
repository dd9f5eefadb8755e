"""The supervisors' dashboard (督办): warnings and overdue work by district and
unit, aging, the supervision pool with its notices and levels, the look-back,
drill-down to each petition, and Excel exports. Login required; supervisors,
dispatchers and platform admins see the city; a district platform's supervisors
("1 + 10") see and act on their own district only, everywhere on these pages
(`_scope`): another district's petition or case is a 404. Complainants' phones
are masked here."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dispatch import selectors
from dispatch import handling
from dispatch.forms import PauseDecisionForm
from dispatch.models import Assignment, AssignmentStatus, LookbackSample, Pause, PauseApproval
from dispatch.sweeps import lookback_record
from lib import spreadsheets
from lib.errors import DomainError
from lib.params import object_id
from notifications.messaging import unreachable_units
from org.models import Area, HandlingUnit, User
from org.permissions import may_supervise, user_district, user_passes
from petitions import privacy
from petitions.models import Petition
from supervision import services as supervision
from supervision.models import CaseKind, CaseStatus, Level, SupervisionCase

OPEN = selectors.OPEN_WORK


supervisor_required = user_passes(may_supervise)


def _may_act(user) -> bool:
    return user.has_role(User.Role.SUPERVISOR, User.Role.ADMIN) or user.role == User.Role.DISTRICT_SUPERVISOR


def _scope(request) -> Area | None:
    """The district the user supervises (a district platform), or None for the whole city."""
    if not hasattr(request, "_supervision_district"):
        request._supervision_district = user_district(request.user)
    return request._supervision_district


def _scoped_petitions(request):
    district = _scope(request)
    return Petition.objects.filter(district=district) if district else Petition.objects.all()


def _scoped_cases(request):
    district = _scope(request)
    cases = SupervisionCase.objects.all()
    return cases.filter(area__path__startswith=district.path) if district else cases


class FilterForm(forms.Form):
    district = forms.ModelChoiceField(label=gettext_lazy("District"), required=False,
                                      queryset=Area.objects.filter(level=Area.Level.DISTRICT))
    kind = forms.ChoiceField(label=gettext_lazy("Unit kind"), required=False,
                             choices=[("", "—")] + list(HandlingUnit.Kind.choices))
    level = forms.TypedChoiceField(label=gettext_lazy("Level"), required=False, coerce=int, empty_value=None,
                                   choices=[("", "—")] + list(Level.choices))
    case_kind = forms.ChoiceField(label=gettext_lazy("Case"), required=False,
                                  choices=[("", "—")] + list(CaseKind.choices))


def _filtered(request):
    district = _scope(request)
    form = FilterForm(request.GET or None)
    if district is not None:
        form.fields["district"].queryset = Area.objects.filter(pk=district.pk)
    data = form.cleaned_data if form.is_valid() else {}
    assignments = Assignment.objects.filter(status__in=OPEN)
    cases = _scoped_cases(request).filter(status=CaseStatus.OPEN)
    if district is not None:
        assignments = assignments.filter(petition__district=district)
    if data.get("district"):
        assignments = assignments.filter(petition__district=data["district"])
        cases = cases.filter(area__path__startswith=data["district"].path)
    if data.get("kind"):
        assignments = assignments.filter(unit__kind=data["kind"])
        cases = cases.filter(unit__kind=data["kind"])
    if data.get("level"):
        cases = cases.filter(level=data["level"])
    if data.get("case_kind"):
        cases = cases.filter(kind=data["case_kind"])
    return form, assignments, cases




def _open_counts(request, form):
    """The open-work counters under the same filters and the same district scope as `_filtered`
    (dispatch.counters: no scan of open work). A district platform's form only offers its own district."""
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    return selectors.open_work_counts(district=data.get("district") or _scope(request),
                                      unit_kind=data.get("kind") or "")


@supervisor_required
def dashboard(request):
    form, assignments, cases = _filtered(request)
    counts = _open_counts(request, form)
    by_district = list(selectors.open_work_summary(counts, "petition__district__name")[:20])
    by_unit = list(selectors.open_work_summary(counts, "unit__name")[:50])
    context = {
        "form": form, "by_district": by_district, "by_unit": by_unit, "aging": selectors.open_work_aging(counts),
        "pool_by_level": {row["level"]: row["n"] for row in cases.values("level").annotate(n=Count("pk"))},
        "levels": Level.choices, "query": request.GET.urlencode(), "district": _scope(request),
        "lookback_pending": LookbackSample.objects.filter(result=LookbackSample.Result.PENDING,
                                                          petition__in=_scoped_petitions(request)).count(),
        "pauses_pending": _pending_pauses(request).count(),
        # Units no work order or notice can reach: a fault for the city platform to fix (docs/notifications.md).
        "unreachable": [] if _scope(request) else list(unreachable_units().values("pk", "name", "kind")[:200]),
    }
    return render(request, "dispatch/supervision/dashboard.html", context)


@supervisor_required
def pool(request):
    form, _assignments, cases = _filtered(request)
    cases = cases.select_related("unit").prefetch_related("notices").order_by("-level", "opened_at")[:300]
    return render(request, "dispatch/supervision/pool.html", {"form": form, "cases": cases,
                                                               "query": request.GET.urlencode()})


class NoticeForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Notice"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    reply_days = forms.IntegerField(label=gettext_lazy("Working days to reply"), min_value=1, max_value=20, initial=2)


class CaseActionForm(forms.Form):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=2000, required=False)


class LookbackForm(forms.Form):
    false_closure = forms.TypedChoiceField(label=gettext_lazy("Finding"), coerce=lambda v: v == "yes",
                                           widget=forms.RadioSelect,
                                           choices=[("no", gettext_lazy("Closure confirmed")),
                                                    ("yes", gettext_lazy("False closure: reopen"))])
    note = forms.CharField(label=gettext_lazy("What the re-check found"), max_length=2000)


def _notice_form(case_pk: int, data=None) -> NoticeForm:
    # One form per case, its own field ids: what is typed for one case, and its errors, stay under that one.
    return NoticeForm(data, auto_id=f"id_c{case_pk}_%s")


@supervisor_required
def petition_view(request, pk: int):
    return _petition_page(request, pk)


def _petition_page(request, pk: int, *, bound: NoticeForm | None = None, bound_case: int | None = None):
    petition = get_object_or_404(_scoped_petitions(request).select_related("area", "classification", "district"),
                                 pk=pk)
    assignments = petition.assignments.select_related("unit").order_by("-dispatched_at")
    targets = Q(content_type__model="petition", object_id=petition.pk) | Q(
        content_type__model="assignment", object_id__in=[a.pk for a in assignments])
    cases = list(SupervisionCase.objects.filter(targets).select_related("unit").prefetch_related("notices", "events")
                 .order_by("-opened_at"))
    for case in cases:
        case.notice_form = bound if bound is not None and case.pk == bound_case else _notice_form(case.pk)
    return render(request, "dispatch/supervision/petition.html", {
        "petition": petition, "assignments": assignments, "cases": cases,
        # The inspection offices supervise the work, not the person: names, phones and ID numbers masked in the
        # words of every petition (as in the header), a confidential one wholly redacted.
        "shown": {field: privacy.for_supervisors(petition, getattr(petition, field)) for field in ("title", "content")},
        "events": _history(petition),
        "case_form": CaseActionForm(), "may_act": _may_act(request.user),
    }, status=400 if bound is not None else 200)


def _history(petition) -> list:
    """The petition's whole history as supervisors read it: each line labelled for staff (a send-back named as
    one), its words with who masked (privacy.for_supervisors)."""
    events = list(petition.events.select_related("actor").order_by("at", "id"))
    for event in events:
        event.label = selectors.event_label(event)
        event.shown_reason = privacy.for_supervisors(petition, event.reason)
    return events


def _case_petition_id(case: SupervisionCase) -> int | None:
    model = case.content_type.model_class()
    if model is Petition:
        return case.object_id
    if model is Assignment:
        return Assignment.objects.filter(pk=case.object_id).values_list("petition_id", flat=True).first()
    return None


@supervisor_required
def assignment_view(request, pk: int):
    assignment = get_object_or_404(Assignment, pk=pk, petition__in=_scoped_petitions(request))
    return redirect("dispatch:supervision_petition", pk=assignment.petition_id)


def _for_units(case: SupervisionCase):
    """What a supervisor writes on a case about a confidential petition (a notice, an escalation, a closing
    note) reaches the unit and the inspection offices: the caller's identity is masked in it."""
    petition_id = _case_petition_id(case)
    petition = (Petition.objects.filter(pk=petition_id, confidential=True).only(
        "pk", "confidential", "complainant_name", "complainant_phone", "complainant_id_number").first()
        if petition_id is not None else None)
    return (lambda text: privacy.for_units(petition, text)) if petition is not None else (lambda text: text)


@supervisor_required
def case_action(request, pk: int, action: str):
    if request.method != "POST" or not _may_act(request.user):
        raise PermissionDenied
    case = get_object_or_404(_scoped_cases(request), pk=pk)
    back = request.POST.get("next", "")
    if not back.startswith("/dispatch/supervision/"):
        back = "dispatch:supervision_pool"  # never redirect off-site
    for_units = _for_units(case)
    try:
        if action == "notice":
            form = _notice_form(case.pk, request.POST)
            if not form.is_valid():
                petition_id = _case_petition_id(case)
                if petition_id is not None:  # the petition's page again, the notice kept, errors on their fields
                    return _petition_page(request, petition_id, bound=form, bound_case=case.pk)
                raise DomainError(" ".join(str(e) for errors in form.errors.values() for e in errors))
            supervision.notice_send(case=case, actor=request.user, text=for_units(form.cleaned_data["text"]),
                                    reply_days=form.cleaned_data["reply_days"])
        elif action == "escalate":
            if not supervision.case_escalate(case=case, actor=request.user,
                                             reason=for_units(request.POST.get("note", ""))):
                raise DomainError(_("The case is already at the highest level, closed, or was just escalated."))
        elif action == "close":
            if not supervision.case_close(case=case, actor=request.user, note=for_units(request.POST.get("note", ""))):
                raise DomainError(_("The case was already closed."))
        else:
            raise PermissionDenied
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Done."))
    return redirect(back)


@supervisor_required
def lookback(request):
    samples = list(LookbackSample.objects.filter(result=LookbackSample.Result.PENDING,
                                                 petition__in=_scoped_petitions(request))
                   .select_related("petition", "petition__area").order_by("-month", "id")[:200])
    # Each sample its own form (prefix): what was typed for one, and its errors, stay under that one only.
    forms_by_sample = {s.pk: LookbackForm(prefix=f"s{s.pk}") for s in samples}
    if request.method == "POST":
        if not _may_act(request.user):
            raise PermissionDenied
        sample = get_object_or_404(LookbackSample.objects.filter(petition__in=_scoped_petitions(request)),
                                   pk=object_id(request.POST.get("sample")))
        form = forms_by_sample[sample.pk] = LookbackForm(request.POST, prefix=f"s{sample.pk}")
        if form.is_valid():
            try:
                lookback_record(sample=sample, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                error.as_form_error(form)
            else:
                messages.success(request, _("Re-check recorded."))
                return redirect("dispatch:supervision_lookback")
        if sample not in samples:  # re-checked meanwhile: its form still shows what went wrong
            samples.insert(0, sample)
    for sample in samples:
        sample.form = forms_by_sample[sample.pk]
        # District supervisors are not the platform: a confidential petition's title is shown redacted.
        sample.shown_title = privacy.for_supervisors(sample.petition, sample.petition.title)
    return render(request, "dispatch/supervision/lookback.html", {"samples": samples,
                                                                   "may_act": _may_act(request.user)},
                  status=400 if request.method == "POST" else 200)


@supervisor_required
def export(request):
    from openpyxl import Workbook

    form, assignments, cases = _filtered(request)
    book = Workbook()
    sheet = book.active
    sheet.title = _("By unit")[:31]
    counts = [_("Open"), _("Yellow"), _("Red (overdue)"), _("Not signed for in time")]
    spreadsheets.write_rows(sheet, header=[_("Unit"), *counts], rows=(
        [row["unit__name"], row["open"], row["yellow"], row["red"], row["not_signed"]]
        for row in selectors.open_work_summary(_open_counts(request, form), "unit__name")))
    spreadsheets.write_rows(book.create_sheet(_("By district")[:31]), header=[_("District"), *counts], rows=(
        [row["petition__district__name"] or "—", row["open"], row["yellow"], row["red"], row["not_signed"]]
        for row in selectors.open_work_summary(_open_counts(request, form), "petition__district__name")))
    spreadsheets.write_rows(
        book.create_sheet(_("Supervision pool")[:31]),
        header=[_("Reference"), _("Title"), _("Case"), _("Level"), _("Unit"), _("Opened"), _("Escalates")],
        rows=([case.reference, case.title, case.get_kind_display(), case.get_level_display(),
               case.unit.name if case.unit else "", timezone.localtime(case.opened_at).strftime("%Y-%m-%d %H:%M"),
               timezone.localtime(case.escalate_at).strftime("%Y-%m-%d %H:%M") if case.escalate_at else ""]
              for case in cases.select_related("unit").order_by("-level", "opened_at").iterator(chunk_size=500)))
    return spreadsheets.xlsx_response(book, "supervision.xlsx")


# --- stops of the clock past the cap (docs/supervision.md) ------------------------------------------------------

def _may_decide_pauses(user) -> bool:
    return user.has_role(User.Role.DISPATCHER, User.Role.SUPERVISOR, User.Role.ADMIN) or (
        user.role == User.Role.DISTRICT_SUPERVISOR)


def _pending_pauses(request):
    return (Pause.objects.filter(approval=PauseApproval.PENDING, ended_at__isnull=True,
                                 assignment__status=AssignmentStatus.SIGNED,
                                 assignment__petition__in=_scoped_petitions(request))
            .select_related("assignment__unit", "assignment__petition").order_by("cap_at"))


@supervisor_required
def pauses(request):
    """Units' stops of the clock past the round's cap, awaiting the platform's approval."""
    bound = None
    if request.method == "POST":
        if not _may_decide_pauses(request.user):
            raise PermissionDenied
        pause_id = object_id(request.POST.get("pause"))
        pause = _pending_pauses(request).filter(pk=pause_id).first()
        if pause is None:
            # Decided a moment ago (a second click, the back button, a colleague): said, not "Not found".
            if Pause.objects.filter(pk=pause_id, assignment__petition__in=_scoped_petitions(request)).exists():
                messages.info(request, _("This stop of the clock was already decided."))
                return redirect("dispatch:supervision_pauses")
            raise Http404
        bound = PauseDecisionForm(request.POST, prefix=f"p{pause.pk}")
        if bound.is_valid():
            try:
                handling.pause_decide(pause=pause, actor=request.user, **bound.cleaned_data)
            except DomainError as error:
                bound.add_error(error.field if error.field in bound.fields else None, error.message)
            else:
                messages.success(request, _("Decision recorded."))
                return redirect("dispatch:supervision_pauses")
    rows = [(p, bound if bound is not None and bound.prefix == f"p{p.pk}" else PauseDecisionForm(prefix=f"p{p.pk}"))
            for p in _pending_pauses(request)[:300]]
    return render(request, "dispatch/supervision/pauses.html", {
        "rows": rows, "may_act": _may_decide_pauses(request.user),
    }, status=400 if bound is not None else 200)
