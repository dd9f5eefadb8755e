"""What of a petition anyone may read: the one publication policy (DOMAIN.md section 13).

Every output that an anonymous person or an integrator can read goes through
here: Open311's lists and details (JSON and XML), the public API, public pages
(the home page's recent answers), bulletins and exports. Two rules:

1. *Which* petitions: only those in the hotline workflow (never in screening,
   routed out to another body or merged into another), never a confidential
   one and never a report of wrongdoing (举报): `publishable()`.
2. *What* of them: an allow-list (`public_record()`): the service (the
   classification item), the district and street, the status, the received,
   expected and updated times, and the answer as the platform approved it in
   review (一个门出). The citizen's own words and address appear only when they
   ticked consent on the form, and then only through the personal-data
   redactor (`lib.redact`), which also runs over the answer, because answers
   address the citizen by name ("张先生您好").

Nothing else is ever read from the petition row here: a field added to the
model later stays private until someone adds it to the allow-list below.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from lib.redact import redact
from petitions.privacy import identity
from org.models import Area
from petitions.models import LEAD_CLOCK_STATUSES, OPEN_STATUSES, Kind, Petition, Status, Stream

# The hotline workflow: what screening let through and nothing routed elsewhere or merged away.
PUBLISHABLE_STATUSES = frozenset({
    Status.RECEIVED, Status.CLOSED_ON_SPOT, Status.CONSULTATION, Status.DISPATCHED, Status.IN_PROGRESS,
    Status.REPLIED, Status.CALLBACK, Status.CLOSED,
})
# The answer is public once the platform has approved it (一个门出) or the operator answered on the spot.
ANSWER_PUBLISHED_STATUSES = frozenset({Status.CALLBACK, Status.CLOSED, Status.CLOSED_ON_SPOT})
# Kinds never published, whatever the complainant ticked: reports of wrongdoing name people.
NEVER_PUBLISHED_KINDS = frozenset({Kind.REPORT})


def publishable_filter() -> Q:
    """The rule as a query: use it wherever petitions are listed for the public."""
    return (
        Q(status__in=PUBLISHABLE_STATUSES, confidential=False)
        & ~Q(kind__in=NEVER_PUBLISHED_KINDS)
        # A media item screened into another stream never entered the hotline workflow.
        & (Q(stream="") | Q(stream=Stream.GOVERNMENT_SERVICE))
    )


def publishable(queryset: QuerySet[Petition] | None = None) -> QuerySet[Petition]:
    queryset = Petition.objects.all() if queryset is None else queryset
    return queryset.filter(publishable_filter())


def is_publishable(petition: Petition) -> bool:
    return (
        petition.status in PUBLISHABLE_STATUSES
        and not petition.confidential
        and petition.kind not in NEVER_PUBLISHED_KINDS
        and petition.stream in ("", Stream.GOVERNMENT_SERVICE)
    )


@dataclass(frozen=True)
class PublicPetition:
    """The allow-list: everything the public may know of one petition."""

    number: str
    service_code: str
    service_name: str
    district: str
    street: str
    area_code: str  # the street's code where there is one, else the district's
    is_open: bool
    status: str
    status_display: str
    received_at: dt.datetime
    expected_at: dt.datetime | None
    updated_at: dt.datetime
    answer: str  # redacted; empty until published
    answered_at: dt.datetime | None
    description: str  # redacted; empty without the citizen's consent
    address: str  # redacted; empty without the citizen's consent
    latitude: float | None  # only with consent, rounded to about 100 m
    longitude: float | None


class _AreaNames:
    """District and street names by code, read once per output (a few hundred rows)."""

    def __init__(self):
        self._names: dict[str, tuple[str, str]] | None = None

    def get(self, code: str) -> tuple[str, str]:
        if self._names is None:
            self._names = dict(Area.objects.filter(level__in=[Area.Level.DISTRICT, Area.Level.STREET])
                               .values_list("code", "name"))
        return code, self._names.get(code, "")


def _district_and_street(area: Area, names: _AreaNames) -> tuple[str, str, str]:
    # The path runs city/district/street/community: never say more than the street.
    codes = area.ancestor_codes
    district = names.get(codes[1])[1] if len(codes) > 1 else ""
    street = names.get(codes[2])[1] if len(codes) > 2 else ""
    area_code = codes[2] if len(codes) > 2 else (codes[1] if len(codes) > 1 else "")
    return district, street, area_code


def public_record(petition: Petition, *, expected_at: dt.datetime | None = None,
                  _names: _AreaNames | None = None) -> PublicPetition:
    """The allow-listed view of a petition that `is_publishable`; raises ValueError otherwise."""
    if not is_publishable(petition):
        raise ValueError("this petition is not published")
    names = _names or _AreaNames()
    district, street, area_code = _district_and_street(petition.area, names)
    answered = petition.status in ANSWER_PUBLISHED_STATUSES
    consent = petition.publish_consent
    return PublicPetition(
        number=petition.number,
        service_code=petition.classification.code if petition.classification else "",
        service_name=petition.classification.name if petition.classification else "",
        district=district, street=street, area_code=area_code,
        is_open=petition.status in OPEN_STATUSES,
        status=petition.status, status_display=str(Status(petition.status).label),
        received_at=petition.received_at, expected_at=expected_at if petition.status in LEAD_CLOCK_STATUSES else None,
        updated_at=petition.updated_at,
        answer=redact(petition.answer, identity(petition)) if answered and petition.answer else "",
        answered_at=petition.answered_at if answered else None,
        description=redact(petition.content, identity(petition)) if consent else "",
        address=redact(petition.address, identity(petition)) if consent and petition.address else "",
        latitude=round(float(petition.latitude), 3) if consent and petition.latitude is not None else None,
        longitude=round(float(petition.longitude), 3) if consent and petition.longitude is not None else None,
    )


def public_records(petitions, *, expected: dict[int, dt.datetime] | None = None) -> list[PublicPetition]:
    """Many at once, sharing one read of the area names. `expected`: petition id -> expected answer time."""
    names = _AreaNames()
    expected = expected or {}
    return [public_record(p, expected_at=expected.get(p.pk), _names=names) for p in petitions if is_publishable(p)]


def recent_answers(limit: int = 5) -> list[PublicPetition]:
    """The newest published answers, for the home page."""
    query = (publishable().filter(status__in=ANSWER_PUBLISHED_STATUSES).exclude(answer="")
             .select_related("area", "classification").order_by("-answered_at")[:limit])
    return public_records(query)
