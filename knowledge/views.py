"""The public FAQ (常见问题): citizens look for an answer before filing. It joins the knowledge base's public
articles in force with the open-government policy Q&A; reading an answer and saying it helped count towards
"most asked", once per visitor (knowledge.services, lib/counting.py). Plain GET and POST: no JavaScript."""
from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from disclosure.models import Question, Theme
from disclosure.selectors import search_text
from knowledge import selectors, services
from lib import counting
from lib.params import bounded_int
from lib.ratelimits import limit
from org.models import Classification

FAQ_PAGE_SIZE = 20
SESSION_VOTED = "knowledge:voted"  # what this visitor answered "did this help?" for, to thank them instead
VOTES_REMEMBERED = 200


def _voted(request, key: str) -> bool:
    return key in request.session.get(SESSION_VOTED, [])


def _remember_vote(request, key: str) -> None:
    request.session[SESSION_VOTED] = (request.session.get(SESSION_VOTED, []) + [key])[-VOTES_REMEMBERED:]


def faq(request):
    query = search_text(request.GET.get("q"))[:100]  # without a NUL, which PostgreSQL's icontains refuses (a 500)
    theme = request.GET.get("theme", "")
    theme = theme if theme in Theme.values else ""
    searched = bool(query or theme)
    # Every match is reachable: the true number found, FAQ_PAGE_SIZE a page (a bad page number is the first).
    page = Paginator(selectors.faq_results(query, theme=theme) if searched else [], FAQ_PAGE_SIZE).get_page(
        bounded_int(request.GET.get("page"), 1, 10_000) or 1)
    return counting.remember_visitor(request, render(request, "knowledge/faq.html", {
        "query": query, "theme": theme, "themes": Theme.choices, "searched": searched,
        "page": page, "entries": page.object_list, "found": page.paginator.count,
        "most_asked": [] if searched else selectors.faq_most_asked(limit=10),
    }))


def _item_path(classification: Classification | None) -> list[str]:
    """The names from the top class down to the item ("民生诉求 › 供暖 › 供暖质量 › 暖气不热")."""
    if classification is None:
        return []
    codes = [code for code in classification.path.split("/") if code]
    return list(Classification.objects.filter(code__in=codes).order_by("depth").values_list("name", flat=True))


def article_detail(request, pk: int):
    article = selectors.article_public(pk)
    if article is None:  # not public, expired or not yet valid: the FAQ never shows it
        raise Http404
    services.article_count_view(article=article, request=request)
    return counting.remember_visitor(request, render(request, "knowledge/article.html", {
        "article": article, "item_path": _item_path(article.classification),
        "voted": _voted(request, f"article:{pk}"), "related": selectors.related_articles(article),
    }))


def question_detail(request, pk: int):
    question = get_object_or_404(Question.objects.select_related("policy", "district", "department"), pk=pk)
    services.question_count_view(question=question, request=request)
    return counting.remember_visitor(request, render(request, "knowledge/question.html", {
        "question": question, "voted": _voted(request, f"question:{pk}"),
    }))


@require_POST
@limit("qa-vote", "PORTAL_RATE_QA_VOTE")
def article_vote(request, pk: int):
    article = selectors.article_public(pk)
    if article is None:
        raise Http404
    if not _voted(request, f"article:{pk}"):
        services.article_vote(article=article, helpful=request.POST.get("helpful") == "yes", request=request)
        _remember_vote(request, f"article:{pk}")
    messages.success(request, _("Thank you: your answer helps us keep the answers useful."))
    return redirect("knowledge:article", pk=pk)


@require_POST
@limit("qa-vote", "PORTAL_RATE_QA_VOTE")
def question_vote(request, pk: int):
    question = get_object_or_404(Question, pk=pk)
    if not _voted(request, f"question:{pk}"):
        services.question_vote(question=question, helpful=request.POST.get("helpful") == "yes", request=request)
        _remember_vote(request, f"question:{pk}")
    messages.success(request, _("Thank you: your answer helps us keep the answers useful."))
    return redirect("knowledge:question", pk=pk)

