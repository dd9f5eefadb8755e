"""Point in polygon over a GeoJSON FeatureCollection (pure Python: no GEOS on a citizen's laptop).

Coordinates are (longitude, latitude) as GeoJSON has them. The ray-casting test counts edge crossings;
holes and multipolygons are handled. Small enough for a city's ~100 streets at every lookup.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path


def _in_ring(lon: float, lat: float, ring: list) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > lat) != (y2 > lat) and lon < (x2 - x1) * (lat - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def _in_polygon(lon: float, lat: float, rings: list) -> bool:
    return bool(rings) and _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, hole) for hole in rings[1:])


def contains(geometry: dict, lon: float, lat: float) -> bool:
    if geometry["type"] == "Polygon":
        return _in_polygon(lon, lat, geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return any(_in_polygon(lon, lat, polygon) for polygon in geometry["coordinates"])
    return False


@lru_cache(maxsize=4)
def _features(path: str) -> tuple:
    return tuple(json.loads(Path(path).read_text(encoding="utf-8"))["features"])


def locate(path: str | Path, lon: float, lat: float, level: str = "street") -> dict | None:
    """The properties of the feature of `level` that contains the point, or None."""
    for feature in _features(str(path)):
        if feature["properties"].get("level") == level and contains(feature["geometry"], lon, lat):
            return feature["properties"]
    return None
