"""Perfunctory answers (敷衍答复, DOMAIN.md section 6): "正在研究", "将出方案", "已转有关部门" and the like run
out the clock without answering. The phrases are data (`PerfunctoryPhrase`, kept in the admin); an
answer containing one is flagged to the reviewer when it is submitted, and the monthly bulletin counts
flagged answers per unit (evaluation.aggregates). A flag is a warning, not a verdict: the reviewer still
decides whether to approve or send the answer back for re-handling (重办).
"""
from __future__ import annotations

import re

from django.core.cache import cache

from dispatch.models import PerfunctoryPhrase

CACHE_KEY = "dispatch:perfunctory-phrases"
CACHE_SECONDS = 300
_SPACES = re.compile(r"\s+")


def active_phrases() -> list[str]:
    phrases = cache.get(CACHE_KEY)
    if phrases is None:
        phrases = list(PerfunctoryPhrase.objects.filter(active=True).values_list("phrase", flat=True))
        cache.set(CACHE_KEY, phrases, CACHE_SECONDS)
    return phrases


def invalidate() -> None:
    cache.delete(CACHE_KEY)


def found_in(text: str) -> list[str]:
    """The active phrases `text` contains, ignoring spaces (units write "正在 研究" too)."""
    compact = _SPACES.sub("", text or "")
    return [phrase for phrase in active_phrases() if _SPACES.sub("", phrase) in compact]
