"""Evaluation of the work (一月点评, 一网归集分析): pre-aggregated daily figures
for the four metrics, the scheduled reports, and the leaders' topic list.

The 三民 annual public evaluation also belongs to this app (docs/sanmin.md).
"""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib import labels


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
    area = models.ForeignKey("org.Area", verbose_name=_("area"),
                             null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("unit"),
                             null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    petitions = models.PositiveIntegerField(_("petitions received"), default=0)
    # Assignments whose sign-for limit fell that day, minus those withdrawn before it (evaluation.aggregates).
    sign_due = models.PositiveIntegerField(_("sign-for limits due"), default=0)
    signed_in_time = models.PositiveIntegerField(_("signed for in time"), default=0)
    perfunctory = models.PositiveIntegerField(_("perfunctory answers"), default=0)
    # The city's rows only: the day's petitions by channel ({"phone": 120, "wechat": 31}), which add up to
    # `petitions`; the bulletins' channel table is read from them with the headline (evaluation.metrics.bulletin).
    channels = models.JSONField(_("petitions by channel"), default=dict, blank=True)

    class Meta:
        verbose_name = _("daily figures")
        verbose_name_plural = _("daily figures")
        indexes = [models.Index(fields=["scope", "day"], name="dailystat_scope_day_idx")]
        constraints = [
            models.UniqueConstraint(fields=["day", "scope", "area", "unit"], name="dailystat_one_row",
                                    nulls_distinct=False),
        ]

    def __str__(self) -> str:
        return f"{labels.day(self.day)} · {self.get_scope_display()}"


class Report(models.Model):
    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily report")
        WEEKLY = "weekly", _("Weekly analysis")
        MONTHLY = "monthly", _("Monthly bulletin")
        ANNUAL = "annual", _("Annual summary")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(pgettext_lazy("period", "from"))
    period_end = models.DateField(pgettext_lazy("period", "to"), help_text=_("Inclusive."))
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
        ADOPTED = "adopted", pgettext_lazy("topic", "Adopted")
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
    topic = models.ForeignKey(Topic, verbose_name=_("topic"),
                              on_delete=models.CASCADE, related_name="updates")
    at = models.DateTimeField(_("at"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"),
                           null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["at"]
        verbose_name = _("topic update")
        verbose_name_plural = _("topic updates")


# --- The annual 三民 public evaluation (docs/sanmin.md) -------------------------------------------------------

    def __str__(self) -> str:
        return _("Progress %(progress)s%%, %(at)s") % {"progress": self.progress, "at": labels.when(self.at)}

class SuggestionTheme(models.TextChoices):
    LIVELIHOOD = "livelihood", _("People's livelihood (民生建设)")
    ECONOMY = "economy", _("Economic development (经济发展)")
    SOCIETY = "society", _("Social governance (社会管理)")
    REFORM = "reform", _("Reform and innovation (改革创新)")
    SERVICE = "service", _("Service-oriented government (服务型政府建设)")


class Campaign(models.Model):
    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    suggestions_open = models.DateField(_("suggestions open"))
    suggestions_close = models.DateField(_("suggestions close"))
    reports_start = models.DateField(_("department reports from"))
    reports_end = models.DateField(_("department reports until"))
    voting_opens_at = models.DateTimeField(_("voting opens"))
    voting_closes_at = models.DateTimeField(_("voting closes"))
    class Scale(models.TextChoices):
        THREE = "three", _("Satisfied / basically satisfied / unsatisfied")
        SCORE = "score", _("A score from 1 to 10")

    scale = models.CharField(_("rating scale"), max_length=8, choices=Scale.choices, default=Scale.THREE)
    weight_percent = models.PositiveSmallIntegerField(_("weight in the annual assessment (%)"), default=6)
    # The one account that may export the candidate pool with names and mobile phones (PIPL): the
    # statistics bureau's officer who runs the draw (DOMAIN.md section 8). Set by a platform admin.
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("organiser"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text=_("The only account that may export the candidate pool with personal data."),
    )
    # Published before the draw: the pool's hash, the quotas, the algorithm and a commitment to the seed.
    pool_hash = models.CharField(_("pool hash (SHA-256)"), max_length=64, blank=True)
    quotas = models.JSONField(_("quotas per district and sector"), default=dict, blank=True)
    algorithm = models.CharField(_("draw algorithm"), max_length=20, default="sanmin-draw-v1")
    seed_commitment = models.CharField(_("seed commitment (SHA-256 of the seed)"), max_length=64, blank=True)
    # When the pool hash, the quotas and the commitment were published: an auditor checks it precedes the draw.
    commitment_published_at = models.DateTimeField(_("commitment published at"), null=True, blank=True)
    # Published after the draw.
    seed = models.CharField(_("seed"), max_length=64, blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    tally_sealed_at = models.DateTimeField(_("tally sealed at"), null=True, blank=True)
    # The reminder to representatives who have not voted, two days before voting closes (sent once).
    reminded_at = models.DateTimeField(_("voting reminder sent at"), null=True, blank=True)
    results_published_at = models.DateTimeField(_("results published at"), null=True, blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("三民 campaign")
        verbose_name_plural = _("三民 campaigns")

    def __str__(self) -> str:
        return self.title


class Suggestion(models.Model):
    class Adoption(models.TextChoices):
        PENDING = "pending", _("Under study")
        ADOPTED = "adopted", pgettext_lazy("suggestion", "Adopted")
        PARTLY = "partly", _("Partly adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted, with reasons")

    campaign = models.ForeignKey(Campaign, verbose_name=_("三民 campaign"),
                                 on_delete=models.CASCADE, related_name="suggestions")
    name = models.CharField(_("real name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=32)
    theme = models.CharField(_("theme"), max_length=12, choices=SuggestionTheme.choices)
    title = models.CharField(_("title"), max_length=200)
    content = models.TextField(_("suggestion"), max_length=5000)
    submitted_at = models.DateTimeField(_("submitted at"))
    answer = models.TextField(_("official answer"), blank=True)
    answered_by = models.ForeignKey("org.HandlingUnit", verbose_name=_("answered by"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    adoption = models.CharField(_("adoption"), max_length=12, choices=Adoption.choices, default=Adoption.PENDING)
    excellent = models.BooleanField(_("selected as excellent"), default=False)
    # The public form's hidden token: the same form posted twice makes one suggestion.
    submission_token = models.UUIDField(_("submission token"), null=True, blank=True, unique=True,
                                        editable=False)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self) -> str:
        return self.title


class ReportGroup(models.Model):
    """One of the four groups of departments reporting publicly (述职)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("三民 campaign"),
                                 on_delete=models.CASCADE, related_name="groups")
    name = models.CharField(_("name"), max_length=100)
    scheduled_at = models.DateTimeField(_("scheduled at"))
    venue = models.CharField(_("venue"), max_length=200)
    video_url = models.URLField(_("live stream / video"), blank=True)
    departments = models.ManyToManyField("org.HandlingUnit", verbose_name=_("departments"),
                                         through="DepartmentReport", related_name="+")

    class Meta:
        ordering = ["scheduled_at"]
        verbose_name = _("report group")
        verbose_name_plural = _("report groups")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # The draw gives every representative the campaign's groups and creates the counters of their
        # departments: a group added or moved afterwards would be missing from every paper (docs/sanmin.md).
        if self.pk is None:
            campaign = Campaign.objects.filter(pk=self.campaign_id).first()
            if campaign is not None and campaign.drawn_at:
                raise ValidationError({"campaign": DRAWN_GROUPS_FIXED})
        else:
            before = ReportGroup.objects.select_related("campaign").get(pk=self.pk)
            if before.campaign_id != self.campaign_id and before.campaign.drawn_at:
                raise ValidationError({"campaign": DRAWN_GROUPS_FIXED})


DRAWN_GROUPS_FIXED = _("The representatives have been drawn: the report groups and their departments can no "
                       "longer change (every ballot paper was made from them).")


class DepartmentReport(models.Model):
    group = models.ForeignKey(ReportGroup, verbose_name=_("report group"),
                              on_delete=models.CASCADE, related_name="reports")
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("department"), on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("report summary"), blank=True)
    document = models.FileField(_("report document"), upload_to="sanmin/", blank=True)

    class Meta:
        verbose_name = _("department report")
        verbose_name_plural = _("department reports")
        constraints = [models.UniqueConstraint(fields=["group", "unit"], name="one_report_per_department")]

    def __str__(self) -> str:
        return _("Report of %(unit)s") % {"unit": self.unit.name}

    def clean(self):
        # A department added after the draw has no counters: a ballot rating it would use up the code and
        # then fail to count. Its summary and document may still change (they are published, not voted on).
        drawn = Campaign.objects.filter(groups=self.group_id, drawn_at__isnull=False).exists()
        if not drawn:
            return
        if self.pk is None:
            raise ValidationError({"unit": DRAWN_GROUPS_FIXED})
        before = DepartmentReport.objects.get(pk=self.pk)
        if (before.group_id, before.unit_id) != (self.group_id, self.unit_id):
            raise ValidationError({"unit": DRAWN_GROUPS_FIXED})


class Candidate(models.Model):
    """A person in the pool the representatives are drawn from (imported from a spreadsheet)."""

    class Source(models.TextChoices):
        POOL = "pool", _("Random draw pool")
        RECOMMENDED = "recommended", _("Recommended by an organisation")
        VOLUNTEER = "volunteer", _("Volunteer")

    campaign = models.ForeignKey(Campaign, verbose_name=_("三民 campaign"),
                                 on_delete=models.CASCADE, related_name="candidates")
    external_id = models.CharField(_("pool id"), max_length=40)
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=32)
    district = models.ForeignKey("org.Area", verbose_name=_("district"), on_delete=models.PROTECT, related_name="+")
    sector = models.CharField(_("sector or identity"), max_length=40)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.POOL)

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidate pool")
        # Export of the pool (names, mobile phones) is not a permission: only the campaign's organiser
        # may take it out (Campaign.organiser, evaluation/admin.py).
        permissions = [("import_candidate", _("Can import the candidate pool from a spreadsheet"))]
        constraints = [models.UniqueConstraint(fields=["campaign", "external_id"], name="candidate_unique_id")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # The pool's hash is published before the draw and checked by anyone afterwards: once it is out, the
        # random-draw pool is fixed; once the draw has taken place, every candidate is (the recommended and the
        # volunteers got their codes at the draw, and one added later would never get one). docs/sanmin.md.
        super().clean()
        campaign = Campaign.objects.filter(pk=self.campaign_id).first() if self.campaign_id else None
        if campaign is None:
            return
        if campaign.drawn_at:
            raise ValidationError(_("The draw has taken place: the candidates can no longer change."))
        was_pool = self.pk is not None and Candidate.objects.filter(pk=self.pk, source=self.Source.POOL).exists()
        if campaign.commitment_published_at and (self.source == self.Source.POOL or was_pool):
            raise ValidationError(_("The pool's hash was published: the random-draw pool can no longer change."))


class Representative(models.Model):
    """A citizen representative. `has_voted` is kept here, apart from the ballots:
    nothing in the tally points back to a representative (docs/sanmin.md)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("三民 campaign"),
                                 on_delete=models.CASCADE, related_name="representatives")
    candidate = models.OneToOneField(Candidate, verbose_name=_("candidate"),
                                     on_delete=models.PROTECT, related_name="representative")
    groups = models.ManyToManyField(ReportGroup, verbose_name=_("report groups heard"), blank=True, related_name="+")
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    has_voted = models.BooleanField(_("has voted"), default=False)

    class Meta:
        verbose_name = _("representative")
        verbose_name_plural = _("representatives")

    def __str__(self) -> str:
        return _("Citizen representative %(name)s") % {"name": self.candidate.name}


class TallyCell(models.Model):
    """The secret ballot, aggregated: one counter per department and rating. Created
    for every department and rating before voting opens, so neither ids nor row
    order say anything about who voted when; no foreign key, hash or time links a
    counter to a voter."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("三民 campaign"),
                                 on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("unit"),
                             on_delete=models.PROTECT, related_name="+")
    choice = models.CharField(_("rating"), max_length=12)
    count = models.PositiveIntegerField(_("votes"), default=0)

    class Meta:
        verbose_name = _("tally cell")
        verbose_name_plural = _("tally cells")
        constraints = [models.UniqueConstraint(fields=["campaign", "unit", "choice"], name="one_tally_cell")]

    def __str__(self) -> str:
        return f"{self.unit.name} · {self.choice}: {self.count}"


class SpentBallotToken(models.Model):
    """A ballot token that has been dropped in the box: only its hash, so the same
    token counts once. Nothing else: no representative, no time, no sequence (the hash
    is the key). The token is signed when the code is used and written here only when
    the ballot is counted, in that second transaction (docs/sanmin.md, "Row versions")."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("三民 campaign"),
                                 on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(_("token hash"), max_length=64, primary_key=True)

    class Meta:
        verbose_name = _("counted ballot")
        verbose_name_plural = _("counted ballots")

    def __str__(self) -> str:
        return _("Counted ballot %(hash)s…") % {"hash": self.token_hash[:8]}


class Snapshot(models.Model):
    """Stored figures of a period, so that the dashboards and bulletins read one row instead of a month of
    petitions and ratings (issue 20; evaluation.snapshots and evaluation.aggregates.rating_counts).

    - `ratings:<first>:<last>`: the 解决率/满意率 counters of the petitions rated in the period whose ratings
      are all before `as_of`; the petitions rated since are counted at read time, so the figures stay exact;
    - `analysis:<first>:<last>`: the problem analysis of the period (top items, hotspots, repeated matters,
      keywords);
    - `series:<first>:<last>`: the 12-month chart's closed months; `topics:<day>`: the topics' counts.

    A period that ended before `as_of` (and, for the analysis, whose days are all refreshed) is final."""

    key = models.CharField(_("key"), max_length=100, unique=True)
    first = models.DateField(_("from"))
    last = models.DateField(_("to"))
    as_of = models.DateTimeField(_("as of"))
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("stored figures")
        verbose_name_plural = _("stored figures")
