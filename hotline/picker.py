"""Finding a classification item (or an area) while the caller talks: by Chinese words, pinyin or initials.

The standard has 1,000+ leaves in five levels (DOMAIN.md section 3), so the operator types and picks rather
than scrolls. The index is built in memory once per process (pinyin for 1,400 items takes a fraction of a
second) and rebuilt when the tree changes: the stamp is the count and the newest id of the active items,
read with one small query per search, and at most INDEX_TTL seconds old otherwise. A search then scans ~1,400 short strings in memory: well under a
millisecond, so the p95 target of 50 ms (benchmarks/bench_hotline.py) is the request's, not the search's.

Each entry carries what the operator must see before choosing: the item's path ("小区路灯损坏" under
物业服务 and "路灯不亮" under 城市管理 go to different units), its handling tier and its default unit (the
city unit of the item's responsible sector, as the catalog's "sector" target resolves it).
"""
from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass

from django.db.models import Count, Max
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from pypinyin import lazy_pinyin

from dispatch import routing
from org.models import Area, Classification

_SPACES = re.compile(r"[\s/、,，;；]+")
_lock = threading.Lock()
_cache: dict[str, tuple[tuple, "Index", float]] = {}
# A rename or a new tier keeps the count and the newest id: the index is also rebuilt after this many seconds,
# so a change made by another process shows within minutes (like dispatch.routing's CATALOG_TTL).
INDEX_TTL = 300


@dataclass(frozen=True)
class Entry:
    pk: int
    code: str
    name: str
    path: str  # the ancestors' names, root first, without the item itself
    depth: int
    is_leaf: bool
    tier: str  # the tier's label, e.g. "3 working days": lazy, read in the language of each request
    unit: str  # the default unit's name, or ""
    # what a query is matched against
    hanzi: str  # the keywords
    hanzi_path: str  # the ancestors' names
    pinyin: str  # full pinyin of the name, no spaces: "wuyeshoufei"
    initials: str  # "wysf"
    parent_code: str
    ancestors: tuple[str, ...]  # the ancestors' codes

    def as_json(self) -> dict:
        return {"pk": self.pk, "code": self.code, "name": self.name, "path": self.path, "leaf": self.is_leaf,
                "tier": str(self.tier), "unit": self.unit, "depth": self.depth}


@dataclass
class Index:
    entries: list[Entry]
    by_pk: dict[int, Entry]
    children: dict[str, list[Entry]]  # parent code ("" for the roots) -> children


def _romanise(text: str) -> tuple[str, str]:
    syllables = [s.lower() for s in lazy_pinyin(text, errors="ignore")]
    initials = "".join(s[0] for s in syllables if s)
    return "".join(syllables), initials


def _build(nodes: list, tier_of, unit_of) -> Index:
    by_code = {n.code: n for n in nodes}
    entries = []
    for node in nodes:
        ancestors = [by_code[c].name for c in node.ancestor_codes[:-1] if c in by_code]
        keywords = getattr(node, "keywords", "") or ""
        full, initials = _romanise(node.name)
        parent_code = node.ancestor_codes[-2] if len(node.ancestor_codes) > 1 else ""
        entries.append(Entry(
            pk=node.pk, code=node.code, name=node.name, path=" / ".join(ancestors), depth=node.depth,
            is_leaf=getattr(node, "is_leaf", True), tier=tier_of(node), unit=unit_of(node),
            hanzi=keywords.lower(), hanzi_path=" ".join(ancestors), pinyin=full, initials=initials,
            parent_code=parent_code, ancestors=tuple(node.ancestor_codes[:-1]),
        ))
    entries.sort(key=lambda e: e.code)
    children: dict[str, list[Entry]] = {}
    for entry in entries:
        children.setdefault(entry.parent_code, []).append(entry)
    return Index(entries, {e.pk: e for e in entries}, children)


def _stamp(queryset) -> tuple:
    found = queryset.aggregate(n=Count("id"), newest=Max("id"))
    return found["n"], found["newest"]


def _fresh(name: str, stamp: tuple) -> "Index | None":
    cached = _cache.get(name)
    if cached and cached[0] == stamp and time.monotonic() - cached[2] < INDEX_TTL:
        return cached[1]
    return None


def classification_index() -> Index:
    active = Classification.objects.filter(is_active=True)
    stamp = _stamp(active)
    cached = _fresh("classification", stamp)
    if cached is not None:
        return cached
    with _lock:
        catalog = routing.get_catalog()

        def unit_of(node):
            unit_id = catalog.sector_unit.get(node.sector_id) if node.sector_id else None
            return catalog.unit_names.get(unit_id, "") if unit_id else ""

        def tier_of(node):
            # The index is shared by every request of the process: labels stay lazy, so an English operator
            # and a Chinese one each read their own language whoever built it.
            if node.tier == Classification.Tier.URGENT and node.urgent_hours:
                return format_lazy(_("{tier} · within {hours} hours"), tier=Classification.Tier(node.tier).label,
                                   hours=node.urgent_hours)
            return Classification.Tier(node.tier).label

        index = _build(list(active.only("id", "code", "name", "path", "depth", "is_leaf", "tier", "urgent_hours",
                                        "sector_id", "keywords")), tier_of, unit_of)
        _cache["classification"] = (stamp, index, time.monotonic())
    return index


def area_index() -> Index:
    active = Area.objects.filter(is_active=True)
    stamp = _stamp(active)
    cached = _fresh("area", stamp)
    if cached is not None:
        return cached
    with _lock:
        index = _build(list(active.only("id", "code", "name", "path", "depth", "level")),
                       lambda node: Area.Level(node.level).label, lambda node: "")
        _cache["area"] = (stamp, index, time.monotonic())
    return index


def _score(entry: Entry, token: str) -> int:
    """How well one typed token fits an entry; 0 = not at all."""
    name = entry.name.lower()
    if name.startswith(token):
        return 100
    if token in name:
        return 90
    if token in entry.hanzi:  # one of the item's keywords
        return 60
    if token.isascii():
        if entry.initials.startswith(token) or entry.pinyin.startswith(token):
            return 70
        if token in entry.initials or token in entry.pinyin:
            return 50
        return 0
    if token in entry.hanzi_path:
        return 20
    return 0


def search(index: Index, query: str, *, within: str = "", leaves_only: bool = False, limit: int = 30) -> list[Entry]:
    """Entries matching every token of `query` (Chinese words, pinyin or initials), best first: names before
    paths, leaves before branches, shallower before deeper. `within` limits to one branch (a code)."""
    tokens = [t for t in _SPACES.split(query.strip().lower()) if t]
    if not tokens:
        return list(index.children.get(within, []))[:limit]
    scored = []
    for entry in index.entries:
        if within and within not in entry.ancestors:
            continue
        if leaves_only and not entry.is_leaf:
            continue
        total = 0
        for token in tokens:
            score = _score(entry, token)
            if not score:
                break
            total += score
        else:
            scored.append((-total, not entry.is_leaf, entry.depth, entry.code, entry))
    scored.sort(key=lambda item: item[:4])
    return [item[4] for item in scored[:limit]]


def clear() -> None:
    """Forget the built indexes (tests that change the tree without changing its count)."""
    _cache.clear()
