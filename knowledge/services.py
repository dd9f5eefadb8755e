"""Writes of the knowledge base."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from knowledge.models import Article, Citation
from knowledge.selectors import articles_valid
from lib.errors import DomainError


def article_cite(*, petition, article: Article, actor) -> Citation:
    """Record that `actor` answered `petition` from `article` (on closing a consultation on the spot)."""
    if not articles_valid().filter(pk=article.pk).exists():
        raise DomainError(_("This article is not in force: choose another one."), field="article")
    with transaction.atomic():
        citation, _created = Citation.objects.get_or_create(
            petition=petition, article=article, defaults={"cited_by": actor, "cited_at": timezone.now()})
    return citation
