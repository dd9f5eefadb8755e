"""Dispatch: the responsibility catalog, the units' assignments and their
requests (returns, extensions), the answers under platform review.

A petition has one lead assignment (主办) and any number of co-handling
assignments (协办) at a time; each records the catalog rule version that
made it. Assignment status is governed by ASSIGNMENT_TRANSITIONS and changed
only by the dispatch actions (services, handling, review, sweeps).
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib import labels, spreadsheets
from petitions.models import Petition


class RuleKind(models.TextChoices):
    SECTOR = "sector", _("Sector (行业)")
    TERRITORIAL = "territorial", _("Territorial (属地)")


class Target(models.TextChoices):
    UNIT = "unit", _("A named unit")
    STREET = "street", _("The street/town office of the petition's area")
    DISTRICT = "district", _("The district government of the petition's area")
    SECTOR = "sector", _("The city unit of the item's responsible sector")
    CONSULTATION = "consultation", _("Joint consultation (会商研判)")


class CatalogRule(models.Model):
    """One version of a rule of the responsibility catalog (职责目录).

    Rows are never edited: a revision adds a new row with the same `key` and
    the next `version`, and retires the old one, so an assignment's `rule`
    always shows the rule exactly as it was when it dispatched.
    """

    key = models.CharField(_("rule key"), max_length=40, db_index=True,
                           help_text=_("Stable name shared by all versions of the rule."))
    version = models.PositiveIntegerField(_("version"), default=1)
    kind = models.CharField(_("kind"), max_length=12, choices=RuleKind.choices, default=RuleKind.SECTOR)
    classification = models.ForeignKey(
        "org.Classification", verbose_name=_("classification item"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", help_text=_("Applies to this item and everything below it; empty = any."),
    )
    area = models.ForeignKey(
        "org.Area", verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text=_("Applies to this area and everything below it; empty = anywhere."),
    )
    keywords = models.CharField(
        _("keywords"), max_length=200, blank=True,
        help_text=_("Comma-separated; the rule applies only if the title or content contains one of them."),
    )
    target = models.CharField(_("sends to"), max_length=16, choices=Target.choices, default=Target.UNIT)
    lead_unit = models.ForeignKey(
        "org.HandlingUnit", verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    co_units = models.ManyToManyField("org.HandlingUnit", verbose_name=_("co-handling units"), blank=True,
                                      related_name="+")
    priority = models.IntegerField(_("priority"), default=0,
                                   help_text=_("Breaks ties between equally specific rules: higher wins."))
    is_fallback = models.BooleanField(_("fallback"), default=False,
                                      help_text=_("Takes what no other rule matches (兜底)."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True, db_index=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("created by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("catalog rule")
        verbose_name_plural = _("responsibility catalog")
        permissions = spreadsheets.permissions("catalogrule")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="catalog_rule_key_version"),
            # Only one active version per rule key.
            models.UniqueConstraint(fields=["key"], condition=Q(active=True), name="catalog_rule_one_active"),
            models.CheckConstraint(
                name="catalog_rule_unit_target_has_unit",
                condition=~Q(target="unit") | Q(lead_unit__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]


class Role(models.TextChoices):
    LEAD = "lead", _("Lead (主办)")
    CO = "co", _("Co-handling (协办)")


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed, awaiting the dispatcher")
    PENDING = "pending", _("Awaiting sign-for")
    SIGNED = "signed", _("Being handled")
    ANSWERED = "answered", _("Answered")
    CANCELLED = "cancelled", _("Withdrawn")
    DONE = "done", _("Done")


ACTIVE_ASSIGNMENT_STATUSES = (AssignmentStatus.PENDING, AssignmentStatus.SIGNED, AssignmentStatus.ANSWERED)

ASSIGNMENT_TRANSITIONS: dict[str, frozenset[str]] = {
    AssignmentStatus.PROPOSED: frozenset({AssignmentStatus.PENDING, AssignmentStatus.CANCELLED}),
    AssignmentStatus.PENDING: frozenset({AssignmentStatus.SIGNED, AssignmentStatus.CANCELLED}),
    AssignmentStatus.SIGNED: frozenset({AssignmentStatus.ANSWERED, AssignmentStatus.CANCELLED}),
    # Re-handling (重办) after a rejected review or an unsatisfied callback goes back to SIGNED.
    AssignmentStatus.ANSWERED: frozenset({AssignmentStatus.SIGNED, AssignmentStatus.DONE, AssignmentStatus.CANCELLED}),
    AssignmentStatus.DONE: frozenset({AssignmentStatus.SIGNED}),  # look-back reopens a false closure
    AssignmentStatus.CANCELLED: frozenset(),
}


class WarningLevel(models.TextChoices):
    NONE = "none", _("On time")
    # Translators: xgettext:no-python-format  (the "% o" in "75% of" is not a placeholder; msgfmt --check-format)
    YELLOW = "yellow", _("Yellow: 75% of the time used")
    RED = "red", _("Red: overdue")


class Assignment(models.Model):
    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"),
                                 on_delete=models.CASCADE, related_name="assignments")
    # No index of its own: assignment_unit_queue_idx leads with the unit. Every index is rewritten by each
    # non-HOT update of an assignment (a sweep flags 70,000 at once: issue 20), so none is kept twice, and none
    # on who dispatched or signed (read only beside the assignment; a user is deactivated, not deleted).
    unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="assignments", db_index=False)
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    status = models.CharField(_("status"), max_length=12, choices=AssignmentStatus.choices, editable=False)
    rule = models.ForeignKey(CatalogRule, verbose_name=_("catalog rule"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="assignments")
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    dispatched_at = models.DateTimeField(_("dispatched at"))
    dispatched_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("dispatched by"),
                                      null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+", db_index=False)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("signed by"),
                                  null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", db_index=False)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answer = models.TextField(_("answer to the lead unit"), blank=True)
    # The clocks (DOMAIN.md section 5), computed once when they start; see dispatch.deadlines.
    clock_started_at = models.DateTimeField(_("clock started at"), null=True, blank=True)
    sign_due_at = models.DateTimeField(_("sign-for deadline"), null=True, blank=True)
    handle_due_at = models.DateTimeField(_("handling deadline"), null=True, blank=True)
    # 75% of the handling time used: the yellow warning (DOMAIN.md section 6).
    warn_at = models.DateTimeField(_("warning at"), null=True, blank=True)
    extended_days = models.PositiveSmallIntegerField(_("extension (working days)"), default=0)
    waited_days = models.PositiveSmallIntegerField(_("working days waited for the citizen"), default=0)
    paused_at = models.DateTimeField(_("waiting for the citizen since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # What the sweeps found (dispatch.sweeps): set once, by a conditional UPDATE.
    warning = models.CharField(_("warning"), max_length=8, choices=WarningLevel.choices, default=WarningLevel.NONE)
    sign_overdue_at = models.DateTimeField(_("sign-for overdue since"), null=True, blank=True)
    # The reminder two hours before the sign-for limit went out (dispatch.sweeps.sweep_deadlines).
    sign_reminded_at = models.DateTimeField(_("reminded to sign for at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)

    class Meta:
        ordering = ["-dispatched_at"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            # The units' queues: a unit's open work, newest first.
            models.Index(fields=["unit", "status", "-dispatched_at"], name="assignment_unit_queue_idx"),
            # The sweeps (dispatch.sweeps.sweep_deadlines) read only what became due, through
            # these partial indexes: an idle sweep touches no row (docs/development.md: timers are columns).
            models.Index(fields=["warn_at"], name="assignment_yellow_due_idx",
                         condition=Q(warning="none", status__in=["pending", "signed"], paused_at__isnull=True)),
            models.Index(fields=["handle_due_at"], name="assignment_red_due_idx",
                         condition=Q(status__in=["pending", "signed"], paused_at__isnull=True) & ~Q(warning="red")),
            models.Index(fields=["sign_due_at"], name="assignment_sign_due_idx",
                         condition=Q(status="pending", sign_overdue_at__isnull=True)),
        ]
        constraints = [
            # At most one live lead per petition: the race between two dispatchers ends here.
            models.UniqueConstraint(
                fields=["petition"], condition=Q(role="lead", status__in=["proposed", "pending", "signed", "answered"]),
                name="assignment_one_live_lead",
            ),
            models.UniqueConstraint(
                fields=["petition", "unit"], condition=Q(status__in=["proposed", "pending", "signed", "answered"]),
                name="assignment_unit_once_per_petition",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit.name}（{self.get_role_display()}）"

    @property
    def is_live(self) -> bool:
        return self.status in (AssignmentStatus.PROPOSED, *ACTIVE_ASSIGNMENT_STATUSES)


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    # Nothing left to decide: the assignment was withdrawn or answered, or the petition closed (never the unit's
    # or the platform's decision; it only takes the request out of the dispatcher's queue and the unit's page).
    WITHDRAWN = "withdrawn", _("Withdrawn")


class UnitRequest(models.Model):
    """What a unit asks the platform, and the platform's decision (returns, extensions).
    Each request type declares its own `assignment` link (and related name)."""

    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    requested_at = models.DateTimeField(_("requested at"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("requested by"),
                                     null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        abstract = True
        ordering = ["-requested_at"]


class ReturnRequest(UnitRequest):
    """A unit asks to give a petition back (退单). First-receiver responsibility:
    it keeps handling until the platform approves (先办后议)."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"),
                                   on_delete=models.CASCADE, related_name="return_requests")
    suggested_unit = models.ForeignKey("org.HandlingUnit", verbose_name=_("suggested unit"), null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")

    class Meta(UnitRequest.Meta):
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        constraints = [models.UniqueConstraint(fields=["assignment"], condition=Q(status="pending"),
                                               name="one_pending_return_per_assignment")]

    def __str__(self) -> str:
        return _("Return requested %(at)s (%(status)s)") % {"at": labels.when(self.requested_at),
                                                             "status": self.get_status_display()}


class ExtensionRequest(UnitRequest):
    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"),
                                   on_delete=models.CASCADE, related_name="extension_requests")
    days = models.PositiveSmallIntegerField(_("extra working days"))

    class Meta(UnitRequest.Meta):
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        constraints = [models.UniqueConstraint(fields=["assignment"], condition=Q(status="pending"),
                                               name="one_pending_extension_per_assignment")]

    def __str__(self) -> str:
        return _("%(days)s more working days requested %(at)s (%(status)s)") % {
            "days": self.days, "at": labels.when(self.requested_at), "status": self.get_status_display()}


