"""Open government (政务公开): policies with their interpretations, policy Q&A,
and information requests on their legal clock (依申请公开)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib import labels


class Theme(models.TextChoices):
    """22 themes (DOMAIN.md section 10)."""

    EMPLOYMENT = "employment", _("Employment and social security")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health care")
    HOUSING = "housing", _("Housing")
    TRANSPORT = "transport", _("Transport")
    ENVIRONMENT = "environment", _("Environment")
    BUSINESS = "business", _("Business environment")
    TAX = "tax", _("Taxes and fees")
    AGRICULTURE = "agriculture", _("Agriculture and rural areas")
    CULTURE = "culture", _("Culture and tourism")
    ELDERLY = "elderly", _("Elderly care")
    CHILDREN = "children", _("Children and families")
    DISABILITY = "disability", _("People with disabilities")
    VETERANS = "veterans", _("Veterans")
    SAFETY = "safety", _("Public safety")
    MARKET = "market", _("Market and consumers")
    URBAN = "urban", _("Urban management")
    PLANNING = "planning", _("Land and planning")
    WATER = "water", _("Water, power, gas and heating")
    TALENT = "talent", _("Talent")
    SCIENCE = "science", _("Science and innovation")
    GOVERNMENT = "government", _("Government affairs")


class Policy(models.Model):
    number = models.CharField(_("document number"), max_length=60, unique=True, help_text=_("文号, e.g. 青政发〔2026〕3号"))
    title = models.CharField(_("title"), max_length=200)
    issuer = models.ForeignKey("org.HandlingUnit", verbose_name=_("issuing body"), on_delete=models.PROTECT,
                               related_name="policies")
    issued_on = models.DateField(_("issued on"))
    effective_on = models.DateField(_("in force from"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    text = models.TextField(_("full text"))
    interpretation_title = models.CharField(_("interpretation title"), max_length=200, blank=True)
    interpretation = models.TextField(_("plain-language interpretation"), blank=True)
    attachment = models.FileField(_("attachment"), upload_to="policies/", blank=True,
                                  help_text=_("The signed document or its annexes (PDF)."))
    published = models.BooleanField(_("published"), default=True)

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"


class Question(models.Model):
    """Policy Q&A (政策问答): a plain-language answer to a frequent question."""

    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"))
    policy = models.ForeignKey(Policy, verbose_name=_("policy"), null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="questions")
    theme = models.CharField(_("theme"), max_length=16, choices=Theme.choices)
    district = models.ForeignKey("org.Area", verbose_name=_("district"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.HandlingUnit", verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    # Counted, never typed in: each visitor's view and vote once (lib/counting.py); "most asked" is
    # selectors.questions_most_asked.
    views = models.PositiveIntegerField(_("views"), default=0, editable=False)
    helpful = models.PositiveIntegerField(_("helpful"), default=0, editable=False)
    not_helpful = models.PositiveIntegerField(_("not helpful"), default=0, editable=False)

    class Meta:
        ordering = ["-views", "pk"]
        verbose_name = _("policy question")
        verbose_name_plural = _("policy Q&A")

    def __str__(self) -> str:
        return self.question


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    CORRECTION = "correction", _("Waiting for the applicant's correction")
    CONSULTING = "consulting", _("Consulting a third party")
    ANSWERED = "answered", _("Answered")
    FEE_DUE = "fee_due", _("Answered, fee to pay")
    ABANDONED = "abandoned", _("Treated as abandoned")


class AnswerType(models.TextChoices):
    """Art. 36, grouped as the annual OGI report tabulates them."""

    ALREADY_PUBLIC = "already_public", _("Already public: where to find it")
    DISCLOSED = "disclosed", _("Disclosed")
    PARTLY = "partly", _("Partly disclosed")
    NOT_DISCLOSED = "not_disclosed", _("Not disclosed (legal reason)")
    NOT_HELD = "not_held", _("Does not exist: not held by this body")
    NEEDS_CREATION = "needs_creation", _("Cannot be provided: would have to be created")
    UNCLEAR = "unclear", _("Cannot be provided: still unclear after correction")
    NOT_THIS_BODY = "not_this_body", _("Not this body's: the right body named")
    REPEAT = "repeat", _("Repeat request: not processed again")
    PETITION = "petition", _("Not handled: a petition, complaint or report")
    PUBLISHED_MATERIAL = "published_material", _("Not handled: asks for published material")
    MASS = "mass", _("Not handled: unreasonable mass requests")
    CONFIRMATION = "confirmation", _("Not handled: asks to confirm or explain information")
    SPECIAL_REGISTER = "special_register", _("Special register: follows its own law")
    OTHER = "other", _("Other")


class WithholdReason(models.TextChoices):
    """The eight reasons for non-disclosure in the annual report (Art. 14-16)."""

    STATE_SECRET = "state_secret", _("State secret")
    OTHER_LAW = "other_law", _("Prohibited by another law or regulation")
    SECURITY = "security", _("Endangers security or stability")
    THIRD_PARTY = "third_party", _("Harms a third party's lawful rights")
    INTERNAL = "internal", _("Internal affairs")
    PROCESS = "process", _("Process information")
    ENFORCEMENT = "enforcement", _("Law-enforcement file")
    QUERY = "query", _("Administrative query")


class RequestCounter(models.Model):
    """Allocates the day's request numbers: YSQ202611230042. The row is locked for the
    rest of the submitting transaction (`services._allocate_number`)."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return _("Request numbers of %(day)s: %(last)s issued") % {"day": labels.day(self.day), "last": self.last}


