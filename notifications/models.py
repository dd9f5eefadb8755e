"""The outbox: every SMS and e-mail the portal sends is a row first.

A row is written in the same transaction as the change it reports, so a
rolled-back change sends nothing; it is sent after commit by a Celery task
and, whatever happens to that task (a lost message, Redis restarted, a worker
killed), by the beat sweep that picks up anything pending and due. The unique
`key` makes enqueuing idempotent: the same notice is never queued twice.
"""
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.catalog import CATALOG, NotAVariable, UnbalancedBraces, variables_of


# The keys of the messages the catalog marks secret (each key starts with its message's code, on every channel).
SECRET_MESSAGES = tuple(f"{code}:" for code, message in CATALOG.items() if message.secret)


def template_cache_key(code: str) -> str:
    """notifications.messaging caches each template's wording under this key."""
    return f"notifications:template:{code}"


class Notification(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        # Registered by the channels app (notifications.backends.delivery_register).
        WECHAT = "wechat", _("WeChat template message")
        WEBHOOK = "webhook", _("Partner platform callback")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("key"), max_length=200, unique=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recipient = models.CharField(_("recipient"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("message"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The timer: when the sweep should (re)try a pending row, or reclaim a stuck sending one.
    next_attempt_at = models.DateTimeField(_("next attempt"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("outbox")
        indexes = [
            # notifications.services.sweep_outbox reads only pending rows that are due.
            models.Index(fields=["next_attempt_at"], name="outbox_pending_due_idx", condition=Q(status="pending")),
            # ... and sending rows whose worker may have died.
            models.Index(fields=["claimed_at"], name="outbox_sending_idx", condition=Q(status="sending")),
        ]

    def __str__(self) -> str:
        text = self.subject or (_("one-time code") if self.is_secret else self.body[:30])
        # No recipient: this is what the admin's breadcrumbs and history show, to readers who may not see it.
        return f"{self.get_channel_display()}: {text}"

    @property
    def is_secret(self) -> bool:
        """Its text carries a one-time code: never shown in the admin, cleared once sent or failed."""
        return self.key.startswith(SECRET_MESSAGES)


class MessageTemplate(models.Model):
    """The wording of one message of notifications.catalog, in Chinese and English, as an admin edits it."""

    code = models.CharField(_("message"), max_length=64, unique=True)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=200, blank=True)
    body_zh = models.TextField(_("text (Chinese)"), max_length=2000)
    subject_en = models.CharField(_("subject (English)"), max_length=200, blank=True)
    body_en = models.TextField(_("text (English)"), max_length=2000)
    is_active = models.BooleanField(_("sent"), default=True,
                                    help_text=_("Untick to stop sending this message altogether."))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")

    def __str__(self) -> str:
        message = CATALOG.get(self.code)
        return f"{self.code} · {message.trigger}" if message else self.code

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        cache.delete(template_cache_key(self.code))  # the next message uses the new wording

    def clean(self):
        message = CATALOG.get(self.code)
        if message is None:
            raise ValidationError({"code": _("No such message.")})
        errors = {}
        for field in ("subject_zh", "body_zh", "subject_en", "body_en"):
            try:
                unknown = variables_of(getattr(self, field)) - set(message.variables)
            except UnbalancedBraces:
                errors[field] = _("The braces are not balanced: write each variable as {name}, with both braces "
                                  "(such as {number}).")
                continue
            except NotAVariable as error:
                errors[field] = _("“{%(name)s}” is not a variable: use plain names in braces, such as {number}.") % {
                    "name": error.args[0]}
                continue
            if unknown:
                errors[field] = _("Unknown variables: %(unknown)s. This message can use: %(known)s.") % {
                    "unknown": ", ".join("{%s}" % v for v in sorted(unknown)),
                    "known": ", ".join("{%s}" % v for v in message.variables)}
        if errors:
            raise ValidationError(errors)


class InboxItem(models.Model):
    """A message to a staff member's in-app inbox (the header shows the unread count)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox",
                             verbose_name=_("user"))
    key = models.CharField(_("key"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("received"))
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inbox message")
        verbose_name_plural = _("inbox messages")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="inbox_one_per_key")]
        indexes = [
            # The header's unread count on every staff page.
            models.Index(fields=["user"], name="inbox_unread_idx", condition=Q(read_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.subject
