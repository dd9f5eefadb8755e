"""Reads of the knowledge base: articles in force, Chinese search, "most asked", and the public FAQ that
joins public articles with the open-government policy Q&A (disclosure.models.Question).

`article_search` and `articles_valid` are the contract the hotline console relies on: keep their signatures.

Search (docs/knowledge.md): the query is segmented with jieba into words; an article matches when any word
is in its question (title), answer, policy basis, theme or classification item (the item's own name and
keywords, or any item above it: "供暖" finds the articles of 暖气不热 under 供暖). Matches are ranked by
where the words are found, title first, then by how many words are found, then by "most asked". It is a
handful of `LIKE` conditions on a table of a few thousand rows (articles are written by hand, not
generated), portable between SQLite and PostgreSQL; the classification words are first resolved to tree
paths with their own small queries on the indexed `path`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import override

from disclosure import selectors as disclosure_selectors
from disclosure.models import Question, Theme
from knowledge.models import Article
from org.models import Classification

MAX_TERMS = 8
# Words every question has: they find everything, so they rank nothing.
STOPWORDS = {
    "怎么", "怎么办", "怎样", "如何", "什么", "哪里", "哪儿", "哪些", "可以", "能否", "能不能", "是否", "请问",
    "需要", "应该", "我们", "你们", "他们", "我家", "问题", "咨询", "一下", "这个", "那个", "没有", "为什么",
    "多少", "多久", "时候", "the", "and", "how", "what", "can",
}
# Where a word was found, worth: title first, then the classification item, then the body.
WEIGHT_TITLE, WEIGHT_ITEM, WEIGHT_BODY = 100, 30, 10
HELPFUL_WEIGHT = disclosure_selectors.HELPFUL_WEIGHT  # one rule for "most asked" across the FAQ


_dictionary_ready = False


def _jieba():
    """jieba, taught the classification standard's item names once per process, so "暖气不热" or "占道经营"
    stay one word instead of "占 / 道 / 经营" (a new item is learnt at the next restart)."""
    global _dictionary_ready
    import jieba  # heavy optional library (docs/development.md, rule 13)

    if not _dictionary_ready:
        jieba.setLogLevel(logging.WARNING)
        for name in Classification.objects.filter(is_active=True).values_list("name", flat=True):
            if 2 <= len(name) <= 12:
                jieba.add_word(name)
        _dictionary_ready = True
    return jieba


def _usable(word: str) -> bool:
    return len(word) >= 2 and word not in STOPWORDS and any(ch.isalnum() for ch in word)


def query_words(text: str) -> tuple[list[str], list[str]]:
    """The query's words (jieba's precise mode) and, for long words, their parts (search mode: 公积金 ->
    公积, 积金), which widen what is found but rank lower."""
    jieba = _jieba()
    text = " ".join(text.split())[:100].lower()
    words = []
    for word in jieba.lcut(text):
        if _usable(word.strip()) and word.strip() not in words:
            words.append(word.strip())
    if not words and text.strip():
        words = [text.strip()]  # one character ("暖") or only stop words: search the text as typed
    parts = []
    for word in words:
        if len(word) >= 3:
            parts += [p for p in jieba.lcut_for_search(word)
                      if p != word and p in word and _usable(p) and p not in words and p not in parts]
    return words[:MAX_TERMS], parts[:MAX_TERMS]


def articles_valid(*, on=None) -> QuerySet:
    """Articles in force on `on` (today, Asia/Shanghai, by default)."""
    on = on or timezone.localdate()
    return Article.objects.filter(valid_from__lte=on).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))


def articles_public(*, on=None) -> QuerySet:
    """What the FAQ may show: public and in force (an expired article is never public)."""
    return articles_valid(on=on).filter(is_public=True)


def _themes_matching(term: str) -> list[str]:
    """Theme values whose name, in Chinese or English, contains the word."""
    found = []
    for value, label in Theme.choices:
        names = [str(label).lower()]
        for language in ("zh-hans", "en"):
            with override(language):
                names.append(str(label).lower())
        if any(term in name for name in names):
            found.append(value)
    return found


def _item_condition(term: str) -> Q:
    """Articles filed under an item named for the word, or under any item below such an item."""
    paths = list(Classification.objects.filter(Q(name__icontains=term) | Q(keywords__icontains=term))
                 .values_list("path", flat=True)[:50])
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(classification__path__startswith=path)
    return condition


def _ranked(found: QuerySet, text: str) -> QuerySet:
    """Articles any word of `text` matches, annotated with `relevance`: where each word is found (title,
    classification item, body), a word's parts counting a fifth of the word."""
    words, parts = query_words(text)
    matched, score = Q(pk__in=[]), Value(0)
    for terms, share in ((words, 5), (parts, 1)):
        for term in terms:
            in_title = Q(title__icontains=term)
            in_item = _item_condition(term)
            in_body = Q(answer__icontains=term) | Q(policy_basis__icontains=term)
            themes = _themes_matching(term)
            if themes:
                in_body |= Q(theme__in=themes)
            matched |= in_title | in_item | in_body
            score = score + Case(When(in_title, then=Value(WEIGHT_TITLE * share)), default=Value(0),
                                 output_field=IntegerField())
            score = score + Case(When(in_item, then=Value(WEIGHT_ITEM * share)),
                                 When(in_body, then=Value(WEIGHT_BODY * share)), default=Value(0),
                                 output_field=IntegerField())
    return found.filter(matched).annotate(relevance=score)


