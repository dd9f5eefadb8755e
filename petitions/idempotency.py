"""Idempotency keys: a POST sent with an `Idempotency-Key` header is done once per caller. A retry with the same key
and the same request replays the stored answer; the same key with another request is refused (422); a retry while
the first still runs gets 409. Used by the REST API (petitions.api_support.idempotent) and Open311's POST.

A key is remembered for RETENTION: the beat sweep (petitions.tasks.sweep_idempotency_records) deletes older records,
and a record older than that which the sweep has not reached yet counts as gone. A record still without an answer
after ABANDONED_AFTER belongs to a worker that died mid-request (the answer is stored before the response leaves):
the retry claims it and runs, instead of answering 409 for ever."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from petitions.models import ApiKey, IdempotencyRecord

RETENTION = dt.timedelta(hours=24)  # what clients are told (docs/api.md); stored answers hold masked personal data
# gunicorn kills a request after 30 s (its default timeout, docker-compose.yml): ten times that is surely dead.
ABANDONED_AFTER = dt.timedelta(minutes=5)
MAX_KEY_LENGTH = 100  # IdempotencyRecord.key


class IdempotencyRefused(Exception):
    """The key cannot be used for this request; each interface answers it in its own error format."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def key_scope(key: ApiKey) -> str:
    """An integrator's keys are theirs on both interfaces (REST and Open311)."""
    return f"key:{key.pk}"


def run_once(request, *, scope: str, key: str, payload: bytes, perform: Callable[[], HttpResponse]) -> HttpResponse:
    """Do `perform` once for (scope, key); `payload` is what makes two requests the same (with the method and path).
    `perform` returns a rendered response; if it raises or answers 5xx nothing is kept and the client may retry."""
    if len(key) > MAX_KEY_LENGTH:
        raise IdempotencyRefused(400, "idempotency_key_too_long",
                                 _("The Idempotency-Key header is at most 100 characters."))
    fingerprint = hashlib.sha256(request.method.encode() + request.path.encode() + b"\0" + payload).hexdigest()
    now = timezone.now()
    record = _claim(scope=scope, key=key, fingerprint=fingerprint, now=now)
    if isinstance(record, HttpResponse):
        return record
    mine = IdempotencyRecord.objects.filter(pk=record.pk, created_at=now)  # not one a later claim took over
    try:
        response = perform()
    except Exception:
        mine.delete()  # nothing was done: the client may retry with the same key
        raise
    if response.status_code >= 500:
        mine.delete()
        return response
    mine.update(status_code=response.status_code, body=response.content,
                content_type=response.get("Content-Type", "application/json"))
    return response


def _claim(*, scope: str, key: str, fingerprint: str, now: dt.datetime):
    """The record this request now owns, or the stored answer to replay; raises IdempotencyRefused."""
    with contextlib.suppress(IntegrityError), transaction.atomic():
        return IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fingerprint, created_at=now)
    # The key is held already: by a finished request (replayed), a running one (409) or a dead one (taken over).
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    expired = record is None or record.created_at < now - RETENTION
    abandoned = record is not None and record.status_code is None and record.created_at < now - ABANDONED_AFTER
    if expired or abandoned:
        # Take it over only if nobody else did since we read it (a conditional update; its row count says who won).
        claimed = record is not None and IdempotencyRecord.objects.filter(
            pk=record.pk, created_at=record.created_at, status_code=record.status_code,
        ).update(fingerprint=fingerprint, status_code=None, body=b"", content_type="application/json", created_at=now)
        if claimed:
            record.created_at = now
            return record
        raise IdempotencyRefused(409, "idempotency_key_in_use",
                                 _("The first request with this Idempotency-Key is still being processed."))
    if record.fingerprint != fingerprint:
        raise IdempotencyRefused(422, "idempotency_key_reused",
                                 _("This Idempotency-Key was used for a different request."))
    if record.status_code is None:
        raise IdempotencyRefused(409, "idempotency_key_in_use",
                                 _("The first request with this Idempotency-Key is still being processed."))
    response = HttpResponse(bytes(record.body), status=record.status_code, content_type=record.content_type)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_records_sweep(*, now: dt.datetime | None = None) -> int:
    """Beat: forget keys older than RETENTION (with their stored answers). Idempotent; returns how many went."""
    now = now or timezone.now()
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=now - RETENTION).delete()
    return deleted