class Reply(models.Model):
    """The lead unit's answer, reviewed by the platform before the citizen sees it (一个门出)."""

    class Review(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected for re-handling")

    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"),
                                 on_delete=models.CASCADE, related_name="replies")
    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"),
                                   on_delete=models.PROTECT, related_name="replies")
    round = models.PositiveSmallIntegerField(_("handling round"))
    content = models.TextField(_("answer"))
    solved = models.BooleanField(_("the unit reports the problem solved"), default=True)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("submitted by"),
                                     null=True, on_delete=models.SET_NULL, related_name="+")
    review = models.CharField(_("review"), max_length=10, choices=Review.choices, default=Review.PENDING)
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewed by"),
                                    null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    review_note = models.TextField(_("review note"), blank=True)
    # The perfunctory phrases found in the answer when it was submitted (dispatch.perfunctory): the
    # reviewer is warned, and the bulletin counts them per unit (DOMAIN.md section 6).
    perfunctory = models.JSONField(_("perfunctory phrases"), default=list, blank=True, editable=False)
    # The files the unit sent with this answer: published with it if the reviewer keeps them (Attachment.published_at).
    attachments = models.ManyToManyField("petitions.Attachment", verbose_name=_("files"), blank=True,
                                         related_name="replies")

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["petition"], condition=Q(review="pending"),
                                               name="one_pending_reply_per_petition")]

    def __str__(self) -> str:
        return _("Answer of round %(round)s, %(at)s (%(review)s)") % {
            "round": self.round, "at": labels.when(self.submitted_at), "review": self.get_review_display()}


