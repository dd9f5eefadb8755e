"""When a process-local copy must ask the shared cache again whether its version moved.

The calendar and the routing catalog are kept in process and reloaded when a version key in the shared cache
changes. Asking on every use cost a cache round trip each time (four for the calendar in one filing: issue 20).
A `VersionCheck` asks once per request (a request sees the version current when it started, or newer) and, where
there is no request (Celery, commands), at most every `seconds`.
"""
from __future__ import annotations

import time

from django.core.signals import request_started

_generation = 0


def _request_started(**kwargs) -> None:
    global _generation
    _generation += 1


request_started.connect(_request_started, dispatch_uid="lib.versions.request_started")


class VersionCheck:
    def __init__(self, seconds: float = 1.0):
        self.seconds = seconds
        self.generation: int | None = None
        self.at = 0.0

    def due(self) -> bool:
        return self.generation != _generation or time.monotonic() - self.at >= self.seconds

    def done(self) -> None:
        self.generation, self.at = _generation, time.monotonic()

    def reset(self) -> None:
        self.generation = None


def expire_all() -> None:
    """Every copy asks again at its next use (the test suite's cache clear: the shared versions are gone)."""
    global _generation
    _generation += 1
