"""Who may open a page or call an API: one decorator for views and one DRF
permission factory, both built on the same predicates, so a page and its API
twin can never disagree about a role."""
from __future__ import annotations

from functools import wraps
from typing import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from rest_framework import permissions

from org.models import User

Predicate = Callable[[User], bool]

# The roles that read the supervision dashboard and the statistics.
STAFF_ROLES = (User.Role.SUPERVISOR, User.Role.DISPATCHER, User.Role.ADMIN)


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
