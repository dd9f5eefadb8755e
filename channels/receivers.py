"""What channels hear from petitions: a status change of a 110 transfer is posted back to the 110 platform."""
from __future__ import annotations

from channels import services
from petitions.signals import petition_status_changed


def _on_status(sender, petition_id, to_status, **kwargs):
    services.police_callback_queue(petition_id=petition_id, to_status=to_status)


def connect() -> None:
    petition_status_changed.connect(_on_status, dispatch_uid="channels.police_callback")
