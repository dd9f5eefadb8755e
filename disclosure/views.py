"""Public open-government pages: policies with their interpretation beside them
(search, filters, a QR code per policy), policy Q&A, and the online
information request with its status."""
from __future__ import annotations

import io

from django import forms
from django.db.models import F, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from disclosure import services
from disclosure.models import InfoRequest, Policy, Question, Theme
from lib.errors import DomainError
from lib.identity import normalise_phone

SESSION_VOTES = "disclosure:voted"


def _terms(text: str) -> list[str]:
    """Chinese search: segment the query with jieba, keep the meaningful words."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    words = [w.strip() for w in jieba.lcut_for_search(text) if len(w.strip()) >= 2]
    return words or ([text.strip()] if text.strip() else [])


def _search(queryset, text: str, fields: list[str]):
    for term in _terms(text)[:6]:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset


def policies(request):
    items = Policy.objects.filter(published=True).select_related("issuer")
    query, theme = request.GET.get("q", "").strip(), request.GET.get("theme", "")
    if query:
        items = _search(items, query, ["title", "number", "text", "interpretation"])
    if theme in Theme.values:
        items = items.filter(theme=theme)
    return render(request, "disclosure/policies.html", {"items": items[:100], "query": query, "theme": theme,
                                                        "themes": Theme.choices})


def policy_detail(request, pk: int):
    policy = get_object_or_404(Policy.objects.select_related("issuer"), pk=pk, published=True)
    return render(request, "disclosure/policy.html", {"policy": policy, "questions": policy.questions.all()[:10]})


def policy_qr(request, pk: int):
    """A QR code of the policy's page, to print for markets and community centres."""
    import segno

    policy = get_object_or_404(Policy, pk=pk, published=True)
    out = io.BytesIO()
    segno.make(request.build_absolute_uri(f"/disclosure/policies/{policy.pk}/"), error="m").save(
        out, kind="svg", scale=6, title=policy.title)
    return HttpResponse(out.getvalue(), content_type="image/svg+xml")


def questions(request):
    items = Question.objects.select_related("policy", "district", "department")
    query, theme = request.GET.get("q", "").strip(), request.GET.get("theme", "")
    if query:
        items = _search(items, query, ["question", "answer"])
    if theme in Theme.values:
        items = items.filter(theme=theme)
    return render(request, "disclosure/questions.html", {
        "items": items[:100], "query": query, "theme": theme, "themes": Theme.choices,
        "most_asked": Question.objects.order_by("-asked")[:10], "voted": request.session.get(SESSION_VOTES, []),
    })


@require_POST
def question_vote(request, pk: int):
    """'Was this helpful?': one vote per question per visitor session."""
    question = get_object_or_404(Question, pk=pk)
    voted = request.session.get(SESSION_VOTES, [])
    if pk not in voted:
        field = "helpful" if request.POST.get("helpful") == "yes" else "not_helpful"
        Question.objects.filter(pk=pk).update(**{field: F(field) + 1})
        request.session[SESSION_VOTES] = voted + [pk]
    return redirect(f"/disclosure/questions/#q{question.pk}")


class RequestForm(forms.Form):
    applicant_name = forms.CharField(label=gettext_lazy("Applicant (person or organisation)"), max_length=100)
    applicant_phone = forms.CharField(label=gettext_lazy("Phone"), max_length=32)
    applicant_email = forms.EmailField(label=gettext_lazy("E-mail (optional)"), required=False)
    description = forms.CharField(label=gettext_lazy("The information you ask for"), max_length=5000,
                                  widget=forms.Textarea(attrs={"rows": 5}),
                                  help_text=gettext_lazy("Name the document, the period and the subject as precisely as you can."))

    def clean_applicant_phone(self):
        try:
            return normalise_phone(self.cleaned_data["applicant_phone"])
        except ValueError:
            raise forms.ValidationError(_("Enter a mainland mobile number (11 digits, e.g. 13812345678) or a landline "
                                          "with its area code.")) from None

    def clean_description(self):
        value = self.cleaned_data["description"].strip()
        if len(value) < 10:
            raise forms.ValidationError(_("Describe the information in at least 10 characters."))
        return value


def request_new(request):
    form = RequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.request_submit(**form.cleaned_data)
        except DomainError as error:
            error.as_form_error(form)
        else:
            request.session["disclosure:request"] = item.pk
            return redirect("disclosure:request_done")
    return render(request, "disclosure/request_new.html", {"form": form}, status=400 if form.errors else 200)


def request_done(request):
    item = get_object_or_404(InfoRequest, pk=request.session.get("disclosure:request", 0))
    return render(request, "disclosure/request_done.html", {"item": item})
