from django.conf import settings
from django.utils.functional import SimpleLazyObject


def _unreachable() -> list[str]:
    """Active units no message can reach (no duty phone, no e-mail): a visible fault (docs/notifications.md)."""
    from org.models import HandlingUnit

    return list(HandlingUnit.objects.filter(is_active=True, phone="", email="").values_list("name", flat=True)[:500])


def portal(request):
    context = {"PORTAL_CITY_NAME": settings.PORTAL_CITY_NAME, "PORTAL_FOOTER": settings.PORTAL_FOOTER}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        from org.calendar import missing_years

        context["calendar_missing_years"] = missing_years()
        context["unreachable_units"] = SimpleLazyObject(_unreachable)
    return context
