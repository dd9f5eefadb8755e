"""Which street a point lies in (the citizen's map, coordinates sent by the API and Open311)."""
from __future__ import annotations

from django.conf import settings

from lib.geo import locate
from org.models import Area


def area_at(latitude, longitude) -> Area | None:
    """The active street (or, failing that, district) whose boundary contains the point."""
    if latitude is None or longitude is None:
        return None
    lon, lat = float(longitude), float(latitude)
    for level in ("street", "district"):
        found = locate(settings.PORTAL_GEOJSON, lon, lat, level=level)
        if found:
            area = Area.objects.filter(code=found["code"], is_active=True).first()
            if area is not None:
                return area
    return None


def city_area() -> Area | None:
    """Where a petition with no known place is filed: the city itself, for the dispatcher to place."""
    return Area.objects.filter(level=Area.Level.CITY, is_active=True).order_by("path").first()
