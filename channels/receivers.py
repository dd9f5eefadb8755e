"""What channels hear from petitions: a status change of a 110 transfer is posted back to the 110 platform."""
from __future__ import annotations

from channels import services
from citizens.services import signed_out
from petitions.models import Channel
from petitions.signals import petition_status_changed


def _on_status(sender, petition_id, to_status, channel=None, **kwargs):
    # Only a 110 transfer has a callback; a sender that names the channel spares every other petition the look-up.
    if channel in (None, Channel.POLICE_110):
        services.police_callback_queue(petition_id=petition_id, to_status=to_status)


def _on_signed_out(sender, request, **kwargs):
    services.wechat_signed_out(request.session)


def connect() -> None:
    signed_out.connect(_on_signed_out, dispatch_uid="channels.wechat_signed_out")
    petition_status_changed.connect(_on_status, dispatch_uid="channels.police_callback")
