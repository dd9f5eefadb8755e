"""The ways in other than the web form and the operator's phone (DOMAIN.md section 3, docs/channels.md).

`Source` is each channel's switch and credentials, edited in the admin; the rest records what came in
through a channel and ties it to the petition it became, so the answer goes back the way it came:
a WeChat user's openid (template messages, "my petitions" without typing), a 110 incident number (the
callback), an enterprise's credit code.
"""
from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib import labels
from petitions.models import Channel


class Source(models.Model):
    """One configurable channel. Secrets are kept because the channel needs them in clear (WeChat's AES key
    decrypts, the 110 key is compared); the admin never shows them back in full."""

    CHANNELS = [(c.value, c.label) for c in (Channel.WECHAT, Channel.POLICE_110, Channel.GRID, Channel.ENTERPRISE,
                                             Channel.MAYOR_MAILBOX)]

    channel = models.CharField(_("channel"), max_length=20, choices=CHANNELS, unique=True)
    enabled = models.BooleanField(_("enabled"), default=False)
    app_id = models.CharField(_("AppID"), max_length=64, blank=True,
                              help_text=_("WeChat: the official account's AppID."))
    secret = models.CharField(_("key or secret"), max_length=128, blank=True,
                              help_text=_("WeChat: the AppSecret. 110: the key the police platform sends."))
    token = models.CharField(_("token"), max_length=64, blank=True,
                             help_text=_("WeChat: the server token that signs every message."))
    aes_key = models.CharField(_("message encryption key"), max_length=64, blank=True,
                               help_text=_("WeChat: the EncodingAESKey (43 characters) of safe mode."))
    template_id = models.CharField(_("template message ID"), max_length=64, blank=True,
                                   help_text=_("WeChat: the progress-notice template (first, keyword1-3, remark)."))
    callback_url = models.URLField(_("callback URL"), max_length=300, blank=True,
                                   help_text=_("110: where the petition's status and answer are posted."))
    callback_key = models.CharField(_("callback key"), max_length=128, blank=True,
                                    help_text=_("110: sent as a bearer token with every callback."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["channel"]
        verbose_name = _("channel source")
        verbose_name_plural = _("channel sources")
        permissions = [("report_from_grid", _("Can report problems found on grid rounds"))]

    def __str__(self) -> str:
        return str(Channel(self.channel).label)


class ReplayGuard(models.Model):
    """A nonce seen on a signed inbound message: the same nonce again within the window is a replay.
    Rows older than the window are swept (`replay_guard_sweep`)."""

    scope = models.CharField(_("channel"), max_length=20)
    nonce = models.CharField(_("nonce"), max_length=64)
    seen_at = models.DateTimeField(_("seen at"), db_index=True)

    class Meta:
        verbose_name = _("replay guard")
        verbose_name_plural = _("replay guards")
        constraints = [models.UniqueConstraint(fields=["scope", "nonce"], name="replay_guard_once")]

    def __str__(self) -> str:
        return f"{self.scope} · {self.nonce}"


class WechatUser(models.Model):
    """A follower of the official account, known by the openid WeChat gives for this account."""

    openid = models.CharField(_("openid"), max_length=64, unique=True)
    # The name and mobile given on the last filing: prefilled next time.
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True)
    # A phone proven with the SMS code of "my petitions" (citizens) in a WeChat session: later visits from
    # WeChat open "my petitions" for it without a new code.
    verified_phone = models.CharField(_("verified mobile phone"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("first seen"))
    last_seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("WeChat user")
        verbose_name_plural = _("WeChat users")

    def __str__(self) -> str:
        return f"{self.openid[:6]}…"


class WechatPetition(models.Model):
    """A petition filed through WeChat and the follower to tell about it."""

    user = models.ForeignKey(WechatUser, verbose_name=_("WeChat user"),
                             on_delete=models.PROTECT, related_name="petitions")
    petition = models.OneToOneField("petitions.Petition", verbose_name=_("petition"),
                                    on_delete=models.CASCADE, related_name="wechat")

    class Meta:
        verbose_name = _("petition filed through WeChat")
        verbose_name_plural = _("petitions filed through WeChat")

    def __str__(self) -> str:
        return self.petition.number


class WechatDraft(models.Model):
    """What a follower wrote and photographed to the account, waiting for them to confirm it as a petition.
    The photos are kept, cleaned, by petitions.drafts under `token`, which is also the filing's submission
    token: confirming twice files once."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for confirmation")
        FILED = "filed", _("Filed")

    user = models.ForeignKey(WechatUser, verbose_name=_("WeChat user"),
                             on_delete=models.CASCADE, related_name="drafts")
    token = models.UUIDField(_("draft token"), default=uuid.uuid4, unique=True, editable=False)
    text = models.TextField(_("text"), blank=True, max_length=5000)
    photos = models.PositiveSmallIntegerField(_("photos"), default=0)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.OPEN)
    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"),
                                 null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("WeChat draft")
        verbose_name_plural = _("WeChat drafts")
        constraints = [
            # One open draft per follower: every message adds to it until it is confirmed.
            models.UniqueConstraint(fields=["user"], condition=models.Q(status="open"), name="wechat_one_open_draft"),
        ]

    def __str__(self) -> str:
        return _("%(status)s draft of %(at)s") % {"status": self.get_status_display(), "at": labels.when(self.created_at)}


class WechatMessage(models.Model):
    """A message received from WeChat, by its MsgId: WeChat retries a message it got no answer to within
    5 seconds, three times, with the same MsgId; the retry is answered and not added again."""

    msg_id = models.CharField(_("message id"), max_length=64, unique=True)
    user = models.ForeignKey(WechatUser, verbose_name=_("WeChat user"),
                             on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("message type"), max_length=16)
    received_at = models.DateTimeField(pgettext_lazy("message", "received at"))

    class Meta:
        verbose_name = _("WeChat message")
        verbose_name_plural = _("WeChat messages")

    def __str__(self) -> str:
        return f"{self.msg_id} · {labels.when(self.received_at)}"


class PoliceTransfer(models.Model):
    """A non-emergency call transferred by the 110 platform, kept with its incident number (unique: the
    same transfer posted again is answered with the same acknowledgment and files nothing)."""

    incident_number = models.CharField(_("110 incident number"), max_length=40, unique=True)
    petition = models.OneToOneField("petitions.Petition", verbose_name=_("petition"),
                                    on_delete=models.PROTECT, related_name="police_transfer")
    # The body as received, hashed: the same number with another body is a conflict, not a replay.
    fingerprint = models.CharField(_("content fingerprint"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict)
    received_at = models.DateTimeField(pgettext_lazy("message", "received at"))

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("110 transfer")
        verbose_name_plural = _("110 transfers")

    def __str__(self) -> str:
        return self.incident_number


class EnterpriseFiling(models.Model):
    """The unified social credit code (统一社会信用代码) of an enterprise that filed on the enterprise line."""

    petition = models.OneToOneField("petitions.Petition", verbose_name=_("petition"),
                                    on_delete=models.CASCADE, related_name="enterprise")
    credit_code = models.CharField(_("unified social credit code"), max_length=18, db_index=True)

    class Meta:
        verbose_name = _("enterprise filing")
        verbose_name_plural = _("enterprise filings")

    def __str__(self) -> str:
        return self.credit_code
