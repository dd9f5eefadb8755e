"""The outbox: every SMS and e-mail the portal sends is a row first.

A row is written in the same transaction as the change it reports, so a
rolled-back change sends nothing; it is sent after commit by a Celery task
and, whatever happens to that task (a lost message, Redis restarted, a worker
killed), by the beat sweep that picks up anything pending and due. The unique
`key` makes enqueuing idempotent: the same notice is never queued twice.
"""
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")

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
        return f"{self.channel} → {self.recipient}: {self.subject or self.body[:30]}"
