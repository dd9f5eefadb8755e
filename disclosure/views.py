"""Public open-government pages: policies with their interpretation beside them
(search, filters, a QR code per policy), policy Q&A, and the online
information request with its status."""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import F
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from disclosure import pdf, rules, selectors, services
from disclosure.forms import ApplicantCorrectionForm, ApplicationForm, ProgressForm
from disclosure.messages import request_from_token
from disclosure.models import (
    Body,
    Event,
    InfoRequest,
    Policy,
    ProgressReport,
    Project,
    Question,
    RequestStatus,
    Theme,
    Validity,
)
from lib import counting, spreadsheets
from lib.errors import ConflictError, DomainError
from lib.fields import PhoneField, SubmissionTokenField
from lib.identity import normalise_phone
from lib.params import bounded_int, object_id
from lib.ratelimits import limit

SESSION_VOTES = "disclosure:voted"
# Rows per page of the public lists (filters travel in the page links; a bad ?page= shows the first or last page).
POLICIES_PER_PAGE = 30
# Questions are read whole, answers and all: fewer per page.
QUESTIONS_PER_PAGE = 20
# The lead unit may report this many days before a report's date (and any time after it).
REPORT_WINDOW_DAYS = 14




def policies(request):
    items = Policy.objects.filter(published=True).select_related("issuer")
    query, theme = selectors.search_text(request.GET.get("q")), request.GET.get("theme", "")
    validity = request.GET.get("validity", "")
    today = timezone.localdate()
    if query:
        items = selectors.search(items, query, ["title", "number", "text", "interpretation"])
    if theme in Theme.values:
        items = items.filter(theme=theme)
    if validity in Validity.values:
        items = items.with_validity(validity, today)
    page = Paginator(items.order_by("-issued_on", "-pk"), POLICIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [(policy, policy.validity_on(today), policy.get_validity_on_display(today)) for policy in page]
    return render(request, "disclosure/policies.html", {"items": rows, "page": page, "query": query, "theme": theme,
                                                        "themes": Theme.choices, "validity": validity,
                                                        "validities": Validity.choices})


def policy_detail(request, pk: int):
    policy = get_object_or_404(Policy.objects.select_related("issuer", "amended_by"), pk=pk, published=True)
    today = timezone.localdate()
    return render(request, "disclosure/policy.html", {
        "policy": policy, "questions": policy.questions.all()[:10], "validity": policy.validity_on(today),
        "validity_label": policy.get_validity_on_display(today),
        "amended_by": policy.amended_by if policy.amended_by and policy.amended_by.published else None})


def policy_attachment(request, pk: int):
    """A published policy's attachment is a public document."""
    policy = get_object_or_404(Policy, pk=pk, published=True)
    if not policy.attachment:
        raise Http404
    return FileResponse(policy.attachment.open("rb"), as_attachment=True,
                        filename=f"{policy.number}{Path(policy.attachment.name).suffix}")


def policy_qr(request, pk: int):
    """A QR code of the policy's page, to print for markets and community centres."""
    policy = get_object_or_404(Policy, pk=pk, published=True)
    out = io.BytesIO()
    segno.make(request.build_absolute_uri(f"/disclosure/policies/{policy.pk}/"), error="m").save(
        out, kind="svg", scale=6, title=policy.title)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def questions(request):
    items = Question.objects.select_related("policy", "district", "department")
    query, theme = selectors.search_text(request.GET.get("q")), request.GET.get("theme", "")
    if query:
        items = selectors.search(items, query, ["question", "answer"])
    if theme in Theme.values:
        items = items.filter(theme=theme)
    for field in ("district", "department"):
        pk = object_id(request.GET.get(field))  # ignored unless a plausible id (no overflow, no 500)
        if pk is not None:
            items = items.filter(**{f"{field}_id": pk})
    page = Paginator(items.order_by(*selectors.QUESTION_ORDER), QUESTIONS_PER_PAGE).get_page(request.GET.get("page"))
    # "Most asked" links to the question where it is: on this page, or on its page of the unfiltered list.
    shown = {question.pk for question in page}
    most_asked = list(selectors.questions_most_asked()[:10])
    for question in most_asked:
        question.listed_on = "" if question.pk in shown else \
            f"?page={selectors.question_position(question) // QUESTIONS_PER_PAGE + 1}"
    # The visitor cookie lets this reader's votes count (lib/counting.py).
    return counting.remember_visitor(request, render(request, "disclosure/questions.html", {
        "items": page, "page": page, "query": query, "theme": theme, "themes": Theme.choices,
        "most_asked": most_asked, "voted": request.session.get(SESSION_VOTES, []),
    }))


@require_POST
@limit("qa-vote", "PORTAL_RATE_QA_VOTE")
def question_vote(request, pk: int):
    """'Was this helpful?': one vote per question per visitor, counted as lib/counting.py allows."""
    question = get_object_or_404(Question, pk=pk)
    voted = request.session.get(SESSION_VOTES, [])
    if pk not in voted:
        field = "helpful" if request.POST.get("helpful") == "yes" else "not_helpful"
        if counting.count_once(request, f"vote:question:{pk}"):
            Question.objects.filter(pk=pk).update(**{field: F(field) + 1})
        request.session[SESSION_VOTES] = voted + [pk]
    return redirect(f"/disclosure/questions/#q{question.pk}")


@limit("info-request", "PORTAL_RATE_INFO_REQUEST")
def request_new(request):
    form = ApplicationForm(request.POST or None, initial={"body": request.GET.get("body")})
    if request.method == "POST" and form.is_valid():
        try:
            item = services.request_submit(**form.cleaned_data)
        except DomainError as error:
            error.as_form_error(form)
        else:
            request.session["disclosure:request"] = item.pk
            _remember_request(request, item)
            return redirect("disclosure:request_done")
    return render(request, "disclosure/request_new.html", {"form": form}, status=400 if form.errors else 200)


def request_done(request):
    item = get_object_or_404(InfoRequest, pk=request.session.get("disclosure:request", 0))
    return render(request, "disclosure/request_done.html", {"item": item})


def projects(request):
    year = bounded_int(request.GET.get("year"), rules.FIRST_YEAR, rules.LAST_YEAR) or timezone_year()
    items = [(p, services.project_progress(p)) for p in
             Project.objects.filter(year=year).select_related("lead_unit").prefetch_related("reports")]
    return render(request, "disclosure/projects.html", {"items": items, "year": year})


def timezone_year() -> int:
    return timezone.localdate().year


def _evaluation_published(project: Project) -> bool:
    return project.evaluation_published_on is not None and project.evaluation_published_on <= timezone.localdate()


def project_detail(request, pk: int):
    project = get_object_or_404(Project.objects.select_related("lead_unit"), pk=pk)
    published = _evaluation_published(project)
    return render(request, "disclosure/project.html", {
        "evaluation": project if published else None,
        "project": project, "progress": services.project_progress(project), "items": project.items.all(),
        "reports": project.reports.all(), "co_units": project.co_units.all(),
        "implementing": project.implementing_units.all(), "events": project.events.all()})


def project_evaluation(request, pk: int):
    """The third-party evaluation report, a public document from its publication date (404 before): /media/ is
    not served (config/urls.py), so the file goes out through here, like a policy's attachment."""
    project = get_object_or_404(Project, pk=pk)
    if not project.evaluation_file or not _evaluation_published(project):
        raise Http404
    return FileResponse(project.evaluation_file.open("rb"), as_attachment=True,
                        filename=f"{project.year}-{project.pk}-evaluation{Path(project.evaluation_file.name).suffix}")


class SignupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50)
    phone = PhoneField(mobile_only=True, label=gettext_lazy("Mobile phone"))
    submission_token = SubmissionTokenField()


