"""Reads for the units' pages and the dispatcher's queue.

Every unit-facing read starts from `unit_assignments(user)`: a unit handler
sees only assignments of their own unit, so another unit's petition is a 404
in pages and exports alike.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import routing
from dispatch.assignments import LIVE
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
from petitions import privacy
from petitions.models import Channel, EventKind, Petition, Status, staff_status_label

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


QUEUE_ORDER = {"to_sign": ("sign_due_at",), "in_progress": ("handle_due_at",), "due_soon": ("handle_due_at",),
               "overdue": ("handle_due_at",), "answered": ("-answered_at",), "all": ("-dispatched_at",)}


def _queue_condition(queue: str, now: dt.datetime) -> Q:
    """Which of the unit's work orders a queue holds (the queue page, its tabs' counts, the export)."""
    open_work = Q(status__in=[AssignmentStatus.PENDING, AssignmentStatus.SIGNED])
    if queue == "to_sign":
        return Q(status=AssignmentStatus.PENDING)
    if queue == "in_progress":
        return Q(status=AssignmentStatus.SIGNED)
    # A stopped clock (paused_at set) is neither due soon nor overdue: it never turns red (docs/supervision.md);
    # its deadline moves when it runs again.
    if queue == "due_soon":
        return open_work & Q(handle_due_at__gt=now, handle_due_at__lte=now + DUE_SOON, paused_at__isnull=True)
    if queue == "overdue":
        return open_work & (Q(handle_due_at__lte=now, paused_at__isnull=True)
                            | Q(status=AssignmentStatus.PENDING, sign_due_at__lte=now))
    if queue == "answered":
        return Q(status__in=[AssignmentStatus.ANSWERED, AssignmentStatus.DONE])
    return Q()


def unit_queue(user: User, queue: str, now: dt.datetime | None = None) -> QuerySet[Assignment]:
    now = now or timezone.now()
    queue = queue if queue in QUEUE_ORDER else "all"
    return unit_assignments(user).filter(_queue_condition(queue, now)).order_by(*QUEUE_ORDER[queue])


def unit_queue_search(assignments: QuerySet[Assignment], term: str) -> QuerySet[Assignment]:
    """A unit's search of its own work orders (its queue's ?q=): digits find a tracking number, whole, by its
    beginning (the day: 20261205) or by its end (the digits people read out: 000011); words find titles holding
    every one of them.

    A confidential petition's title is read through the redactor on the unit's page, so it is found only by the
    words the unit can read there: a search for the complainant's name must not answer "one of yours is theirs"."""
    term = term.strip()
    if not term:
        return assignments
    if term.isascii() and term.isdigit():
        return assignments.filter(Q(petition__number__startswith=term) | Q(petition__number__endswith=term))
    words = term.split()
    found = assignments
    for word in words:
        found = found.filter(petition__title__icontains=word)
    hidden = [a.pk for a in found.filter(petition__confidential=True)
              if not all(word.casefold() in privacy.for_units(a.petition, a.petition.title).casefold()
                         for word in words)]
    return found.exclude(pk__in=hidden) if hidden else found


