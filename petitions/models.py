"""The petition (诉求), its append-only history, attachments and ratings.

The status is governed by `petitions.transitions.TRANSITIONS` and changed only
by `petitions.services.petition_transition`, which records every change in
PetitionEvent in the same transaction.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Right
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lib import labels


class Channel(models.TextChoices):
    PHONE = "phone", _("12345 hotline")
    WEB = "web", _("Website")
    WECHAT = "wechat", _("WeChat / mini-program")
    MAYOR_MAILBOX = "mayor_mailbox", _("Mayor's mailbox")
    PEOPLES_DAILY = "peoples_daily", _("People's Daily leaders' message board")
    MEDIA = "media", _("Newspaper and TV hotlines")
    PETITION_BUREAU = "petition_bureau", _("Petition bureau")
    POLICE_110 = "police_110", _("110 non-emergency transfer")
    GRID = "grid", pgettext_lazy("channel", "Grid worker")
    ENTERPRISE = "enterprise", _("Enterprise service line")
    API = "api", _("Integrated system (API)")


# Items from these channels are screened first (初筛, DOMAIN.md section 3).
MEDIA_CHANNELS = frozenset({Channel.PEOPLES_DAILY, Channel.MEDIA})


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("Consultation")
    HELP = "help", _("Request for help")
    COMPLAINT = "complaint", _("Complaint")
    REPORT = "report", _("Report of wrongdoing")
    SUGGESTION = "suggestion", _("Suggestion")
    PRAISE = "praise", _("Praise")


class Stream(models.TextChoices):
    """The four streams media items are screened into (DOMAIN.md section 3)."""

    GOVERNMENT_SERVICE = "government_service", _("Government service")
    PUBLIC_OPINION = "public_opinion", _("Public-opinion supervision")
    PETITION_MATTER = "petition_matter", _("Petition-bureau matter")
    DISCIPLINE = "discipline", _("Discipline inspection")


class Status(models.TextChoices):
    SCREENING = "screening", _("Awaiting screening")
    ROUTED_OUT = "routed_out", _("Routed to another body")
    RECEIVED = "received", _("Received, awaiting dispatch")
    CLOSED_ON_SPOT = "closed_on_spot", _("Answered on the spot")
    CONSULTATION = "consultation", _("In joint consultation")
    DISPATCHED = "dispatched", _("Dispatched, awaiting sign-for")
    IN_PROGRESS = "in_progress", _("Being handled")
    REPLIED = "replied", _("Answered, under platform review")
    CALLBACK = "callback", _("Answered, awaiting your rating")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another petition")


OPEN_STATUSES = frozenset(
    {Status.SCREENING, Status.RECEIVED, Status.CONSULTATION, Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED, Status.CALLBACK}
)
# While the lead unit holds the petition (dispatched, being handled, its answer under review) its handling deadline
# is when the citizen may expect the answer; before dispatch there is none yet, and from `callback` on the answer
# is out. The tracking page and API (petitions.selectors.lead_clock) and the public record (petitions.publication)
# read it in these statuses only.
LEAD_CLOCK_STATUSES = frozenset({Status.DISPATCHED, Status.IN_PROGRESS, Status.REPLIED})


# The tracking number: yyyymmdd and a daily sequence (petitions.services.petition_file), ASCII digits only. A number
# from a URL is checked against it before any query (a NUL byte reached PostgreSQL as a 500).
NUMBER_PATTERN = r"[0-9]{14,16}"

# The statuses' labels speak to the citizen ("awaiting your rating"); staff pages (a unit's petition, the dispatcher's
# console) name the same status as staff read it.
STAFF_STATUS_LABELS = {
    Status.CALLBACK: _("Answer published, awaiting the citizen's rating"),
}


def staff_status_label(value: str) -> str:
    """A petition's status as staff pages name it."""
    if value in STAFF_STATUS_LABELS:
        return str(STAFF_STATUS_LABELS[value])
    return str(dict(Status.choices).get(value, value))


class CloseReason(models.TextChoices):
    RATED = "rated", _("Rated by the citizen")
    UNREACHABLE = "unreachable", _("Could not be reached (无法联系): not rated")


class ComplainantType(models.TextChoices):
    PERSON = "person", pgettext_lazy("complainant", "Citizen")
    ENTERPRISE = "enterprise", _("Enterprise")


