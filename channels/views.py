"""The channels' doors: WeChat's server endpoint and its pages inside WeChat, the 110 endpoint, the grid
workers' pages, the enterprise line and the mayor's mailbox. Thin: shape in forms, writes in services."""
from __future__ import annotations

import hmac
import json
import logging
import secrets
import uuid
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from wechatpy.exceptions import WeChatException

from channels import forms, selectors, services, wechat
from channels.models import WechatDraft, WechatUser
from channels.sources import source_for
from citizens import services as citizens
from citizens.views import SIGN_IN_GRANTS
from lib.errors import DomainError
from lib.progress import redirect_named_for_progress
from lib.ratelimits import limit
from org.models import User
from org.permissions import user_passes
from petitions import drafts
from petitions.models import Channel
from petitions.views import SESSION_FILED, SESSION_TRACKED, forget

logger = logging.getLogger(__name__)

SESSION_OPENID = services.SESSION_OPENID
SESSION_PROOF_BEFORE = services.SESSION_PROOF_BEFORE
# The nonces of the OAuth round trips this browser started (the last few: two menu taps may cross).
SESSION_OAUTH_NONCES = "channels:oauth-nonces"
NEXT_PAGES = {"file": "channels:wechat_file", "mine": "channels:wechat_mine"}
STATE_SALT = "channels.wechat.oauth"


def _remember(request, key: str, petition_ids) -> None:
    request.session[key] = list(dict.fromkeys(request.session.get(key, []) + list(petition_ids)))[-200:]


def _closed(request):
    return render(request, "channels/closed.html", status=404)


# --- WeChat: the server endpoint --------------------------------------------------------------------------------

@csrf_exempt
@require_http_methods(["GET", "POST"])
def wechat_endpoint(request):
    """The official account's server URL. Answers plain text to WeChat: "success" or a passive reply."""
    source = source_for(Channel.WECHAT)
    if not (source.enabled and source.token and source.app_id):
        return HttpResponse("channel not enabled", status=403, content_type="text/plain")
    try:
        if request.method == "GET":
            return HttpResponse(wechat.verify_url(source, request.GET), content_type="text/plain")
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.PORTAL_CHANNEL_MAX_BYTES:
            raise wechat.Refused(413, "body too large")
        inbound = wechat.open_message(source, request.GET, request.body)
    except wechat.Refused as refused:
        logger.warning("wechat message refused: %s", refused.reason)
        return HttpResponse(refused.reason, status=refused.status, content_type="text/plain")
    confirm = settings.PORTAL_PUBLIC_URL + reverse("channels:wechat_login") + "?next=file"
    text = services.wechat_message_receive(source=source, message=inbound.message, confirm_url=confirm)
    if not text:
        return HttpResponse("success", content_type="text/plain")
    return HttpResponse(wechat.reply(inbound, source, text), content_type="application/xml")


# --- WeChat: the pages the menu opens (OAuth gives the openid) ----------------------------------------------------

def wechat_login(request):
    """The menu's links land here: with an openid in the session, straight to the page; else to WeChat's
    OAuth (snsapi_base: silent, no consent screen), which comes back to `wechat_login_done` with a code."""
    page = request.GET.get("next", "file")
    if page not in NEXT_PAGES:
        page = "file"
    if request.session.get(SESSION_OPENID):
        return redirect(NEXT_PAGES[page])
    source = source_for(Channel.WECHAT)
    if not (source.enabled and source.app_id):
        return _closed(request)
    # The state is tied to this browser: a random nonce kept in the session and carried in the signed state.
    # Without it, a follower's own last redirect (code and state) opened in someone else's browser put the
    # follower's openid into the victim's session (login CSRF).
    nonce = secrets.token_urlsafe(16)
    request.session[SESSION_OAUTH_NONCES] = (request.session.get(SESSION_OAUTH_NONCES, []) + [nonce])[-5:]
    state = signing.dumps({"page": page, "nonce": nonce}, salt=STATE_SALT, compress=True)
    back = settings.PORTAL_PUBLIC_URL + reverse("channels:wechat_login_done")
    return HttpResponseRedirect(wechat.oauth_for(source, back, state).authorize_url)


