from django.conf import settings


def portal(request):
    context = {"PORTAL_CITY_NAME": settings.PORTAL_CITY_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_staff:
        from org.calendar import missing_years

        context["calendar_missing_years"] = missing_years()
    return context
