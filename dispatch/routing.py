"""Routing by the responsibility catalog, without scanning the rule table.

The active rules are compiled into a dict keyed by (classification code,
area code), either of which may be None for "any". A petition is matched by
looking up every pair of its classification's ancestors and its area's
ancestors (at most 6 x 5 = 30 lookups) instead of testing every rule: the
decision costs the same with 100 rules or 100,000 (benchmarks/dispatch_routing.py).

Which rule wins (docs/dispatch.md):
1. Sector (行业) and territorial (属地) rules are ranked separately. Within a
   kind the most specific rule wins: the deeper classification item first,
   then a rule whose keywords matched over one without keywords, then the
   deeper area, then the higher priority, then the newer rule.
2. If both kinds match, the more specific of the two winners leads (on a tie
   the territorial one, "属地管理为主") and the other's units join as
   co-handling units: parallel dispatch (并行派单).
3. Fallback rules (兜底) apply only when nothing else matches; with no
   fallback either, the petition waits for a dispatcher.
"""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import gettext as _

from dispatch.models import CatalogRule, RuleKind, Target
from lib.versions import VersionCheck
from org.models import Area, HandlingUnit

_VERSION_KEY = "dispatch:catalog:version"
CATALOG_TTL = 60
_state: dict = {"catalog": None, "version": None, "loaded_at": 0.0}


@dataclass(frozen=True)
class CompiledRule:
    id: int
    key: str
    version: int
    kind: str
    classification_code: str | None
    class_depth: int
    area_code: str | None
    area_depth: int
    keywords: tuple[str, ...]
    target: str
    lead_unit_id: int | None
    co_unit_ids: tuple[int, ...]
    priority: int
    is_fallback: bool

    def specificity(self, keyword_hit: bool) -> tuple:
        return (self.class_depth, 1 if keyword_hit else 0, self.area_depth, self.priority)


@dataclass
class Decision:
    lead_unit_id: int | None = None
    co_unit_ids: list[int] = field(default_factory=list)
    consultation: bool = False
    lead_rule_id: int | None = None
    # rule id per unit id, so each assignment records the rule that made it
    rule_by_unit: dict[int, int] = field(default_factory=dict)
    explanation: list[str] = field(default_factory=list)

    @property
    def routed(self) -> bool:
        return self.consultation or self.lead_unit_id is not None


@dataclass
class Catalog:
    by_slot: dict[tuple[str | None, str | None], list[CompiledRule]]
    fallbacks: list[CompiledRule]
    street_office: dict[str, int]  # street area code -> street office unit id
    district_government: dict[str, int]  # district area code -> government unit id
    sector_unit: dict[int, int]  # sector id -> city unit id
    area_level: dict[str, str]
    unit_names: dict[int, str]
    rule_count: int


def invalidate() -> None:
    cache.set(_VERSION_KEY, uuid.uuid4().hex, None)
    _state["catalog"] = None