def _state_page(request) -> str:
    """The page a signed state names, once, and only in the browser that started the round trip."""
    state = signing.loads(request.GET.get("state", ""), salt=STATE_SALT, max_age=600)
    if not isinstance(state, dict) or state.get("page") not in NEXT_PAGES:
        raise signing.BadSignature("state")
    nonces = request.session.get(SESSION_OAUTH_NONCES, [])
    if not isinstance(state.get("nonce"), str) or state["nonce"] not in nonces:
        raise signing.BadSignature("state of another browser")
    request.session[SESSION_OAUTH_NONCES] = [n for n in nonces if n != state["nonce"]]
    return state["page"]


def wechat_login_done(request):
    source = source_for(Channel.WECHAT)
    if not (source.enabled and source.app_id):
        return _closed(request)
    try:
        page = _state_page(request)
        back = settings.PORTAL_PUBLIC_URL + reverse("channels:wechat_login_done")
        openid = wechat.openid_from_code(source, request.GET.get("code", "")[:128], back)
    except (signing.BadSignature, WeChatException, requests.RequestException, KeyError) as error:
        logger.warning("wechat oauth failed: %s", error)
        return render(request, "channels/wechat_error.html", status=400)
    user = services.wechat_user_seen(openid=openid)
    before = request.session.get(SESSION_OPENID)
    switched = bool(before) and before != user.openid
    if switched:
        # Another follower's openid was in this session: what it proved and was let in to goes with it. The
        # openid leaves first, so the sign-out does not forget the phone remembered on that follower's account.
        request.session.pop(SESSION_OPENID, None)
        request.session.pop(SESSION_PROOF_BEFORE, None)
        citizens.session_end(request, also=SIGN_IN_GRANTS)
    if user.verified_phone:
        # Proven once with the SMS code: "my petitions" (citizens) opens for it without another code.
        citizens.session_start(request, user.verified_phone)
    else:
        request.session.cycle_key()
    request.session[SESSION_OPENID] = user.openid
    # A phone proven in this session from now on is this follower's (wechat_mine); one proven before is not.
    request.session[SESSION_PROOF_BEFORE] = citizens.session_until(request)
    response = redirect(NEXT_PAGES[page])
    if switched:
        forget(response)
    return response


def _wechat_user(request) -> WechatUser | None:
    openid = request.session.get(SESSION_OPENID)
    return WechatUser.objects.filter(openid=openid).first() if openid else None


def _token(request):
    try:
        return uuid.UUID(request.POST.get("submission_token", ""))
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@limit("file", "PORTAL_RATE_FILE")
@redirect_named_for_progress
def wechat_file(request):
    """File inside WeChat: name and phone remembered, the draft's text and photos already there."""
    user = _wechat_user(request)
    if user is None:
        return redirect(reverse("channels:wechat_login") + "?next=file")
    draft = services.wechat_draft_open(user)
    if request.method == "POST":
        form = forms.WechatPetitionForm(request.POST, request.FILES)
        token = _token(request)
        if token and WechatDraft.objects.filter(token=token).exclude(user=user).exists():
            token = None  # another follower's draft: none of its photos
            form.add_error(None, _("This form has expired. Please open it again from the menu."))
        elif token and draft is not None and not WechatDraft.objects.filter(token=token).exists():
            form, token = _with_the_chat(request, draft, token)
    else:
        form = forms.WechatPetitionForm(initial={
            "complainant_name": user.name, "complainant_phone": user.phone, "content": draft.text if draft else "",
            **({"submission_token": draft.token} if draft else {})})
        token = draft.token if draft else None
    petition = _file_with_drafts(request, form, token, lambda data, files: services.wechat_petition_file(
        user=user, data=data, attachments=files, submission_token=data["submission_token"],
        language=request.LANGUAGE_CODE))
    if petition is not None:
        return redirect("petitions:submitted", number=petition.number)
    return _form_page(request, form, token, title=_("File a petition through WeChat"),
                      lead=_("Your name and phone are remembered for next time."))


