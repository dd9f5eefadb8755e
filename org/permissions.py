"""Who may open a page or call an API: one decorator for views and one DRF
permission factory, both built on the same predicates, so a page and its API
twin can never disagree about a role."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework import permissions

from org.models import Area, HandlingUnit, User

Predicate = Callable[[User], bool]

# The roles that read the supervision dashboard and the statistics.
STAFF_ROLES = (User.Role.SUPERVISOR, User.Role.DISPATCHER, User.Role.ADMIN)


def user_district(user: User) -> Area | None:
    """The district a district platform's account supervises ("1 + 10", DOMAIN.md section 2): the district
    area its unit, a district government, covers. None for everyone else."""
    if not user.is_authenticated or user.role != User.Role.DISTRICT_SUPERVISOR or user.is_superuser:
        return None
    unit = user.unit
    if unit is None or unit.kind != HandlingUnit.Kind.DISTRICT_GOVERNMENT:
        return None
    return unit.areas.filter(level=Area.Level.DISTRICT).order_by("pk").first()


def may_supervise(user: User) -> bool:
    """The supervision pages: the city platform's staff (the whole city) and the district platforms'
    supervisors (their district only; an account whose unit covers no district sees nothing)."""
    if user.has_role(*STAFF_ROLES):
        return True
    return user.is_active and user.role == User.Role.DISTRICT_SUPERVISOR and user_district(user) is not None


def is_platform_staff(user) -> bool:
    """Staff of the hotline platform itself (unit kind *platform*) and superusers: the only staff who may know a
    confidential complainant (DOMAIN.md section 3; petitions.privacy, the outbox's admin)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    unit = getattr(user, "unit", None)
    return unit is not None and unit.kind == HandlingUnit.Kind.PLATFORM


def has_role(*roles: str) -> Predicate:
    return lambda user: user.has_role(*roles)


def is_unit_member(user: User) -> bool:
    """A unit's pages are for its handlers only (a superuser is not a unit's member)."""
    return user.role == User.Role.UNIT_HANDLER and user.unit_id is not None


def user_passes(predicate: Predicate):
    """A view decorator: anonymous users are sent to log in, others without the right get 403."""
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def role_required(*roles: str):
    return user_passes(has_role(*roles))


unit_required = user_passes(is_unit_member)


def allow(predicate: Predicate, name: str = "Allowed") -> type[permissions.BasePermission]:
    """A DRF permission class from a predicate: `permission_classes = [allow(is_unit_member)]`."""
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and predicate(user))

    return type(name, (permissions.BasePermission,), {"has_permission": has_permission})


def HasRole(*roles: str) -> type[permissions.BasePermission]:  # noqa: N802  (reads as a class in permission_classes)
    return allow(has_role(*roles), "HasRole")
