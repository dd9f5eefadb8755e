"""dispatch listens to petitions' signals (sent after commit)."""
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from dispatch import routing, services
from dispatch.tasks import recompute_deadlines
from org.models import Area, Classification, HandlingUnit
from org.signals import calendar_changed
from petitions.models import Status
from petitions.signals import petition_filed, petition_reopened, petition_status_changed


@receiver(petition_filed, dispatch_uid="dispatch.on_filed")
def _on_filed(sender, petition_id, petition=None, **kwargs):
    services.dispatch_new_petition(petition_id, petition=petition)


@receiver(petition_reopened, dispatch_uid="dispatch.on_reopened")
def _on_reopened(sender, petition_id, **kwargs):
    services.on_petition_reopened(petition_id=petition_id)


@receiver(petition_status_changed, dispatch_uid="dispatch.on_status")
def _on_status(sender, petition_id, to_status, from_status=None, **kwargs):
    # Out of joint consultation or the callback: that clock stops (docs/supervision.md).
    if from_status in (Status.CONSULTATION, Status.CALLBACK) and from_status != to_status:
        services.on_left_waiting(petition_id=petition_id, from_status=from_status)
    # Closed, merged into another or routed out: the work and its supervision stop (DOMAIN.md section 6).
    if to_status in (Status.CLOSED, Status.MERGED, Status.ROUTED_OUT, Status.CLOSED_ON_SPOT):
        services.on_petition_closed(petition_id=petition_id)


@receiver(calendar_changed, dispatch_uid="dispatch.on_calendar")
def _on_calendar(sender, years, **kwargs):
    recompute_deadlines.delay(years=list(years))


def _units_changed(sender, **kwargs):
    # A unit switched off, renamed or given other areas, or a classification item renamed, moved (its subtree's
    # codes and paths rewritten) or retired, routes the next petition at once, not after the routing catalog's
    # minute (dispatch.routing.CATALOG_TTL).
    transaction.on_commit(routing.invalidate)


for _model in (HandlingUnit, Area, Classification):
    post_save.connect(_units_changed, sender=_model, dispatch_uid=f"dispatch.routing.{_model.__name__}.saved")
    post_delete.connect(_units_changed, sender=_model, dispatch_uid=f"dispatch.routing.{_model.__name__}.deleted")
m2m_changed.connect(_units_changed, sender=HandlingUnit.areas.through, dispatch_uid="dispatch.routing.unit_areas")
