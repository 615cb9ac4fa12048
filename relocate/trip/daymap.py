"""A day's route as a small inline SVG map, legible in black and white.

The day's villages are named beside numbered circles, the start and end places
drawn as squares, the route along the roads when a road network is loaded (each
leg's fastest path) and as dashed straight lines otherwise (the map says which),
over the communes' outlines, with a scale bar.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

import numpy as np
import shapely
from shapely.geometry import LineString, box

from relocate.i18n import translator
from relocate.territory import MAX_DESTINATION_SNAP_M, Territory
from relocate.trip.model import DayPlan, Place
from relocate.trip.places import village_place

if TYPE_CHECKING:
    from relocate.features.roads import RoadNetwork

__all__ = ["CSS", "Roads", "day_map"]

_W, _H = 420.0, 320.0
#: Polygon simplification for the background, in degrees (about 300 m).
_SIMPLIFY_DEG = 0.003
#: Road paths simplified to this, in degrees (about 50 m): the map's resolution.
_PATH_DEG = 0.0005
_CHAR_W = 5.6  # an average character of the labels, in map units
_LABEL_H = 11.0

#: The map's styles: black, white and greys, so that it prints in black and white.
CSS = """
svg.map { width: 100%; height: auto; border: 0.3mm solid #555; background: #fff }
svg.map .commune { fill: #f4f4f4; stroke: #b5b5b5; stroke-width: 0.6 }
svg.map .casing { fill: none; stroke: #fff; stroke-width: 5; stroke-linejoin: round;
  stroke-linecap: round }
svg.map .route { fill: none; stroke: #111; stroke-width: 2.2; stroke-linejoin: round;
  stroke-linecap: round }
svg.map .route.straight { stroke-dasharray: 6 4 }
svg.map .stop { fill: #fff; stroke: #111; stroke-width: 1.8 }
svg.map .place { fill: #111; stroke: #fff; stroke-width: 1 }
svg.map .num { font: bold 10px Arial, sans-serif; fill: #111; text-anchor: middle;
  dominant-baseline: central }
svg.map .placenum { font: bold 9px Arial, sans-serif; fill: #fff; text-anchor: middle;
  dominant-baseline: central }
svg.map .label { font: 10px Arial, sans-serif; fill: #111; paint-order: stroke;
  stroke: #fff; stroke-width: 3px; stroke-linejoin: round }
svg.map .scale { stroke: #111; stroke-width: 1.5; fill: none }
svg.map .note { font: 8.5px Arial, sans-serif; fill: #333; paint-order: stroke; stroke: #fff;
  stroke-width: 3px }
"""


def _short(place: Place, lang: str) -> str:
    """A place's name on the map: ``Auch``, ``Toulouse-Blagnac (TLS)``, ``gare d’Agen``."""
    if place.kind in ("village", "commune"):
        return place.name
    if place.kind == "airport":
        return f"{place.name} ({place.key})"
    return place.label(lang)


class Roads:
    """Fastest paths along the territory's road network, for drawing (None without one)."""

    def __init__(self, territory: Territory) -> None:
        self._network: RoadNetwork | None = None
        roads = territory.roads
        if roads is not None:
            # Lazy: scipy's sparse graphs are needed only with a road network loaded.
            from relocate.features.roads import RoadNetwork

            self._network = RoadNetwork.from_edges(roads.table)
        self._trees: dict[int, np.ndarray] = {}

    @property
    def loaded(self) -> bool:
        """True when a road network is loaded."""
        return self._network is not None

    def path(self, a: Place, b: Place) -> list[tuple[float, float]] | None:
        """The fastest path from a to b as (lon, lat) points, or None off the network."""
        network = self._network
        if network is None:
            return None
        from scipy.sparse.csgraph import dijkstra  # lazy, as above

        nodes, dist = network.snap([a.lon, b.lon], [a.lat, b.lat])
        if (nodes < 0).any() or not (
            np.nan_to_num(dist, nan=np.inf) <= MAX_DESTINATION_SNAP_M
        ).all():
            return None
        origin, target = int(nodes[0]), int(nodes[1])
        if origin not in self._trees:
            _, predecessors = dijkstra(
                network.time_s, directed=True, indices=[origin], return_predecessors=True
            )
            self._trees[origin] = predecessors[0]
        previous = self._trees[origin]
        chain = [target]
        while chain[-1] != origin:
            step = int(previous[chain[-1]])
            if step < 0:
                return None
            chain.append(step)
        chain.reverse()
        points = [(a.lon, a.lat), *((float(network.lon[i]), float(network.lat[i])) for i in chain)]
        points.append((b.lon, b.lat))
        line = LineString(points).simplify(_PATH_DEG, preserve_topology=False)
        return [(float(x), float(y)) for x, y in line.coords]


@dataclass(frozen=True)
class _Mark:
    lon: float
    lat: float
    text: str  # the number in the mark ("1"), empty for a place
    label: str  # a name from the data (not to be translated)
    place: bool  # a start or end place (a square), not a stop (a circle)
    role: str = ""  # in the reader's language: "(start and end)"

    @property
    def shown(self) -> str:
        """The whole label as it reads."""
        return " ".join(part for part in (self.label, self.role) if part)


def _e(value: object) -> str:
    return escape(str(value), quote=True)


def _marks(day: DayPlan, territory: Territory, lang: str) -> list[_Mark]:
    """The day's places (squares) and stops (numbered circles), each with its label.

    A stop at the start or end place (a visit at the base) carries the place's
    label, and the square none: one name at one point.
    """
    tr = translator(lang)
    stops: list[_Mark] = []
    for number, stop in enumerate(day.stops, 1):
        if stop.place is not None:
            at = stop.place
        elif stop.insee in territory.villages.index:
            at = village_place(territory, stop.insee)
        else:
            continue
        label = stop.title if stop.kind == "appointment" and stop.title else stop.name
        stops.append(_Mark(at.lon, at.lat, str(number), label, place=False))
    places: list[_Mark] = []
    ends = [p for p in (day.start, day.end) if p is not None]
    for place in dict.fromkeys(ends):
        if day.start == day.end:
            role = tr._("start and end")
        elif place == day.start:
            role = tr._("start")
        else:
            role = tr._("end")
        name = "" if place.kind == "coordinates" else _short(place, lang)
        point = tr._("the point")
        if not name:
            role = f"{point} ({role})"
        else:  # "Auch (départ et retour)"; "Toulouse-Blagnac (TLS) – départ et retour"
            role = f"– {role}" if name.endswith(")") else f"({role})"
        same = [k for k, m in enumerate(stops) if (m.lon, m.lat) == (place.lon, place.lat)]
        if same:
            first = stops[same[0]]
            stops[same[0]] = _Mark(first.lon, first.lat, first.text, name, False, role)
            name, role = "", ""
        places.append(_Mark(place.lon, place.lat, "", name, True, role))
    return places + stops


def _legs(day: DayPlan, territory: Territory) -> list[tuple[Place, Place]]:
    where: list[Place] = []
    if day.start is not None:
        where.append(day.start)
    for stop in day.stops:
        if stop.place is not None:
            where.append(stop.place)
        elif stop.insee in territory.villages.index:
            where.append(village_place(territory, stop.insee))
    if day.end is not None:
        where.append(day.end)
    return [(a, b) for a, b in itertools.pairwise(where) if (a.lon, a.lat) != (b.lon, b.lat)]


@dataclass(frozen=True)
class _View:
    west: float
    north: float
    k: float  # cos(latitude): degrees of longitude to degrees of latitude
    scale: float  # map units per degree of latitude

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.k * self.scale, (self.north - lat) * self.scale


def _view(points: Sequence[tuple[float, float]]) -> tuple[_View, box]:
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x = max((max(lons) - min(lons)) * k, 0.06)
    span_y = max(max(lats) - min(lats), 0.06)
    if span_x / span_y < _W / _H:
        span_x = span_y * _W / _H
    else:
        span_y = span_x * _H / _W
    span_x, span_y = span_x * 1.3, span_y * 1.3
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    west, east = cx - span_x / 2 / k, cx + span_x / 2 / k
    south, north = cy - span_y / 2, cy + span_y / 2
    return _View(west, north, k, _W / span_x), box(west, south, east, north)


def _path(rings: Iterable[Sequence[tuple[float, float]]]) -> str:
    return " ".join(
        "M" + " L".join(f"{x:.1f},{y:.1f}" for x, y in ring) + " Z" for ring in rings if ring
    )


def _background(territory: Territory, view: _View, area: box) -> list[str]:
    geometries = territory.villages.geometry
    near = geometries[geometries.intersects(area)]
    shapes = []
    for geometry in near:
        simple = shapely.simplify(geometry, _SIMPLIFY_DEG, preserve_topology=True)
        polygons = getattr(simple, "geoms", [simple])
        rings = [
            [view.xy(x, y) for x, y in polygon.exterior.coords]
            for polygon in polygons
            if polygon.geom_type == "Polygon" and not polygon.is_empty
        ]
        if rings:
            shapes.append(f'<path class="commune" d="{_path(rings)}"/>')
    return shapes


_SIDES = ("right", "left", "above", "below", "above-right", "below-right", "above-left",
          "below-left")  # fmt: skip


def _label_box(x: float, y: float, text: str, side: str) -> tuple[float, float, float, float]:
    """The box a label takes on one side of its mark (x0, y0, x1, y1)."""
    width = _CHAR_W * len(text)
    dx = {"right": 10, "left": -10 - width, "above": -width / 2, "below": -width / 2,
          "above-right": 6, "below-right": 6, "above-left": -6 - width,
          "below-left": -6 - width}[side]  # fmt: skip
    dy = {"right": -_LABEL_H / 2, "left": -_LABEL_H / 2, "above": -10 - _LABEL_H,
          "below": 10, "above-right": -8 - _LABEL_H, "below-right": 8,
          "above-left": -8 - _LABEL_H, "below-left": 8}[side]  # fmt: skip
    return x + dx, y + dy, x + dx + width, y + dy + _LABEL_H


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """The area two boxes share."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0.0) * max(h, 0.0)


def _outside(box_: tuple[float, ...]) -> float:
    """How much of a box lies off the map (and over the scale bar and the note)."""
    inner = (2.0, 2.0, _W - 2.0, _H - 16.0)
    area = (box_[2] - box_[0]) * (box_[3] - box_[1])
    return area - _overlap(box_, inner)


def _labels(marks: Sequence[_Mark], view: _View) -> list[str]:
    """Each mark's label beside it: where it covers the least of the other labels and marks."""
    taken: list[tuple[float, float, float, float]] = [
        (x - 9, y - 9, x + 9, y + 9) for x, y in (view.xy(m.lon, m.lat) for m in marks)
    ]
    out = []
    for mark in marks:
        if not mark.shown:
            continue
        x, y = view.xy(mark.lon, mark.lat)
        own = (x - 9, y - 9, x + 9, y + 9)
        best: tuple[float, tuple[float, float, float, float]] | None = None
        for rank, side in enumerate(_SIDES):
            candidate = _label_box(x, y, mark.shown, side)
            cost = 3 * _outside(candidate) + sum(_overlap(candidate, t) for t in taken if t != own)
            cost += rank * 0.01  # the usual side first, among equals
            if best is None or cost < best[0]:
                best = (cost, candidate)
        assert best is not None
        chosen = best[1]
        taken.append(chosen)
        out.append(
            f'<text class="label" x="{chosen[0]:.1f}" y="{chosen[3] - 2.5:.1f}">'
            + (f'<tspan translate="no">{_e(mark.label)}</tspan>' if mark.label else "")
            + (" " if mark.label and mark.role else "")
            + f"{_e(mark.role)}</text>"
        )
    return out


def _scale_bar(view: _View, lang: str) -> str:
    km_per_unit = 111.2 / view.scale
    target = km_per_unit * _W / 5
    length = next((n for n in (1, 2, 5, 10, 20, 50, 100) if n >= target * 0.6), 100)
    units = length / km_per_unit
    x0, y0 = 10.0, _H - 10.0
    tr = translator(lang)
    return (
        f'<path class="scale" d="M{x0:.1f},{y0 - 4:.1f} V{y0:.1f} H{x0 + units:.1f} '
        f'V{y0 - 4:.1f}"/><text class="note" x="{x0 + units + 4:.1f}" y="{y0:.1f}">'
        f"{_e(tr.number(length))} km</text>"
    )


def day_map(day: DayPlan, *, territory: Territory, roads: Roads, lang: str = "fr") -> str:
    """The day's route as inline SVG: named stops, start and end places, the route, a scale.

    Parameters
    ----------
    day
        The day.
    territory
        Its villages (positions and outlines).
    roads
        The road network's paths (:class:`Roads`), or none loaded.
    lang
        The language of the labels and the note.
    """
    tr = translator(lang)
    marks = _marks(day, territory, lang)
    if not marks:
        return ""
    legs = _legs(day, territory)
    points = [(m.lon, m.lat) for m in marks]
    paths: list[tuple[list[tuple[float, float]], bool]] = []
    for a, b in legs:
        path = roads.path(a, b)
        paths.append(
            (path, True) if path is not None else ([(a.lon, a.lat), (b.lon, b.lat)], False)
        )
    view, area = _view(points)
    lines = []
    for path, along in paths:
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (view.xy(*p) for p in path))
        lines.append(f'<polyline class="casing" points="{coords}"/>')
        kind = "route" if along else "route straight"
        lines.append(f'<polyline class="{kind}" points="{coords}"/>')
    shapes = []
    for mark in marks:
        x, y = view.xy(mark.lon, mark.lat)
        if mark.place:
            shapes.append(
                f'<rect class="place" x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12"/>'
            )
        else:
            shapes.append(
                f'<circle class="stop" cx="{x:.1f}" cy="{y:.1f}" r="8"/>'
                f'<text class="num" x="{x:.1f}" y="{y:.1f}">{_e(mark.text)}</text>'
            )
    if paths and not all(along for _, along in paths):
        note = (
            tr._("dashed: straight lines (no road network loaded)")
            if not roads.loaded
            else tr._("dashed: straight lines (off the road network)")
        )
    elif paths:
        note = tr._("the route along the roads")
    else:
        note = ""
    note_svg = (
        f'<text class="note" x="{_W - 6:.1f}" y="{_H - 6:.1f}" text-anchor="end">{_e(note)}</text>'
        if note
        else ""
    )
    title = tr._("Route of {day}").format(day=tr.long_date(day.day))
    return (
        f'<svg class="map" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W:.0f} {_H:.0f}" '
        f'role="img" aria-label="{_e(title)}">'
        f"{''.join(_background(territory, view, area))}{''.join(lines)}{''.join(shapes)}"
        f"{''.join(_labels(marks, view))}{_scale_bar(view, lang)}{note_svg}</svg>"
    )
