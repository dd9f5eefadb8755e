"""The client's address: the one function every limiter, the login lockout and the logs use.

X-Forwarded-For is written by whoever sends the request, so it is trusted only as far
as our own proxies wrote it. Each proxy appends the address it received the request
from; with PORTAL_TRUSTED_PROXIES = N proxies in front of the application, the client
is the Nth address from the right and everything to its left is the client's own
(possibly forged) claim. With 0 (the default) the header is ignored: REMOTE_ADDR only.
"""
from __future__ import annotations

import ipaddress

from django.conf import settings


def _valid(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    proxies = getattr(settings, "PORTAL_TRUSTED_PROXIES", 0)
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not chain:
        return remote  # not through our proxies (a health check on the app server itself)
    # Fewer entries than proxies: the request skipped an outer proxy; the leftmost entry
    # was still written by one of ours, so it is the farthest address we can vouch for.
    candidate = chain[-proxies] if len(chain) >= proxies else chain[0]
    # A proxy never writes garbage; if the entry is not an address, fall back to the peer.
    return _valid(candidate) or remote
