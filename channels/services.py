"""Writes of the channels: what came in becomes a petition through `petitions.services.petition_file`
(whose signature is not changed), tied to where it came from so the answer goes back the same way.

- WeChat: messages become a draft the follower confirms; filing binds the petition to the follower, who is
  told of the receipt, the answer and the close by template message (an outbox channel, below).
- 110: a transfer is filed once per incident number; each status change is posted back through the outbox.
- Grid workers, the enterprise line, the mayor's mailbox: forms of the portal, filed on their channel.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import uuid

import requests
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatClientException

from channels import wechat
from channels.models import (
    EnterpriseFiling,
    PoliceTransfer,
    Source,
    WechatDraft,
    WechatMessage,
    WechatPetition,
    WechatUser,
)
from channels.sources import source_for
from lib.errors import DomainError
from lib.workdays import SHANGHAI
from notifications.backends import PermanentDeliveryError
from notifications.messaging import Recipients, message_send
from notifications.models import Notification
from notifications.services import notification_enqueue
from petitions import drafts
from petitions.links import petition_link
from petitions.models import Channel, ComplainantType, Petition, PetitionEvent, Status
from petitions.services import attachment_clean, petition_file

logger = logging.getLogger(__name__)

def police_token(incident_number: str) -> uuid.UUID:
    """Idempotency of the 110 transfer: the incident number names the filing's submission token, keyed with the
    site's secret. A token anyone could compute from an incident number (a uuid5 in a fixed namespace, as before)
    let a stranger post it on the citizen's form and be shown the caller's petition."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"110:{incident_number}".encode(), hashlib.sha256).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


# --- WeChat ---------------------------------------------------------------------------------------------------

# The follower's openid, in the session of the pages the menu opens (from WeChat's OAuth).
SESSION_OPENID = "channels:openid"
# When the openid came in, the end of the phone sign-in the session held then (0: none). A phone proven later (a
# new end) was proven by this follower and is remembered on their account; one proven before is not theirs.
SESSION_PROOF_BEFORE = "channels:proof-before"


def wechat_signed_out(session) -> None:
    """The follower signed out of "my petitions": the phone they proved is no longer remembered on the account
    (or the menu's next page would sign them straight back in, silently), and the openid leaves the session.
    What was filed through WeChat stays theirs; the other channels' petitions need a new SMS code."""
    openid = session.pop(SESSION_OPENID, None)
    session.pop(SESSION_PROOF_BEFORE, None)
    if openid:
        WechatUser.objects.filter(openid=openid).update(verified_phone="")


def wechat_user_seen(*, openid: str) -> WechatUser:
    now = timezone.now()
    user, created = WechatUser.objects.get_or_create(openid=openid[:64],
                                                     defaults={"created_at": now, "last_seen_at": now})
    if not created:
        WechatUser.objects.filter(pk=user.pk).update(last_seen_at=now)
    return user


def wechat_draft_open(user: WechatUser) -> WechatDraft | None:
    return WechatDraft.objects.filter(user=user, status=WechatDraft.Status.OPEN).first()


def _draft_for(user: WechatUser, now: dt.datetime) -> WechatDraft:
    """The follower's open draft, locked; made if there is none (two first messages at once: one makes it, the
    other waits on the one-open-draft constraint and then locks the draft the first made)."""
    draft = WechatDraft.objects.select_for_update().filter(user=user, status=WechatDraft.Status.OPEN).first()
    if draft is None:
        try:
            with transaction.atomic():
                draft = WechatDraft.objects.create(user=user, created_at=now, updated_at=now)
        except IntegrityError:
            draft = WechatDraft.objects.select_for_update().get(user=user, status=WechatDraft.Status.OPEN)
    return draft


def _message_claim(*, message, user: WechatUser, kind: str, now: dt.datetime) -> bool:
    """Claim the message's MsgId before anything is kept: False if it was already received. A retry arriving while
    the first delivery is still working waits here for it (the unique MsgId), then finds it done."""
    try:
        with transaction.atomic():
            WechatMessage.objects.create(msg_id=str(message.id), user=user, kind=kind, received_at=now)
    except IntegrityError:
        return False
    return True


class _NotKept(Exception):
    """The message is answered but nothing of it is kept, its claim included: WeChat's retry may try again."""

    def __init__(self, answer: str):
        super().__init__(answer)
        self.answer = answer