class RatingForm(SignupForm):
    submission_token = None  # rating is once per sign-up already (services.inspection_rate)
    score = forms.IntegerField(label=gettext_lazy("Score (1-5)"), min_value=1, max_value=5)
    comment = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 2}))


def events(request):
    return render(request, "disclosure/events.html", {
        "items": Event.objects.filter(starts_at__gte=timezone.now()).select_related("project"),
        "past": Event.objects.filter(starts_at__lt=timezone.now()).order_by("-starts_at")[:20]})


@limit("event", "PORTAL_RATE_EVENT")
def event_detail(request, pk: int):
    event = get_object_or_404(Event, pk=pk)
    form = SignupForm(prefix="s")
    rating = RatingForm(prefix="r")
    status = 200
    if request.method == "POST":
        rating_post = "r-score" in request.POST
        bound = (RatingForm if rating_post else SignupForm)(request.POST, prefix="r" if rating_post else "s")
        if bound.is_valid():
            try:
                if rating_post:
                    services.inspection_rate(event=event, phone=bound.cleaned_data["phone"],
                                             score=bound.cleaned_data["score"], comment=bound.cleaned_data["comment"])
                    messages.success(request, _("Thank you: your rating has been recorded."))
                else:
                    services.event_signup(event=event, name=bound.cleaned_data["name"], phone=bound.cleaned_data["phone"],
                                          submission_token=bound.cleaned_data["submission_token"])
                    messages.success(request, _("You are signed up."))
                return redirect("disclosure:event", pk=event.pk)
            except DomainError as error:
                error.as_form_error(bound)
        status = 400
        if rating_post:
            rating = bound
        else:
            form = bound
    return render(request, "disclosure/event.html", {
        "event": event, "form": form, "rating": rating, "taken": event.signups.count()}, status=status)


