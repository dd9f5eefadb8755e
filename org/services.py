"""Writes to the reference data that need more than a plain save."""
from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from lib.errors import DomainError
from org.models import Classification, Sector, User
from org.roles import sync_user_groups

# The classification standard shipped with the portal, built by org/data/build_standard.py.
STANDARD_CSV = Path(__file__).resolve().parent / "data" / "classification_standard.csv"
_STANDARD_FIELDS = ("name", "parent", "top_class", "tier", "urgent_hours", "sector", "keywords", "is_active",
                    "path", "depth")


def classification_refresh_leaves() -> None:
    """Recompute `is_leaf` for the whole tree (after an import or an edit)."""
    has_children = Classification.objects.filter(parent=OuterRef("pk"))
    with transaction.atomic():
        Classification.objects.filter(Exists(has_children)).update(is_leaf=False)
        Classification.objects.exclude(Exists(has_children)).update(is_leaf=True)


def classification_read_standard(path: Path | str = STANDARD_CSV) -> list[dict]:
    """The rows of a classification standard CSV (code, parent_code, level, name, top_class, tier,
    urgent_hours, sector, keywords), in file order: parents before children."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def classification_load_standard(*, rows: Iterable[dict], retire_missing: bool = False) -> dict[str, int]:
    """Load a classification standard, keyed by code: new items are created, changed ones updated,
    unchanged ones left alone, so loading the same file twice changes nothing.

    Written in bulk, one level at a time (a child's row needs its parent's id), because the demo
    city loads 1,300+ items on every `load_demo` and a save per row would take seconds. The
    materialised paths are computed here since bulk writes skip TreeNode.save. With
    `retire_missing`, items not in the file are deactivated (never deleted: petitions point at them).
    """
    rows = list(rows)
    sectors = dict(Sector.objects.values_list("code", "pk"))
    unknown = sorted({row["sector"] for row in rows if row.get("sector")} - set(sectors))
    if unknown:
        raise DomainError(_("Unknown sector codes: %(codes)s.") % {"codes": ", ".join(unknown)}, field="sector")
    counts = {"created": 0, "updated": 0, "unchanged": 0, "retired": 0}
    with transaction.atomic():
        nodes = {node.code: node for node in Classification.objects.all()}
        by_depth: dict[int, tuple[list, list]] = {}
        for row in rows:
            code, parent_code = row["code"].strip(), (row.get("parent_code") or "").strip()
            parent = nodes.get(parent_code) if parent_code else None
            if parent_code and parent is None:
                raise DomainError(_("Item %(code)s names an unknown parent %(parent)s; list parents first.")
                                  % {"code": code, "parent": parent_code}, field="parent_code")
            tier = row["tier"].strip()
            hours = int(row["urgent_hours"]) if (row.get("urgent_hours") or "").strip() else None
            if tier not in Classification.Tier.values or (tier == Classification.Tier.URGENT) != bool(hours):
                raise DomainError(_("Item %(code)s has an invalid handling tier.") % {"code": code}, field="tier")
            if row["top_class"] not in Classification.TopClass.values:
                raise DomainError(_("Item %(code)s has an unknown top class.") % {"code": code}, field="top_class")
            path = f"{parent.path if parent else ''}{code}/"
            depth = path.count("/")
            if depth > Classification.MAX_DEPTH:
                raise DomainError(_("The tree is at most %(depth)s levels deep.") % {"depth": Classification.MAX_DEPTH},
                                  field="parent_code")
            values = {"name": row["name"].strip(), "parent_id": parent.pk if parent else None,
                      "top_class": row["top_class"], "tier": tier, "urgent_hours": hours,
                      "sector_id": sectors.get(row.get("sector") or ""),
                      "keywords": (row.get("keywords") or "").strip(), "is_active": True, "path": path, "depth": depth}
            node = nodes.get(code)
            to_create, to_update = by_depth.setdefault(depth, ([], []))
            if node is None or node.pk is None:
                node = Classification(code=code, **values)
                to_create.append((node, parent))
            elif any(getattr(node, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(node, key, value)
                to_update.append((node, parent))
            else:
                counts["unchanged"] += 1
            nodes[code] = node
        for depth in sorted(by_depth):
            to_create, to_update = by_depth[depth]
            for node, parent in to_create + to_update:
                node.parent_id = parent.pk if parent else None  # a parent new in this file got its id a level up
            Classification.objects.bulk_create([node for node, _parent in to_create], batch_size=500)
            Classification.objects.bulk_update([node for node, _parent in to_update], _STANDARD_FIELDS,
                                               batch_size=500)
            counts["created"] += len(to_create)
            counts["updated"] += len(to_update)
        if retire_missing:
            codes = [row["code"].strip() for row in rows]
            counts["retired"] = Classification.objects.exclude(code__in=codes).filter(is_active=True).update(
                is_active=False)
        classification_refresh_leaves()
    return counts


def user_set_role(*, user: User, role: str, unit=None) -> User:
    user.role = role
    user.unit = unit
    user.full_clean(exclude=["password"])
    user.save()
    sync_user_groups(user)
    return user
