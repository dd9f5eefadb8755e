"""Reads used in more than one place: the public policy and Q&A search (pages and API)."""
from __future__ import annotations

import logging

from django.db.models import F, Q, QuerySet

from disclosure.models import Question


def _terms(text: str) -> list[str]:
    """Chinese search: segment the query with jieba, keep the meaningful words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    words = [w.strip() for w in jieba.lcut_for_search(text) if len(w.strip()) >= 2]
    return words or ([text.strip()] if text.strip() else [])


def search(queryset: QuerySet, text: str, fields: list[str]) -> QuerySet:
    """Every meaningful word of the query in one of `fields`: the public pages and the API."""
    for term in _terms(text)[:6]:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset


# A helpful vote says the answer served someone, so it weighs more than a view (docs/knowledge.md, "counting").
HELPFUL_WEIGHT = 3


def questions_most_asked(queryset: QuerySet | None = None) -> QuerySet:
    """Policy Q&A, most asked first: real views plus helpful votes, each counted once per visitor."""
    queryset = Question.objects.all() if queryset is None else queryset
    return queryset.alias(popularity=F("views") + HELPFUL_WEIGHT * F("helpful")).order_by("-popularity", "pk")