def wechat_message_receive(*, source: Source, message, confirm_url: str) -> str:
    """One message a follower sent to the account; returns the text to answer with.

    Text and photos gather in the follower's open draft; the answer links to the page where they confirm it
    (and add the place). A message WeChat retries (same MsgId) is answered again and not added twice, also when
    the retry arrives while the first delivery is still downloading the photo."""
    now = timezone.now()
    user = wechat_user_seen(openid=message.source)
    kind = message.type
    if kind == "event":
        if getattr(message, "event", "") == "subscribe":
            return _("Welcome to the %(city)s 12345 hotline. Write or photograph the problem here, or use the "
                     "menu to file and follow your petitions.") % {"city": settings.PORTAL_CITY_NAME}
        return ""
    if kind not in ("text", "image"):
        return _("Please send text or photos; other kinds of message cannot be filed.")
    kept: list[int] = []
    draft = None
    try:
        with transaction.atomic():
            if not _message_claim(message=message, user=user, kind=kind, now=now):
                return _confirm_text(wechat_draft_open(user), confirm_url)
            draft = _draft_for(user, now)
            if kind == "text":
                text = (draft.text + "\n" + message.content).strip() if draft.text else message.content.strip()
                if len(text) > 5000:
                    raise _NotKept(_("Your description is longer than 5,000 characters; please confirm what you "
                                     "have sent."))
                draft.text = text
            else:
                # Counted from the draft's folder: the files kept from the form are there too.
                if drafts.drafts_count(draft.token) >= settings.PORTAL_UPLOAD_MAX_FILES:
                    raise _NotKept(_("At most %(count)s photos can be attached.")
                                   % {"count": settings.PORTAL_UPLOAD_MAX_FILES})
                try:
                    content = wechat.media_download(source, message.media_id)
                    upload = attachment_clean(SimpleUploadedFile(f"wechat-{message.id}.jpg", content))
                except DomainError as error:
                    raise _NotKept(error.message) from None
                except (WeChatClientException, requests.RequestException) as error:
                    logger.warning("wechat media %s not fetched: %s", message.media_id, error)
                    raise _NotKept(_("The photo could not be received. Please send it again.")) from None
                kept = drafts.drafts_keep(draft.token, [upload])
                draft.photos = drafts.drafts_count(draft.token)
            draft.updated_at = now
            draft.save(update_fields=["text", "photos", "updated_at"])
    except _NotKept as refusal:
        return refusal.answer
    except BaseException:
        if kept:
            drafts.drafts_remove(draft.token, kept)  # the files on disk do not roll back with the transaction
        raise
    return _confirm_text(draft, confirm_url)


def _confirm_text(draft: WechatDraft | None, confirm_url: str) -> str:
    if draft is None:
        return _("Received.")
    return _("Received (%(photos)s photos so far). Add more text or photos, or confirm and say where it is: "
             "%(link)s") % {"photos": draft.photos, "link": confirm_url}


def wechat_petition_file(*, user: WechatUser, data: dict, attachments, submission_token: uuid.UUID,
                         language: str) -> tuple[Petition, bool]:
    """File the follower's petition from the WeChat form, bind it to them and tell them by template message."""
    with transaction.atomic():
        petition, created = petition_file(
            channel=Channel.WECHAT, kind=data["kind"], area=data["area"], classification=data["classification"],
            address=data["address"], title=data["title"], content=data["content"], latitude=data.get("latitude"),
            longitude=data.get("longitude"), complainant_type=data["complainant_type"],
            enterprise_name=data["enterprise_name"], complainant_name=data["complainant_name"],
            complainant_phone=data["complainant_phone"], complainant_id_number=data["complainant_id_number"],
            confidential=data["confidential"], publish_consent=data["publish_consent"], language=language,
            attachments=attachments, submission_token=submission_token)
        if created:
            WechatPetition.objects.create(user=user, petition=petition)
            # The receipt by template message: petition_file queued the SMS before the binding existed;
            # the fanout below adds the WeChat row under the same message key (never twice).
            message_send(code="citizen.receipt", key=str(petition.pk), to=Recipients(), urgent=True,
                         context={"number": petition.number, "link": petition_link(petition)},
                         language=petition.language)
            WechatUser.objects.filter(pk=user.pk).update(name=data["complainant_name"],
                                                         phone=data["complainant_phone"])
            WechatDraft.objects.filter(user=user, token=submission_token, status=WechatDraft.Status.OPEN).update(
                status=WechatDraft.Status.FILED, petition=petition, updated_at=timezone.now())
    return petition, created


