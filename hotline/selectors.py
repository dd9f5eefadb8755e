"""What the operator's console reads: the caller's history (一人一档), the routing preview, the knowledge
base, the operator's queues and the search. Privacy follows petitions.privacy: a confidential complainant is
known to the hotline platform only, so nobody else finds their petitions by their phone or name."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Right
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import routing
from dispatch.models import Assignment
from dispatch.sweeps import CALLBACK_REMINDER_AFTER
from knowledge.selectors import article_search
from lib.workdays import SHANGHAI
from org.calendar import get_calendar
from petitions import privacy
from petitions.models import MEDIA_CHANNELS, OPEN_STATUSES, Petition, Rating, Status
from petitions.selectors import petition_search

HISTORY_LIMIT = 20
# The callback (回访) is the platform's own step after the answer is published (DOMAIN.md section 5). The
# citizen has a day to rate online (dispatch.sweeps.CALLBACK_REMINDER_AFTER); then an operator calls, within
# this many working days of the answer. A house rule of the hotline, stated in docs/intake.md.
CALLBACK_LIMIT_WORKING_DAYS = 3
QUEUE_LIMIT = 100
SEARCH_LIMIT = 100


@dataclass
class HistoryItem:
    petition: Petition
    rating: Rating | None


@dataclass
class CallerHistory:
    phone: str
    items: list[HistoryItem] = field(default_factory=list)
    total: int = 0
    open_count: int = 0
    unsatisfied_count: int = 0


def caller_history(*, phone: str, user) -> CallerHistory:
    """The caller's past petitions, newest first, with their status, last rating and repeat marks.

    Served by petition_repeat_phone_idx (complainant_phone, received_at): an index range scan read backwards,
    twenty rows, then one query for their ratings; for a caller with more than twenty, one aggregate over the same
    range counts them all, the open ones and the unsatisfied ones. The cost
    does not grow with the table, only with how often this one person called (benchmarks/bench_hotline.py)."""
    found = Petition.objects.filter(complainant_phone=phone)
    if not privacy.is_platform(user):
        # Finding a confidential petition by the phone would tell who filed it (petitions.privacy).
        found = found.exclude(confidential=True)
    petitions = list(
        found.select_related("classification", "area", "repeat_of")
        .only("id", "number", "title", "status", "kind", "channel", "received_at", "closed_at", "confidential",
              "repeat_count", "repeat_of__number", "classification__name", "area__name", "handling_round")
        .order_by("-received_at", "-id")[:HISTORY_LIMIT]
    )
    ratings: dict[int, Rating] = {}
    for rating in Rating.objects.filter(petition_id__in=[p.pk for p in petitions]).order_by("round"):
        ratings[rating.petition_id] = rating  # the latest round's wins
    history = CallerHistory(phone=phone, items=[HistoryItem(p, ratings.get(p.pk)) for p in petitions])
    if len(petitions) < HISTORY_LIMIT:  # the list is all of them: count it, no query
        history.total = len(petitions)
        history.open_count = sum(1 for p in petitions if p.is_open)
        history.unsatisfied_count = sum(1 for r in ratings.values() if r.satisfaction == "unsatisfied")
    else:
        # A frequent caller: the figures are over every petition of the phone, not the twenty shown
        # (one aggregate over the same index range; the last round's rating decides "unsatisfied").
        last_rating = Rating.objects.filter(petition=OuterRef("pk")).order_by("-round").values("satisfaction")[:1]
        counts = found.annotate(last_satisfaction=Subquery(last_rating)).aggregate(
            total=Count("pk"), open=Count("pk", filter=Q(status__in=list(OPEN_STATUSES))),
            unsatisfied=Count("pk", filter=Q(last_satisfaction="unsatisfied")))
        history.total, history.open_count, history.unsatisfied_count = (
            counts["total"], counts["open"], counts["unsatisfied"])
    return history


@dataclass
class Preview:
    lead: str | None
    co_units: list[str]
    consultation: bool
    explanation: list[str]


def routing_preview(*, classification, area, text: str) -> Preview:
    """Where the petition would go and why, as the dispatcher's dry run says it. Nothing is stored; the
    compiled catalog is in memory (dispatch.routing), so this costs microseconds."""
    decision = routing.decide(
        classification_path=classification.path if classification else None, area_path=area.path, text=text,
        sector_id=classification.sector_id if classification else None,
    )
    names = routing.get_catalog().unit_names
    return Preview(
        lead=names.get(decision.lead_unit_id) if decision.lead_unit_id else None,
        co_units=[names.get(u, str(u)) for u in decision.co_unit_ids],
        consultation=decision.consultation, explanation=[str(line) for line in decision.explanation],
    )


def knowledge_articles(*, query: str, classification=None, limit: int = 6) -> list:
    """Articles in force for the console: those of the chosen item first, then any matching the words."""
    found = list(article_search(query, classification=classification, limit=limit)) if classification else []
    if len(found) < limit and (query.strip() or not classification):
        seen = {a.pk for a in found}
        found += [a for a in article_search(query, limit=limit) if a.pk not in seen]
    return found[:limit]


# --- the operator's queues ---------------------------------------------------------------------------------

@dataclass
class Callback:
    petition: Petition
    limit: dt.datetime
    overdue: bool


def callbacks_due(*, now: dt.datetime | None = None) -> list[Callback]:
    """Answers the citizen has not rated online within a day: an operator calls them back, oldest first,
    each with its limit (CALLBACK_LIMIT_WORKING_DAYS working days after the answer was published)."""
    now = now or timezone.now()
    calendar = get_calendar()
    petitions = (Petition.objects.filter(status=Status.CALLBACK, answered_at__lte=now - CALLBACK_REMINDER_AFTER)
                 .select_related("area", "classification").order_by("answered_at", "id")[:QUEUE_LIMIT])
    due = []
    for petition in petitions:
        limit = calendar.deadline_from(petition.answered_at, CALLBACK_LIMIT_WORKING_DAYS)
        due.append(Callback(petition, limit, limit < now))
    return due


def filed_by(user, *, limit: int | None = None) -> QuerySet[Petition]:
    """The petitions this operator recorded, newest first (the filed_by foreign key's index): the first
    QUEUE_LIMIT, as the other queues (queue_counts has the true number)."""
    return (Petition.objects.filter(filed_by=user).select_related("area", "classification")
            .order_by("-received_at", "-id")[:limit or QUEUE_LIMIT])


def media_to_screen() -> QuerySet[Petition]:
    """Media items waiting for screening (初筛, DOMAIN.md section 3), oldest first."""
    return (Petition.objects.filter(status=Status.SCREENING, channel__in=list(MEDIA_CHANNELS))
            .select_related("area").order_by("received_at", "id")[:QUEUE_LIMIT])


def queue_counts(user, *, now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    return {
        "callbacks": Petition.objects.filter(status=Status.CALLBACK,
                                             answered_at__lte=now - CALLBACK_REMINDER_AFTER).count(),
        "screening": Petition.objects.filter(status=Status.SCREENING, channel__in=list(MEDIA_CHANNELS)).count(),
        "mine": Petition.objects.filter(filed_by=user).count(),
    }


# --- search ------------------------------------------------------------------------------------------------

def petition_find(*, user, name: str = "", phone_last4: str = "", number: str = "", words: str = "", area=None,
                  classification=None, unit=None, status: str = "", received_from: dt.date | None = None,
                  received_to: dt.date | None = None) -> QuerySet[Petition]:
    """Petitions matching every criterion given, newest first.

    Indexes at 10 million rows: the tracking number is unique; the name has its own index
    (petition_name_idx) and the phone's last four digits an expression index (petition_phone_last4_idx,
    RIGHT(complainant_phone, 4)), both with received_at so the newest come first from the index; words go
    through the bigram index of petitions.selectors.petition_search on PostgreSQL.
    """
    found = Petition.objects.all()
    if number:
        found = found.filter(number=number)
    if name:
        found = found.filter(complainant_name=name.strip())
    if phone_last4:
        found = found.filter(Exact(Right("complainant_phone", 4), phone_last4))
    if words:
        found = petition_search(found, words)
    if area is not None:
        found = found.filter(area__path__startswith=area.path)
    if classification is not None:
        found = found.filter(classification__path__startswith=classification.path)
    if unit is not None:
        found = found.filter(Exists(Assignment.objects.filter(petition=OuterRef("pk"), unit=unit)))
    if status:
        found = found.filter(status=status)
    if received_from:
        found = found.filter(received_at__gte=dt.datetime.combine(received_from, dt.time.min, tzinfo=SHANGHAI))
    if received_to:
        found = found.filter(received_at__lt=dt.datetime.combine(received_to + dt.timedelta(days=1), dt.time.min,
                                                                 tzinfo=SHANGHAI))
    if (name or phone_last4 or words) and not privacy.is_platform(user):
        # Finding a confidential petition by a name or a phone would tell who filed it (petitions.privacy).
        found = found.exclude(confidential=True)
    return found.select_related("area", "classification").order_by("-received_at", "-id")


# Seven digits or more among the words is a phone number (or most of one): the word search finds it in the
# petition's text, where callers write their numbers, so it is a search by phone and is audited as one.
PHONE_IN_WORDS = re.compile(r"\d{7,}")


def describe_search(data: dict) -> str:
    """What was searched for, for the access record: the kinds of criteria, never the values. Empty when the
    search names nobody (no name, no phone), which is not audited."""
    words = re.sub(r"[\s-]", "", data.get("words") or "")  # 139 1234 5678, 0532-8888-1234
    by_phone = bool(data.get("phone_last4")) or bool(PHONE_IN_WORDS.search(words))
    kinds = [label for present, label in ((bool(data.get("name")), _("name")), (by_phone, _("phone"))) if present]
    return ", ".join(kinds)