def _with_the_chat(request, draft: WechatDraft, token: uuid.UUID):
    """The form was opened before the follower wrote or sent photos in the chat (no draft then): what the chat
    gathered since is brought into the form (the draft's text added to the description, the files this form
    kept moved to the draft) and the form comes back to be checked, on the draft's token."""
    data = request.POST.copy()
    data["submission_token"] = str(draft.token)
    if draft.text and draft.text not in data.get("content", ""):
        data["content"] = (data.get("content", "").rstrip() + "\n" + draft.text).strip()
    carried = drafts.drafts_load(token)
    room = max(settings.PORTAL_UPLOAD_MAX_FILES - drafts.drafts_count(draft.token), 0)
    drafts.drafts_keep(draft.token, carried[:room])
    drafts.drafts_drop(token)
    form = forms.WechatPetitionForm(data, request.FILES)
    form.add_error(None, _("What you sent in the chat since opening this form is now included. Check it and "
                           "confirm again."))
    if len(carried) > room:
        form.add_error("attachments", _("Attach at most %(count)s files in all; %(kept)s of those you chose were "
                                        "kept.") % {"count": settings.PORTAL_UPLOAD_MAX_FILES, "kept": room})
    return form, draft.token


def _file_with_drafts(request, form, token, file):
    """The citizen form's way with files (petitions.views.petition_new): what was chosen is never lost.
    Returns the petition once filed, else None with the errors on the form.

    What is kept never passes the limit of files (a WeChat draft also holds the photos sent in the chat): files
    past it are not kept, and the form says so; kept files past it could never be filed nor removed."""
    if request.method != "POST":
        return None
    drafts.drafts_forget(token, request.POST.getlist("drop_kept"))  # the kept files the citizen removed
    kept = drafts.drafts_load(token)
    limit = settings.PORTAL_UPLOAD_MAX_FILES
    valid = form.is_valid()
    fresh = form.cleaned_data.get("attachments") or []
    if valid and token and len(kept) + len(fresh) <= limit:
        try:
            petition, _created = file(form.cleaned_data, kept + fresh)
        except DomainError as error:
            error.as_form_error(form)
        else:
            drafts.drafts_drop(token)
            _remember(request, SESSION_FILED, [petition.pk])
            _remember(request, SESSION_TRACKED, [petition.pk])
            return petition
    if token and "attachments" not in form.errors:
        room = max(limit - len(kept), 0)
        drafts.drafts_keep(token, fresh[:room])
        if len(kept) + len(fresh) > limit:
            form.add_error("attachments", _("Attach at most %(count)s files in all; %(kept)s of those you chose "
                                            "were kept.") % {"count": limit, "kept": len(fresh[:room])}
                           if fresh else _("Attach at most %(count)s files.") % {"count": limit})
    return None


def _form_page(request, form, token, *, title, lead, status=None):
    return render(request, "channels/form.html", {
        "form": form, "kept": drafts.drafts_listed(token), "title": title, "lead": lead,
        "map_tiles": settings.PORTAL_MAP_TILES_URL}, status=status or (400 if form.errors else 200))



def wechat_mine(request):
    """"My petitions" inside WeChat: everything filed through the account, each opening without number and
    phone. A phone proven here with the SMS code of "my petitions" is remembered for the next visit."""
    user = _wechat_user(request)
    if user is None:
        return redirect(reverse("channels:wechat_login") + "?next=mine")
    proven = citizens.session_phone(request)
    # Remembered only when proven with an SMS code in this session after this follower's openid came in: a
    # phone the session held before belongs to whoever proved it, not to this openid.
    if proven and proven != user.verified_phone and \
            citizens.session_until(request) != request.session.get(SESSION_PROOF_BEFORE):
        WechatUser.objects.filter(pk=user.pk).update(verified_phone=proven)
    petitions = list(services.wechat_petitions(user)[:100])
    _remember(request, SESSION_TRACKED, [p.pk for p in petitions])
    return render(request, "channels/wechat_mine.html", {
        "petitions": petitions, "draft": services.wechat_draft_open(user), "proven": proven})


# --- 110 --------------------------------------------------------------------------------------------------------

