"""The console's two writes. Each is one transaction through the services that own the rules: petitions
files and closes, dispatch classifies and routes, knowledge records the citation. Nothing is stored half-way:
if any step refuses, the whole call is rolled back and the form shows the field in error."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from dispatch.services import dispatch_classify
from knowledge.services import article_cite
from lib.errors import DomainError
from petitions.models import MEDIA_CHANNELS, Kind, Petition
from petitions.services import petition_close_on_spot, petition_file

_FILED_FIELDS = ("channel", "kind", "area", "title", "content", "complainant_name", "complainant_phone", "address",
                 "complainant_type", "complainant_id_number", "enterprise_name", "confidential")


def _file(data: dict, actor, *, classification=None) -> tuple[Petition, bool]:
    return petition_file(**{name: data[name] for name in _FILED_FIELDS}, classification=classification,
                         actor=actor, submission_token=data.get("token"))


def call_record(*, data: dict, actor) -> Petition:
    """Record a call as a work order (工单): filed, then classified and routed by the catalog at once
    (dispatch.services.dispatch_classify), so the operator sees where it went before the next call.
    Posted twice (the same token), it returns the petition of the first post."""
    with transaction.atomic():
        petition, created = _file(data, actor)
        if created and data.get("classification") is not None:
            dispatch_classify(petition=petition, classification=data["classification"], actor=actor,
                              reason=_("Classified by the operator at intake."))
    petition.refresh_from_db()
    return petition


def call_close_on_spot(*, data: dict, actor) -> Petition:
    """A consultation answered from the knowledge base (直接办结): filed, closed with the answer given and the
    article cited, in one transaction. The article is required: the answer can then be checked and the
    article kept true."""
    if data.get("kind") != Kind.CONSULTATION:
        raise DomainError(_("Only a consultation can be answered on the spot."), field="kind")
    if data.get("channel") in MEDIA_CHANNELS:
        # A media item is screened by the platform before anything else (DOMAIN.md): it is saved, not answered.
        raise DomainError(_("An item from the media is screened first: save it; it cannot be answered on the "
                            "spot."), field="channel")
    article = data.get("article")
    if article is None:
        raise DomainError(_("Choose the knowledge-base article the answer comes from."), field="article")
    answer = (data.get("answer") or "").strip() or article.answer
    with transaction.atomic():
        petition, created = _file(data, actor, classification=data.get("classification"))
        if not created:
            return petition
        petition = petition_close_on_spot(petition=petition, answer=answer, actor=actor)
        article_cite(petition=petition, article=article, actor=actor)
    return petition