def wechat_petitions(user: WechatUser):
    return (Petition.objects.filter(wechat__user=user).select_related("area", "classification")
            .order_by("-received_at"))


def wechat_fanout(*, code: str, context: dict, subject: str, body: str) -> list[tuple[str, str, str]]:
    """notifications.messaging fanout: a citizen's message about a petition filed through WeChat also goes
    to the follower as a template message (an outbox row of channel `wechat`)."""
    number = context.get("number")
    if not code.startswith("citizen.") or not number:
        return []
    if context.get("petition_channel") not in (None, Channel.WECHAT):
        return []  # only a petition filed through WeChat has a follower to tell (no look-up for the others)
    binding = WechatPetition.objects.filter(petition__number=number).select_related("user", "petition").first()
    if binding is None:
        return []
    petition = binding.petition
    with translation.override(petition.language or settings.LANGUAGE_CODE):
        status = str(Status(petition.status).label)  # the follower's language, not that of whoever changed it
    payload = json.dumps({"number": number, "text": body, "status": status,
                          "link": context.get("link", "")}, ensure_ascii=False)
    return [(Notification.Channel.WECHAT, binding.user.openid, payload)]


# WeChat's answers that no retry can cure: an openid that is not a follower (40003), a follower who
# unsubscribed (43004), an unknown template (40037), a malformed request (47001, 47003).
WECHAT_PERMANENT = {40003, 40037, 43004, 47001, 47003}


def wechat_deliver(notification: Notification) -> None:
    """Send one template message from the outbox. Raises to be retried, or PermanentDeliveryError."""
    source = source_for(Channel.WECHAT)
    if not (source.app_id and source.secret and source.template_id):
        raise PermanentDeliveryError("WeChat source has no AppID, secret or template ID")
    payload = json.loads(notification.body)
    sent_at = notification.created_at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    data = {
        "first": {"value": notification.subject or payload["text"][:60]},
        "keyword1": {"value": payload["number"]},
        "keyword2": {"value": payload["status"]},
        "keyword3": {"value": sent_at},
        "remark": {"value": payload["text"][:200]},
    }
    try:
        wechat.client_for(source).message.send_template(notification.recipient, source.template_id, data,
                                                        url=payload.get("link") or None)
    except WeChatClientException as error:
        if error.errcode in WECHAT_PERMANENT:
            raise PermanentDeliveryError(f"WeChat {error.errcode}: {error.errmsg}") from None
        raise


# --- 110 ------------------------------------------------------------------------------------------------------

