"""Counting what the public reads and finds helpful, once per visitor ("most asked" orders).

A count is an honest signal only if one person cannot inflate it, so an event counts when all of:
- the request comes from a **known visitor**: it brings the signed visitor cookie a public page gave it earlier
  (`remember_visitor`). A client that keeps no cookies (most scripts and crawlers) never counts, and a made-up
  or altered cookie fails its signature. A visitor's first page gives the cookie; their next page can count;
- the user agent does not say it is a robot (search engines and link previews announce themselves);
- this visitor has not counted this event on this item within COUNT_WINDOW: `cache.add` on
  (visitor, event) is atomic in Redis, so a reload, two tabs at once or a second vote change nothing;
- the visitor's address is under PORTAL_RATE_FAQ_COUNT counted events (lib.ratelimits, per client address,
  lib.client_ip): a script that fetches a fresh cookie for every request still counts a bounded number.

Why a signed cookie and the cache rather than Django's session: sessions live in the database, and giving one to
every reader of a public page would write a session row for each request of every client that keeps no cookies
(a crawler reading 100,000 answers: 100,000 rows). The visitor cookie is a random id with no personal data,
checked without a query; what it has counted lives in the cache (Redis in production) and expires.

The caller applies the increment (an `UPDATE ... SET n = n + 1`, never a read-modify-write) when
`count_once` says yes. Nothing here imports an app: disclosure's Q&A and the knowledge base share it.
"""
from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.cache import cache

from lib.ratelimits import usage

COOKIE = "portal_visitor"
SALT = "lib.counting.visitor"
COUNT_WINDOW = 90 * 24 * 3600  # a visitor who comes back after three months is asking again
GROUP = "public-count"
ROBOT = re.compile(r"bot|spider|crawl|slurp|preview|curl|wget|python|httpclient|java/|go-http|okhttp|scrapy",
                   re.IGNORECASE)


def visitor_id(request) -> str | None:
    """The id of the visitor cookie that came in with the request, if it is ours and not too old."""
    return request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=COUNT_WINDOW)


def is_robot(request) -> bool:
    agent = request.META.get("HTTP_USER_AGENT", "")
    return not agent or bool(ROBOT.search(agent))


def remember_visitor(request, response):
    """Give a reader the visitor cookie (once), so their next page can count. Returns the response."""
    if visitor_id(request) is None and not is_robot(request):
        response.set_signed_cookie(COOKIE, secrets.token_hex(12), salt=SALT, max_age=COUNT_WINDOW, httponly=True,
                                   samesite="Lax", secure=settings.SESSION_COOKIE_SECURE)
    return response


def count_once(request, event: str) -> bool:
    """True when `event` (e.g. "view:article:12") counts for this visitor now, and remembers it.

    Checked cheapest first; the address's bucket is drawn on only for an event that would count."""
    visitor = visitor_id(request)
    if visitor is None or is_robot(request):
        return False
    key = f"counted:{visitor}:{event}"
    if cache.get(key) is not None:
        return False
    counted = usage(request, GROUP, "PORTAL_RATE_FAQ_COUNT", increment=True)
    if counted is not None and counted["should_limit"]:
        return False
    return cache.add(key, 1, timeout=COUNT_WINDOW)  # False: the same visitor's other request got there first
