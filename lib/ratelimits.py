"""Rate limits on the public writes and lookups, per client address (lib.client_ip).

One mechanism for pages and API: django-ratelimit's counters in the default cache
(Redis in production, so every worker shares them). A page view is decorated with
`limit(group, setting)`; a DRF view lists an `AddressThrottle` subclass with the same
group, so the tracking form and the tracking API draw on one bucket. Each limit is a
setting (PORTAL_RATE_*, README) read at request time. A refused request raises
`Ratelimited` before the view runs, so nothing is stored; the 429 page or JSON comes
from `config.errors.too_many_requests` (RATELIMIT_VIEW).
"""
from __future__ import annotations

import logging
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django_ratelimit import ALL
from django_ratelimit.core import get_usage
from django_ratelimit.exceptions import Ratelimited
from rest_framework.throttling import BaseThrottle

from lib.client_ip import client_ip

logger = logging.getLogger("portal.ratelimit")


def address_key(group: str, request) -> str:
    return client_ip(request) or "unknown"


def _rate_from(setting: str):
    def rate(group: str, request) -> str:
        return getattr(settings, setting)

    return rate


def usage(request, group: str, setting: str, *, increment: bool) -> dict | None:
    # method=ALL always: django-ratelimit puts the methods in the counter's key, and a page
    # (POST only) and an API view must count in the same bucket; callers filter methods.
    return get_usage(request, group=group, key=address_key, rate=_rate_from(setting), method=ALL,
                     increment=increment)


def limit(group: str, setting: str, *, method=("POST",)):
    """Decorate a page view: past the rate in `setting`, a request of `method` is refused
    (429) before the view runs; other methods (reading the form) are not counted."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in method:
                counted = usage(request, group, setting, increment=True)
                if counted is not None and counted["should_limit"]:
                    raise refusal(group, counted)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def refusal(group: str, counted: dict) -> Ratelimited:
    """The refusal a 429 is made from: its group (for the log) and the seconds until the window ends (Retry-After)."""
    refused = Ratelimited()
    refused.group, refused.retry_after = group, max(int(counted["time_left"]), 1)
    return refused


def log_refusal(request, group: str) -> None:
    logger.warning("rate limit %s reached by %s", group, client_ip(request))


class AddressThrottle(BaseThrottle):
    """A DRF throttle on a shared group. Nobody is exempt: staff and anonymous callers
    are counted alike by address (a supervisor once recovered a masked phone by
    tracking 1,235 times while logged in)."""

    group = ""
    setting = ""
    methods: tuple[str, ...] | None = None  # None: every method

    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        if self.methods is not None and request.method not in self.methods:
            return True
        counted = usage(request, self.group, self.setting, increment=True)
        if counted is None:  # RATELIMIT_ENABLE off
            return True
        self._wait = max(counted["time_left"], 1)
        if counted["should_limit"]:
            log_refusal(request, self.group)
            return False
        return True

    def wait(self):
        return getattr(self, "_wait", None)


def count(key: str, seconds: int) -> int:
    """One more on a counter in the shared cache that lives `seconds` from its first count (a limit that is not
    per address: tries at one SMS code, failed lookups with one phone). `add` and `incr` are atomic in the
    local-memory cache (one lock) and in Redis (INCR), so parallel requests each get their own number."""
    cache.add(key, 0, seconds)
    try:
        return cache.incr(key)
    except ValueError:  # it expired between the two calls: a new window starts
        cache.add(key, 0, seconds)
        return cache.incr(key)


def counted(key: str) -> int:
    return cache.get(key) or 0
