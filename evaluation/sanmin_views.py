"""Public 三民 pages: the campaign, suggestions, department reports, the draw's
published inputs, voting with a one-time code, and the results."""
from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.db import DatabaseError, transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_ratelimit.exceptions import Ratelimited

from evaluation import sanmin
from evaluation.models import Campaign, DepartmentReport, SuggestionTheme
from lib import spreadsheets
from lib.errors import DomainError
from lib.fields import PhoneField, SubmissionTokenField
from lib.ratelimits import limit, usage


class SuggestionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Real name"), max_length=50)
    phone = PhoneField(mobile_only=True, label=gettext_lazy("Mobile phone"))
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), choices=SuggestionTheme.choices)
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    content = forms.CharField(label=gettext_lazy("Your suggestion"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    submission_token = SubmissionTokenField()

    def clean_content(self):
        value = self.cleaned_data["content"].strip()
        if len(value) < 20:
            raise forms.ValidationError(_("Explain your suggestion in at least 20 characters."))
        return value


def _campaign(year=None) -> Campaign:
    query = Campaign.objects.all()
    campaign = query.filter(year=year).first() if year else query.order_by("-year").first()
    if campaign is None:
        raise Http404
    return campaign


@limit("sanmin-suggestion", "PORTAL_RATE_SUGGESTION")
def campaign_page(request, year: int | None = None):
    campaign = _campaign(year)
    form = SuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sanmin.suggestion_submit(campaign=campaign, **form.cleaned_data)
        except DomainError as error:
            error.as_form_error(form)
        else:
            messages.success(request, _("Thank you: your suggestion has been received."))
            return redirect("evaluation:sanmin_year", year=campaign.year)
    now = timezone.now()
    results = None
    if campaign.results_published_at:
        try:
            results = sanmin.results(campaign=campaign)
        except DomainError:  # not sealed: the page shows the campaign without results
            results = None
    return render(request, "evaluation/sanmin/campaign.html", {
        "campaign": campaign, "form": form, "now": now, "results": results,
        "groups": campaign.groups.prefetch_related("reports__unit"),
        "excellent": campaign.suggestions.filter(excellent=True),
        "representatives": campaign.representatives.count(),
        "campaigns": Campaign.objects.order_by("-year"),
    }, status=400 if form.errors else 200)


def pool_file(request, year: int):
    """The published pool (ids and strata only) whose SHA-256 is the pool hash."""
    campaign = _campaign(year)
    return HttpResponse("\n".join(sanmin.pool_lines(campaign)), content_type="text/plain; charset=utf-8")


def audit(request, year: int):
    """Everything an auditor needs to re-run the draw from public data alone (docs/sanmin.md)."""
    campaign = _campaign(year)
    return render(request, "evaluation/sanmin/audit.html", {
        "campaign": campaign, "drawn": campaign.drawn_at is not None,
        "strata": sorted(campaign.quotas.items()), "turnout": sanmin.turnout(campaign),
        "pool_size": len(sanmin.pool_lines(campaign)),
    })


def quotas_file(request, year: int):
    campaign = _campaign(year)
    body = json.dumps(campaign.quotas, ensure_ascii=False, sort_keys=True, indent=1)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


def drawn_file(request, year: int):
    """The drawn pool ids, one a line, published once the draw has taken place."""
    campaign = _campaign(year)
    if campaign.drawn_at is None:
        raise Http404
    return HttpResponse("\n".join(sanmin.drawn_ids(campaign)), content_type="text/plain; charset=utf-8")


class CodeForm(forms.Form):
    code = forms.CharField(label=gettext_lazy("Your one-time voting code"), max_length=20)

    def __init__(self, *args, paper: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if paper:  # the code is already used: the ballot paper (token) stands for it
            self.fields["code"].required = False


CODE_FAILURES = "sanmin-code"


def _guessing(request) -> bool:
    counted = usage(request, CODE_FAILURES, "PORTAL_RATE_VOTING_CODE", increment=False)
    return counted is not None and counted["count"] >= counted["limit"]


@transaction.non_atomic_requests  # using the code and counting the ballot must stay two transactions
@limit("sanmin-vote", "PORTAL_RATE_VOTING")  # a voting station's address serves many voters
def vote(request, year: int):
    """No session and no cookie ties the ballot to the code: the code travels with the
    form. Casting uses the code (one transaction) and counts the ballot under a one-time
    token (another); if counting fails after the code was used, the page comes back
    holding the token, and sending it again counts the ballot."""
    campaign = _campaign(year)
    # Not cut to a length: a cut token fails its signature. sanmin._token_paper bounds it (TOKEN_MAX_LENGTH).
    token = request.POST.get("token", "").strip()
    form = CodeForm(request.POST or None, paper=bool(token))
    departments = None
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        now = timezone.now()
        if not token and _guessing(request):
            # Past PORTAL_RATE_VOTING_CODE wrong codes from this address, no code is looked up, even a real one.
            refused = Ratelimited()
            refused.group = CODE_FAILURES
            raise refused
        try:
            if token:
                departments = sanmin.paper_departments(campaign, token)
            else:
                departments = sanmin.departments_for(sanmin.representative_by_code(campaign, code, now=now))
            ratings = {u.pk: request.POST.get(f"unit_{u.pk}", "") for u in departments}
            if "cast" in request.POST:
                if not token:
                    sanmin.ballot_check(campaign=campaign, code=code, ratings=ratings, now=now)
                    token = sanmin.ballot_paper_issue(campaign=campaign, code=code, now=now)
                sanmin.ballot_deposit(campaign=campaign, token=token, ratings=ratings, now=now)
                return render(request, "evaluation/sanmin/voted.html", {"campaign": campaign})
        except DatabaseError:
            if not token:
                raise
            form.add_error(None, _("Your code has been used but your ballot could not be counted yet. Send this page "
                                   "again to count it."))
        except DomainError as error:
            error.as_form_error(form)
            if error.code == "unknown":  # a wrong code: counted against the address (guessing)
                usage(request, CODE_FAILURES, "PORTAL_RATE_VOTING_CODE", increment=True)
            if error.code in ("unknown", "used", "expired", "not_open"):
                departments = None
    if departments is None:
        token = ""
    # A ballot sent back (one department left unrated) keeps every rating already chosen.
    rows = [(d, request.POST.get(f"unit_{d.pk}", "")) for d in departments or ()]
    return render(request, "evaluation/sanmin/vote.html", {"campaign": campaign, "form": form, "token": token,
                                                           "departments": departments, "rows": rows,
                                                           "choices": sanmin.choices_for(campaign)},
                  status=400 if form.errors else 200)


def results_xlsx(request, year: int):
    from openpyxl import Workbook

    campaign = _campaign(year)
    if not campaign.results_published_at:
        raise Http404
    # One column per rating of the campaign's scale (three words, or 1 to 10), in the scale's order.
    choices = sanmin.choices_for(campaign)
    try:
        rows = sanmin.results(campaign=campaign)
    except DomainError:  # not sealed: there are no results to export
        raise Http404 from None
    book = Workbook()
    spreadsheets.write_rows(book.active, header=[
        _("Rank"), _("Department"), *(sanmin.choice_label(campaign, c) for c in choices), _("Score"),
        _("Points in the annual assessment")], rows=(
        [row["rank"], row["unit"], *(row["counts"].get(c, 0) for c in choices),
         round(row["score"], 2) if row["score"] is not None else None,
         round(row["assessment_points"], 3) if row["assessment_points"] is not None else None]
        for row in rows))
    return spreadsheets.xlsx_response(book, f"sanmin-{year}.xlsx")


def report_document(request, pk: int):
    """A department's report document is public once uploaded."""
    report = get_object_or_404(DepartmentReport.objects.select_related("unit"), pk=pk)
    if not report.document:
        raise Http404
    return FileResponse(report.document.open("rb"), as_attachment=True,
                        filename=f"{report.unit.name}{report.document.name[report.document.name.rfind('.'):]}")