class QueuedPetition(Petition):
    """The petition as the dispatcher sees it: the admin's dispatch queue and
    console (dispatch.admin). A proxy: no table of its own."""

    class Meta:
        proxy = True
        verbose_name = _("dispatch queue item")
        verbose_name_plural = _("dispatch queue")
        permissions = [("dispatch_petitions", _("Can dispatch petitions and decide units' requests"))]


class LookbackSample(models.Model):
    """A closed petition drawn for the monthly look-back (回头看)."""

    class Result(models.TextChoices):
        PENDING = "pending", _("To re-check")
        CONFIRMED = "confirmed", _("Closure confirmed")
        FALSE_CLOSURE = "false_closure", _("False closure: reopened")

    month = models.DateField(_("month"))
    petition = models.ForeignKey(Petition, verbose_name=_("petition"),
                                 on_delete=models.CASCADE, related_name="lookbacks")
    drawn_at = models.DateTimeField(_("drawn at"))
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, default=Result.PENDING)
    checked_at = models.DateTimeField(_("re-checked at"), null=True, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("checked by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    note = models.TextField(_("finding"), blank=True)

    class Meta:
        ordering = ["-month", "id"]
        verbose_name = _("look-back sample")
        verbose_name_plural = _("look-back samples")
        constraints = [models.UniqueConstraint(fields=["month", "petition"], name="lookback_once_per_month")]

    def __str__(self) -> str:
        return _("Look-back of %(month)s: %(result)s") % {"month": self.month.strftime("%Y-%m") if self.month else "",
                                                          "result": self.get_result_display()}


class PerfunctoryPhrase(models.Model):
    """A phrase that marks an answer which only runs out the clock ("正在研究", "将出方案"), kept by the
    platform's administrators (DOMAIN.md section 6)."""

    phrase = models.CharField(_("phrase"), max_length=50, unique=True)
    active = models.BooleanField(_("active"), default=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name = _("perfunctory phrase")
        verbose_name_plural = _("perfunctory phrases")

    def __str__(self) -> str:
        return self.phrase


# --- nothing waits without a clock (issue 15, item 3; docs/supervision.md) ------------------------------------

class PauseReason(models.TextChoices):
    """Why a unit stops its handling clock: a fixed list (其他 needs the unit's words)."""

    INSPECTION = "inspection", _("Waiting for an appraisal or test (等待鉴定/检测)")
    MATERIALS = "materials", _("Waiting for the complainant's further materials (等待当事人补充材料)")
    COORDINATION = "coordination", _("Needs coordination by a higher level (需上级协调)")
    JUDICIAL = "judicial", _("Judicial proceedings (司法程序)")
    OTHER = "other", _("Other (say what)")


class PauseApproval(models.TextChoices):
    NONE = "none", _("Within the unit's allowance")
    PENDING = "pending", _("Past the cap: awaiting the platform's approval")
    APPROVED = "approved", _("Approved past the cap")
    REFUSED = "refused", _("Refused: the clock ran from the cap")
    WITHDRAWN = "withdrawn", _("Ended by the unit before a decision")


class Pause(models.Model):
    """One stop of a unit's handling clock (waiting for the citizen or a third party).

    A unit may stop its clock for PORTAL_PAUSE_CAP_WORKING_DAYS working days per handling round
    on its own. `cap_at` is when that allowance runs out: the sweep (dispatch.sweeps.sweep_pause_caps)
    restarts the clock there and asks the platform; approving stops it again from the cap."""

    assignment = models.ForeignKey(Assignment, verbose_name=_("assignment"),
                                   on_delete=models.CASCADE, related_name="pauses")
    round = models.PositiveSmallIntegerField(_("handling round"))
    reason = models.CharField(_("reason"), max_length=16, choices=PauseReason.choices)
    reason_text = models.CharField(_("details"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("clock stopped at"))
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("started by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    cap_at = models.DateTimeField(_("allowance ends at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Working days this pause used of the round's allowance (counted when the clock restarts).
    workdays = models.PositiveSmallIntegerField(_("working days used"), default=0)
    approval = models.CharField(_("approval"), max_length=10, choices=PauseApproval.choices,
                                default=PauseApproval.NONE)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("decided by"),
                                   null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decision_note = models.CharField(_("decision note"), max_length=1000, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("clock stop")
        verbose_name_plural = _("clock stops")
        indexes = [
            models.Index(fields=["cap_at"], name="pause_cap_due_idx",
                         condition=Q(ended_at__isnull=True, approval="none")),
            models.Index(fields=["approval"], name="pause_awaiting_idx", condition=Q(approval="pending")),
        ]
        constraints = [
            models.UniqueConstraint(fields=["assignment"], condition=Q(ended_at__isnull=True),
                                    name="pause_one_open_per_assignment"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {labels.when(self.started_at)}"

    @property
    def reason_shown(self) -> str:
        label = str(PauseReason(self.reason).label)
        return f"{label}: {self.reason_text}" if self.reason_text else label


class Consultation(models.Model):
    """A petition's stay in joint consultation (会商研判), with its clock
    (PORTAL_CONSULTATION_WORKING_DAYS): past `due_at` it enters the supervision pool."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"),
                                 on_delete=models.CASCADE, related_name="consultations")
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("to be concluded by"))
    ended_at = models.DateTimeField(_("concluded at"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("overdue since"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("joint consultation")
        verbose_name_plural = _("joint consultations")
        indexes = [models.Index(fields=["due_at"], name="consultation_due_idx",
                                condition=Q(ended_at__isnull=True, overdue_at__isnull=True))]
        constraints = [models.UniqueConstraint(fields=["petition"], condition=Q(ended_at__isnull=True),
                                               name="consultation_one_open_per_petition")]

    def __str__(self) -> str:
        return _("Joint consultation from %(at)s") % {"at": labels.when(self.started_at)}


class OpenWorkCount(models.Model):
    """Counters of open work (pending or signed assignments) for the supervisors' dashboard, so that it reads a
    few hundred small rows instead of scanning every open assignment (issue 20; docs/supervision.md).

    Each row is a *delta* of one of two series: by unit and district of the petition (`unit` set, no day), and
    by district, kind of unit and Beijing day of dispatch (`unit` empty: the aging bands). Database triggers
    (migration 0006) append the rows in the same transaction as every insert, update or delete of an assignment
    (and every change of a petition's district), whoever makes it: services, sweeps, bulk updates, raw SQL.
    Nothing ever updates a row, so concurrent transactions never wait on a hot counter; `dispatch.counters.compact`
    folds the rows into one per key (every minute, with the sweep) and `manage.py recount_open_work` recounts from
    the assignments and repairs any difference (nightly; also after a unit changes kind).
    """

    unit = models.ForeignKey("org.HandlingUnit", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                             related_name="+")
    district = models.ForeignKey("org.Area", null=True, on_delete=models.DO_NOTHING, db_constraint=False,
                                 related_name="+")
    unit_kind = models.CharField(max_length=32, blank=True)  # the aging series only
    day = models.DateField(_("dispatched on"), null=True)  # the aging series only; long-waiting days folded
    open = models.IntegerField(default=0)
    yellow = models.IntegerField(default=0)
    red = models.IntegerField(default=0)
    late_sign = models.IntegerField(default=0)  # pending and flagged by the sweep as not signed for in time

    class Meta:
        verbose_name = _("open work counter")
        verbose_name_plural = _("open work counters")
