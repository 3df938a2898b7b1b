"""Build registry/map_world.json, the world map's country shapes, from Natural Earth 1:110m.

The source is `countries-110m.json` of the npm package world-atlas (2.0.2, Natural Earth 4.1.0
as TopoJSON; Natural Earth is in the public domain, world-atlas is ISC-licensed):

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/world_map.py package/countries-110m.json registry/map_world.json

Each country (ISO 3166-1 alpha-2; shapes without an ISO code, such as Kosovo or Northern
Cyprus, are left out, as is Antarctica) becomes one SVG path in the Equal Earth projection
(equal-area: a country's ink is proportional to its area), 1000 units wide, with coordinates
rounded to 0.1 unit and points closer than that to the previous one dropped.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pycountry

WIDTH = 1000.0
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2
X_MAX = 2.7066297319  # Equal Earth's x at longitude 180°, latitude 0
SOUTH = -56.0  # the map ends here: below it only Antarctica, left out
LEFT_OUT = {"010"}  # Antarctica


def equal_earth(lon: float, lat: float) -> tuple[float, float]:
    lam, phi = math.radians(lon), math.radians(lat)
    theta = math.asin(M * math.sin(phi))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


def build(topology: dict) -> dict:
    scale_x, scale_y = topology["transform"]["scale"]
    move_x, move_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + move_x, y * scale_y + move_y))
        arcs.append(points)
    k = WIDTH / (2 * X_MAX)
    top = equal_earth(0, 90)[1]
    bottom = equal_earth(0, SOUTH)[1]

    def project(lon: float, lat: float) -> tuple[float, float]:
        x, y = equal_earth(lon, lat)
        return round((x + X_MAX) * k, 1), round((top - y) * k, 1)

    def ring(indices: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indices:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)
        # A ring crossing the antimeridian (Russia, Fiji) would streak across the whole map:
        # its longitudes are made continuous, then what lies beyond ±180° is pressed onto it.
        unwrapped = [points[0]]
        for lon, lat in points[1:]:
            previous = unwrapped[-1][0]
            while lon - previous > 180:
                lon -= 360
            while previous - lon > 180:
                lon += 360
            unwrapped.append((lon, lat))
        mean = sum(lon for lon, _ in unwrapped) / len(unwrapped)
        shift = -360 if mean > 180 else 360 if mean < -180 else 0
        return [(max(-180.0, min(180.0, lon + shift)), lat) for lon, lat in unwrapped]

    def path(polygons: list[list[list[int]]]) -> str:
        parts = []
        for polygon in polygons:
            for indices in polygon:
                projected = [project(*p) for p in ring(indices)]
                kept = [projected[0]]
                for p in projected[1:]:
                    if abs(p[0] - kept[-1][0]) + abs(p[1] - kept[-1][1]) >= 0.3:
                        kept.append(p)
                if len(kept) < 3:
                    continue
                start, *rest = kept
                steps = []
                for (x0, y0), (x1, y1) in zip(kept, rest, strict=False):
                    steps.append(f"{round(x1 - x0, 1):g} {round(y1 - y0, 1):g}")
                parts.append(f"M{start[0]:g} {start[1]:g}l" + " ".join(steps) + "z")
        return "".join(parts)

    shapes = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        number = geometry.get("id")
        if not number or number in LEFT_OUT:
            continue
        country = pycountry.countries.get(numeric=number)
        if country is None:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        shapes[country.alpha_2] = path(polygons)
    height = round((top - bottom) * k, 1)
    return {
        "source": "Natural Earth 1:110m Admin 0 countries (4.1.0, public domain), via the npm "
        "package world-atlas 2.0.2 (countries-110m.json); Equal Earth projection",
        "width": WIDTH,
        "height": height,
        "shapes": dict(sorted(shapes.items())),
    }


if __name__ == "__main__":
    source, target = sys.argv[1:3]
    data = build(json.loads(Path(source).read_text()))
    Path(target).write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n")
    print(f"{len(data['shapes'])} countries, {Path(target).stat().st_size} bytes")
