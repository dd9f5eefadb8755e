"""Writes of the knowledge base: citing an article on a petition, and counting the FAQ's views and votes.

Counts are single `UPDATE ... SET n = n + 1` statements (two visitors at once both count, neither is lost),
made only when lib/counting.py says this visitor's event counts: once per visitor, sessions only, no robots,
a bounded number per address. The policy Q&A (disclosure.models.Question) is counted here too when it is
read in the FAQ, with the same event names as disclosure's own vote, so a visitor counts once across both.
"""
from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from disclosure.models import Question
from knowledge.models import Article, Citation
from knowledge.selectors import articles_valid
from lib import counting
from lib.errors import DomainError


def article_cite(*, petition, article: Article, actor) -> Citation:
    """Record that `actor` answered `petition` from `article` (on closing a consultation on the spot).

    Citing twice is one citation (the console may post the same form again)."""
    if not articles_valid().filter(pk=article.pk).exists():
        raise DomainError(_("This article is not in force: choose another one."), field="article")
    with transaction.atomic():
        citation, _created = Citation.objects.get_or_create(
            petition=petition, article=article, defaults={"cited_by": actor, "cited_at": timezone.now()})
    return citation


def _count(model, pk: int, field: str, event: str, request) -> bool:
    if not counting.count_once(request, event):
        return False
    model.objects.filter(pk=pk).update(**{field: F(field) + 1})
    return True


def article_count_view(*, article: Article, request) -> bool:
    """A visitor read the article: True when it counted (once per visitor)."""
    return _count(Article, article.pk, "views", f"view:article:{article.pk}", request)


def article_vote(*, article: Article, helpful: bool, request) -> bool:
    """'Did this answer your question?': one vote per visitor per article, yes or no."""
    field = "helpful_votes" if helpful else "not_helpful_votes"
    return _count(Article, article.pk, field, f"vote:article:{article.pk}", request)


def question_count_view(*, question: Question, request) -> bool:
    """A visitor read a policy Q&A item in the FAQ."""
    return _count(Question, question.pk, "views", f"view:question:{question.pk}", request)


def question_vote(*, question: Question, helpful: bool, request) -> bool:
    """The same vote as the policy Q&A page's (disclosure.views.question_vote): one per visitor across both."""
    return _count(Question, question.pk, "helpful" if helpful else "not_helpful", f"vote:question:{question.pk}",
                  request)