def unit_queue_counts(user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Every tab's count in one query (the tabs count the whole queues, whatever the search and the page)."""
    now = now or timezone.now()
    return unit_assignments(user).order_by().aggregate(**{
        queue: Count("pk", filter=_queue_condition(queue, now)) if queue != "all" else Count("pk")
        for queue in QUEUES})


class Withdrawn(Exception):
    """The unit's work order was withdrawn (re-dispatched, the co-unit removed, a return approved)."""

    def __init__(self, assignment: Assignment):
        super().__init__(assignment.pk)
        self.assignment = assignment


def unit_assignment(user: User, pk: int) -> Assignment:
    """The unit's live work order `pk`; Withdrawn if it was the unit's and has been withdrawn meanwhile (an old
    link, a page left open), so the page can say so instead of "Not found"; else 404."""
    assignment = unit_assignments(user).filter(pk=pk).first()
    if assignment is None:
        withdrawn = (Assignment.objects.filter(pk=pk, unit_id=user.unit_id, status=AssignmentStatus.CANCELLED)
                     .select_related("petition").first() if user.unit_id is not None
                     and user.role == User.Role.UNIT_HANDLER else None)
        if withdrawn is not None:
            raise Withdrawn(withdrawn)
        raise Http404
    return assignment


def co_answers(assignment: Assignment) -> QuerySet[Assignment]:
    """What the co-handling units told the lead (the lead's answer covers them)."""
    return Assignment.objects.filter(
        petition_id=assignment.petition_id, role="co", status__in=ACTIVE_ASSIGNMENT_STATUSES
    ).select_related("unit")


def _pending_requests():
    # Only requests on live work: one left pending on a withdrawn assignment or a closed petition (before they were
    # withdrawn with it, dispatch.assignments.requests_withdraw) has nothing left to decide.
    live = {"assignment__status__in": LIVE}
    pending_return = ReturnRequest.objects.filter(assignment__petition=OuterRef("pk"), status=RequestStatus.PENDING,
                                                  **live)
    pending_extension = ExtensionRequest.objects.filter(assignment__petition=OuterRef("pk"),
                                                        status=RequestStatus.PENDING, **live)
    pending_reply = Reply.objects.filter(petition=OuterRef("pk"), review=Reply.Review.PENDING)
    return Q(Exists(pending_return)) | Q(Exists(pending_extension)) | Q(Exists(pending_reply))


def dispatcher_queue() -> QuerySet[Petition]:
    """Petitions that need a dispatcher: undispatched, in consultation, with a
    proposal to confirm, or with a unit's request or answer to decide; and the callbacks."""
    return Petition.objects.filter(
        Q(status__in=[Status.RECEIVED, Status.CONSULTATION, Status.REPLIED, Status.CALLBACK]) | _pending_requests()
    )


# --- the dispatcher's queue in order of urgency (docs/dispatch.md, "The dispatcher's queue") ----------------
#
# Urgency is counted in hours: the hours the citizen has waited since the petition was received, plus a head
# start for what makes a petition more pressing. Ordering by "waited + head start" is ordering by
# `received_at - head start`, so the database sorts by one expression and the index on received_at still
# serves the common case (no head start). The head starts, in hours:

HOUR = dt.timedelta(hours=1)
LIMIT_HEAD_START = {  # the item's handling tier (DOMAIN.md section 5): the shorter the limit, the sooner
    Classification.Tier.URGENT: 48, Classification.Tier.DAYS_1: 24, Classification.Tier.DAYS_3: 8,
}
UNCLASSIFIED_HEAD_START = 8  # nobody knows its limit yet: it may be urgent
REQUEST_HEAD_START = 12  # a unit's return/extension request or answer waits while its clock runs
REPEAT_HEAD_START = ((3, 48), (2, 12))  # times complained about: 3 or more is supervision's business (section 6)
CHANNEL_HEAD_START = {  # public channels: the leaders' message board and the media are read by everyone
    Channel.PEOPLES_DAILY: 24, Channel.MEDIA: 24, Channel.MAYOR_MAILBOX: 12, Channel.PETITION_BUREAU: 12,
    Channel.POLICE_110: 12,
}

ROUTING_QUEUE, CALLBACK_QUEUE = "routing", "callbacks"
DISPATCHER_QUEUES = (ROUTING_QUEUE, CALLBACK_QUEUE)


def _hours(condition_hours: list[tuple[Q, int]]) -> Case:
    return Case(*(When(condition, then=Value(hours * HOUR)) for condition, hours in condition_hours),
                default=Value(dt.timedelta(0)), output_field=DurationField())


def dispatcher_queue_by_urgency(queue: str = ROUTING_QUEUE) -> QuerySet[Petition]:
    """One of the dispatcher's two queues, the most urgent first.

    `routing`: everything that needs a dispatching decision (dispatch, classify, consultation, a unit's
    request, an answer to review). `callbacks`: answered petitions waiting for the operator's callback (回访),
    kept apart because calling citizens is other work than routing. Each row carries its head starts
    (`head_limit`, `head_request`, `head_repeat`, `head_channel`, timedeltas) and `urgent_since`."""
    times = Coalesce(F("repeat_of__repeat_count"), F("repeat_count")) + 1
    if queue == CALLBACK_QUEUE:
        base = Petition.objects.filter(status=Status.CALLBACK)
    else:
        base = Petition.objects.filter(
            Q(status__in=[Status.RECEIVED, Status.CONSULTATION, Status.REPLIED]) | _pending_requests()
        ).exclude(status=Status.CALLBACK)
    rows = base.annotate(times_complained=times).annotate(
        head_limit=_hours([(Q(classification__isnull=True), UNCLASSIFIED_HEAD_START)]
                          + [(Q(classification__tier=tier), hours) for tier, hours in LIMIT_HEAD_START.items()]),
        head_request=_hours([(_pending_requests(), REQUEST_HEAD_START)] if queue == ROUTING_QUEUE else []),
        head_repeat=_hours([(Q(times_complained__gte=count), hours) for count, hours in REPEAT_HEAD_START]),
        head_channel=_hours([(Q(channel=channel), hours) for channel, hours in CHANNEL_HEAD_START.items()]),
    ).annotate(
        urgent_since=ExpressionWrapper(
            F("received_at") - (F("head_limit") + F("head_request") + F("head_repeat") + F("head_channel")),
            output_field=DateTimeField()),
    )
    return rows.select_related("classification", "area").order_by("urgent_since", "pk")


def dispatcher_queue_counts() -> dict[str, int]:
    return {queue: dispatcher_queue_by_urgency(queue).count() for queue in DISPATCHER_QUEUES}


def urgency_hours(row: Petition, now: dt.datetime) -> int:
    """The row's urgency in hours: waited + head starts (what the queue sorts on), for the page."""
    return int((now - row.urgent_since) / HOUR)


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


def event_label(event) -> str:
    """A history line's label on staff pages (the unit's page, the supervisors' drill-down): the platform's review
    says what it decided (a rejection is not just "being handled" again), a status is named as staff read it (not
    the citizen's "awaiting your rating")."""
    if event.kind == EventKind.REVIEWED:
        rejected = isinstance(event.data, dict) and event.data.get("rejected")
        return _("Answer sent back for re-handling") if rejected else _("Answer approved and published")
    if event.to_status:
        return staff_status_label(event.to_status)
    return event.get_kind_display()
