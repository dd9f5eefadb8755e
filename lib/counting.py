"""Counting what the public reads and finds helpful, once per visitor ("most asked" orders).

A count is an honest signal only if one person cannot inflate it, so an event counts when all of:
- the request comes from a visitor who already holds a session: the session cookie came in with the
  request and names a stored session (the public pages give one to every visitor they serve). A client
  that keeps no cookies (most scripts and crawlers) never counts; a visitor's first page makes the session
  and their next one can count;
- the user agent does not say it is a robot (search engines and link previews announce themselves);
- this visitor has not counted this event on this item before: the session remembers it, so a reload or a
  second vote changes nothing;
- the visitor's address is under PORTAL_RATE_FAQ_COUNT counted events (lib.ratelimits, per client address,
  lib.client_ip): a script that makes itself a fresh session for every request still counts a bounded number.

The caller applies the increment (an `UPDATE ... SET n = n + 1`, never a read-modify-write) when
`count_once` says yes. Nothing here imports an app: disclosure's Q&A and the knowledge base share it.
"""
from __future__ import annotations

import re

from django.conf import settings

from lib.ratelimits import usage

SESSION_KEY = "counted"
MAX_REMEMBERED = 500  # the oldest events are forgotten first; a visitor reading 500 answers is rare
GROUP = "public-count"
ROBOT = re.compile(r"bot|spider|crawl|slurp|preview|curl|wget|python|httpclient|java/|go-http|okhttp|scrapy",
                   re.IGNORECASE)


def has_visitor_session(request) -> bool:
    """The request carried the cookie of a session we stored earlier (not one made by this request)."""
    cookie = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not cookie or not hasattr(request, "session"):
        return False
    request.session.get(SESSION_KEY)  # loads it: a cookie naming no stored session leaves no session key
    return request.session.session_key == cookie


def is_robot(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return not agent or bool(ROBOT.search(agent))


def ensure_session(request) -> None:
    """Give a visitor a session so their next page can count (a cookie that holds no personal data)."""
    if SESSION_KEY not in request.session:
        request.session[SESSION_KEY] = []


def already_counted(request, event: str) -> bool:
    return event in request.session.get(SESSION_KEY, [])


def count_once(request, event: str) -> bool:
    """True when `event` (e.g. "view:article:12") counts for this visitor now, and remembers it.

    Checked cheapest first; the address's bucket is drawn on only for an event that would count."""
    if is_robot(request) or not has_visitor_session(request) or already_counted(request, event):
        return False
    counted = usage(request, GROUP, "PORTAL_RATE_FAQ_COUNT", increment=True)
    if counted is not None and counted["should_limit"]:
        return False
    remembered = request.session.get(SESSION_KEY, [])
    request.session[SESSION_KEY] = (remembered + [event])[-MAX_REMEMBERED:]
    return True
