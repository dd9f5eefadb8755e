"""The information request's status pipeline, as a plain table (docs/development.md, rule 3).

Each status maps to the statuses it may move to. `disclosure.services._move` is the only
code that changes a request's status, and it checks this table. An extension changes the
deadline, not the status; forwarding makes a new request at the right body.
"""
from disclosure.models import RequestStatus as S

TRANSITIONS: dict[str, frozenset[str]] = {
    # Art. 30 correction, Art. 32 consultation, or the answer (with a fee notice when one is charged).
    S.RECEIVED: frozenset({S.CORRECTION, S.CONSULTING, S.ANSWERED, S.FEE_DUE}),
    # The corrected request restarts the clock; none in time = abandoned.
    S.CORRECTION: frozenset({S.RECEIVED, S.ABANDONED}),
    # The third party answers (or stays silent) and the clock runs again; or the office answers at once.
    S.CONSULTING: frozenset({S.RECEIVED, S.ANSWERED, S.FEE_DUE}),
    # Paid: the information is delivered; unpaid within 20 working days = abandoned.
    S.FEE_DUE: frozenset({S.ANSWERED, S.ABANDONED}),
    S.ANSWERED: frozenset(),
    # Abandoned for no correction, when the office records a correction that had arrived in time (Art. 30).
    S.ABANDONED: frozenset({S.CORRECTION}),
}

# Still on the office's desk: the statuses the annual report carries over.
OPEN = frozenset({S.RECEIVED, S.CORRECTION, S.CONSULTING, S.FEE_DUE})
# The clock stands still while the applicant corrects or a third party is consulted (Art. 30, 32).
PAUSED = frozenset({S.CORRECTION, S.CONSULTING})


def allowed(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, frozenset())