def ogi_report(request, year: int):
    """The annual report's table of requests in the national template; ?format=xlsx or pdf. Officers see
    their own body's; the city's office, supervisors and admins the whole city's or any body's (?body=)."""
    if not request.user.is_authenticated or not (request.user.is_staff or request.user.role in selectors.OFFICE_ROLES):
        return redirect_to_login(request.get_full_path())
    if not rules.FIRST_YEAR <= year <= rules.LAST_YEAR:
        raise Http404  # /report/0/ made dt.date(0, 1, 1): a 500
    own = selectors.body_of(request.user)
    office_role = request.user.role in selectors.OFFICE_ROLES
    # The statistics are published each year: staff read the city's; an officer reads their own body's.
    sees_all = not office_role or (own is not None and own.supervises_all)
    if office_role and own is None:
        raise PermissionDenied
    body = None if sees_all else own
    chosen = object_id(request.GET.get("body"))
    if sees_all and chosen is not None:
        body = get_object_or_404(Body, pk=chosen)
    report = services.annual_report(year, body=body)
    fmt = request.GET.get("format")
    name = f"ogi-report-{year}" + (f"-{body.unit.code}" if body else "")
    if fmt == "xlsx":
        book = Workbook()
        header = [_("Annual report on open government information"), *report.columns]
        rows = [[body.unit.name if body else settings.PORTAL_CITY_NAME, year]]
        rows += [[row.label, *([] if row.heading else row.values)] for row in report.rows]
        rows.append([_("Fees collected (yuan)"), report.fees])
        spreadsheets.write_rows(book.active, rows, header=header)
        return spreadsheets.xlsx_response(book, f"{name}.xlsx")
    if fmt == "pdf":
        response = HttpResponse(pdf.report_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
        return response
    bodies = Body.objects.select_related("unit") if sees_all else []
    return render(request, "disclosure/ogi_report.html", {"report": report, "year": year, "body": body,
                                                          "bodies": bodies, "balances": report.balances()})


# --- practical projects: the lead unit's own page -------------------------------------------------------

def unit_projects(request):
    """The lead unit reports its projects' progress on schedule: each report due (or late) has its form."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.user.unit_id is None and not request.user.is_superuser:
        raise PermissionDenied
    projects_led = Project.objects.filter(lead_unit_id=request.user.unit_id).prefetch_related("reports")
    today = timezone.localdate()
    horizon = today + dt.timedelta(days=REPORT_WINDOW_DAYS)
    forms_by_report, status = {}, 200
    if request.method == "POST":
        report_id = request.POST.get("report", "")
        report = get_object_or_404(ProgressReport.objects.select_related("project"),
                                   pk=object_id(report_id), project__in=projects_led)
        if report.reported_on is not None:
            # Sent again (a second click, the back button, a colleague): said, not "Not found".
            messages.info(request, _("This progress report was already sent."))
            return redirect("disclosure:unit_projects")
        form = ProgressForm(request.POST, prefix=f"r{report.pk}")
        if form.is_valid():
            try:
                services.progress_report(report=report, actor=request.user, **form.cleaned_data)
            except DomainError as error:
                error.as_form_error(form)
            else:
                messages.success(request, _("Progress reported and published."))
                return redirect("disclosure:unit_projects")
        forms_by_report[report.pk], status = form, 400
    items = []
    for project in projects_led.order_by("-year", "id"):
        reports = []
        for report in project.reports.all():
            form = None
            if report.reported_on is None and report.due_on <= horizon:
                form = forms_by_report.get(report.pk) or ProgressForm(prefix=f"r{report.pk}")
            reports.append((report, form, report.reported_on is None and report.due_on < today))
        items.append((project, services.project_progress(project), reports))
    return render(request, "disclosure/unit_projects.html", {"items": items, "today": today}, status=status)


# --- the applicant's tracking page (by number and phone, or by the personal link) ------------------------

SESSION_REQUESTS = "disclosure:tracked"
# What "My petitions" (citizens.views.mine) opened, and until when: its sign-in's end.
MY_REQUESTS, MY_REQUESTS_UNTIL = "disclosure:my_tracked", "disclosure:my_until"


class RequestTrackForm(forms.Form):
    number = forms.RegexField(label=gettext_lazy("Request number"), regex=r"^YSQ\d{8,14}$", max_length=20,
                              error_messages={"invalid": gettext_lazy("A request number looks like YSQ202611230001.")})
    phone = forms.CharField(label=gettext_lazy("Phone given in the request"), max_length=32)

    def clean_phone(self):
        try:
            return normalise_phone(self.cleaned_data["phone"])
        except ValueError:
            raise forms.ValidationError(_("Enter the phone number given in the request.")) from None


def _remember_request(request, item: InfoRequest) -> None:
    ids = request.session.get(SESSION_REQUESTS, [])
    if item.pk not in ids:
        request.session[SESSION_REQUESTS] = (ids + [item.pk])[-20:]


@limit("track", "PORTAL_RATE_TRACK")  # the petitions' tracking bucket: request numbers are sequential too
def request_track(request):
    """Number and phone, by POST. Limited like petition tracking, in the same bucket: numbers are
    YSQ + date + 4 digits, so whoever knows a phone could otherwise walk through a day's requests."""
    form = RequestTrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        item = InfoRequest.objects.filter(number=form.cleaned_data["number"],
                                          applicant_phone=form.cleaned_data["phone"]).first()
        if item is not None:
            _remember_request(request, item)
            return redirect("disclosure:request_status", number=item.number)
        form.add_error(None, _("No request matches this number and phone."))  # the same for either mistake
    return render(request, "disclosure/request_track.html", {"form": form}, status=400 if form.errors else 200)


def request_open(request, token: str):
    item = request_from_token(token)
    if item is None:
        return render(request, "petitions/link_invalid.html", {"track_url": "disclosure:request_track"}, status=404)
    _remember_request(request, item)
    return redirect("disclosure:request_status", number=item.number)


def _tracked(request, number: str) -> InfoRequest:
    """A request this browser was shown (by number and phone, the personal link, or "My petitions" while its
    sign-in lasts); others are not there."""
    ids = list(request.session.get(SESSION_REQUESTS, []))
    if request.session.get(MY_REQUESTS_UNTIL, 0) > timezone.now().timestamp():
        ids += request.session.get(MY_REQUESTS, [])
    return get_object_or_404(InfoRequest, number=number, pk__in=ids)


def _status_page(request, item: InfoRequest, form=None, *, late_text: str = "", status: int = 200):
    """The applicant's status page. A correction whose date has passed is not offered any more, even before
    the nightly sweep has marked the request abandoned (Art. 30)."""
    late = item.status == RequestStatus.CORRECTION and item.correction_until < timezone.localdate()
    if item.status == RequestStatus.CORRECTION and not late:
        form = form or ApplicantCorrectionForm()
    else:
        form = None
    return render(request, "disclosure/request_status.html",
                  {"item": item, "correction_form": form, "correction_late": late, "late_text": late_text},
                  status=status)


def request_status(request, number: str):
    return _status_page(request, _tracked(request, number))


@require_POST
@limit("info-request", "PORTAL_RATE_INFO_REQUEST")  # a corrected request is a request sent again
def request_correct(request, number: str):
    """Art. 30: the applicant sends the corrected request from the status page; the answer period restarts today."""
    item = _tracked(request, number)
    form = ApplicantCorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.request_corrected(request=item, text=form.cleaned_data["text"], online=True)
        except ConflictError:
            messages.info(request, _("No correction is awaited on this request any more."))
            return redirect("disclosure:request_status", number=item.number)
        except DomainError as error:
            if error.code == "correction_late":  # abandoned now: what was written is shown back, never lost
                item.refresh_from_db()
                messages.error(request, error.message)
                return _status_page(request, item, late_text=form.cleaned_data["text"], status=409)
            error.as_form_error(form)
        else:
            messages.success(request, _("Your correction has been received: the answer period restarts today."))
            return redirect("disclosure:request_status", number=item.number)
    return _status_page(request, item, form, status=400)
