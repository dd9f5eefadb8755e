#!/usr/bin/env python3
"""Draw the demo city's district and street boundaries as GeoJSON (static/geo/qingdao.geojson).

The demo city is Qingdao's districts and streets by name, but real boundaries are not in the repository:
this script draws plausible ones, offline and deterministic. Districts are the Voronoi cells of their
centres (approximately where each district's centre is) inside the city's bounding box; streets are the
Voronoi cells of points around their district's centre, inside the district. A city with real boundaries
replaces the file (same properties: code, name, level, district).

    python3 org/data/build_geo.py     (run from the repository root)
"""
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

BOX = [(119.5, 35.7), (121.0, 35.7), (121.0, 37.1), (119.5, 37.1)]  # lon, lat
CENTRES = {  # approximate district centres (lon, lat)
    "370202": (120.38, 36.06), "370203": (120.37, 36.10), "370211": (120.10, 35.96), "370212": (120.55, 36.15),
    "370213": (120.43, 36.17), "370214": (120.37, 36.30), "370215": (120.47, 36.39), "370281": (120.03, 36.28),
    "370283": (119.96, 36.78), "370285": (120.52, 36.89),
}


def clip(polygon, a, b):
    """Keep the part of `polygon` nearer to a than to b (Sutherland-Hodgman on the bisector half-plane)."""
    (ax, ay), (bx, by) = a, b
    nx, ny = bx - ax, by - ay
    c = (bx * bx + by * by - ax * ax - ay * ay) / 2
    inside = lambda p: nx * p[0] + ny * p[1] <= c  # noqa: E731
    out = []
    for i, p in enumerate(polygon):
        q = polygon[(i + 1) % len(polygon)]
        if inside(p):
            out.append(p)
        if inside(p) != inside(q):
            t = (c - nx * p[0] - ny * p[1]) / (nx * (q[0] - p[0]) + ny * (q[1] - p[1]))
            out.append((p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])))
    return out


def cell(seed, others, region):
    polygon = list(region)
    for other in others:
        if other != seed:
            polygon = clip(polygon, seed, other)
    return polygon


def ring(polygon):
    points = [[round(x, 5), round(y, 5)] for x, y in polygon]
    return [points + [points[0]]]


def main() -> None:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from org.demo import CITY, DISTRICTS

    features = []
    seeds = list(CENTRES.values())
    for d_code, d_name, _population, streets in DISTRICTS:
        centre = CENTRES[d_code]
        district = cell(centre, seeds, BOX)
        features.append({"type": "Feature", "properties": {"code": d_code, "name": d_name, "level": "district"},
                         "geometry": {"type": "Polygon", "coordinates": ring(district)}})
        # Streets: points on a small spiral around the centre, kept inside the district.
        spread = 0.025 if d_code in ("370202", "370203") else 0.06
        points = []
        for i, _name in enumerate(streets):
            angle, radius = i * 2.4, spread * (0.35 + 0.65 * math.sqrt((i + 0.5) / len(streets)))
            points.append((centre[0] + radius * math.cos(angle), centre[1] + radius * math.sin(angle)))
        for i, s_name in enumerate(streets, start=1):
            polygon = cell(points[i - 1], points, district)
            features.append({"type": "Feature",
                             "properties": {"code": f"{d_code}{i:03d}", "name": s_name, "level": "street",
                                            "district": d_code},
                             "geometry": {"type": "Polygon", "coordinates": ring(polygon)}})
    collection = {"type": "FeatureCollection", "name": CITY[1], "features": features}
    target = ROOT / "static" / "geo" / "qingdao.geojson"
    target.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")))
    print(f"{len(features)} features written to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
