from django.conf import settings
from django.utils.functional import SimpleLazyObject

from org.calendar import missing_years
from org.models import HandlingUnit


def _unreachable() -> list[str]:
    """Active units no message can reach (no duty phone, no e-mail): a visible fault (docs/notifications.md)."""
    return list(HandlingUnit.objects.filter(HandlingUnit.unreachable(), is_active=True)
                .values_list("name", flat=True)[:500])


def portal(request):
    context = {"PORTAL_CITY_NAME": settings.PORTAL_CITY_NAME, "PORTAL_FOOTER": settings.PORTAL_FOOTER}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        context["calendar_missing_years"] = missing_years()
        context["unreachable_units"] = SimpleLazyObject(_unreachable)
    return context
