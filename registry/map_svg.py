"""The world map of published initiatives (issue 19): a choropleth drawn on the server as SVG
from Natural Earth 1:110m country shapes (public domain; registry/map_world.json, built by
tools/world_map.py from the npm package world-atlas). No script: each country with published
initiatives is a link named with its count; shades are told apart by colour and by pattern."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .regions import shade

SHAPES_FILE = Path(__file__).with_name("map_world.json")
SHADES = (1, 2, 3, 4, 5)
# The part of the map shown larger beside it, where most records are and countries are small:
# Europe, as (x, y, width, height) in the map's units.
EUROPE = (452.0, 26.0, 152.0, 94.0)
_NUMBER = re.compile(r"-?[0-9.]+")


@dataclass(frozen=True)
class Country:
    code: str
    path: str
    count: int
    shade: int  # 0: no published initiative
    box: tuple[float, float, float, float]  # min x, min y, max x, max y


@dataclass(frozen=True)
class Legend:
    shade: int
    low: int
    high: int


@cache
def _data() -> dict:
    return json.loads(SHAPES_FILE.read_text(encoding="utf-8"))


@cache
def _box(path: str) -> tuple[float, float, float, float]:
    """The bounding box of a path of `M x y l dx dy … z` parts."""
    xs, ys = [], []
    for part in path.split("M")[1:]:
        numbers = [float(n) for n in _NUMBER.findall(part)]
        x, y = numbers[0], numbers[1]
        xs.append(x)
        ys.append(y)
        for dx, dy in zip(numbers[2::2], numbers[3::2], strict=False):
            x, y = x + dx, y + dy
            xs.append(x)
            ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def size() -> tuple[float, float]:
    return _data()["width"], _data()["height"]


def drawn() -> frozenset[str]:
    """The countries the map has a shape for."""
    return frozenset(_data()["shapes"])


def countries(counts: dict[str, int]) -> list[Country]:
    """Every drawn country with its count and shade, empty ones first (links drawn on top)."""
    busiest = max(counts.values(), default=0)
    found = [
        Country(code, path, counts.get(code, 0), shade(counts.get(code, 0), busiest), _box(path))
        for code, path in _data()["shapes"].items()
    ]
    return sorted(found, key=lambda c: c.count > 0)


def in_view(found: list[Country], view: tuple[float, float, float, float]) -> list[Country]:
    """The countries that show in a part of the map (x, y, width, height)."""
    x, y, width, height = view
    return [
        c
        for c in found
        if c.box[2] >= x and c.box[0] <= x + width and c.box[3] >= y and c.box[1] <= y + height
    ]


def not_drawn(counts: dict[str, int]) -> list[tuple[str, int]]:
    """Countries with published initiatives too small for the map's scale (listed beside it)."""
    shapes = drawn()
    return sorted((code, n) for code, n in counts.items() if n and code not in shapes)


def legend(counts: dict[str, int]) -> list[Legend]:
    """Each shade in use with the range of counts it stands for."""
    busiest = max(counts.values(), default=0)
    ranges: dict[int, list[int]] = {}
    for n in range(1, busiest + 1):
        ranges.setdefault(shade(n, busiest), []).append(n)
    return [Legend(s, min(ns), max(ns)) for s, ns in sorted(ranges.items())]
