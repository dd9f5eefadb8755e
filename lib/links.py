"""Signed, expiring, revocable personal links (imports no app).

A token holds a record's public number and its `link_version`, signed with the secret key and a timestamp
under a salt of its own. It expires after `max_age_days`; raising the record's version revokes every link
sent so far. A wrong, expired or revoked token gives None: callers answer all three the same way.
"""
from __future__ import annotations

from django.core import signing


def link_token(*, number: str, version: int, salt: str) -> str:
    return signing.dumps({"n": number, "v": version}, salt=salt, compress=True)


def link_read(token: str, *, salt: str, max_age_days: int) -> tuple[str, int] | None:
    """(number, version) of a good token, or None."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age_days * 86400)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(data, dict):
        return None
    return str(data.get("n", "")), data.get("v")
