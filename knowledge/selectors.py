"""Reads of the knowledge base. The helper building this app fills these in; their signatures are the
contract the hotline console relies on."""
from django.db.models import Q
from django.utils import timezone

from knowledge.models import Article


def articles_valid(*, on=None):
    """Articles in force on `on` (today, Asia/Shanghai, by default)."""
    on = on or timezone.localdate()
    return Article.objects.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def article_search(query: str, *, classification=None, public_only: bool = False, limit: int = 10) -> list[Article]:
    """Valid articles matching Chinese words in `query`, those of `classification` first."""
    found = articles_valid()
    if public_only:
        found = found.filter(is_public=True)
    if query.strip():
        found = found.filter(Q(title__icontains=query.strip()) | Q(answer__icontains=query.strip()))
    if classification is not None:
        found = found.filter(classification=classification)
    return list(found.select_related("classification", "owner_unit")[:limit])
