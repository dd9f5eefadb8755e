"""The citizen's pages: file a petition, track it, rate the answer."""
from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.db.models import Q
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lib.errors import DomainError
from lib.progress import redirect_named_for_progress
from lib.ratelimits import limit
from org import geo
from petitions import drafts, links, privacy, publication, selectors, services, suggest
from petitions.forms import CitizenPetitionForm, RatingForm, SupplementForm, TrackForm, cached_fragment
from petitions.models import Attachment, Channel, Petition, Status

SESSION_FILED = "petitions:filed"
SESSION_TRACKED = "petitions:tracked"
# An anonymous citizen's filed and tracked petitions live in a signed cookie, not in a session row: filing
# and tracking write nothing but the petition (issue 20). Each entry is "id:link_version:issued": revoking the
# personal links (petitions.links) also closes the petition to every browser that was let in before, and an entry
# expires SESSION_COOKIE_AGE after it was issued, however often the browser tracks something else.
COOKIES = {SESSION_FILED: "petitions_filed", SESSION_TRACKED: "petitions_tracked"}
REMEMBERED = 20
# "My petitions" (citizens.views.mine) lets a signed-in phone open its petitions for as long as its sign-in lasts:
# the ids and that moment are kept in the session, and signing out flushes the session.
MY_TRACKED, MY_UNTIL = "petitions:my_tracked", "petitions:my_until"


def _entries(request, key: str) -> list[tuple[int, int, int]]:
    raw = request.get_signed_cookie(COOKIES[key], default="", salt=key, max_age=settings.SESSION_COOKIE_AGE)
    oldest = time.time() - settings.SESSION_COOKIE_AGE
    entries = []
    for entry in raw.split("."):
        parts = entry.split(":")
        if len(parts) == 1 and entry.isdigit():  # written before entries carried a version: the cookie's age bounds it
            parts = [entry, "1", str(int(time.time()))]
        if len(parts) == 3 and all(part.isdigit() for part in parts) and int(parts[2]) >= oldest:
            entries.append((int(parts[0]), int(parts[1]), int(parts[2])))
    return entries


def _grants(request, key: str) -> dict[int, int | None]:
    """The petitions this browser may open, each with the link version it was let in under (None: by a proven
    phone, in the session, which a link's revocation does not close)."""
    grants: dict[int, int | None] = {pk: version for pk, version, _issued in _entries(request, key)}
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        session = request.session
        proven = list(session.get(key, []))  # WeChat's own session (channels.views), bound to the follower
        if session.get(MY_UNTIL, 0) > time.time():
            proven += session.get(MY_TRACKED, [])
        grants.update({pk: None for pk in proven if isinstance(pk, int)})
    return grants


def _granted(request, key: str, queryset, **lookup) -> Petition | None:
    grants = _grants(request, key)
    petition = queryset.filter(pk__in=grants, **lookup).first()
    if petition is None or grants[petition.pk] not in (None, petition.link_version):
        return None  # unknown to this browser, or let in by a link since revoked
    return petition


def _remember(request, response, key: str, petition: Petition) -> None:
    entries = [f"{pk}:{version}:{issued}" for pk, version, issued in _entries(request, key) if pk != petition.pk]
    entries.append(f"{petition.pk}:{petition.link_version}:{int(time.time())}")
    response.set_signed_cookie(COOKIES[key], ".".join(entries[-REMEMBERED:]), salt=key,
                               max_age=settings.SESSION_COOKIE_AGE, secure=settings.SESSION_COOKIE_SECURE,
                               httponly=True, samesite="Lax")


def forget(response) -> None:
    """Signing out of "My petitions" forgets every petition this browser was let in to (a shared phone)."""
    for name in COOKIES.values():
        response.delete_cookie(name, samesite="Lax")


# The blank form as an anonymous visitor first sees it is one page for everyone but for its two tokens: it is
# drawn once per version of the option lists, language and text size (with marks where the tokens go), and each
# visitor gets a copy with their own CSRF token and submission token (issue 20: the form GET ~4.5 ms -> ~1 ms).
# A signed-in user, a visitor with a message waiting or a query string gets the page drawn afresh.
_CSRF_MARK = "csrf-mark-not-a-token"
_TOKEN_MARK = uuid.UUID(int=0)


