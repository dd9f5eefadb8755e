"""Open government (政务公开): policies with their interpretations, policy Q&A,
and information requests on their legal clock (依申请公开)."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

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


class Validity(models.TextChoices):
    """A policy's validity as the public sees it (DOMAIN.md section 10)."""

    # English msgids (the Chinese in the zh_Hans catalogue); with a context, as knowledge's "In force" reads 有效.
    VALID = "valid", pgettext_lazy("policy validity", "In force")
    AMENDED = "amended", pgettext_lazy("policy validity", "Amended")
    EXPIRED = "expired", pgettext_lazy("policy validity", "Expired")


class PolicyQuerySet(models.QuerySet):
    def with_validity(self, validity: str, today):
        """Filter by validity as shown: a policy marked valid whose `valid until` has passed is expired."""
        lapsed = Q(expires_on__lt=today)
        if validity == Validity.VALID:
            return self.filter(validity=Validity.VALID).exclude(lapsed)
        if validity == Validity.EXPIRED:
            return self.filter(Q(validity=Validity.EXPIRED) | (Q(validity=Validity.VALID) & lapsed))
        if validity == Validity.AMENDED:
            return self.filter(validity=Validity.AMENDED)
        return self


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
    validity = models.CharField(_("validity"), max_length=8, choices=Validity.choices, default=Validity.VALID,
                                help_text=_("Amended: name the amending document. A valid policy past its "
                                            "“valid until” date is shown as expired."))
    amended_by = models.ForeignKey("self", verbose_name=_("amended or replaced by"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="amends")

    objects = PolicyQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")

    def __str__(self) -> str:
        return f"{self.title}（{self.number}）"

    def clean(self):
        """The admin's checks (field by field): an amended policy names its amending document, which is another
        one; it lapses no earlier than it comes into force."""
        super().clean()
        errors = {}
        if self.validity == Validity.AMENDED and self.amended_by_id is None:
            errors["amended_by"] = _("Name the document that amends or replaces it.")
        elif self.amended_by_id is not None and self.pk is not None and self.amended_by_id == self.pk:
            errors["amended_by"] = _("A policy cannot amend itself.")
        if self.expires_on and self.effective_on and self.expires_on < self.effective_on:
            errors["expires_on"] = _("A policy cannot lapse before it comes into force.")
        if errors:
            raise ValidationError(errors)

    def validity_on(self, today) -> str:
        if self.validity == Validity.VALID and self.expires_on and self.expires_on < today:
            return Validity.EXPIRED
        return self.validity

    def get_validity_on_display(self, today) -> str:
        return Validity(self.validity_on(today)).label


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


class Body(models.Model):
    """An open-government body (Art. 29: an application is addressed to one): each city department
    and district government. Its officers and head are the users of its unit; the city's office
    (`supervises_all`) sees every body's requests."""

    unit = models.OneToOneField("org.HandlingUnit", verbose_name=_("unit"), on_delete=models.PROTECT,
                                related_name="disclosure_body")
    supervises_all = models.BooleanField(_("supervises every body (the city's office)"), default=False)
    address = models.CharField(_("address for in-person and postal requests"), max_length=200, blank=True)
    is_active = models.BooleanField(_("accepts requests"), default=True)

    class Meta:
        ordering = ["unit__kind", "unit__code"]
        verbose_name = _("open-government body")
        verbose_name_plural = _("open-government bodies")

    def __str__(self) -> str:
        return self.unit.name


class RequestStatus(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("information request status", "Received")
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


# The answers that withhold information and must give one of the legal reasons (Art. 36, 37); no other answer
# carries a reason (a full disclosure's letter once printed "不予公开的法律依据：属于国家秘密").
WITHHOLDING = frozenset({AnswerType.NOT_DISCLOSED, AnswerType.PARTLY})


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


class ApplicantType(models.TextChoices):
    PERSON = "person", _("Natural person")
    ORGANISATION = "organisation", _("Legal person or other organisation")


class OrganisationKind(models.TextChoices):
    """The columns of the national annual-report template for legal persons and other organisations."""

    COMMERCIAL = "commercial", _("Commercial enterprise")
    RESEARCH = "research", _("Research institution")
    WELFARE = "welfare", _("Social welfare organisation")
    LAW_FIRM = "law_firm", _("Law firm or legal service")
    OTHER = "other", _("Other organisation")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAU = "hk_macau", _("Mainland travel permit for Hong Kong and Macao residents")
    TAIWAN = "taiwan", _("Mainland travel permit for Taiwan residents")
    USCC = "uscc", _("Unified social credit code")


class DeliveryForm(models.TextChoices):
    PAPER = "paper", _("Paper")
    ELECTRONIC = "electronic", _("Electronic")


class DeliveryWay(models.TextChoices):
    POST = "post", _("By post")
    PICK_UP = "pick_up", _("Pick up in person")
    EMAIL = "email", _("By e-mail")
    ONLINE = "online", _("Online, on the request's page")


class AbandonReason(models.TextChoices):
    NO_CORRECTION = "no_correction", _("Not corrected in time")
    FEE_UNPAID = "fee_unpaid", _("Fee not paid in time")


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
    # Art. 29: addressed to one body. Empty only on requests made before bodies existed.
    body = models.ForeignKey(Body, verbose_name=_("addressed to"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="requests")
    applicant_type = models.CharField(_("applicant type"), max_length=12, choices=ApplicantType.choices,
                                      default=ApplicantType.PERSON)
    organisation_kind = models.CharField(_("kind of organisation"), max_length=12, choices=OrganisationKind.choices,
                                         blank=True)
    applicant_name = models.CharField(_("applicant"), max_length=100)
    id_type = models.CharField(_("identity document"), max_length=12, choices=IdType.choices, blank=True)
    id_number = models.CharField(_("document number"), max_length=32, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=32)
    applicant_email = models.EmailField(_("e-mail"), blank=True)
    applicant_address = models.CharField(_("postal address"), max_length=200, blank=True)
    description = models.TextField(_("information requested"), max_length=5000)
    delivery_form = models.CharField(_("form of delivery"), max_length=10, choices=DeliveryForm.choices,
                                     default=DeliveryForm.ELECTRONIC)
    delivery_way = models.CharField(_("way of delivery"), max_length=8, choices=DeliveryWay.choices,
                                    default=DeliveryWay.ONLINE)
    forwarded_from = models.ForeignKey("self", verbose_name=_("forwarded from"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="forwards")
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
    # Art. 30: what the applicant sent back (from their status page, or by hand or post, entered by the office).
    corrected_text = models.TextField(_("corrected request"), max_length=5000, blank=True)
    # Art. 30: the answer period restarts from the corrected request; the legal receipt date (Art. 31) stays.
    clock_restarted_on = models.DateField(_("answer period restarted on"), null=True, blank=True)
    # Art. 33: the officer asks, the head of the disclosure office approves (or refuses).
    extension_asked_days = models.PositiveSmallIntegerField(_("extension asked (working days)"), default=0)
    extension_reason = models.CharField(_("reason for the extension"), max_length=300, blank=True)
    extension_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    extension_approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                              on_delete=models.SET_NULL, related_name="+",
                                              verbose_name=_("extension approved by"))
    third_party = models.CharField(_("third party consulted"), max_length=200, blank=True)
    consultation_question = models.TextField(_("what the third party is asked"), blank=True)
    consultation_started_on = models.DateField(_("third-party consultation from"), null=True, blank=True)
    # Art. 32: the third party's 15 working days; past them its silence is recorded and the clock resumes.
    consultation_due_on = models.DateField(_("third party's opinion due"), null=True, blank=True)
    consulted_workdays = models.PositiveSmallIntegerField(_("working days in consultation"), default=0)
    answer_type = models.CharField(_("answer"), max_length=20, choices=AnswerType.choices, blank=True)
    withhold_reason = models.CharField(_("reason withheld"), max_length=16, choices=WithholdReason.choices, blank=True)
    answer_text = models.TextField(_("answer text"), blank=True)
    where_published = models.CharField(_("where published"), max_length=300, blank=True)
    right_body = models.CharField(_("the right body"), max_length=200, blank=True)
    right_body_ref = models.ForeignKey(Body, verbose_name=_("the right body on the portal"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    fee = models.PositiveIntegerField(_("fee (yuan)"), default=0)
    fee_due_on = models.DateField(_("fee due"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    abandon_reason = models.CharField(_("why abandoned"), max_length=16, choices=AbandonReason.choices, blank=True)
    # The day the request left the office's hands (answered free, fee paid, abandoned): the annual report counts it then.
    closed_on = models.DateField(_("closed on"), null=True, blank=True, db_index=True)
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

    @property
    def extension_waiting(self) -> bool:
        """An extension asked and waiting for the head's decision, which can be taken now (Art. 33)."""
        return bool(self.extension_asked_days) and self.status in EXTENSION_DECIDABLE

    @property
    def withholds(self) -> bool:
        """The answer withholds information on a legal reason (the letter and the applicant's page say which)."""
        return self.answer_type in WITHHOLDING and bool(self.withhold_reason)


# The statuses in which an extension is asked and decided: the answer period is running (or paused by a
# consultation, which still counts towards it).
EXTENSION_DECIDABLE = frozenset({RequestStatus.RECEIVED, RequestStatus.CONSULTING})


class RequestEventKind(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("information request event", "Received")
    CORRECTION = "correction", _("Correction notice sent")
    CORRECTED = "corrected", _("Corrected request received")
    EXTENSION_ASKED = "extension_asked", _("Extension asked")
    EXTENSION_REFUSED = "extension_refused", _("Extension refused")
    EXTENDED = "extended", _("Extended")
    CONSULTING = "consulting", _("Third party consulted")
    CONSULTED = "consulted", _("Consultation over")
    ANSWERED = "answered", _("Answered")
    PAID = "paid", _("Fee paid")
    ABANDONED = "abandoned", _("Treated as abandoned")
    REOPENED = "reopened", _("Reopened: the correction had arrived in time")
    FORWARDED = "forwarded", _("Forwarded to the right body")
    NOTICE_PRINTED = "notice_printed", _("Notice printed")


def _choice(choices):
    def show(value) -> str:
        return str(dict(choices).get(value, value))
    return show


def _yes_no(value) -> str:
    return str(_("yes") if value else _("no"))


# RequestEvent.data's keys (disclosure.services._record), as the history shows them: label and how the value reads.
EVENT_DATA_LABELS = {
    "via": (_("arrived"), _choice([*InfoRequest.Via.choices, ("office", _("Recorded by the office"))])),
    "received_on": (_("received on (Art. 31)"), None),
    "due_on": (_("answer due"), None),
    "until": (_("correction due"), None),
    "arrived_on": (_("arrived on"), None),
    "abandoned_on": (_("abandoned on"), None),
    "dropped_consulted_workdays": (_("consultation days no longer counted (working days)"), None),
    "dropped_extension_days": (_("extension of the old period dropped (working days)"), None),
    "dropped_extension_asked_days": (_("extension asked for the old period dropped (working days)"), None),
    "extension_ask_withdrawn": (_("extension asked, withdrawn (working days)"), None),
    "days": (_("working days"), None),
    "opinion_due": (_("third party's opinion due"), None),
    "silent": (_("the third party stayed silent"), _yes_no),
    "answer_type": (_("answer"), _choice(AnswerType.choices)),
    "fee": (_("fee (yuan)"), None),
    "pages": (_("pages"), None),
    "to": (_("new request"), None),
}


class RequestEvent(models.Model):
    """The request's history: typed and append-only."""

    request = models.ForeignKey(InfoRequest, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("by"))
    kind = models.CharField(_("event"), max_length=20, choices=RequestEventKind.choices)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("request event")
        verbose_name_plural = _("request history")

    def __str__(self) -> str:
        return self.get_kind_display()

    def details(self) -> list[tuple[str, str]]:
        """The event's data as (label, value) in the reader's language: dates, days, how it arrived... (the
        history shows these, never the raw JSON). A key not known here is shown as it is."""
        rows = []
        for key, value in (self.data or {}).items():
            if value is None or value == "":
                continue
            label, show = EVENT_DATA_LABELS.get(key, (key, None))
            rows.append((str(label), show(value) if show else str(value)))
        return rows

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("a request's history is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("a request's history is append-only")


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
    evaluator = models.CharField(_("evaluated by"), max_length=200, blank=True)
    evaluation_summary = models.TextField(_("evaluation result"), blank=True)
    evaluation_score = models.DecimalField(_("evaluation score"), max_digits=5, decimal_places=2, null=True,
                                           blank=True)
    evaluation_file = models.FileField(_("evaluation report"), upload_to="projects/evaluations/", blank=True)
    evaluation_published_on = models.DateField(_("evaluation published on"), null=True, blank=True,
                                               help_text=_("Shown on the public project page from this day."))

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
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("reported by"))
    # Not in by its date: the lead unit is reminded, then (PROJECT_REPORT_GRACE_DAYS later) it is supervised.
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True)
    supervised_at = models.DateTimeField(_("sent to supervision at"), null=True, blank=True)
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
