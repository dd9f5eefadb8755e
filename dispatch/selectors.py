"""Reads for the units' pages and the dispatcher's queue.

Every unit-facing read starts from `unit_assignments(user)`: a unit handler
sees only assignments of their own unit, so another unit's petition is a 404
in pages and exports alike.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from dispatch import routing
from dispatch.models import (
    ACTIVE_ASSIGNMENT_STATUSES,
    Assignment,
    AssignmentStatus,
    ExtensionRequest,
    OpenWorkCount,
    Reply,
    RequestStatus,
    ReturnRequest,
    WarningLevel,
)
from org.models import Area, Classification, User
from petitions.models import Petition, Status

DUE_SOON = dt.timedelta(days=1)

QUEUES = ("to_sign", "in_progress", "due_soon", "overdue", "answered", "all")


def unit_assignments(user: User) -> QuerySet[Assignment]:
    if not user.is_authenticated or user.role != User.Role.UNIT_HANDLER or user.unit_id is None:
        return Assignment.objects.none()
    return (
        Assignment.objects.filter(unit_id=user.unit_id)
        .exclude(status__in=[AssignmentStatus.PROPOSED, AssignmentStatus.CANCELLED])
        .select_related("petition", "petition__area", "petition__classification", "unit")
    )


def unit_queue(user: User, queue: str, now: dt.datetime | None = None) -> QuerySet[Assignment]:
    now = now or timezone.now()
    base = unit_assignments(user)
    open_work = base.filter(status__in=[AssignmentStatus.PENDING, AssignmentStatus.SIGNED])
    if queue == "to_sign":
        return base.filter(status=AssignmentStatus.PENDING).order_by("sign_due_at")
    if queue == "in_progress":
        return base.filter(status=AssignmentStatus.SIGNED).order_by("handle_due_at")
    if queue == "due_soon":
        return open_work.filter(handle_due_at__gt=now, handle_due_at__lte=now + DUE_SOON).order_by("handle_due_at")
    if queue == "overdue":
        return open_work.filter(
            Q(handle_due_at__lte=now) | Q(status=AssignmentStatus.PENDING, sign_due_at__lte=now)
        ).order_by("handle_due_at")
    if queue == "answered":
        return base.filter(status__in=[AssignmentStatus.ANSWERED, AssignmentStatus.DONE]).order_by("-answered_at")
    return base.order_by("-dispatched_at")


def unit_queue_counts(user: User, now: dt.datetime | None = None) -> dict[str, int]:
    return {queue: unit_queue(user, queue, now).count() for queue in QUEUES if queue != "all"}


def unit_assignment(user: User, pk: int) -> Assignment:
    assignment = unit_assignments(user).filter(pk=pk).first()
    if assignment is None:
        raise Http404
    return assignment


def co_answers(assignment: Assignment) -> QuerySet[Assignment]:
    """What the co-handling units told the lead (the lead's answer covers them)."""
    return Assignment.objects.filter(
        petition_id=assignment.petition_id, role="co", status__in=ACTIVE_ASSIGNMENT_STATUSES
    ).select_related("unit")


def dispatcher_queue() -> QuerySet[Petition]:
    """Petitions that need a dispatcher: undispatched, in consultation, with a
    proposal to confirm, or with a unit's request or answer to decide."""
    pending_return = ReturnRequest.objects.filter(assignment__petition=OuterRef("pk"), status=RequestStatus.PENDING)
    pending_extension = ExtensionRequest.objects.filter(assignment__petition=OuterRef("pk"),
                                                        status=RequestStatus.PENDING)
    pending_reply = Reply.objects.filter(petition=OuterRef("pk"), review=Reply.Review.PENDING)
    return Petition.objects.filter(
        Q(status__in=[Status.RECEIVED, Status.CONSULTATION, Status.REPLIED, Status.CALLBACK])
        | Q(Exists(pending_return)) | Q(Exists(pending_extension)) | Q(Exists(pending_reply))
    )


# --- the supervisors' dashboard -------------------------------------------------------------------------

OPEN_WORK = [AssignmentStatus.PENDING, AssignmentStatus.SIGNED]
AGING = [(0, 1), (1, 3), (3, 7), (7, 15), (15, None)]
# The counters' names for the groups the dashboard and the export ask for (dispatch.counters).
COUNTER_GROUPS = {"unit__name": "unit__name", "petition__district__name": "district__name"}


def open_work_counts(*, district: Area | None = None, districts=None, unit_kind: str = "") -> QuerySet[OpenWorkCount]:
    """The open-work counters (dispatch.counters), narrowed to a district (or a set of districts, for a district
    platform's own) and a kind of unit: what the supervisors' dashboard reads instead of the assignments."""
    counts = OpenWorkCount.objects.all()
    if district is not None:
        counts = counts.filter(district=district)
    if districts is not None:
        counts = counts.filter(district__in=districts)
    if unit_kind:
        counts = counts.filter(Q(unit__kind=unit_kind) | Q(unit__isnull=True, unit_kind=unit_kind))
    return counts


def open_work_summary(assignments: QuerySet, group: str):
    """Open work grouped by `group` (unit or district), the worst first: the supervisors' dashboard and export.

    Given the counters (`open_work_counts`), it sums a few hundred rows whatever the backlog; given assignments,
    it counts them (the full recount, and "not signed for in time" is then exact to the second rather than as of
    the last sweep)."""
    if assignments.model is OpenWorkCount:
        field = COUNTER_GROUPS[group]
        rows = (assignments.filter(unit__isnull=False).values(field)
                .annotate(open=Sum("open"), yellow=Sum("yellow"), red=Sum("red"), not_signed=Sum("late_sign"))
                .filter(open__gt=0).order_by("-red", "-yellow", "-open", field))
        return [{group: row[field], "open": row["open"], "yellow": row["yellow"], "red": row["red"],
                 "not_signed": row["not_signed"]} for row in rows]
    now = timezone.now()
    return (assignments.values(group).annotate(
        open=Count("pk"),
        yellow=Count("pk", filter=Q(warning=WarningLevel.YELLOW)),
        red=Count("pk", filter=Q(warning=WarningLevel.RED)),
        not_signed=Count("pk", filter=Q(status=AssignmentStatus.PENDING, sign_due_at__lte=now)),
    ).order_by("-red", "-yellow", "-open"))


def _band(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high is not None else f"≥{low}"


def open_work_aging(assignments: QuerySet) -> list[tuple[str, int]]:
    """How long open work has waited since dispatch, in day bands (the supervisors' dashboard).

    From the counters the bands are Beijing calendar days since the day of dispatch (dispatched today: 0–1;
    yesterday or the day before: 1–3; ...); from assignments, 24-hour periods before now."""
    if assignments.model is OpenWorkCount:
        today = timezone.localdate()
        by_day = assignments.filter(unit__isnull=True).values("day").annotate(n=Sum("open")).order_by()
        totals = dict.fromkeys(AGING, 0)
        for row in by_day:
            if row["day"] is None:
                continue
            age = (today - row["day"]).days
            for low, high in AGING:
                if age >= low and (high is None or age < high):
                    totals[(low, high)] += row["n"]
        return [(_band(low, high), totals[(low, high)]) for low, high in AGING]
    now = timezone.now()
    rows = []
    for low, high in AGING:
        condition = Q(dispatched_at__lte=now - dt.timedelta(days=low))
        if high is not None:
            condition &= Q(dispatched_at__gt=now - dt.timedelta(days=high))
        rows.append((_band(low, high), assignments.filter(condition).count()))
    return rows


def unrouted_leaves(*, areas: list[Area] | None = None) -> list[Classification]:
    """Active leaf items the catalog would leave to a dispatcher (no lead unit, no consultation) in at
    least one of `areas`, for a petition that names no keyword; each gets `.unrouted_in`, those areas.

    The dry run of routing.decide on every leaf, in memory against the compiled catalog. By default
    one street per district stands for the city: territorial rules resolve to a street or district,
    and area-scoped rules are district-wide in practice (~1,000 leaves x 10 areas, well under a second).
    """
    if areas is None:
        areas = _first_street_per_district() or list(Area.objects.filter(depth=1, is_active=True))
    catalog = routing.get_catalog()
    leaves = Classification.objects.filter(is_leaf=True, is_active=True).only("id", "code", "name", "path",
                                                                            "sector_id")
    unrouted = []
    for leaf in leaves.order_by("path"):
        missed = [area for area in areas if not routing.decide(
            classification_path=leaf.path, area_path=area.path, text="", sector_id=leaf.sector_id, catalog=catalog,
        ).routed]
        if missed:
            leaf.unrouted_in = missed
            unrouted.append(leaf)
    return unrouted


def _first_street_per_district() -> list[Area]:
    streets = {}
    for street in Area.objects.filter(level=Area.Level.STREET, is_active=True).order_by("code"):
        streets.setdefault(street.parent_id, street)
    return list(streets.values())
