"""Talking to WeChat: checking and opening what its server sends, and calling its API (with wechatpy).

Inbound (the server URL of the official account): every request is signed by WeChat with the account's
token (sha1 over token, timestamp and nonce); in safe mode (安全模式) the message itself is AES-encrypted
with the EncodingAESKey and carries a second signature over the ciphertext. Refused before anything is
stored: a bad signature, a timestamp outside PORTAL_CHANNEL_REPLAY_SECONDS, a nonce already seen, a body
larger than PORTAL_CHANNEL_MAX_BYTES, a document type or entity declaration, XML that does not parse.

Outbound: the access token (cached in Django's cache, shared by the workers), OAuth's code → openid, media
downloads and template messages. Every URL starts at PORTAL_WECHAT_API_URL / PORTAL_WECHAT_OAUTH_URL, so
tests talk to a local fake and nothing reaches the network.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from wechatpy import WeChatClient, parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException, WeChatClientException
from wechatpy.oauth import WeChatOAuth
from wechatpy.replies import TextReply
from wechatpy.session import SessionStorage
from wechatpy.utils import check_signature

from channels.models import ReplayGuard, Source


class Refused(Exception):
    """An inbound request that is refused: `status` for the HTTP answer, `reason` said in it (and logged)."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class Inbound:
    message: object  # a wechatpy message
    encrypted: bool
    nonce: str
    timestamp: str


def check_fresh(timestamp: str, now: dt.datetime) -> None:
    """The timestamp must be within the replay window of now, either way (a clock a little ahead is fine)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        raise Refused(400, "timestamp missing or not a number") from None
    if abs(now.timestamp() - sent) > settings.PORTAL_CHANNEL_REPLAY_SECONDS:
        raise Refused(403, "timestamp outside the replay window")


def nonce_claim(scope: str, nonce: str, now: dt.datetime) -> None:
    """Record a nonce once; seen before within the window, the request is a replay. The unique row is the
    arbiter, so two workers racing on the same replay cannot both pass."""
    if not nonce or len(nonce) > 64:
        raise Refused(400, "nonce missing or too long")
    try:
        with transaction.atomic():
            ReplayGuard.objects.create(scope=scope, nonce=nonce, seen_at=now)
    except IntegrityError:
        raise Refused(403, "nonce already used") from None


def replay_guard_sweep(now: dt.datetime | None = None) -> int:
    """Forget nonces older than twice the window: a request that old is refused by its timestamp anyway."""
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=2 * settings.PORTAL_CHANNEL_REPLAY_SECONDS)
    return ReplayGuard.objects.filter(seen_at__lt=limit).delete()[0]


def check_body(body: bytes) -> None:
    if len(body) > settings.PORTAL_CHANNEL_MAX_BYTES:
        raise Refused(413, "body too large")
    # WeChat never sends a DTD; refusing one keeps entity expansion out of the parser altogether.
    if b"<!DOCTYPE" in body.upper() or b"<!ENTITY" in body.upper():
        raise Refused(400, "document type declarations are not accepted")


def crypto_for(source: Source) -> WeChatCrypto:
    return WeChatCrypto(source.token, source.aes_key, source.app_id)


def verify_url(source: Source, params) -> str:
    """WeChat's check of the server URL (GET): the echo string back if the signature is right."""
    now = timezone.now()
    check_fresh(params.get("timestamp"), now)
    try:
        check_signature(source.token, params.get("signature", ""), params.get("timestamp", ""), params.get("nonce", ""))
    except InvalidSignatureException:
        raise Refused(403, "bad signature") from None
    return params.get("echostr", "")


def open_message(source: Source, params, body: bytes) -> Inbound:
    """Check and open one pushed message (POST). Raises Refused; stores nothing but the nonce."""
    now = timezone.now()
    check_body(body)
    timestamp, nonce = params.get("timestamp", ""), params.get("nonce", "")
    check_fresh(timestamp, now)
    try:
        check_signature(source.token, params.get("signature", ""), timestamp, nonce)
    except InvalidSignatureException:
        raise Refused(403, "bad signature") from None
    encrypted = params.get("encrypt_type", "raw") == "aes"
    if source.aes_key and not encrypted:
        raise Refused(403, "safe mode is configured: plain messages are not accepted")
    nonce_claim("wechat", nonce, now)
    try:
        xml = crypto_for(source).decrypt_message(body, params.get("msg_signature", ""), timestamp, nonce) \
            if encrypted else body
    except InvalidSignatureException:
        raise Refused(403, "bad message signature") from None
    except InvalidAppIdException:
        raise Refused(403, "message for another account") from None
    except Exception:  # noqa: BLE001 - malformed XML, bad base64, bad padding: all the sender's fault
        raise Refused(400, "the message could not be decrypted") from None
    try:
        message = parse_message(xml)
    except Exception:  # noqa: BLE001 - xmltodict and wechatpy raise many kinds on malformed input
        raise Refused(400, "malformed message") from None
    if message is None or not getattr(message, "source", ""):
        raise Refused(400, "malformed message")
    return Inbound(message=message, encrypted=encrypted, nonce=nonce, timestamp=timestamp)


def reply(inbound: Inbound, source: Source, text: str) -> str:
    """A passive text reply, encrypted when the message was."""
    xml = TextReply(content=text, message=inbound.message).render()
    if inbound.encrypted:
        return crypto_for(source).encrypt_message(xml, inbound.nonce, inbound.timestamp)
    return xml


# --- the API ------------------------------------------------------------------------------------------------

class CacheStorage(SessionStorage):
    """wechatpy's token storage on Django's cache: one access token for every worker (WeChat allows 2,000
    token fetches a day and invalidates the previous token on each)."""

    def get(self, key, default=None):
        return cache.get(f"channels:wechat:{key}", default)

    def set(self, key, value, ttl=None):
        cache.set(f"channels:wechat:{key}", value, max(int(ttl or 7200) - 300, 60))

    def delete(self, key):
        cache.delete(f"channels:wechat:{key}")


class PortalWeChatClient(WeChatClient):
    def __init__(self, source: Source):
        super().__init__(source.app_id, source.secret, session=CacheStorage(), timeout=10)
        self.API_BASE_URL = settings.PORTAL_WECHAT_API_URL + "cgi-bin/"

    def fetch_access_token(self):
        return self._fetch_access_token(url=self.API_BASE_URL + "token", params={
            "grant_type": "client_credential", "appid": self.appid, "secret": self.secret})


def client_for(source: Source) -> PortalWeChatClient:
    return PortalWeChatClient(source)


def oauth_for(source: Source, redirect_uri: str, state: str) -> WeChatOAuth:
    oauth = WeChatOAuth(source.app_id, source.secret, redirect_uri, scope="snsapi_base", state=state)
    oauth.API_BASE_URL = settings.PORTAL_WECHAT_API_URL
    oauth.OAUTH_BASE_URL = settings.PORTAL_WECHAT_OAUTH_URL
    return oauth


def openid_from_code(source: Source, code: str, redirect_uri: str) -> str:
    """OAuth's second step: the code WeChat put in the redirect becomes the follower's openid."""
    return oauth_for(source, redirect_uri, "").fetch_access_token(code)["openid"]


def media_download(source: Source, media_id: str) -> bytes:
    """A photo the follower sent (a temporary medium, kept by WeChat for three days)."""
    result = client_for(source).media.download(media_id)
    if isinstance(result, dict):  # WeChat answers an error as JSON, a medium as bytes
        raise WeChatClientException(result.get("errcode"), result.get("errmsg"))
    return result.content[: settings.PORTAL_UPLOAD_MAX_BYTES + 1]