def police_fingerprint(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _police_transfer_known(number: str, fingerprint: str) -> PoliceTransfer | None:
    existing = PoliceTransfer.objects.filter(incident_number=number).select_related("petition").first()
    if existing is not None and existing.fingerprint != fingerprint:
        raise DomainError(_("Incident %(number)s was already transferred with other content.")
                          % {"number": number}, field="incident_number", code="conflict")
    return existing


def police_transfer_receive(*, data: dict, payload: dict) -> tuple[PoliceTransfer, bool]:
    """File a 110 transfer once. The same incident number again with the same body is the same transfer
    (returned, created False); with another body it is refused (DomainError code "conflict"). Two posts of one
    incident number racing each other: the one that records the transfer second rolls back what it filed and
    is answered as if it came after (the same transfer, or the conflict)."""
    number = data["incident_number"]
    fingerprint = police_fingerprint(payload)
    existing = _police_transfer_known(number, fingerprint)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            petition, created = petition_file(
                channel=Channel.POLICE_110, kind=data["kind"], area=data["area"],
                classification=data["classification"], address=data["address"], title=data["title"],
                content=data["content"], latitude=data.get("latitude"), longitude=data.get("longitude"),
                complainant_name=data["caller_name"], complainant_phone=data["caller_phone"],
                submission_token=police_token(number))
            transfer = PoliceTransfer.objects.create(
                incident_number=number, petition=petition, fingerprint=fingerprint, payload=payload,
                received_at=timezone.now())
    except IntegrityError:
        existing = _police_transfer_known(number, fingerprint)
        if existing is None:
            raise
        return existing, False
    return transfer, created


# The answer goes to the 110 platform once the hotline has approved it (一个门出), never a unit's draft.
ANSWER_PUBLISHED = (Status.CALLBACK, Status.CLOSED, Status.CLOSED_ON_SPOT)


def police_callback_queue(*, petition_id: int, to_status: str) -> Notification | None:
    """A transferred petition changed status: queue its callback (after commit, from the status signal)."""
    transfer = PoliceTransfer.objects.filter(petition_id=petition_id).select_related("petition").first()
    if transfer is None:
        return None
    source = source_for(Channel.POLICE_110)
    if not source.callback_url:
        logger.warning("110 transfer %s changed status, but no callback URL is configured", transfer.incident_number)
        return None
    petition = transfer.petition
    event = (PetitionEvent.objects.filter(petition_id=petition_id, to_status=to_status)
             .order_by("-at", "-id").values_list("pk", "at").first())
    at = event[1] if event else timezone.now()
    with translation.override(settings.LANGUAGE_CODE):
        status_text = str(Status(to_status).label)  # the platform's language, not that of whoever changed it
    body = {
        "incident_number": transfer.incident_number, "number": petition.number, "status": to_status,
        "status_text": status_text, "at": at.astimezone(SHANGHAI).isoformat(),
        "answer": petition.answer if to_status in ANSWER_PUBLISHED else "",
    }
    return notification_enqueue(
        key=f"police110.status:{petition_id}:{event[0] if event else to_status}",
        channel=Notification.Channel.WEBHOOK, recipient=source.callback_url,
        subject=f"110 {transfer.incident_number} {to_status}",
        body=json.dumps(body, ensure_ascii=False))


def webhook_deliver(notification: Notification) -> None:
    """POST one callback to the partner: JSON, the callback key as a bearer token, an HMAC of the body, the
    outbox key as Idempotency-Key. A 2xx is delivered; 408, 429 and 5xx are retried; other 4xx are final."""
    source = source_for(Channel.POLICE_110)
    body = notification.body.encode()
    signature = hmac.new(source.callback_key.encode(), body, hashlib.sha256).hexdigest()
    response = requests.post(notification.recipient, data=body, timeout=10, headers={
        "Content-Type": "application/json; charset=utf-8", "Authorization": f"Bearer {source.callback_key}",
        "Idempotency-Key": notification.key, "X-Portal-Signature": f"sha256={signature}"})
    if 200 <= response.status_code < 300:
        return
    text = f"HTTP {response.status_code}: {response.text[:200]}"
    if 400 <= response.status_code < 500 and response.status_code not in (408, 429):
        raise PermanentDeliveryError(text)
    raise RuntimeError(text)


# --- grid workers, the enterprise line, the mayor's mailbox --------------------------------------------------

def grid_report_file(*, user, data: dict, attachments, submission_token: uuid.UUID) -> tuple[Petition, bool]:
    """A grid worker reports what they found on their round: filed as the grid worker, on the grid channel,
    and dispatched like any petition (petition_filed reaches dispatch after commit)."""
    phone = user.phone or (user.unit.phone if user.unit_id else "")
    return petition_file(
        channel=Channel.GRID, kind=data["kind"], area=data["area"], classification=data["classification"],
        address=data["address"], title=data["title"], content=data["content"], latitude=data.get("latitude"),
        longitude=data.get("longitude"), complainant_name=(user.get_full_name() or user.username)[:50],
        complainant_phone=phone, attachments=attachments, actor=user, submission_token=submission_token)


def web_channel_file(*, channel: str, data: dict, attachments, submission_token: uuid.UUID, language: str,
                     credit_code: str = "") -> tuple[Petition, bool]:
    """The enterprise line and the mayor's mailbox: the citizen's form on a channel of its own. On the
    enterprise line the complainant is the enterprise, with its credit code kept beside the petition."""
    with transaction.atomic():
        petition, created = petition_file(
            channel=channel, kind=data["kind"], area=data["area"], classification=data["classification"],
            address=data["address"], title=data["title"], content=data["content"], latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            complainant_type=ComplainantType.ENTERPRISE if credit_code else data["complainant_type"],
            enterprise_name=data["enterprise_name"], complainant_name=data["complainant_name"],
            complainant_phone=data["complainant_phone"], complainant_id_number=data["complainant_id_number"],
            confidential=data["confidential"], publish_consent=data["publish_consent"], language=language,
            attachments=attachments, submission_token=submission_token)
        if created and credit_code:
            EnterpriseFiling.objects.create(petition=petition, credit_code=credit_code)
    return petition, created

