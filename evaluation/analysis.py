"""Problem analysis (一网归集分析): common, concentrated and repeated problems,
so that solving one case becomes solving one kind of case."""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from evaluation.aggregates import _bounds, counted_petitions
from evaluation.models import Topic
from lib.redact import redact
from org.models import Classification
from petitions import publication
from petitions.privacy import redact_petition
from petitions.models import OPEN_STATUSES, Petition

STOPWORDS = set("的 了 在 是 我 有 和 就 不 人 都 一 一个 上 也 很 到 说 要 去 你 会 着 没有 看 好 自己 这 那 "
                "他 她 我们 你们 他们 问题 反映 希望 请 尽快 处理 解决 情况 相关 部门 现在 目前 已经 没 能 还 "
                "因为 所以 但是 可以 每天 一直 多次 严重 影响 小区 市民 群众".split())
_WORD = re.compile(r"^[\u4e00-\u9fff]{2,}$")


def top_classifications(first: dt.date, last: dt.date, *, depth: int = 2, limit: int = 10) -> list[dict]:
    """The most frequent items at `depth`, with the change against the previous period of the same length."""
    length = (last - first).days + 1
    before = (first - dt.timedelta(days=length), first - dt.timedelta(days=1))

    def counts(a, b):
        start, end = _bounds(a, b)
        rows = (counted_petitions().filter(received_at__gte=start, received_at__lt=end, classification__isnull=False)
                .values("classification__path").annotate(n=Count("pk")).order_by())
        total = Counter()
        for row in rows:
            codes = [c for c in row["classification__path"].split("/") if c]
            if len(codes) >= depth:
                total[codes[depth - 1]] += row["n"]
        return total

    now, previous = counts(first, last), counts(*before)
    names = dict(Classification.objects.filter(code__in=list(now)).values_list("code", "name"))
    return [{"code": code, "name": names.get(code, code), "count": n, "previous": previous.get(code, 0),
             "change": n - previous.get(code, 0)} for code, n in now.most_common(limit)]


def repeated_matters(first: dt.date, last: dt.date, *, minimum: int = 2, limit: int = 20) -> list[dict]:
    """The matters complained about again at least `minimum` times in the period: repeats received in it, not the
    chain's count today (a bulletin regenerated later says what happened in its period)."""
    start, end = _bounds(first, last)
    in_period = (Petition.objects.filter(repeat_of=OuterRef("pk"), received_at__gte=start, received_at__lt=end)
                 .order_by().values("repeat_of").annotate(n=Count("pk")).values("n"))
    # Bulletins are published: the matters they name follow the publication policy, titles redacted.
    matters = (counted_petitions().filter(publication.publishable_filter())
               # roots: one per matter; the chain's count today bounds the period's (repeat_count: a cheap filter)
               .filter(received_at__lt=end, repeat_count__gte=minimum, repeat_of__isnull=True)
               .annotate(period_repeats=Coalesce(Subquery(in_period), 0)).filter(period_repeats__gte=minimum)
               .select_related("area", "classification").order_by("-period_repeats", "received_at")[:limit])
    return [{"number": p.number, "title": redact_petition(p, p.title), "repeats": p.period_repeats,
             "area": p.area.name, "classification": p.classification.name if p.classification else ""}
            for p in matters]


def hotspots(first: dt.date, last: dt.date, *, limit: int = 10) -> list[dict]:
    start, end = _bounds(first, last)
    rows = (counted_petitions().filter(received_at__gte=start, received_at__lt=end)
            .values("area__name", "district__name").annotate(n=Count("pk")).order_by("-n")[:limit])
    return [{"area": r["area__name"], "district": r["district__name"] or "", "count": r["n"]} for r in rows]


def _words(texts) -> Counter:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    counter = Counter()
    for text in texts:
        counter.update(w for w in jieba.lcut(text) if _WORD.match(w) and w not in STOPWORDS)
    return counter


def rising_keywords(first: dt.date, last: dt.date, *, limit: int = 15, sample: int = 20000) -> list[dict]:
    """Words of the petitions' titles that rose most against the previous period
    (Chinese word segmentation with jieba; titles only, sampled at scale)."""
    length = (last - first).days + 1

    def titles(a, b):
        start, end = _bounds(a, b)
        return counted_petitions().filter(publication.publishable_filter()).filter(
            received_at__gte=start, received_at__lt=end).values_list("title", flat=True)[:sample]

    # Words of published titles only, and never a name or a number: the bulletin is public.
    now = _words(redact(t) for t in titles(first, last))
    before = _words(redact(t) for t in titles(first - dt.timedelta(days=length), first - dt.timedelta(days=1)))
    scored = [(word, n, before.get(word, 0)) for word, n in now.items() if n >= 3]
    scored.sort(key=lambda item: (item[1] - item[2], item[1]), reverse=True)
    return [{"word": w, "count": n, "previous": p, "change": n - p} for w, n, p in scored[:limit]]


def topic_petitions(topic: Topic):
    """The petitions a topic covers: its item (and below), its area (and below), its keywords, its month on."""
    query = counted_petitions().filter(received_at__date__gte=topic.month)
    if topic.classification_id:
        query = query.filter(classification__path__startswith=topic.classification.path)
    if topic.area_id:
        query = query.filter(area__path__startswith=topic.area.path)
    words = [w.strip() for w in topic.keywords.replace("，", ",").split(",") if w.strip()]
    if words:
        condition = Q()
        for word in words:
            condition |= Q(title__contains=word) | Q(content__contains=word)
        query = query.filter(condition)
    return query


def topic_summary(topic: Topic) -> dict:
    query = topic_petitions(topic)
    total = query.count()
    closed = query.exclude(status__in=OPEN_STATUSES).count()
    return {"petitions": total, "closed": closed, "progress": topic.progress}