def _popularity():
    return F("views") + HELPFUL_WEIGHT * F("helpful_votes")


def article_search(query: str, *, classification=None, public_only: bool = False, limit: int = 10) -> list[Article]:
    """Valid articles matching Chinese words in `query`, those of `classification` first.

    With a classification and no words: the articles of that item, the items above it and below it (what an
    operator looking at a call about that item may answer from). With neither: the most asked."""
    found = articles_public() if public_only else articles_valid()
    terms = bool(query and query.strip())
    if terms:
        found = _ranked(found, query)
    else:
        found = found.annotate(relevance=Value(0, output_field=IntegerField()))
    ordering = ["-relevance", "-popularity", "title", "pk"]
    if classification is not None:
        ancestors = [code for code in classification.path.split("/") if code]
        same_branch = (Q(classification__path__startswith=classification.path)
                       | Q(classification__code__in=ancestors))
        if not terms:
            found = found.filter(same_branch)
        found = found.annotate(here=Case(When(classification=classification, then=Value(2)),
                                         When(same_branch, then=Value(1)), default=Value(0),
                                         output_field=IntegerField()))
        ordering = ["-here", *ordering]
    found = found.alias(popularity=_popularity()).order_by(*ordering)
    return list(found.select_related("classification", "owner_unit", "policy")[:limit])


def articles_most_asked(*, limit: int = 10) -> list[Article]:
    return list(articles_public().alias(popularity=_popularity()).order_by("-popularity", "title", "pk")[:limit])


@dataclass(frozen=True)
class FaqEntry:
    """One answer of the public FAQ: a knowledge-base article or a policy Q&A item."""

    kind: str  # "article" or "question"
    pk: int
    question: str
    answer: str
    theme: str
    popularity: int
    relevance: int = 0

    @property
    def theme_label(self) -> str:
        return Theme(self.theme).label if self.theme in Theme.values else ""


def _entry_from_article(article: Article) -> FaqEntry:
    return FaqEntry("article", article.pk, article.title, article.answer, article.theme,
                    article.views + HELPFUL_WEIGHT * article.helpful_votes, getattr(article, "relevance", 0))


def _entry_from_question(question: Question, relevance: int = 0) -> FaqEntry:
    return FaqEntry("question", question.pk, question.question, question.answer, question.theme,
                    question.views + HELPFUL_WEIGHT * question.helpful, relevance)