class Petition(models.Model):
    number = models.CharField(_("tracking number"), max_length=20, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, editable=False, db_index=True)
    stream = models.CharField(_("screening stream"), max_length=24, choices=Stream.choices, blank=True)
    routed_to = models.CharField(_("routed to"), max_length=100, blank=True)

    classification = models.ForeignKey(
        "org.Classification", verbose_name=_("classification"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="petitions",
    )
    area = models.ForeignKey("org.Area", verbose_name=_("area"), on_delete=models.PROTECT, related_name="petitions")
    # The district the area lies in, kept on the row because every report groups by it
    # (万人诉求比 and the monthly bulletin per district, supervision by district).
    district = models.ForeignKey("org.Area", verbose_name=_("district"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+", editable=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    title = models.CharField(_("title"), max_length=100)
    content = models.TextField(_("content"), max_length=5000)

    complainant_type = models.CharField(
        _("complainant type"), max_length=12, choices=ComplainantType.choices, default=ComplainantType.PERSON
    )
    complainant_name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    complainant_phone = models.CharField(_("phone"), max_length=32, db_index=True)
    complainant_id_number = models.CharField(_("ID number"), max_length=18, blank=True)
    enterprise_name = models.CharField(_("enterprise name"), max_length=100, blank=True)
    confidential = models.BooleanField(
        _("keep my identity confidential"), default=False,
        help_text=_("Only the hotline platform sees who you are; the handling unit does not."),
    )

    # DOMAIN.md section 13: the citizen's own words and address are published only with their consent,
    # and then only with personal data masked (petitions.publication).
    publish_consent = models.BooleanField(
        _("may be published"), default=False, db_default=False,
        help_text=_("My words and address may be shown on the public site, with names, phone numbers and "
                    "other personal data masked."),
    )

    # The language the citizen filed in: their messages are written in it.
    language = models.CharField(_("language"), max_length=8, default="zh-hans", db_default="zh-hans", editable=False)
    # Raising it revokes every personal link sent to the citizen so far (petitions.links).
    link_version = models.PositiveSmallIntegerField(_("link version"), default=1, db_default=1, editable=False)

    received_at = models.DateTimeField(_("received at"), db_index=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    handling_round = models.PositiveSmallIntegerField(_("handling round"), default=1, editable=False)
    # The round whose answer the citizen was last reminded to rate (dispatch.sweeps.remind_callbacks).
    callback_reminded_round = models.PositiveSmallIntegerField(_("callback reminder round"), default=0, db_default=0,
                                                               editable=False)
    # The callback's clock (回访, PORTAL_CALLBACK_WORKING_DAYS): set when the answer is published;
    # past it, dispatch.sweeps.sweep_callbacks puts the petition in the supervision pool once.
    callback_due_at = models.DateTimeField(_("callback due"), null=True, blank=True, editable=False)
    callback_overdue_at = models.DateTimeField(_("callback overdue since"), null=True, blank=True, editable=False)
    # How a CLOSED petition closed: rated by the citizen, or the citizen could not be reached
    # (无法联系) after PORTAL_CALLBACK_MAX_ATTEMPTS failed callbacks: then it has no rating and counts
    # as not rated (neither satisfied nor unsatisfied) in every rate.
    close_reason = models.CharField(_("closed as"), max_length=12, choices=CloseReason.choices, blank=True,
                                    default="", db_default="", editable=False)

    # Repeats and merges (dispatch maintains them through petitions services).
    repeat_of = models.ForeignKey(
        "self", verbose_name=_("repeat of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    # The repeats in this petition's chain (the root's count), kept on every member so each one shows its
    # mark and count on the units' and dispatchers' pages without a join (dispatch.repeats).
    repeat_count = models.PositiveIntegerField(_("repeat count"), default=0, editable=False)
    # A dispatcher linked or unlinked it by hand: automatic detection no longer changes the decision.
    repeat_by_hand = models.BooleanField(_("repeat decided by hand"), default=False, db_default=False, editable=False)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )

    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    api_key = models.ForeignKey("ApiKey", verbose_name=_("filed with API key"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="petitions", editable=False)
    # The double-submit guard: a form posted twice carries the same token.
    submission_token = models.UUIDField(_("submission token"), null=True, blank=True, unique=True,
                                        editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        indexes = [
            # Serves repeat detection: same place and classification within a window.
            models.Index(fields=["area", "classification", "received_at"], name="petition_repeat_place_idx"),
            # Also serves the operator's caller history (hotline.selectors.caller_history), newest first.
            models.Index(fields=["complainant_phone", "received_at"], name="petition_repeat_phone_idx"),
            # dispatch.sweeps.sweep_callbacks reads only callbacks that became due.
            models.Index(fields=["callback_due_at"], name="petition_callback_due_idx",
                         condition=Q(status="callback", callback_overdue_at__isnull=True)),
            # The operator's search by the caller's name, and by the last four digits of the phone
            # (hotline.selectors.petition_find; the expression must match the query's RIGHT(phone, 4)).
            models.Index(fields=["complainant_name", "received_at"], name="petition_name_idx"),
            models.Index(Right("complainant_phone", 4), F("received_at"), name="petition_phone_last4_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="petition_merged_has_target",
                condition=~Q(status="merged") | Q(merged_into__isnull=False),
            )
        ]
        permissions = [("view_personal_data", _("Can see complainants' unmasked personal data"))]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class EventKind(models.TextChoices):
    FILED = "filed", _("Filed")
    SCREENED = "screened", _("Screened")
    STATUS = "status", _("Status changed")
    DISPATCHED = "dispatched", _("Dispatched")
    SIGNED = "signed", _("Signed for")
    CONTACTED = "contacted", _("Contacted the complainant")
    REPLIED = "replied", _("Answer submitted")
    REVIEWED = "reviewed", _("Answer reviewed")
    RATED = "rated", _("Rated")
    REOPENED = "reopened", _("Reopened for re-handling")
    RETURN = "return", _("Return requested or decided")
    EXTENSION = "extension", _("Extension requested or decided")
    SUPERVISION = "supervision", _("Supervision")
    NOTE = "note", _("Note")
    MERGED = "merged", _("Merged or marked duplicate")
    REPEAT = "repeat", _("Linked as a repeat")
    REPEAT_UNLINKED = "repeat_unlinked", _("Repeat link undone")
    CLOCK = "clock", _("Clock stopped or restarted")
    CALLBACK_ATTEMPT = "callback_attempt", _("Callback attempt failed")
    SUPPLEMENT = "supplement", _("Further materials from the citizen")


class PetitionEvent(models.Model):
    """One step in a petition's history. Append-only: never updated or deleted."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"),
                                 on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("event"), max_length=16, choices=EventKind.choices)
    from_status = models.CharField(pgettext_lazy("status", "from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(pgettext_lazy("status", "to"), max_length=20, choices=Status.choices, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)
    # Shown on the citizen's tracking page (never with the actor's name).
    public = models.BooleanField(_("public"), default=False)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("petition event")
        verbose_name_plural = _("petition history")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {labels.when(self.at)}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("petition history is append-only")
        super().save(*args, **kwargs)


def _attachment_path(instance, filename):
    # The stored name is random; the citizen's file name is kept in original_name.
    return f"attachments/{instance.uploaded_at:%Y/%m}/{filename}"


class Attachment(models.Model):
    class Purpose(models.TextChoices):
        PETITION = "petition", _("Filed with the petition")
        ANSWER = "answer", _("Attached to an answer")

    petition = models.ForeignKey(Petition, verbose_name=_("petition"),
                                 on_delete=models.CASCADE, related_name="attachments")
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices, default=Purpose.PETITION)
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(pgettext_lazy("file", "content type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # 一个门出: a unit's file reaches the citizen only with the answer the platform approved (dispatch.review
    # sets this for the files of that answer the reviewer kept). A co-unit's files, those of an answer sent back,
    # and those the reviewer held back never do. The citizen's own files need no publication.
    published_at = models.DateTimeField(_("shown to the citizen since"), null=True, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Rating(models.Model):
    """The citizen's verdict on one round of handling (回访)."""

    class Source(models.TextChoices):
        CITIZEN = "citizen", _("Rated by the citizen online")
        CALLBACK = "callback", _("Operator's callback")

    petition = models.ForeignKey(Petition, verbose_name=_("petition"),
                                 on_delete=models.CASCADE, related_name="ratings")
    round = models.PositiveSmallIntegerField(_("handling round"))
    satisfaction = models.CharField(_("satisfaction"), max_length=12, choices=Satisfaction.choices)
    solved = models.BooleanField(_("solved"))
    comment = models.TextField(_("comment"), blank=True, max_length=1000)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    rated_at = models.DateTimeField(_("rated at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["rated_at"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            # One rating per round of handling, however often the form is posted.
            models.UniqueConstraint(fields=["petition", "round"], name="one_rating_per_round")
        ]
        # The ratings of a period, and of the last minutes of one (evaluation.aggregates.rating_counts).
        indexes = [models.Index(fields=["rated_at"], name="rating_rated_at_idx")]

    def __str__(self) -> str:
        return _("Rating of round %(round)s: %(satisfaction)s, %(solved)s") % {
            "round": self.round, "satisfaction": self.get_satisfaction_display(),
            "solved": _("solved") if self.solved else _("not solved")}


class CallbackAttempt(models.Model):
    """A callback (回访) the operator tried and could not complete. Append-only."""

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", _("No answer")
        SWITCHED_OFF = "switched_off", _("Phone switched off or out of service")
        WRONG_NUMBER = "wrong_number", _("Wrong or empty number")
        HUNG_UP = "hung_up", _("Hung up before rating")

    petition = models.ForeignKey(Petition, verbose_name=_("petition"),
                                 on_delete=models.CASCADE, related_name="callback_attempts")
    round = models.PositiveSmallIntegerField(_("handling round"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    at = models.DateTimeField(_("at"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("recorded by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("failed callback")
        verbose_name_plural = _("failed callbacks")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} · {labels.when(self.at)}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("callback attempts are append-only")
        super().save(*args, **kwargs)


class DailyCounter(models.Model):
    """Allocates the day's tracking numbers: 20261123000042."""

    day = models.DateField(_("day"), primary_key=True)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("daily counter")
        verbose_name_plural = _("daily counters")

    def __str__(self) -> str:
        return _("Tracking numbers of %(day)s: %(last)s issued") % {"day": labels.day(self.day), "last": self.last}


class ApiKey(models.Model):
    """A key for an integrator (another hotline, a mini-program, a city system).
    Only a hash is stored; the key is shown once, when issued. Every petition
    filed with a key records it."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=8, db_index=True, editable=False)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("issued at"), editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The stored answer to a POST made with an Idempotency-Key header: the same
    key replays it instead of acting twice."""

    # who: user id, API key id or client address
    scope = models.CharField(pgettext_lazy("API", "caller"), max_length=80)
    key = models.CharField(_("idempotency key"), max_length=100)
    # method, path and body: the same key for another request is refused
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True)
    body = models.BinaryField(_("response body"), default=b"")
    content_type = models.CharField(_("response content type"), max_length=100, default="application/json")
    created_at = models.DateTimeField(_("created at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency record")
        verbose_name_plural = _("idempotency records")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key")]

    def __str__(self) -> str:
        return _("Repeated request %(key)s, %(at)s") % {"key": self.key, "at": labels.when(self.created_at)}


class AccessRecord(models.Model):
    """Who of the staff looked at whose personal data, and when (PIPL art. 51: access is logged).

    Written when staff open a petition, download one of its files or search by a phone number; kept
    apart from the petition's history, which says what was done, not who read it."""

    class Action(models.TextChoices):
        VIEW = "view", _("Opened the petition")
        DOWNLOAD = "download", _("Downloaded an attachment")
        SEARCH = "search", _("Searched by phone or name")

    at = models.DateTimeField(_("at"), db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT,
                             related_name="+")
    action = models.CharField(_("action"), max_length=12, choices=Action.choices)
    petition = models.ForeignKey(Petition, verbose_name=_("petition"), null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    # For searches: what was looked for, masked (the log must not become a copy of the data).
    detail = models.CharField(_("details"), max_length=100, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.at:%Y-%m-%d %H:%M}"


class SuggesterModel(models.Model):
    """A trained classification suggester (petitions/suggest.py), written by the nightly task and read by
    every web worker: in the database, because the web and worker processes may not share a disk. Internal:
    nobody edits it; its labels only name it wherever Django lists models. `data` is a NumPy .npz archive
    (no pickle: loading it runs no code). Training keeps the newest few rows."""

    trained_at = models.DateTimeField(_("trained at"))
    method = models.CharField(_("training method"), max_length=100)
    petitions = models.PositiveIntegerField(_("classified petitions"))  # classified petitions among the examples
    # all labelled texts: petitions, the starter corpus, the leaves' names
    examples = models.PositiveIntegerField(_("training examples"))
    leaves = models.PositiveIntegerField(_("classification leaves"))
    data = models.BinaryField(_("model data"))

    class Meta:
        verbose_name = _("suggester model")
        verbose_name_plural = _("suggester models")

    def __str__(self) -> str:
        return _("Suggester trained at %(at)s") % {"at": labels.when(self.trained_at)}
