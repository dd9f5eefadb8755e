"""Classification suggestions from the words typed so far (the citizen's form and the operator's console).

A keyword model: each leaf is known by the two-character words of its name and its path, and by its
keywords; a text scores the leaves whose words it contains, longer words counting more. It needs no
history, so it works on a new city's first day; the hotline workbench can put a model learnt from
classified petitions behind the same function. Built once per process and rebuilt when the tree changes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from org.models import Classification

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]{2,}")
_SPLIT = re.compile(r"[,，;；、\s/]+")
# Words too common in complaints to say anything about the category.
_STOP = {"问题", "投诉", "反映", "情况", "处理", "希望", "有关", "部门", "相关", "其他", "管理", "服务", "事项", "要求"}


@dataclass(frozen=True)
class Suggestion:
    pk: int
    code: str
    name: str
    path: str
    score: float


_INDEX: tuple[int, list[tuple[Classification, str, dict[str, float]]]] | None = None


def _words(text: str) -> set[str]:
    found = set()
    for run in _CJK_RUN.findall(text or ""):
        found.update(run[i:i + 2] for i in range(len(run) - 1))
        if len(run) <= 6:
            found.add(run)
    return found - _STOP


def _index():
    global _INDEX
    stamp = Classification.objects.filter(is_active=True, is_leaf=True).count()
    if _INDEX is not None and _INDEX[0] == stamp:
        return _INDEX[1]
    nodes = {c.code: c for c in Classification.objects.filter(is_active=True)}
    entries = []
    for leaf in (c for c in nodes.values() if c.is_leaf):
        names = [nodes[code].name for code in leaf.ancestor_codes if code in nodes]
        weights: dict[str, float] = {}
        for word in _words(leaf.name):
            weights[word] = max(weights.get(word, 0), 2.0 * len(word))
        for name in names[:-1]:
            for word in _words(name):
                weights.setdefault(word, 0.5 * len(word))
        for keyword in _SPLIT.split(leaf.keywords or ""):
            if len(keyword) >= 2:
                weights[keyword] = max(weights.get(keyword, 0), 3.0 * len(keyword))
        entries.append((leaf, " / ".join(names), weights))
    _INDEX = (stamp, entries)
    return entries


def suggest(text: str, limit: int = 3) -> list[Suggestion]:
    words = _words(text)
    if not words:
        return []
    scored = []
    for leaf, path, weights in _index():
        score = sum(weight for word, weight in weights.items() if word in text or word in words)
        if score:
            scored.append(Suggestion(leaf.pk, leaf.code, leaf.name, path, score))
    scored.sort(key=lambda s: (-s.score, s.code))
    return scored[:limit]
