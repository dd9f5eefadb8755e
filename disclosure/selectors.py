"""Reads used in more than one place: the public policy and Q&A search (pages and API)."""
from __future__ import annotations

import logging

from django.db.models import F, Q, QuerySet

from disclosure.models import Body, InfoRequest, Question
from lib.text import xml_safe


def _terms(text: str) -> list[str]:
    """Chinese search: segment the query with jieba, keep the meaningful words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    words = [w.strip() for w in jieba.lcut_for_search(text) if len(w.strip()) >= 2]
    return words or ([text.strip()] if text.strip() else [])


def search_text(value) -> str:
    """A search box's `q` as typed, without control characters: PostgreSQL refuses a NUL in a query parameter
    (icontains answered 500 to `?q=%00`); lib.text.xml_safe drops it and its kind."""
    return xml_safe(str(value or "")).strip()


def search(queryset: QuerySet, text: str, fields: list[str]) -> QuerySet:
    """Every meaningful word of the query in one of `fields`: the public pages and the API."""
    for term in _terms(text)[:6]:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": term})
        queryset = queryset.filter(condition)
    return queryset


# --- who sees and acts on which information requests -------------------------------------------------------

# Roles that watch or run every body's requests: platform admins run disclosure as before; supervisors watch.
SEES_ALL_ROLES = ("admin", "supervisor")
OFFICE_ROLES = ("disclosure_officer", "disclosure_head")


def body_of(user):
    """The open-government body a disclosure officer or head works for: their unit's."""
    if not getattr(user, "unit_id", None):
        return None
    return Body.objects.filter(unit_id=user.unit_id).select_related("unit").first()


def requests_visible_to(user, queryset=None):
    """Officers see only their body's requests; the city's office (a body that supervises all),
    supervisors and platform admins see every body's."""
    queryset = InfoRequest.objects.all() if queryset is None else queryset
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if user.is_superuser or user.role in SEES_ALL_ROLES:
        return queryset
    if user.role in OFFICE_ROLES:
        body = body_of(user)
        if body is None:
            return queryset.none()
        return queryset if body.supervises_all else queryset.filter(body=body)
    return queryset.none()


def may_act_on(user, request) -> bool:
    """Only the body's own officers and head move its requests; platform admins may act on any."""
    if user.is_superuser or user.role == "admin":
        return user.is_active
    if user.role in OFFICE_ROLES:
        body = body_of(user)
        return body is not None and request.body_id == body.pk
    return False


# The Q&A page's order (Question.Meta.ordering, made explicit: the pages and the most-asked links rely on it).
QUESTION_ORDER = ("-views", "pk")


def question_position(question: Question) -> int:
    """How many questions come before `question` in the Q&A page's unfiltered order (QUESTION_ORDER)."""
    return Question.objects.filter(Q(views__gt=question.views) | Q(views=question.views, pk__lt=question.pk)).count()


# A helpful vote says the answer served someone, so it weighs more than a view (docs/knowledge.md, "counting").
HELPFUL_WEIGHT = 3


def questions_most_asked(queryset: QuerySet | None = None) -> QuerySet:
    """Policy Q&A, most asked first: real views plus helpful votes, each counted once per visitor."""
    queryset = Question.objects.all() if queryset is None else queryset
    return queryset.alias(popularity=F("views") + HELPFUL_WEIGHT * F("helpful")).order_by("-popularity", "pk")
