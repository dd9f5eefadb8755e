"""Keep the 三民 voting pages out of the logs' timeline (docs/sanmin.md, "The logs").

An access log line "POST /evaluation/sanmin/2026/vote/ 200" with its time tells
when a representative voted, and the time is what links a ballot to a voter. This
filter drops every record that names a voting page: runserver's and gunicorn's
access lines, Django's "Bad Request" and CSRF warnings. A server error on a voting
page is kept (an operator must see it) with its time cut to the day.

Imported by the LOGGING setting before the apps load: it imports nothing of Django's.
"""
from __future__ import annotations

import datetime as dt
import logging
import re

# The voting page of any year (evaluation/urls.py: sanmin/<year>/vote/), with or without a query string.
VOTING_PATH = re.compile(r"/sanmin/[^/\s\"?]+/vote/")
# lib.ratelimits' refusal line for the voting page's limits ("rate limit sanmin-vote reached by <address>"):
# an address and a time at the voting page, like an access line.
VOTING_LIMITS = re.compile(r"rate limit sanmin-(?:vote|code)\b")


def names_a_voting_page(record: logging.LogRecord) -> bool:
    request = getattr(record, "request", None)
    if VOTING_PATH.search(str(getattr(request, "path", "") or "")):
        return True
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a malformed record is judged by its raw parts
        message = f"{record.msg} {record.args}"
    return bool(VOTING_PATH.search(message) or VOTING_LIMITS.search(message))


class VotingRequestFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not names_a_voting_page(record):
            return True
        if record.levelno < logging.ERROR:
            return False
        day = dt.datetime.fromtimestamp(record.created).replace(hour=0, minute=0, second=0, microsecond=0)
        record.created, record.msecs, record.relativeCreated = day.timestamp(), 0, 0
        return True
