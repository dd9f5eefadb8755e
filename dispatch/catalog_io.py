"""The responsibility catalog as a spreadsheet (cities keep it in Excel).

Export writes the active version of every rule. Import reads the same
columns: a new key creates a rule, a changed row revises it (a new version;
the old one is kept for history), an unchanged row is left alone, and
`active` = 0 retires it. The import is all or nothing: any bad row and
nothing is changed, with the row numbers and fields in error reported.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from dispatch import catalog
from dispatch.models import CatalogRule, RuleKind, Target
from lib import spreadsheets
from lib.errors import DomainError
from org.models import Area, Classification, HandlingUnit

COLUMNS = ["key", "kind", "classification", "area", "keywords", "target", "lead_unit", "co_units", "priority",
           "is_fallback", "note", "active"]


def export_catalog(stream) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "catalog"
    rules = (CatalogRule.objects.filter(active=True).select_related("classification", "area", "lead_unit")
             .prefetch_related("co_units").order_by("key"))
    spreadsheets.write_rows(sheet, header=COLUMNS, rows=([
        rule.key, rule.kind, rule.classification.code if rule.classification else "",
        rule.area.code if rule.area else "", rule.keywords, rule.target,
        rule.lead_unit.code if rule.lead_unit else "", ",".join(sorted(u.code for u in rule.co_units.all())),
        rule.priority, 1 if rule.is_fallback else 0, rule.note, 1,
    ] for rule in rules))
    book.save(stream)


@dataclass
class ImportResult:
    created: int = 0
    revised: int = 0
    retired: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _text(value) -> str:
    return "" if value is None else str(spreadsheets.unescape(value)).strip()


def _flag(value, default: bool) -> bool:
    text = _text(value).lower()
    if text == "":
        return default
    if text in {"1", "true", "yes", "y", "是"}:
        return True
    if text in {"0", "false", "no", "n", "否"}:
        return False
    raise ValueError(text)


def import_catalog(stream, *, actor) -> ImportResult:
    result = ImportResult()
    try:
        sheet = load_workbook(stream, read_only=True, data_only=True).active
        rows = list(sheet.iter_rows(values_only=True))
    except Exception:
        result.errors.append(_("The file is not an Excel workbook (.xlsx)."))
        return result
    if not rows or [(_text(c)) for c in rows[0][: len(COLUMNS)]] != COLUMNS:
        result.errors.append(_("The first row must name the columns: %(columns)s.") % {"columns": ", ".join(COLUMNS)})
        return result
    classifications = {c.code: c for c in Classification.objects.all()}
    areas = {a.code: a for a in Area.objects.all()}
    units = {u.code: u for u in HandlingUnit.objects.all()}
    parsed = []
    for number, raw in enumerate(rows[1:], start=2):
        if not any(_text(c) for c in raw):
            continue
        row = dict(zip(COLUMNS, list(raw) + [None] * (len(COLUMNS) - len(raw))))
        problems = []

        def lookup(table, column):
            code = _text(row[column])
            if not code:
                return None
            if code not in table:
                problems.append(_("%(column)s: unknown code %(code)s") % {"column": column, "code": code})
            return table.get(code)

        values = {
            "kind": _text(row["kind"]) or RuleKind.SECTOR, "classification": lookup(classifications, "classification"),
            "area": lookup(areas, "area"), "keywords": _text(row["keywords"]),
            "target": _text(row["target"]) or Target.UNIT, "lead_unit": lookup(units, "lead_unit"),
            "note": _text(row["note"]),
        }
        if values["kind"] not in RuleKind.values:
            problems.append(_("kind: must be one of %(values)s") % {"values": ", ".join(RuleKind.values)})
        if values["target"] not in Target.values:
            problems.append(_("target: must be one of %(values)s") % {"values": ", ".join(Target.values)})
        try:
            values["priority"] = int(_text(row["priority"]) or 0)
        except ValueError:
            problems.append(_("priority: must be a whole number"))
        try:
            values["is_fallback"] = _flag(row["is_fallback"], False)
            active = _flag(row["active"], True)
        except ValueError:
            problems.append(_("is_fallback/active: use 1 or 0"))
            active = True
        co_codes = [c.strip() for c in _text(row["co_units"]).replace("，", ",").split(",") if c.strip()]
        co_units = []
        for code in co_codes:
            if code in units:
                co_units.append(units[code])
            else:
                problems.append(_("co_units: unknown code %(code)s") % {"code": code})
        key = _text(row["key"])
        if not key:
            problems.append(_("key: required"))
        if problems:
            result.errors.append(_("Row %(row)s: %(problems)s") % {"row": number, "problems": "; ".join(problems)})
        else:
            parsed.append((number, key, values, co_units, active))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            for number, key, values, co_units, active in parsed:
                current = CatalogRule.objects.filter(key=key, active=True).first()
                try:
                    if current is None:
                        if active:
                            catalog.rule_create(key=key, actor=actor, co_units=co_units, **values)
                            result.created += 1
                    elif not active:
                        catalog.rule_retire(rule=current, actor=actor)
                        result.retired += 1
                    elif _same(current, values, co_units):
                        result.unchanged += 1
                    else:
                        catalog.rule_revise(rule=current, actor=actor, co_units=co_units, **values)
                        result.revised += 1
                except (DomainError, Exception) as error:  # noqa: BLE001 - reported per row, then rolled back
                    message = getattr(error, "message", None) or "; ".join(
                        f"{k}: {' '.join(v)}" for k, v in getattr(error, "message_dict", {}).items()
                    ) or str(error)
                    result.errors.append(_("Row %(row)s: %(problems)s") % {"row": number, "problems": message})
            if result.errors:
                raise _Rollback
    except _Rollback:
        result.created = result.revised = result.retired = result.unchanged = 0
    return result


class _Rollback(Exception):
    pass


def _same(rule: CatalogRule, values: dict, co_units) -> bool:
    for name, value in values.items():
        current = getattr(rule, name)
        if current != value:
            return False
    return set(rule.co_units.values_list("pk", flat=True)) == {u.pk for u in co_units}