def _questions_ranked(query: str, theme: str) -> list[FaqEntry]:
    found = Question.objects.all()
    if theme:
        found = found.filter(theme=theme)
    if not query:
        return [_entry_from_question(q) for q in disclosure_selectors.questions_most_asked(found)[:FAQ_SOURCE_MAX]]
    words, parts = query_words(query)
    matched, score = Q(pk__in=[]), Value(0)
    for terms, share in ((words, 5), (parts, 1)):
        for term in terms:
            in_title = Q(question__icontains=term)
            in_body = Q(answer__icontains=term)
            themes = _themes_matching(term)
            if themes:
                in_body |= Q(theme__in=themes)
            matched |= in_title | in_body
            score = score + Case(When(in_title, then=Value(WEIGHT_TITLE * share)),
                                 When(in_body, then=Value(WEIGHT_BODY * share)), default=Value(0),
                                 output_field=IntegerField())
    found = found.filter(matched).annotate(relevance=score)
    found = disclosure_selectors.questions_most_asked(found).order_by("-relevance", "-popularity", "pk")
    return [_entry_from_question(q, q.relevance) for q in found[:FAQ_SOURCE_MAX]]


# How many entries of each source the FAQ ranks at most. Both are written by hand (hundreds to a few thousand), so
# every match of a search fits: the page shows the true number found and pages through all of them.
FAQ_SOURCE_MAX = 1000


def faq_results(query: str = "", *, theme: str = "") -> list[FaqEntry]:
    """Every entry of the public FAQ matching the words and the theme, ranked (the FAQ page pages through them)."""
    return faq_search(query, theme=theme, limit=2 * FAQ_SOURCE_MAX)


def faq_search(query: str = "", *, theme: str = "", limit: int = 20) -> list[FaqEntry]:
    """The public FAQ: public articles in force and the policy Q&A, as one list, the best `limit` of them.

    With words: best match first (title hits first, whichever the source). Without: most asked first."""
    theme = theme if theme in Theme.values else ""
    query = query.strip() if query else ""
    articles = articles_public()
    if theme:
        articles = articles.filter(theme=theme)
    if query:
        articles = _ranked(articles, query)
    articles = articles.alias(popularity=_popularity()).order_by(
        *(["-relevance"] if query else []), "-popularity", "title", "pk")
    entries = [_entry_from_article(a) for a in articles[:FAQ_SOURCE_MAX]] + _questions_ranked(query, theme)
    entries.sort(key=lambda e: (-e.relevance, -e.popularity, e.question))
    return entries[:limit]


def faq_most_asked(*, limit: int = 10) -> list[FaqEntry]:
    """The FAQ's "most asked": both sources by the same count of views and helpful votes."""
    entries = [_entry_from_article(a) for a in articles_most_asked(limit=limit)]
    entries += [_entry_from_question(q) for q in disclosure_selectors.questions_most_asked()[:limit]]
    entries.sort(key=lambda e: (-e.popularity, e.question))
    return entries[:limit]


def article_public(pk: int) -> Article | None:
    return articles_public().select_related("classification", "owner_unit", "policy").filter(pk=pk).first()


def related_articles(article: Article, *, limit: int = 5) -> list[Article]:
    """Other public articles of the same item or theme, most asked first."""
    if not article.classification_id and not article.theme:
        return []
    same = Q(pk__in=[])
    if article.classification_id:
        same |= Q(classification_id=article.classification_id)
    if article.theme:
        same |= Q(theme=article.theme)
    return list(articles_public().filter(same).exclude(pk=article.pk).alias(popularity=_popularity())
                .order_by("-popularity", "title")[:limit])


def articles_matching(queryset: QuerySet, text: str) -> QuerySet:
    """`queryset` narrowed to the articles any word of `text` matches, best first (the admin's search box)."""
    if not text.strip():
        return queryset
    return _ranked(queryset, text).order_by("-relevance", "title")
