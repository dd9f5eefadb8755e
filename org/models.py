"""The city's organisation and reference data: areas, sectors, handling units,
user accounts and their roles, the classification tree and the working-day
calendar. Every other app depends on this one; it depends on none of them.

Units live here rather than in dispatch because user accounts belong to a unit
and the petition's history (petitions) records users: putting units in dispatch
would make petitions depend on dispatch, a cycle (docs/architecture.md).
"""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lib import spreadsheets
from lib.identity import MOBILE_PATTERN, normalise_phone


class TreeNode(models.Model):
    """A node of a tree addressed by a materialised path of codes.

    `path` ("370200/370202/370202001/") lets "this node and everything below
    it" be one indexed prefix query, and a node's ancestors be read from its
    own row: the dispatch catalog inherits rules down both trees this way.
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    path = models.CharField(_("path"), max_length=400, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("depth"), editable=False, default=1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    MAX_DEPTH = 5

    def clean(self):
        super().clean()
        parent = getattr(self, "parent", None)
        if parent is not None:
            if self.pk and (parent.pk == self.pk or parent.path.startswith(self.path or "\0")):
                raise ValidationError({"parent": _("A node cannot be placed below itself.")})
            # The node takes its subtree along: the deepest descendant must stay within MAX_DEPTH too.
            below = 0
            if self.pk and self.path:
                deepest = type(self).objects.filter(path__startswith=self.path).aggregate(d=models.Max("depth"))["d"]
                below = (deepest or self.depth) - self.depth
            if parent.depth + 1 + below > self.MAX_DEPTH:
                raise ValidationError(
                    {"parent": _("The tree is at most %(depth)s levels deep.") % {"depth": self.MAX_DEPTH}}
                )

    def save(self, *args, **kwargs):
        old_path = self.path
        parent = getattr(self, "parent", None)
        self.path = f"{parent.path if parent else ''}{self.code}/"
        self.depth = self.path.count("/")
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Moved or renamed: rewrite the descendants' paths in one statement.
            type(self).objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                path=models.functions.Concat(
                    models.Value(self.path),
                    models.functions.Substr("path", len(old_path) + 1),
                ),
                depth=models.F("depth") + (self.depth - old_path.count("/")),
            )

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to this node itself."""
        return [c for c in self.path.split("/") if c]

    def ancestors_and_self(self):
        return type(self).objects.filter(code__in=self.ancestor_codes).order_by("depth")

    def descendants_and_self(self):
        return type(self).objects.filter(path__startswith=self.path)


