"""Signals petitions sends to the apps downstream (dispatch listens).

All are sent after the transaction commits, so a listener never sees a
petition that might still be rolled back.
"""
from django.dispatch import Signal

# petition_filed(petition_id[, petition]): a petition entered the handling workflow (status RECEIVED); at intake
# the Petition just filed comes along (its area and classification loaded), so the listener need not read it.
petition_filed = Signal()
# petition_reopened(petition_id, reason): a rating or look-back sent it back to handling.
petition_reopened = Signal()
# petition_status_changed(petition_id, from_status, to_status, channel)
petition_status_changed = Signal()
