"""Signing in with a phone number and a one-time SMS code, to see everything one has filed.

The code is six digits, lives PORTAL_MY_CODE_MINUTES (10) in the cache as a salted hash, and
dies after five wrong tries or one right one. Asking for a code always gets the same answer,
whether or not the number has filed anything, and a number gets at most one code a minute, five
an hour and PORTAL_MY_CODE_PER_DAY (10) a day, however many addresses ask for it (SMS bombing);
the address limit (PORTAL_RATE_MY_CODE) stops a script walking through numbers.
A verified phone is kept in the session for PORTAL_MY_SESSION_MINUTES (30).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.dispatch import Signal
from django.utils import timezone

from lib import ratelimits
from notifications.messaging import Recipients, message_send

MAX_TRIES = 5
SESSION_KEY = "citizens:phone"
SESSION_UNTIL = "citizens:until"

# Sent with `request` when a citizen signs out, before the session id changes: a channel that signs citizens in by
# itself (WeChat's silent OAuth with a remembered phone) forgets that phone, or its next page would sign them
# straight back in.
signed_out = Signal()


def _digest(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def code_send(*, phone: str) -> bool:
    """Send a code to `phone` unless it had one in the last minute, five this hour or
    PORTAL_MY_CODE_PER_DAY today. Returns whether one was sent (callers show the same page either way)."""
    if not cache.add(f"citizens:code-wait:{phone}", 1, 60):
        return False
    if ratelimits.count(f"citizens:code-hour:{phone}", 3600) > 5:
        return False
    if ratelimits.count(f"citizens:code-day:{phone}", 86400) > settings.PORTAL_MY_CODE_PER_DAY:
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    minutes = settings.PORTAL_MY_CODE_MINUTES
    # Each code has its own id, and its tries are counted under it: a new code starts from zero, and a try at
    # the old one that is still on its way cannot spend the new one's.
    cache.set(f"citizens:code:{phone}", {"digest": _digest(phone, code), "id": secrets.token_hex(8)},
              minutes * 60)
    message_send(code="citizen.login_code", key=f"{phone}:{timezone.now().timestamp():.0f}", urgent=True,
                 to=Recipients(phones=[phone]), context={"code": code, "minutes": minutes})
    return True


def code_check(*, phone: str, code: str) -> bool:
    key = f"citizens:code:{phone}"
    stored = cache.get(key)
    if not stored or "id" not in stored:  # none, or one sent before codes had an id: ask for a new one
        return False
    # The try is counted before the code is compared, atomically: reading a count, comparing and writing it
    # back let thirty parallel guesses all read "no tries yet" and all be compared. Now the sixth try and every
    # one after it is refused without a comparison, right code or not. The counter lives from the first try as
    # long as a code does, so it outlives the code it counts.
    tries = ratelimits.count(f"citizens:code-tries:{phone}:{stored['id']}", settings.PORTAL_MY_CODE_MINUTES * 60)
    if tries > MAX_TRIES or not hmac.compare_digest(stored["digest"], _digest(phone, code)):
        if tries >= MAX_TRIES and (cache.get(key) or {}).get("id") == stored["id"]:  # not a new code sent meanwhile
            cache.delete(key)  # the fifth wrong try, or any after it: the code is dead, ask for a new one
        return False
    # One use only: of two right tries at the same moment, only the one that deletes the code signs in.
    return cache.delete(key)


def session_phone(request) -> str | None:
    phone, until = request.session.get(SESSION_KEY), request.session.get(SESSION_UNTIL, 0)
    if phone and until > timezone.now().timestamp():
        return phone
    return None


def session_start(request, phone: str) -> None:
    request.session.cycle_key()  # a new session id once the phone is proven
    request.session[SESSION_KEY] = phone
    request.session[SESSION_UNTIL] = timezone.now().timestamp() + settings.PORTAL_MY_SESSION_MINUTES * 60


def session_until(request) -> float:
    return request.session.get(SESSION_UNTIL, 0)


def session_end(request, also: tuple[str, ...] = ()) -> None:
    """Signing out forgets the phone and, with `also`, the grants the sign-in gave (the petitions and information
    requests "My petitions" let this browser open). The rest of the session stays: a staff member signed in to the
    same browser is not signed out by a citizen's sign-out. The session id changes."""
    for key in (SESSION_KEY, SESSION_UNTIL, *also):
        request.session.pop(key, None)
    signed_out.send(sender=session_end, request=request)
    request.session.cycle_key()