def compile_catalog() -> Catalog:
    rules = CatalogRule.objects.filter(active=True).select_related("classification", "area")
    co_units: dict[int, list[int]] = {}
    for rule_id, unit_id in CatalogRule.co_units.through.objects.filter(
        catalogrule__active=True
    ).values_list("catalogrule_id", "handlingunit_id"):
        co_units.setdefault(rule_id, []).append(unit_id)
    by_slot: dict = {}
    fallbacks = []
    count = 0
    for rule in rules:
        count += 1
        compiled = CompiledRule(
            id=rule.pk, key=rule.key, version=rule.version, kind=rule.kind,
            classification_code=rule.classification.code if rule.classification_id else None,
            class_depth=rule.classification.depth if rule.classification_id else 0,
            area_code=rule.area.code if rule.area_id else None,
            area_depth=rule.area.depth if rule.area_id else 0,
            keywords=tuple(k.lower() for k in rule.keyword_list), target=rule.target,
            lead_unit_id=rule.lead_unit_id, co_unit_ids=tuple(sorted(co_units.get(rule.pk, []))),
            priority=rule.priority, is_fallback=rule.is_fallback,
        )
        if compiled.is_fallback:
            fallbacks.append(compiled)
        else:
            by_slot.setdefault((compiled.classification_code, compiled.area_code), []).append(compiled)
    street_office, district_government, sector_unit, unit_names = {}, {}, {}, {}
    units = HandlingUnit.objects.filter(is_active=True).only("id", "name", "kind", "sector_id", "code")
    for unit in units.order_by("code"):
        unit_names[unit.pk] = unit.name
        if unit.sector_id and unit.kind in (HandlingUnit.Kind.CITY_DEPARTMENT, HandlingUnit.Kind.PUBLIC_SERVICE):
            sector_unit.setdefault(unit.sector_id, unit.pk)
    covered = HandlingUnit.areas.through.objects.filter(
        handlingunit__is_active=True,
        handlingunit__kind__in=[HandlingUnit.Kind.STREET_OFFICE, HandlingUnit.Kind.DISTRICT_GOVERNMENT],
    ).values_list("handlingunit_id", "handlingunit__kind", "area__code")
    for unit_id, kind, area_code in covered:
        target = street_office if kind == HandlingUnit.Kind.STREET_OFFICE else district_government
        target.setdefault(area_code, unit_id)
    area_level = dict(Area.objects.values_list("code", "level"))
    return Catalog(by_slot, fallbacks, street_office, district_government, sector_unit, area_level, unit_names, count)


_check = VersionCheck()  # the shared version is asked once per request (or per second outside one)