def _blank_page(request) -> HttpResponse | None:
    if request.GET or request.user.is_authenticated or len(messages.get_messages(request)):
        return None
    key = ("page", request.path, request.COOKIES.get("portal_large_text") == "1", settings.PORTAL_MAP_TILES_URL,
           settings.PORTAL_CITY_NAME, repr(settings.PORTAL_FOOTER))
    html = cached_fragment(key, lambda: _page(request, CitizenPetitionForm(initial={"submission_token": _TOKEN_MARK}),
                                               [], csrf_token=_CSRF_MARK).content.decode())
    return HttpResponse(html.replace(_CSRF_MARK, get_token(request)).replace(str(_TOKEN_MARK), str(uuid.uuid4())))


def _page(request, form, kept, **extra):
    context = {"form": form, "kept": kept, "map_tiles": settings.PORTAL_MAP_TILES_URL, **extra}
    if not form.is_bound and not kept:
        # The blank form's fields are the same for everyone: drawn once per version of the option lists.
        context["fields_html"] = mark_safe(cached_fragment(  # noqa: S308 - our own template's output
            ("petition_new", settings.PORTAL_MAP_TILES_URL),
            lambda: render_to_string("petitions/_new_fields.html", context)))
    return render(request, "petitions/new.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@limit("file", "PORTAL_RATE_FILE")
@redirect_named_for_progress
def petition_new(request):
    if request.method == "GET" and (page := _blank_page(request)) is not None:
        return page
    form = CitizenPetitionForm(request.POST or None, request.FILES or None)
    token = _token(request)
    kept, fresh = _files_in_hand(request, form, token) if request.method == "POST" else (drafts.drafts_load(token), [])
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            petition, _created = services.petition_file(
                channel=Channel.WEB, kind=data["kind"], area=data["area"], classification=data["classification"],
                address=data["address"], title=data["title"], content=data["content"],
                latitude=data.get("latitude"), longitude=data.get("longitude"),
                complainant_type=data["complainant_type"], enterprise_name=data["enterprise_name"],
                complainant_name=data["complainant_name"], complainant_phone=data["complainant_phone"],
                complainant_id_number=data["complainant_id_number"], confidential=data["confidential"],
                publish_consent=data["publish_consent"], language=request.LANGUAGE_CODE,
                attachments=kept + data["attachments"], submission_token=data["submission_token"],
            )
        except DomainError as error:
            error.as_form_error(form)
        else:
            drafts.drafts_drop(token)
            response = redirect("petitions:submitted", number=petition.number)
            _remember(request, response, SESSION_FILED, petition)
            _remember(request, response, SESSION_TRACKED, petition)
            return response
    if request.method == "POST" and token and fresh:
        # Nothing chosen is lost: files that passed their checks wait for the corrected form.
        drafts.drafts_keep(token, fresh)
        kept = kept + fresh
    return _page(request, form, kept, kept_items=drafts.drafts_listed(token))


def _files_in_hand(request, form, token) -> tuple[list, list]:
    """The files of a posted form: those kept from earlier tries (less the ones the citizen removed) and the
    fresh ones that passed their checks. Over the limit with the kept ones, whatever else is wrong, only the fresh
    files that fit are taken, with an error, so the form can always be sent once the rest is corrected (what is
    kept never passes the limit)."""
    drafts.drafts_forget(token, request.POST.getlist("drop_kept"))
    kept = drafts.drafts_load(token)
    form.is_valid()
    fresh = [] if "attachments" in form.errors else (form.cleaned_data.get("attachments") or [])
    room = max(settings.PORTAL_UPLOAD_MAX_FILES - len(kept), 0)
    if len(fresh) > room:
        form.add_error("attachments", _("Attach at most %(count)s files.") % {"count": settings.PORTAL_UPLOAD_MAX_FILES})
        fresh = fresh[:room]
    return kept, fresh


def _token(request):
    """The form's submission token, when the POST carries a well-formed one."""
    try:
        return uuid.UUID(request.POST.get("submission_token", ""))
    except ValueError:
        return None


def petition_submitted(request, number: str):
    petition = _granted(request, SESSION_FILED, Petition.objects, number=number)
    if petition is None:
        raise Http404
    return render(request, "petitions/submitted.html", {"petition": petition})


@require_http_methods(["GET", "POST"])
@limit("track", "PORTAL_RATE_TRACK")  # the API's bucket too (petitions.api_support.TrackingThrottle)
def track(request):
    """Ask for number and phone. POST, so the phone never lands in a URL or a log."""
    form = TrackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        petition = services.tracking_lookup(number=form.cleaned_data["number"], phone=form.cleaned_data["phone"])
        if petition is not None:
            response = redirect("petitions:detail", number=petition.number)
            _remember(request, response, SESSION_TRACKED, petition)
            return response
        # The same message whether the number or the phone is wrong: no probing.
        form.add_error(None, _("No petition matches this number and phone."))
        if services.tracking_blocked(form.cleaned_data["phone"]):
            form.add_error(None, _("Too many tries with this phone: try again in an hour, or call 12345."))
    return render(request, "petitions/track.html", {"form": form}, status=400 if form.errors else 200)


def _tracked(request, number: str) -> Petition:
    petition = _granted(request, SESSION_TRACKED, Petition.objects.select_related("area", "classification"),
                        number=number)
    if petition is None:
        raise Http404
    return petition


def petition_detail(request, number: str):
    petition = _tracked(request, number)
    return render(request, "petitions/detail.html", _detail_context(petition, RatingForm()))


@require_POST
@limit("supplement", "PORTAL_RATE_SUPPLEMENT")
def petition_supplement(request, number: str):
    """Further materials from the citizen (words and files) while the petition is handled. A refused form comes
    back with the words and the files that passed their checks kept (under the form's draft token)."""
    petition = _tracked(request, number)
    form = SupplementForm(request.POST, request.FILES)
    form.is_valid()
    draft = form.cleaned_data.get("draft") if "draft" not in form.errors else None
    kept, fresh = _files_in_hand(request, form, draft)
    if form.is_valid():
        try:
            services.petition_supplement(petition=petition, content=form.cleaned_data["content"],
                                         uploads=kept + fresh)
        except DomainError as error:
            error.as_form_error(form)
            if error.field == "attachments":
                # Over the petition's limit of files: nothing is kept to be sent again, or every later try
                # (words only included) would be refused the same way.
                drafts.drafts_drop(draft)
                kept, fresh = [], []
        else:
            drafts.drafts_drop(draft)
            messages.success(request, _("Sent: the units handling your petition have your materials."))
            return redirect("petitions:detail", number=petition.number)
    if draft is not None and fresh:
        drafts.drafts_keep(draft, fresh)
        kept = kept + fresh
    context = _detail_context(petition, RatingForm())
    context.update({"supplement_form": form, "supplement_kept": drafts.drafts_listed(draft)})
    return render(request, "petitions/detail.html", context, status=400)


def _detail_context(petition: Petition, rating_form) -> dict:
    """What the citizen sees of their own petition: their words and files, the expected answer date,
    every round and why it reopened, the published answer, their ratings and comments."""
    published = petition.status in (Status.CALLBACK, Status.CLOSED, Status.CLOSED_ON_SPOT)
    # Their own files, and a unit's only as published with an approved answer (一个门出): never a co-unit's, nor
    # those of an answer sent back or held back by the reviewer.
    files = petition.attachments.filter(Q(purpose=Attachment.Purpose.PETITION) | Q(published_at__isnull=False))
    expected_at, waiting = selectors.lead_clock(petition)
    return {
        "petition": petition,
        "merged_into": _merged_into(petition),
        "timeline": selectors.public_timeline(petition),
        "show_answer": published,
        "expected_at": expected_at,
        "attachments": files,
        "rating_form": rating_form if petition.status == Status.CALLBACK else None,
        "supplement_form": SupplementForm() if petition.status in services.SUPPLEMENT_STATUSES else None,
        "waiting": waiting,
        "ratings": list(petition.ratings.order_by("rated_at")),
    }


def _merged_into(petition: Petition) -> dict | None:
    """A petition merged into (or marked a duplicate of) another is handled there: its citizen follows that one, as
    far as the public may (petitions/publication.py: its status, expected date and redacted answer), and is told
    when it is answered (petitions/messages.py). A confidential or unpublished one shows its number and status."""
    if petition.status != Status.MERGED or not petition.merged_into_id:
        return None
    into = Petition.objects.select_related("area", "classification").get(pk=petition.merged_into_id)
    record = publication.public_record(into, expected_at=selectors.expected_answer_at(into)) \
        if publication.is_publishable(into) else None
    return {"number": into.number, "status": into.get_status_display(), "record": record,
            "duplicate": bool(petition.events.filter(kind="merged", data__duplicate=True).exists())}


def petition_file_download(request, number: str, pk: int):
    """The citizen's own files (and the answer's, once published), to them only."""
    petition = _tracked(request, number)
    item = get_object_or_404(_detail_context(petition, None)["attachments"], pk=pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.original_name,
                        content_type=item.content_type)


@require_POST
def petition_rate(request, number: str):
    petition = _tracked(request, number)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.petition_rate(
                petition=petition, satisfaction=form.cleaned_data["satisfaction"],
                solved=form.cleaned_data["solved"], comment=form.cleaned_data["comment"],
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you: your rating has been recorded."))
        return redirect("petitions:detail", number=petition.number)
    return render(request, "petitions/detail.html", _detail_context(petition, form), status=400)


@login_required
def attachment_download(request, pk: int):
    """Staff with the right to see petitions download attachments; nobody else.
    (Unit handlers download through dispatch, which checks the assignment.)"""
    if not request.user.has_perm("petitions.view_petition"):
        raise Http404
    attachment = get_object_or_404(Attachment.objects.select_related("petition"), pk=pk)
    if not privacy.sees_identity(request.user, attachment.petition):
        raise Http404  # a confidential complainant's files are the platform's only
    services.access_record(user=request.user, action="download", petition=attachment.petition)
    return FileResponse(attachment.file.open("rb"), as_attachment=True,
                        filename=privacy.attachment_name(request.user, attachment), content_type=attachment.content_type)


def petition_open(request, token: str):
    """The personal link from a message: opens the petition without number and phone."""
    petition = links.petition_from_token(token)
    if petition is None:
        # Wrong, expired or revoked: one answer, which says nothing about which.
        return render(request, "petitions/link_invalid.html", status=404)
    response = redirect("petitions:detail", number=petition.number)
    _remember(request, response, SESSION_TRACKED, petition)
    return response


@require_http_methods(["GET"])
def classification_suggest(request):
    """The top three items for the words typed so far (JSON, for the form's "suggest from my words"):
    each with its path, handling tier and default unit, and whether the learnt model or the keywords chose it."""
    text = request.GET.get("q", "")[:2000]
    return JsonResponse({"items": [{"id": s.pk, "code": s.code, "name": s.name, "path": s.path, "tier": s.tier,
                                    "tier_label": s.tier_label, "urgent_hours": s.urgent_hours,
                                    "unit": {"id": s.unit_id, "name": s.unit_name} if s.unit_id else None,
                                    "source": s.source}
                                   for s in suggest.suggest(text)]})


@require_http_methods(["GET"])
def locate(request):
    """The street at a point of the map (JSON): the form fills its area from it."""
    try:
        lat, lon = float(request.GET["lat"]), float(request.GET["lon"])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("Give lat and lon as numbers.")}, status=400)
    area = geo.area_at(lat, lon)
    if area is None:
        return JsonResponse({"area": None})
    return JsonResponse({"area": {"id": area.pk, "code": area.code, "name": area.name}})
