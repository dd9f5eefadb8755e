"""The petition's status pipeline, as a plain table (docs/development.md, rule 3).

Each status maps to the statuses it may move to. `petition_transition` is the
only code that changes a petition's status, and it checks this table.
"""
from petitions.models import Status as S

TRANSITIONS: dict[str, frozenset[str]] = {
    # Media items: screened into one of four streams (DOMAIN.md section 3).
    S.SCREENING: frozenset({S.RECEIVED, S.ROUTED_OUT}),
    # Awaiting dispatch; a consultation may be answered on the spot (直接办结).
    S.RECEIVED: frozenset({S.DISPATCHED, S.CONSULTATION, S.CLOSED_ON_SPOT, S.MERGED}),
    # Joint consultation (会商研判) ends with a fallback owner.
    S.CONSULTATION: frozenset({S.DISPATCHED, S.MERGED}),
    # Re-dispatch keeps DISPATCHED; an approved return goes back to RECEIVED.
    S.DISPATCHED: frozenset({S.IN_PROGRESS, S.DISPATCHED, S.RECEIVED, S.CONSULTATION, S.MERGED}),
    S.IN_PROGRESS: frozenset({S.REPLIED, S.DISPATCHED, S.RECEIVED, S.CONSULTATION, S.MERGED}),
    # Platform review, "one door out": approved -> callback, rejected -> re-handling (重办).
    S.REPLIED: frozenset({S.CALLBACK, S.IN_PROGRESS, S.DISPATCHED}),
    # The callback closes it or reopens it.
    S.CALLBACK: frozenset({S.CLOSED, S.IN_PROGRESS}),
    # Look-back (回头看) reopens a false closure.
    S.CLOSED: frozenset({S.IN_PROGRESS}),
    S.CLOSED_ON_SPOT: frozenset(),
    S.ROUTED_OUT: frozenset(),
    S.MERGED: frozenset(),
}


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
