"""The operator's console (/hotline/): one screen per call, keyboard first (docs/intake.md). Thin views: the
form checks the shape, hotline.services calls the services that own the rules, hotline.selectors reads.

Every page works without JavaScript (the "look up" button posts the form back and shows the caller's history,
the routing preview and the knowledge base); static/js/hotline.js fills the same panels as the operator types,
from the small endpoints below, which render the same partial templates."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dispatch.models import AssignmentStatus
from hotline import picker, selectors, services
from hotline.forms import CallForm, SearchForm
from lib.errors import DomainError
from lib.fields import PhoneField
from lib.masking import mask_phone
from lib.params import object_id
from org.models import Area, Classification, User
from org.permissions import role_required
from petitions import privacy
from petitions.models import AccessRecord, Kind, Status
from petitions.services import access_record
from petitions.suggest import suggest

operator_required = role_required(User.Role.OPERATOR, User.Role.ADMIN)

# Documented in docs/intake.md; static/js/hotline.js implements them.
HOTKEYS = [
    ("Alt+P", gettext_lazy("Caller's phone")), ("Alt+N", pgettext_lazy("person", "Name")), ("Alt+A", gettext_lazy("Area")),
    ("Alt+C", gettext_lazy("Classification")), ("Alt+T", gettext_lazy("Content")),
    ("Alt+1 / 2 / 3", gettext_lazy("Take suggestion 1, 2 or 3")),
    ("Alt+K", gettext_lazy("Kind and other details")), ("Alt+Q", gettext_lazy("Knowledge base")),
    ("Ctrl+Enter", gettext_lazy("Save and take the next call")),
    ("Enter", gettext_lazy("In a list: choose and go on to the next field")),
    ("↑ ↓", gettext_lazy("In a list: move")),
    ("→ ←", gettext_lazy("In the classification list: open a branch, go back up")),
    ("Esc", gettext_lazy("Close the list")),
]


def _lookup_phone(raw: str) -> str | None:
    try:
        return PhoneField(mobile_only=False, required=False).clean(raw) or None
    except forms.ValidationError:  # a half-typed number: no history yet
        return None


def _history(request, phone: str | None):
    if not phone:
        return None
    # Looking a caller up by their phone is a look at personal data (PIPL art. 51): logged, masked.
    access_record(user=request.user, action=AccessRecord.Action.SEARCH, detail=mask_phone(phone))
    return selectors.caller_history(phone=phone, user=request.user)


def _assist(form_data) -> dict:
    """The routing preview, the suggestions and the knowledge base for what is typed so far (no validation:
    the form may be half filled)."""
    # Half-typed ids are parsed strictly: "²" passes str.isdigit() but not int() (lib.params).
    area_id, classification_id = object_id(form_data.get("area")), object_id(form_data.get("classification"))
    area = Area.objects.filter(pk=area_id, is_active=True).first() if area_id else None
    classification = Classification.objects.filter(pk=classification_id, is_active=True).first() \
        if classification_id else None
    text = f"{form_data.get('title', '')}\n{form_data.get('content', '')}"
    index = picker.classification_index()
    suggestions = []
    for found in suggest(form_data.get("content", ""), limit=3):
        entry = index.by_pk.get(found.pk)
        if entry is not None:
            suggestions.append(entry)
    preview = selectors.routing_preview(classification=classification, area=area, text=text) if area else None
    query = (form_data.get("kb_query") or "").strip()
    articles = selectors.knowledge_articles(query=query, classification=classification) \
        if (query or classification) else []
    return {"preview": preview, "suggestions": suggestions, "articles": articles, "classification": classification,
            "is_consultation": form_data.get("kind") == Kind.CONSULTATION}


@operator_required
@require_http_methods(["GET", "POST"])
def console(request):
    action = request.POST.get("action", "")
    if request.method == "POST" and action in ("save", "close_on_spot"):
        form = CallForm(request.POST)
        if form.is_valid():
            try:
                if action == "close_on_spot":
                    petition = services.call_close_on_spot(data=form.cleaned_data, actor=request.user)
                    if petition.status == Status.CLOSED_ON_SPOT:
                        messages.success(request, _("Petition %(number)s answered on the spot and closed.")
                                         % {"number": petition.number})
                    else:
                        # The same form was saved first (the same submission token): the call is that petition,
                        # which went its own way; say where, never "closed".
                        messages.warning(request, _("This call was already recorded as petition %(number)s: "
                                                    "%(where)s. It was not answered on the spot.")
                                         % {"number": petition.number, "where": _where(petition)})
                else:
                    petition = services.call_record(data=form.cleaned_data, actor=request.user)
                    messages.success(request, _("Petition %(number)s recorded: %(where)s.")
                                     % {"number": petition.number, "where": _where(petition)})
            except DomainError as error:
                error.as_form_error(form)
            else:
                return redirect(reverse("hotline:console"))  # the next call: an empty screen
    else:
        # Looking up (without JavaScript): the form comes back as typed, without errors for what is not typed yet.
        form = CallForm(initial=request.POST.dict() if request.method == "POST" else None)
    data = request.POST if request.method == "POST" else {}
    history = _history(request, _lookup_phone(data.get("complainant_phone", "")))
    context = {"form": form, "history": history, "hotkeys": HOTKEYS, "chosen_article": data.get("article", ""),
               "counts": selectors.queue_counts(request.user), **_assist(data)}
    return render(request, "hotline/console.html", context)


def _where(petition) -> str:
    """Where the petition is now: the units it went to, the units proposed to the dispatcher (in confirm mode
    nothing reaches a unit before a dispatcher confirms it), or its status."""
    rows = list(petition.assignments.filter(status__in=[AssignmentStatus.PENDING, AssignmentStatus.PROPOSED])
                .order_by("role", "id").values_list("unit__name", "status"))
    sent = [name for name, status in rows if status == AssignmentStatus.PENDING]
    if sent:
        return "、".join(sent)
    if rows:
        return _("proposed to %(units)s, awaiting the dispatcher") % {"units": "、".join(name for name, _s in rows)}
    return str(petition.get_status_display())


@operator_required
@require_POST
def history(request):
    phone = _lookup_phone(request.POST.get("complainant_phone", ""))
    return render(request, "hotline/_history.html", {"history": _history(request, phone)})


@operator_required
@require_POST
def assist(request):
    context = _assist(request.POST)
    context["chosen_article"] = request.POST.get("article", "")
    return JsonResponse({
        "routing": render_to_string("hotline/_routing.html", context, request=request),
        "knowledge": render_to_string("hotline/_knowledge.html", context, request=request),
        "suggestions": [entry.as_json() for entry in context["suggestions"]],
    })


@operator_required
@require_GET
def classifications(request):
    index = picker.classification_index()
    found = picker.search(index, request.GET.get("q", "")[:50], within=request.GET.get("within", "")[:32])
    crumbs = []
    within = request.GET.get("within", "")
    if within:
        node = next((e for e in index.entries if e.code == within), None)
        if node is not None:
            crumbs = [node.as_json()]
    return JsonResponse({"items": [e.as_json() for e in found], "within": crumbs})


@operator_required
@require_GET
def areas(request):
    index = picker.area_index()
    query = request.GET.get("q", "")[:50]
    # Districts and streets: what the intake's select offers (communities are below the streets' offices).
    found = [e for e in (picker.search(index, query, limit=200) if query.strip() else index.entries)
             if e.depth in (2, 3)][:30]
    return JsonResponse({"items": [e.as_json() for e in found]})


@operator_required
@require_GET
def queues(request):
    callbacks, mine, to_screen = (selectors.callbacks_due(), list(selectors.filed_by(request.user)),
                                  list(selectors.media_to_screen()))
    # An operator outside the platform reads a confidential title as search shows it (petitions.privacy).
    for petition in [c.petition for c in callbacks] + mine + to_screen:
        petition.title_shown = privacy.shown_text(request.user, petition, petition.title)
    context = {"callbacks": callbacks, "mine": mine, "to_screen": to_screen,
               "counts": selectors.queue_counts(request.user)}
    return render(request, "hotline/queues.html", context)


@operator_required
@require_GET
def search(request):
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and not form.is_empty:
        data = form.cleaned_data
        searched_for = selectors.describe_search(data)
        if searched_for:  # a search by name or phone (also a phone typed among the words) is audited
            access_record(user=request.user, action=AccessRecord.Action.SEARCH, detail=searched_for)
        results = list(selectors.petition_find(user=request.user, **data)[:selectors.SEARCH_LIMIT])
        for petition in results:
            petition.identity_shown = privacy.sees_identity(request.user, petition)
            petition.title_shown = privacy.shown_text(request.user, petition, petition.title)
    return render(request, "hotline/search.html", {"form": form, "results": results,
                                                   "limit": selectors.SEARCH_LIMIT})