class InfoRequest(models.Model):
    """An application for government information (依申请公开) and its legal clock."""

    class Via(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        MAIL = "mail", _("Registered mail")

    number = models.CharField(_("request number"), max_length=20, unique=True)
    applicant_name = models.CharField(_("applicant"), max_length=100)
    applicant_phone = models.CharField(_("phone"), max_length=32)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    description = models.TextField(_("information requested"), max_length=5000)
    via = models.CharField(_("submitted"), max_length=10, choices=Via.choices, default=Via.ONLINE)
    submitted_at = models.DateTimeField(_("submitted at"))
    # Art. 31: in person, the day submitted; by mail, the day signed for; online, the day confirmed.
    received_on = models.DateField(_("received on (Art. 31)"))
    status = models.CharField(_("status"), max_length=12, choices=RequestStatus.choices,
                              default=RequestStatus.RECEIVED)
    due_on = models.DateField(_("answer due"), db_index=True)
    correction_sent_on = models.DateField(_("correction notice sent"), null=True, blank=True)
    correction_text = models.TextField(_("what to add"), blank=True)
    correction_until = models.DateField(_("correction due"), null=True, blank=True)
    corrected_on = models.DateField(_("corrected on"), null=True, blank=True)
    # Art. 30: the answer period restarts from the corrected request; the legal receipt date (Art. 31) stays.
    clock_restarted_on = models.DateField(_("answer period restarted on"), null=True, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+")
    consultation_started_on = models.DateField(_("third-party consultation from"), null=True, blank=True)
    # Art. 32: the third party's 15 working days; past them its silence is recorded and the clock resumes.
    consultation_due_on = models.DateField(_("third party's opinion due"), null=True, blank=True)
    consulted_workdays = models.PositiveSmallIntegerField(_("working days in consultation"), default=0)
    answer_type = models.CharField(_("answer"), max_length=20, choices=AnswerType.choices, blank=True)
    withhold_reason = models.CharField(_("reason withheld"), max_length=16, choices=WithholdReason.choices, blank=True)
    answer_text = models.TextField(_("answer text"), blank=True)
    where_published = models.CharField(_("where published"), max_length=300, blank=True)
    right_body = models.CharField(_("the right body"), max_length=200, blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    fee = models.PositiveIntegerField(_("fee (yuan)"), default=0)
    fee_due_on = models.DateField(_("fee due"), null=True, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)
    # Raising it revokes the personal links sent to the applicant (disclosure.messages).
    link_version = models.PositiveSmallIntegerField(default=1, editable=False)
    # The online form's hidden token: the same form posted twice makes one request.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        permissions = [("approve_extension", _("Can approve an extension (head of the disclosure office)"))]
        indexes = [
            # disclosure.services.sweep: requests whose answer fell due unanswered.
            models.Index(fields=["due_on"], name="inforequest_due_idx",
                         condition=Q(status__in=["received", "consulting"], overdue_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.number


class RequestEvent(models.Model):
    """The request's history: append-only."""

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    kind = models.CharField(_("event"), max_length=20)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} · {labels.when(self.at)}"


class Project(models.Model):
    """One of the year's practical projects (市办实事), with its quantified target."""

    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    lead_unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("lead unit"), on_delete=models.PROTECT,
                                  related_name="+")
    co_units = models.ManyToManyField("org.HandlingUnit", verbose_name=_("co-units"), blank=True, related_name="+")
    implementing_units = models.ManyToManyField("org.HandlingUnit", verbose_name=_("implementing units"), blank=True,
                                                related_name="+")
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    measure = models.CharField(_("unit of measure"), max_length=20, help_text=_("e.g. 个, 公里, 户"))
    third_party_evaluation = models.BooleanField(_("third-party evaluation"), default=False)

    class Meta:
        ordering = ["-year", "id"]
        verbose_name = _("practical project")
        verbose_name_plural = _("practical projects")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class ProjectItem(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("item"), max_length=200)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2)
    achieved = models.DecimalField(_("achieved"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("project item")
        verbose_name_plural = _("project items")

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """A scheduled progress report (公开挂牌): due on a date, filled by the lead unit."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    due_on = models.DateField(_("due on"))
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    text = models.TextField(_("report"), blank=True)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [models.CheckConstraint(name="progress_percent_range", condition=Q(percent__lte=100))]

    def __str__(self) -> str:
        return _("Progress report due %(day)s") % {"day": labels.day(self.due_on)}


class Event(models.Model):
    class Kind(models.TextChoices):
        OPEN_DAY = "open_day", _("Government open day")
        PRESS = "press", _("Press conference")
        INSPECTION = "inspection", _("Citizen inspection of a practical project")
        MEETING_SEAT = "meeting_seat", _("Citizen seat at an executive meeting")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    project = models.ForeignKey(Project, verbose_name=_("project"), null=True, blank=True, on_delete=models.CASCADE,
                                related_name="events")
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200)
    capacity = models.PositiveIntegerField(_("places"))
    signup_closes_at = models.DateTimeField(_("sign-up closes at"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("public event")
        verbose_name_plural = _("public events")

    def __str__(self) -> str:
        return self.title


class Signup(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="signups")
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=32)
    created_at = models.DateTimeField(_("signed up at"))
    score = models.PositiveSmallIntegerField(_("rating (1-5)"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The sign-up form's hidden token: posted twice, the second post finds this row.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [models.UniqueConstraint(fields=["event", "phone"], name="one_signup_per_phone"),
                       models.CheckConstraint(name="signup_score_range",
                                              condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5))]

    def __str__(self) -> str:
        return _("Sign-up of %(name)s, %(at)s") % {"name": self.name, "at": labels.when(self.created_at)}
