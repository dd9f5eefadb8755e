"""Small helpers for the labels staff read: a model's __str__ shows in the admin's inlines, history and
delete pages, so it names the thing in words and local time, never "Rating object (3833)"."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone


def when(moment: dt.datetime | None) -> str:
    """A moment as people in the city read it: Asia/Shanghai, to the minute."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""