def get_catalog() -> Catalog:
    if _state["catalog"] is not None and not _check.due() and time.monotonic() - _state["loaded_at"] < CATALOG_TTL:
        return _state["catalog"]
    version = cache.get(_VERSION_KEY)
    if version is None:
        cache.add(_VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(_VERSION_KEY)
    fresh = time.monotonic() - _state["loaded_at"] < CATALOG_TTL
    _check.done()
    if _state["catalog"] is not None and _state["version"] == version and fresh:
        return _state["catalog"]
    catalog = compile_catalog()
    _state.update(catalog=catalog, version=version, loaded_at=time.monotonic())
    return catalog


def _codes(path: str | None) -> list[str | None]:
    return [None] + [c for c in (path or "").split("/") if c]


def _resolve(catalog: Catalog, rule: CompiledRule, area_codes: list[str], sector_id: int | None) -> int | None:
    if rule.target == Target.UNIT:
        # A unit switched off in the admin gets no new work, whatever rules still name it.
        return rule.lead_unit_id if rule.lead_unit_id in catalog.unit_names else None
    if rule.target == Target.SECTOR:
        return catalog.sector_unit.get(sector_id) if sector_id else None
    levels = {code: catalog.area_level.get(code) for code in area_codes}
    street = next((c for c in area_codes if levels[c] == Area.Level.STREET), None)
    district = next((c for c in area_codes if levels[c] == Area.Level.DISTRICT), None)
    if rule.target == Target.STREET and street and street in catalog.street_office:
        return catalog.street_office[street]
    if rule.target in (Target.STREET, Target.DISTRICT) and district:
        # A petition placed only at district level goes to the district government.
        return catalog.district_government.get(district)
    return None


def _describe(rule: CompiledRule) -> str:
    return _("rule %(key)s v%(version)s (%(kind)s)") % {
        "key": rule.key, "version": rule.version, "kind": RuleKind(rule.kind).label,
    }


def decide(*, classification_path: str | None, area_path: str, text: str, sector_id: int | None,
           catalog: Catalog | None = None) -> Decision:
    """Where a petition goes, and why. Pure given the compiled catalog."""
    catalog = catalog or get_catalog()
    class_codes, area_codes = _codes(classification_path), _codes(area_path)
    area_only = [c for c in area_codes if c]
    lowered = text.lower()
    best: dict[str, tuple[tuple, CompiledRule]] = {}
    decision = Decision()
    for class_code in class_codes:
        for area_code in area_codes:
            for rule in catalog.by_slot.get((class_code, area_code), ()):
                hit = any(k in lowered for k in rule.keywords)
                if rule.keywords and not hit:
                    continue
                # Within a kind, equal specificity goes to the newer rule.
                rank = (rule.specificity(hit), rule.id)
                if rule.kind not in best or rank > best[rule.kind][0]:
                    best[rule.kind] = (rank, rule)
    # Between the kinds' winners, equal specificity goes to the territorial rule (属地为主).
    ranked = sorted(best.values(), key=lambda item: (item[0][0], item[1].kind == RuleKind.TERRITORIAL),
                    reverse=True)
    if not ranked:
        applicable = [r for r in catalog.fallbacks if r.classification_code in class_codes and r.area_code in area_codes]
        if applicable:
            fallback = max(applicable, key=lambda r: (r.specificity(False), r.id))
            ranked = [((fallback.specificity(False), fallback.id), fallback)]
            decision.explanation.append(_("No rule matched; the fallback %(rule)s applies.") % {"rule": _describe(fallback)})
        else:
            decision.explanation.append(_("No rule matched and there is no fallback: a dispatcher decides."))
            return decision
    primary = ranked[0][1]
    if primary.target == Target.CONSULTATION:
        decision.consultation = True
        decision.lead_rule_id = primary.id
        decision.explanation.append(_("%(rule)s sends it to joint consultation.") % {"rule": _describe(primary)})
        return decision
    for position, (_rank, rule) in enumerate(ranked):
        unit_id = _resolve(catalog, rule, area_only, sector_id)
        if unit_id is None:
            if rule.target == Target.UNIT:
                decision.explanation.append(
                    _("%(rule)s matched but its unit is switched off.") % {"rule": _describe(rule)})
            else:
                decision.explanation.append(
                    _("%(rule)s matched but names no unit for this place or sector.") % {"rule": _describe(rule)}
                )
            continue
        if decision.lead_unit_id is None:
            decision.lead_unit_id = unit_id
            decision.lead_rule_id = rule.id
            decision.rule_by_unit[unit_id] = rule.id
            decision.explanation.append(
                _("%(rule)s is the most specific match: %(unit)s leads.")
                % {"rule": _describe(rule), "unit": catalog.unit_names.get(unit_id, unit_id)}
            )
        elif unit_id != decision.lead_unit_id and unit_id not in decision.co_unit_ids:
            decision.co_unit_ids.append(unit_id)
            decision.rule_by_unit[unit_id] = rule.id
            decision.explanation.append(
                _("%(rule)s also matches: %(unit)s handles in parallel.")
                % {"rule": _describe(rule), "unit": catalog.unit_names.get(unit_id, unit_id)}
            )
        for co_id in rule.co_unit_ids:
            if co_id not in catalog.unit_names:
                decision.explanation.append(_("%(rule)s names a co-handling unit that is switched off: left out.")
                                            % {"rule": _describe(rule)})
                continue
            if co_id != decision.lead_unit_id and co_id not in decision.co_unit_ids:
                decision.co_unit_ids.append(co_id)
                decision.rule_by_unit[co_id] = rule.id
    if decision.co_unit_ids:
        decision.explanation.append(
            _("Co-handling units: %(units)s.")
            % {"units": "、".join(str(catalog.unit_names.get(u, u)) for u in decision.co_unit_ids)}
        )
    return decision


def decide_for(petition) -> Decision:
    classification = petition.classification
    return decide(
        classification_path=classification.path if classification else None,
        area_path=petition.area.path,
        text=f"{petition.title}\n{petition.content}",
        sector_id=classification.sector_id if classification else None,
    )
