"""Writes to the reference data that need more than a plain save."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Exists, OuterRef

from org.models import Classification, User
from org.roles import sync_user_groups


def classification_refresh_leaves() -> None:
    """Recompute `is_leaf` for the whole tree (after an import or an edit)."""
    has_children = Classification.objects.filter(parent=OuterRef("pk"))
    with transaction.atomic():
        Classification.objects.filter(Exists(has_children)).update(is_leaf=False)
        Classification.objects.exclude(Exists(has_children)).update(is_leaf=True)


def user_set_role(*, user: User, role: str, unit=None) -> User:
    user.role = role
    user.unit = unit
    user.full_clean(exclude=["password"])
    user.save()
    sync_user_groups(user)
    return user
