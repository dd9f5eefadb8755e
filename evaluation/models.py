"""Evaluation of the work (一月点评, 一网归集分析): pre-aggregated daily figures
for the four metrics, the scheduled reports, and the leaders' topic list.

The 三民 annual public evaluation also belongs to this app (docs/sanmin.md).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Scope(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District")
    UNIT = "unit", _("Unit")


class DailyStat(models.Model):
    """One day's counts for the city, a district or a unit: the metrics of any
    period are sums of these rows (evaluation.metrics). Rebuilt from the
    source rows by `manage.py rebuild_stats`, kept current by a beat task."""

    day = models.DateField(_("day"))
    scope = models.CharField(_("scope"), max_length=8, choices=Scope.choices)
    area = models.ForeignKey("org.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.HandlingUnit", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    petitions = models.PositiveIntegerField(_("petitions received"), default=0)
    dispatched = models.PositiveIntegerField(_("dispatched"), default=0)
    signed_in_time = models.PositiveIntegerField(_("signed for in time"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    solved = models.PositiveIntegerField(_("confirmed solved"), default=0)
    satisfied = models.PositiveIntegerField(_("satisfied or basically satisfied"), default=0)

    class Meta:
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")
        indexes = [models.Index(fields=["scope", "day"], name="dailystat_scope_day_idx")]
        constraints = [
            models.UniqueConstraint(fields=["day", "scope", "area", "unit"], name="dailystat_one_row",
                                    nulls_distinct=False),
        ]


class Report(models.Model):
    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily report")
        WEEKLY = "weekly", _("Weekly analysis")
        MONTHLY = "monthly", _("Monthly bulletin")
        ANNUAL = "annual", _("Annual summary")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"), help_text=_("Inclusive."))
    title = models.CharField(_("title"), max_length=200)
    data = models.JSONField(_("figures"), default=dict)
    xlsx = models.FileField(_("Excel"), upload_to="reports/", blank=True)
    pdf = models.FileField(_("PDF"), upload_to="reports/", blank=True)
    generated_at = models.DateTimeField(_("generated at"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "kind"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.UniqueConstraint(fields=["kind", "period_start"], name="one_report_per_period")]

    def __str__(self) -> str:
        return self.title


class Topic(models.Model):
    """A problem leaders adopt as a topic (书记点题 / 每月一题): solving one kind of case."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        ADOPTED = "adopted", _("Adopted")
        DONE = "done", _("Done")

    title = models.CharField(_("title"), max_length=200)
    month = models.DateField(_("month"))
    description = models.TextField(_("description"), blank=True)
    classification = models.ForeignKey("org.Classification", verbose_name=_("classification item"), null=True,
                                       blank=True, on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("org.Area", verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    lead_unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("lead unit"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    adopted_by = models.CharField(_("adopted by"), max_length=100, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-month", "title"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics (书记点题)")
        constraints = [models.CheckConstraint(name="topic_progress_percent", condition=Q(progress__lte=100))]

    def __str__(self) -> str:
        return self.title


class TopicUpdate(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(_("at"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at"]