def _json(http_status: int, **body) -> JsonResponse:
    return JsonResponse(body, status=http_status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def police_transfer(request):
    """The 110 platform transfers a non-emergency call (docs/channels.md for the body and the answers)."""
    source = source_for(Channel.POLICE_110)
    if not (source.enabled and source.secret):
        return _json(403, detail=_("This channel is not enabled."), code="disabled")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip() or \
        request.headers.get("X-Channel-Key", "")
    if not hmac.compare_digest(given.encode(), source.secret.encode()):
        return _json(401, detail=_("The channel key is missing or wrong."), code="unauthorized")
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.PORTAL_CHANNEL_MAX_BYTES or \
            len(request.body) > settings.PORTAL_CHANNEL_MAX_BYTES:
        return _json(413, detail=_("The transfer is larger than %(size)s bytes.")
                     % {"size": settings.PORTAL_CHANNEL_MAX_BYTES}, code="too_large")
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _json(400, detail=_("The body is not valid JSON in UTF-8."), code="malformed")
    if not isinstance(payload, dict) or not all(isinstance(v, (str, int, float, type(None))) for v in payload.values()):
        return _json(400, detail=_("The body must be a JSON object of plain values."), code="malformed")
    form = forms.PoliceTransferForm({k: "" if v is None else str(v) for k, v in payload.items()})
    if not form.is_valid():
        return _json(400, detail=_("Some fields are wrong."), code="invalid",
                     errors={field: [str(e) for e in errors] for field, errors in form.errors.items()})
    try:
        transfer, created = services.police_transfer_receive(data=form.cleaned_data, payload=payload)
    except DomainError as error:
        return _json(409, detail=error.message, code=error.code or "conflict")
    petition = transfer.petition
    return _json(201 if created else 200, incident_number=transfer.incident_number, number=petition.number,
                 status=petition.status, duplicate=not created,
                 received_at=transfer.received_at.isoformat())


# --- grid workers -----------------------------------------------------------------------------------------------

# The role, and its permission (org/roles.py), so an administrator can take reporting away from one group.
grid_required = user_passes(lambda user: user.role == User.Role.GRID_WORKER
                            and user.has_perm("channels.report_from_grid"))


@grid_required
def grid_list(request):
    reports = selectors.grid_reports(request.user)[:100]
    return render(request, "channels/grid_list.html", {"reports": reports})


@grid_required
@require_http_methods(["GET", "POST"])
@redirect_named_for_progress
def grid_new(request):
    if not source_for(Channel.GRID).enabled:
        return _closed(request)
    form = forms.GridReportForm(request.POST or None, request.FILES or None)
    token = _token(request) if request.method == "POST" else None
    petition = _file_with_drafts(request, form, token, lambda data, files: services.grid_report_file(
        user=request.user, data=data, attachments=files, submission_token=data["submission_token"]))
    if petition is not None:
        messages.success(request, _("Reported as %(number)s: it is on its way to the handling unit.")
                         % {"number": petition.number})
        return redirect("channels:grid")
    return render(request, "channels/grid_new.html", {
        "form": form, "kept": drafts.drafts_listed(token), "map_tiles": settings.PORTAL_MAP_TILES_URL},
        status=400 if form.errors else 200)


# --- the enterprise line and the mayor's mailbox -----------------------------------------------------------------

def _public_channel(request, *, channel: str, form_class, title: str, lead: str):
    if not source_for(channel).enabled:
        return _closed(request)
    form = form_class(request.POST or None, request.FILES or None)
    token = _token(request) if request.method == "POST" else None
    petition = _file_with_drafts(request, form, token, lambda data, files: services.web_channel_file(
        channel=channel, data=data, attachments=files, submission_token=data["submission_token"],
        language=request.LANGUAGE_CODE, credit_code=data.get("credit_code", "")))
    if petition is not None:
        return redirect("petitions:submitted", number=petition.number)
    return _form_page(request, form, token, title=title, lead=lead)


@require_http_methods(["GET", "POST"])
@limit("file", "PORTAL_RATE_FILE")
@redirect_named_for_progress
def enterprise_new(request):
    return _public_channel(request, channel=Channel.ENTERPRISE, form_class=forms.EnterpriseForm,
                           title=_("Enterprise service line"),
                           lead=_("For enterprises: name your enterprise with its unified social credit code."))


@require_http_methods(["GET", "POST"])
@limit("file", "PORTAL_RATE_FILE")
@redirect_named_for_progress
def mailbox_new(request):
    return _public_channel(request, channel=Channel.MAYOR_MAILBOX, form_class=forms.MailboxForm,
                           title=_("Write to the mayor"),
                           lead=_("Your letter is received, numbered and answered like every petition."))


def wechat_menu_urls() -> dict[str, str]:
    """The menu's view buttons (management command wechat_menu)."""
    base = settings.PORTAL_PUBLIC_URL + reverse("channels:wechat_login")
    return {page: f"{base}?{urlencode({'next': page})}" for page in NEXT_PAGES}
