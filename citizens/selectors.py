"""Everything one phone number has filed: petitions, information requests, sign-ups, suggestions."""
from __future__ import annotations

from dataclasses import dataclass, field

from disclosure.models import InfoRequest, Signup
from evaluation.models import Suggestion
from petitions.models import Petition


@dataclass
class Mine:
    petitions: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    signups: list = field(default_factory=list)
    suggestions: list = field(default_factory=list)


def everything_of(phone: str, limit: int = 100) -> Mine:
    return Mine(
        petitions=list(Petition.objects.filter(complainant_phone=phone).select_related("area", "classification")
                       .order_by("-received_at")[:limit]),
        requests=list(InfoRequest.objects.filter(applicant_phone=phone).order_by("-submitted_at")[:limit]),
        signups=list(Signup.objects.filter(phone=phone).select_related("event").order_by("-created_at")[:limit]),
        suggestions=list(Suggestion.objects.filter(phone=phone).select_related("campaign")
                         .order_by("-submitted_at")[:limit]),
    )
