"""The responsibility catalog's administration: rules and their versions (DOMAIN.md section 4).
A rule is never edited in place: a revision adds the next version and retires the old one.
"""
from __future__ import annotations

from typing import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch import routing
from dispatch.models import (
    CatalogRule,
)
from lib.errors import ConflictError, DomainError
from org.models import HandlingUnit

RULE_FIELDS = ("kind", "classification", "area", "keywords", "target", "lead_unit", "priority", "is_fallback", "note")


def rule_create(*, key: str, actor=None, co_units: Iterable[HandlingUnit] = (), **fields) -> CatalogRule:
    if CatalogRule.objects.filter(key=key).exists():
        raise DomainError(_("A rule with this key exists; revise it instead."), field="key")
    rule = CatalogRule(key=key, version=1, created_at=timezone.now(),
                       created_by=actor if getattr(actor, "pk", None) else None, **fields)
    rule.full_clean(exclude=["created_by"])
    _check_rule(rule)
    with transaction.atomic():
        rule.save()
        rule.co_units.set(list(co_units))
    transaction.on_commit(routing.invalidate)
    return rule


def _check_rule(rule: CatalogRule) -> None:
    if rule.target == "unit" and rule.lead_unit_id is None:
        raise DomainError(_("A rule that sends to a named unit needs that unit."), field="lead_unit")
    if rule.target != "unit" and rule.lead_unit_id is not None:
        raise DomainError(_("Only a rule that sends to a named unit names a lead unit."), field="lead_unit")


def rule_revise(*, rule: CatalogRule, actor=None, co_units: Iterable[HandlingUnit] | None = None, **fields) -> CatalogRule:
    """Edit a rule by adding its next version; the old version is retired, not changed,
    so the assignments it made keep pointing at the rule as it was."""
    now = timezone.now()
    with transaction.atomic():
        current = CatalogRule.objects.select_for_update().get(pk=rule.pk)
        if not current.active:
            raise ConflictError(_("This version was already replaced; open the current one."))
        values = {name: getattr(current, name) for name in RULE_FIELDS}
        values.update(fields)
        new_co_units = list(co_units) if co_units is not None else list(current.co_units.all())
        current.active = False
        current.retired_at = now
        current.save(update_fields=["active", "retired_at"])
        revised = CatalogRule(key=current.key, version=current.version + 1, created_at=now,
                              created_by=actor if getattr(actor, "pk", None) else None, **values)
        revised.full_clean(exclude=["created_by"], validate_constraints=False)
        _check_rule(revised)
        revised.save()
        revised.co_units.set(new_co_units)
    transaction.on_commit(routing.invalidate)
    return revised


def rule_retire(*, rule: CatalogRule, actor=None) -> CatalogRule:
    with transaction.atomic():
        updated = CatalogRule.objects.filter(pk=rule.pk, active=True).update(active=False, retired_at=timezone.now())
        if not updated:
            raise ConflictError(_("This rule was already retired."))
    transaction.on_commit(routing.invalidate)
    rule.refresh_from_db()
    return rule