class Area(TreeNode):
    class Level(models.TextChoices):
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        STREET = "street", _("Street / town")
        COMMUNITY = "community", _("Community / village")

    MAX_DEPTH = 4
    parent = models.ForeignKey(
        "self", verbose_name=_("parent area"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    population = models.PositiveIntegerField(
        _("population"), default=0, help_text=_("Resident population, for the petitions per 10,000 people metric.")
    )

    class Meta(TreeNode.Meta):
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        permissions = spreadsheets.permissions("area")

    def __str__(self) -> str:
        return self.name

    @cached_property
    def district(self) -> "Area | None":
        """The district this area lies in (itself for a district), read once per instance."""
        if self.level == self.Level.CITY:
            return None
        codes = self.ancestor_codes
        return Area.objects.filter(code__in=codes, level=self.Level.DISTRICT).first()


class Sector(models.Model):
    """An industry sector (行业): housing, urban management, traffic police..."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        permissions = spreadsheets.permissions("sector")

    def __str__(self) -> str:
        return self.name


class HandlingUnit(models.Model):
    class Kind(models.TextChoices):
        PLATFORM = "platform", _("Hotline platform")
        CITY_DEPARTMENT = "city_department", _("City department")
        DISTRICT_GOVERNMENT = "district_government", _("District government")
        STREET_OFFICE = "street_office", _("Street / town office")
        COMMUNITY = "community", _("Community / village committee")
        PUBLIC_SERVICE = "public_service", _("Public-service company")
        STATIONED = "stationed", _("Unit stationed in the city")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), null=True, blank=True, on_delete=models.PROTECT, related_name="units"
    )
    areas = models.ManyToManyField(
        Area, verbose_name=_("areas covered"), blank=True, related_name="units"
    )
    round_the_clock = models.BooleanField(
        _("24-hour service"), default=False, help_text=_("Utilities answer outages around the clock.")
    )
    phone = models.CharField(_("duty phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("handling unit")
        verbose_name_plural = _("handling units")
        permissions = spreadsheets.permissions("handlingunit")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def unreachable() -> Q:
        """No e-mail and no mainland mobile for SMS: nothing can reach the unit (the admin's banner and filter,
        the supervisors' list, notifications.messaging). The duty phone is stored normalised (save), so
        "+86 139 0532 0399" counts as the mobile the outbox sends to."""
        return Q(email="") & ~Q(phone__regex=MOBILE_PATTERN)

    def save(self, *args, **kwargs):
        # As the outbox normalises it (notifications.services): one check of "has a mobile" everywhere.
        try:
            self.phone = normalise_phone(self.phone) if self.phone else ""
        except ValueError:
            pass  # a hotline or a typo stays as written: the outbox stores its SMS failed, visibly
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        # A unit below itself (directly or through a loop) has no root, so it drops out of every tree that
        # starts from the top (the dispatcher's unit picker, dispatch.forms.unit_tree): walk up the chain.
        seen = {self.pk} if self.pk else set()
        parent = self.parent
        while parent is not None:
            if parent.pk in seen:
                raise ValidationError({"parent": _("A unit cannot be placed below itself.")})
            seen.add(parent.pk)
            parent = parent.parent


class User(AbstractUser):
    class Role(models.TextChoices):
        OPERATOR = "operator", _("Hotline operator")
        DISPATCHER = "dispatcher", _("Dispatcher")
        UNIT_HANDLER = "unit_handler", _("Unit handler")
        SUPERVISOR = "supervisor", _("Supervisor")
        ADMIN = "admin", _("Platform administrator")
        # Open government (Regulations 2019): the officer answers a body's requests, the head approves
        # extensions (Art. 33). Their unit is the body.
        DISCLOSURE_OFFICER = "disclosure_officer", _("Disclosure officer")
        DISCLOSURE_HEAD = "disclosure_head", _("Disclosure head")
        # A community or street worker who reports what they find on their rounds (网格员).
        GRID_WORKER = "grid_worker", _("Grid worker")
        # A district platform's supervisor ("1 + 10"): supervises its district's streets and communities on the
        # supervision pages, as the city platform does for the city. Their unit is the district government.
        DISTRICT_SUPERVISOR = "district_supervisor", _("District platform supervisor")

    # Roles that work in the Django admin; unit handlers have their own pages. Disclosure officers and heads
    # work their body's information requests in the admin (disclosure.admin, scoped to their body).
    STAFF_ROLES = {Role.OPERATOR, Role.DISPATCHER, Role.SUPERVISOR, Role.ADMIN, Role.DISCLOSURE_OFFICER,
                   Role.DISCLOSURE_HEAD}

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, blank=True)
    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="members",
    )
    phone = models.CharField(_("mobile phone"), max_length=32, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="unit_handler_has_unit",
                condition=~Q(role="unit_handler") | Q(unit__isnull=False),
                violation_error_message=_("A unit handler must belong to a unit."),
            )
        ]

    def clean(self):
        super().clean()
        if self.role == self.Role.UNIT_HANDLER and not self.unit_id:
            raise ValidationError({"unit": _("A unit handler must belong to a unit.")})
        if self.role == self.Role.DISTRICT_SUPERVISOR and (
                self.unit is None or self.unit.kind != HandlingUnit.Kind.DISTRICT_GOVERNMENT):
            raise ValidationError({"unit": _("A district platform supervisor belongs to a district government.")})

    def save(self, *args, **kwargs):
        if self.role:
            self.is_staff = self.is_superuser or self.role in self.STAFF_ROLES
        super().save(*args, **kwargs)

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.is_superuser or self.role in roles)

    @property
    def sees_personal_data(self) -> bool:
        """Operators, dispatchers and admins need the complainant's phone to do their job."""
        return self.has_role(self.Role.OPERATOR, self.Role.DISPATCHER, self.Role.ADMIN)


class Classification(TreeNode):
    """The five-level classification standard (五级事项分类, DOMAIN.md section 3)."""

    class Tier(models.TextChoices):
        URGENT = "urgent", _("Urgent (hours)")
        DAYS_1 = "1", _("1 working day")
        DAYS_3 = "3", _("3 working days")
        DAYS_7 = "7", _("7 working days")
        DAYS_11 = "11", _("11 working days")

    class TopClass(models.TextChoices):
        LIVELIHOOD = "livelihood", _("Livelihood")
        DEVELOPMENT = "development", _("Development")
        ENFORCEMENT = "enforcement", _("Law enforcement")

    parent = models.ForeignKey(
        "self", verbose_name=_("parent item"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    top_class = models.CharField(_("top class"), max_length=16, choices=TopClass.choices)
    tier = models.CharField(_("handling tier"), max_length=8, choices=Tier.choices, default=Tier.DAYS_7)
    urgent_hours = models.PositiveSmallIntegerField(
        _("urgent limit in hours"), null=True, blank=True,
        help_text=_("Only for the urgent tier: e.g. 2 for emergencies, 24 for utility outages."),
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("default responsible sector"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="classifications",
    )
    keywords = models.CharField(
        _("keywords"), max_length=300, blank=True, help_text=_("Words that help operators find this item.")
    )
    is_leaf = models.BooleanField(_("leaf item"), default=True, editable=False)

    class Meta(TreeNode.Meta):
        verbose_name = _("classification item")
        verbose_name_plural = _("classification items")
        permissions = spreadsheets.permissions("classification")
        constraints = [
            models.CheckConstraint(
                name="urgent_tier_has_hours",
                condition=(Q(tier="urgent") & Q(urgent_hours__gt=0)) | (~Q(tier="urgent") & Q(urgent_hours__isnull=True)),
                violation_error_message=_("The urgent tier needs its limit in hours, and only it."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.tier == self.Tier.URGENT and not self.urgent_hours:
            raise ValidationError({"urgent_hours": _("The urgent tier needs its limit in hours.")})
        if self.tier != self.Tier.URGENT and self.urgent_hours:
            raise ValidationError({"urgent_hours": _("Only the urgent tier has a limit in hours.")})

    @property
    def handling_days(self) -> int | None:
        return None if self.tier == self.Tier.URGENT else int(self.tier)

    @property
    def full_name(self) -> str:
        return " / ".join(self.ancestors_and_self().values_list("name", flat=True))


class CalendarYear(models.Model):
    """A year for which the official calendar (holidays and make-up days) is known."""

    year = models.PositiveSmallIntegerField(_("year"), primary_key=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A dated exception to the Monday-Friday week: a statutory holiday, or a
    weekend day that is a make-up working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(
        _("working day"), help_text=_("Ticked for a make-up working day, unticked for a holiday.")
    )
    name = models.CharField(_("name"), max_length=50, help_text=_("The holiday, e.g. 春节."))

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        permissions = spreadsheets.permissions("calendarday")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"

    def clean(self):
        super().clean()
        # Deadlines already counted on a past day (passed, or flagged red) must not move afterwards: a unit would
        # be blamed for a day that was off, or a red petition's deadline would move into the future. So a day before
        # today (Beijing) cannot be added, moved or switched between working day and holiday; today and later
        # can. Renaming a past day moves nothing and stays allowed (docs/supervision.md, "Calendar changes").
        if self.date is None:
            return
        today = timezone.localdate()
        old = CalendarDay.objects.filter(pk=self.pk).values("date", "is_workday").first() if self.pk else None
        if old is None:
            if self.date < today:
                raise ValidationError({"date": past_day_message(self.date)})
        elif old["date"] != self.date and min(old["date"], self.date) < today:
            raise ValidationError({"date": past_day_message(min(old["date"], self.date))})
        elif old["is_workday"] != self.is_workday and self.date < today:
            raise ValidationError({"is_workday": past_day_message(self.date)})


def past_day_message(day) -> str:
    return _("%(date)s is before today: deadlines already counted on it cannot change.") % {"date": day}
