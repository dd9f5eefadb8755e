"""The supervision pool (督办池): cases opened on anything that ran out of
time or needs special watching, at three levels, with notices that have their
own reply deadline.

Generic on purpose: a case points at its target through the contenttypes
framework, so dispatch (overdue petitions, repeated complaints, false
closures) and disclosure (overdue information requests) feed one pool
without either importing the other.
"""
from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib import labels


class Level(models.IntegerChoices):
    """The three supervising levels of DOMAIN.md section 6."""

    HOTLINE = 1, _("Hotline platform")
    INSPECTION = 2, _("Government inspection office (督查室)")
    DISCIPLINE = 3, _("Discipline inspection (纪检监察)")


class CaseKind(models.TextChoices):
    OVERDUE = "overdue", _("Not handled in time")
    NOT_SIGNED = "not_signed", _("Not signed for in time")
    REPEAT = "repeat", _("Complained about 3 or more times")
    FALSE_CLOSURE = "false_closure", _("False closure found by look-back")
    DISCLOSURE_OVERDUE = "disclosure_overdue", _("Information request overdue")
    CONSULTATION_OVERDUE = "consultation_overdue", _("Joint consultation not concluded in time")
    CALLBACK_OVERDUE = "callback_overdue", _("Callback not made in time")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class SupervisionCase(models.Model):
    # Indexes are what a sweep pays for each case it opens (issue 20): a case is found by its target through
    # one_open_case_per_target_kind, by its reference through case_reference_idx (exact: no LIKE index), and
    # the users who sent, replied or acted on the pool's rows are read beside them, never searched for.
    content_type = models.ForeignKey(ContentType, verbose_name=_("target type"),
                                     on_delete=models.PROTECT, related_name="+", db_index=False)
    object_id = models.PositiveBigIntegerField(_("target id"))
    target = GenericForeignKey("content_type", "object_id")
    reference = models.CharField(_("reference"), max_length=40,
                                 help_text=_("The tracking or request number."))
    title = models.CharField(_("title"), max_length=200)
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("unit"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="supervision_cases")
    area = models.ForeignKey("org.Area", verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=CaseKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.HOTLINE)
    status = models.CharField(_("status"), max_length=8, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_at = models.DateTimeField(_("opened at"))
    # The escalation timer: if still open then, the case goes up a level.
    escalate_at = models.DateTimeField(_("escalates at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    close_note = models.TextField(_("closing note"), blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True, help_text=_("Where a supervisor reads the target."))

    class Meta:
        ordering = ["-level", "opened_at"]
        verbose_name = _("supervision case")
        verbose_name_plural = _("supervision pool")
        indexes = [
            # supervision.services.sweep_escalations reads only open cases that became due.
            models.Index(fields=["escalate_at"], name="case_escalation_due_idx", condition=Q(status="open")),
            models.Index(fields=["status", "level", "kind"], name="case_pool_idx"),
            models.Index(fields=["reference"], name="case_reference_idx"),
        ]
        constraints = [
            # One open case per target and kind: opening is idempotent, even from two sweeps at once.
            models.UniqueConstraint(fields=["content_type", "object_id", "kind"], condition=Q(status="open"),
                                    name="one_open_case_per_target_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.get_kind_display()} · {self.get_level_display()}"


class SupervisionNotice(models.Model):
    """A supervision notice (督办通知) to the unit, with its own reply deadline."""

    case = models.ForeignKey(SupervisionCase, verbose_name=_("supervision case"),
                             on_delete=models.CASCADE, related_name="notices")
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    text = models.TextField(_("notice"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("sent by"),
                                null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", db_index=False)
    reply_due_at = models.DateTimeField(_("reply due"))
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("replied by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", db_index=False)
    reply_overdue_at = models.DateTimeField(_("reply overdue since"), null=True, blank=True)

    class Meta:
        ordering = ["sent_at"]
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        indexes = [
            # supervision.services.sweep_escalations: notices whose reply is late.
            models.Index(fields=["reply_due_at"], name="notice_reply_due_idx",
                         condition=Q(replied_at__isnull=True, reply_overdue_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return _("%(level)s supervision notice, %(at)s") % {"level": self.get_level_display(), "at": labels.when(self.sent_at)}


class CaseEvent(models.Model):
    """The case's history. Append-only."""

    class Kind(models.TextChoices):
        OPENED = "opened", _("Opened")
        NOTICE = "notice", _("Notice sent")
        REPLIED = "replied", _("Unit replied")
        REPLY_OVERDUE = "reply_overdue", _("Reply overdue")
        ESCALATED = "escalated", _("Escalated")
        CLOSED = "closed", _("Closed")

    case = models.ForeignKey(SupervisionCase, verbose_name=_("supervision case"),
                             on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                              null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", db_index=False)
    kind = models.CharField(_("event"), max_length=16, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("case event")
        verbose_name_plural = _("case history")

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("case history is append-only")
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {labels.when(self.at)}"
