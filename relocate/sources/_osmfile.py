"""Reading OpenStreetMap files into a simplified, directed road graph, without networkx.

A département and the roads around it come to two or three million nodes; osmnx
would hold them twice over as Python objects (a networkx graph, then its
simplification). Here pyosmium reads the ways, with their nodes' positions, in
C++; the Python side keeps flat arrays (node ids, positions, per-way tags) and
builds the edges with numpy: an edge runs between two nodes that are kept (a
way's end, or a node of several ways), along the way, with its length the sum of
its segments' great-circle lengths, as osmnx measures them.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from tqdm import tqdm

__all__ = [
    "EARTH_RADIUS_M",
    "WayArrays",
    "edges_of",
    "maxspeed_kph",
    "read_ways",
]

# pyosmium takes a moment to import: it is imported in the function that reads a file.

#: The mean Earth radius osmnx measures edge lengths with (great-circle distances), in m.
EARTH_RADIUS_M = 6_371_009.0
#: ``oneway`` values that make a way one-way, as osmnx reads them; the last three reverse it.
_ONEWAY = frozenset({"yes", "true", "1", "-1", "reverse", "T", "F"})
_REVERSED = frozenset({"-1", "reverse", "T"})
_SPEED = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(km/h|kmh|kph|mph|knots)?\s*$", re.IGNORECASE)
_MPH = 1.609344
_KNOT = 1.852
#: Ways between two progress-bar updates.
_TICK = 20_000


def maxspeed_kph(value: str | None) -> float:
    """A ``maxspeed`` tag in km/h (the mean of ``a;b`` or ``a|b``); NaN if it is no number.

    >>> maxspeed_kph("90"), maxspeed_kph("30 mph"), maxspeed_kph("50;70"), maxspeed_kph("FR:rural")
    (90.0, 48.28032, 60.0, nan)
    """
    if not value:
        return float("nan")
    speeds = []
    for part in re.split(r"[;|]", value):
        match = _SPEED.match(part)
        if match is None:
            return float("nan")
        speed = float(match.group(1).replace(",", "."))
        unit = (match.group(2) or "").lower()
        speeds.append(
            speed * _MPH if unit == "mph" else speed * _KNOT if unit == "knots" else speed
        )
    return float(np.mean(speeds)) if speeds else float("nan")


@dataclass
class WayArrays:
    """The drivable ways read from one or more files, as flat arrays.

    A way cut where a file lacks some of its nodes (an extract cut at its border)
    is kept as the pieces whose nodes are present, each a way of its own here.

    Attributes
    ----------
    refs, lon, lat
        Every way's nodes, one after the other.
    starts
        Where each way's nodes start in ``refs`` (its end is the next one's start).
    way_ids, highway, speed, oneway
        Per way: its OSM id, its class (an index into ``classes``), its ``maxspeed`` in
        km/h (NaN if none), 0 for two-way, 1 one-way, -1 one-way against its nodes.
    classes
        The ``highway`` classes, in the order of their index.
    cut
        Ways cut at missing nodes.
    """

    classes: tuple[str, ...]
    refs: array = field(default_factory=lambda: array("q"))
    lon: array = field(default_factory=lambda: array("d"))
    lat: array = field(default_factory=lambda: array("d"))
    starts: array = field(default_factory=lambda: array("q"))
    way_ids: array = field(default_factory=lambda: array("q"))
    highway: array = field(default_factory=lambda: array("b"))
    speed: array = field(default_factory=lambda: array("d"))
    oneway: array = field(default_factory=lambda: array("b"))
    cut: int = 0
    seen: set[int] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self.starts)

    def add(self, way_id: int, nodes: list[tuple[int, float, float] | None], tags: Any) -> None:
        """Add one way (its nodes, None where a position is missing) with its tags."""
        runs: list[list[tuple[int, float, float]]] = [[]]
        for node in nodes:
            if node is None:
                if runs[-1]:
                    runs.append([])
            else:
                runs[-1].append(node)
        pieces = [run for run in runs if len(run) >= 2]
        if len(pieces) != 1 or len(pieces[0]) != len(nodes):
            self.cut += 1
        oneway_tag = tags.get("oneway")
        one = oneway_tag in _ONEWAY or tags.get("junction") == "roundabout"
        direction = (-1 if oneway_tag in _REVERSED else 1) if one else 0
        klass = self.classes.index(tags.get("highway"))
        speed = maxspeed_kph(tags.get("maxspeed"))
        for piece in pieces:
            self.starts.append(len(self.refs))
            self.way_ids.append(way_id)
            self.highway.append(klass)
            self.speed.append(speed)
            self.oneway.append(direction)
            for ref, lon, lat in piece:
                self.refs.append(ref)
                self.lon.append(lon)
                self.lat.append(lat)

    def keep(self, mask: npt.NDArray[np.bool_]) -> WayArrays:
        """The ways where ``mask`` is true."""
        starts = np.frombuffer(self.starts, dtype=np.int64)
        ends = np.append(starts[1:], len(self.refs))
        node_mask = np.repeat(mask, ends - starts)
        kept = WayArrays(classes=self.classes, cut=self.cut)
        kept.refs = array("q", np.frombuffer(self.refs, dtype=np.int64)[node_mask].tobytes())
        kept.lon = array("d", np.frombuffer(self.lon, dtype=np.float64)[node_mask].tobytes())
        kept.lat = array("d", np.frombuffer(self.lat, dtype=np.float64)[node_mask].tobytes())
        lengths = (ends - starts)[mask]
        new_starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        kept.starts = array("q", new_starts.tobytes() if len(lengths) else b"")
        for name in ("way_ids", "highway", "speed", "oneway"):
            values = np.frombuffer(getattr(self, name), dtype=_CODES[name])
            setattr(kept, name, array(getattr(self, name).typecode, values[mask].tobytes()))
        return kept

    def numpy(self) -> dict[str, np.ndarray]:
        """Every array as a numpy view."""
        return {
            "refs": np.frombuffer(self.refs, dtype=np.int64),
            "lon": np.frombuffer(self.lon, dtype=np.float64),
            "lat": np.frombuffer(self.lat, dtype=np.float64),
            "starts": np.frombuffer(self.starts, dtype=np.int64),
            "way_ids": np.frombuffer(self.way_ids, dtype=np.int64),
            "highway": np.frombuffer(self.highway, dtype=np.int8),
            "speed": np.frombuffer(self.speed, dtype=np.float64),
            "oneway": np.frombuffer(self.oneway, dtype=np.int8),
        }


_CODES = {"way_ids": np.int64, "highway": np.int8, "speed": np.float64, "oneway": np.int8}


def read_ways(
    path: Path,
    into: WayArrays,
    *,
    drivable: Callable[[Any], bool],
    progress: bool | None = None,
) -> None:
    """Add the drivable ways of one OSM file (XML or PBF) to ``into``, with their positions.

    A way already read (from another file: extracts overlap at their borders)
    is not read again.

    Parameters
    ----------
    drivable
        True for the tags of a way a car may use.
    progress
        Show a progress bar of the ways read (None: when the output is a terminal).

    Raises
    ------
    RuntimeError
        From pyosmium, if the file is not readable OSM data.
    """
    import osmium  # lazy: pyosmium is needed only to read a road network

    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
        .with_filter(osmium.filter.KeyFilter("highway"))
    )
    with tqdm(
        desc=f"reading {path.name}",
        unit=" ways",
        disable=None if progress is None else not progress,  # None: on a terminal only
        leave=False,
    ) as bar:
        count = 0
        for way in processor:
            if not isinstance(way, osmium.osm.Way):
                continue
            count += 1
            if count % _TICK == 0:
                bar.update(_TICK)
            tags = way.tags
            if way.id in into.seen or not drivable(tags):
                continue
            into.seen.add(way.id)
            nodes: list[tuple[int, float, float] | None] = []
            for node in way.nodes:
                where = node.location
                nodes.append((node.ref, where.lon, where.lat) if where.valid() else None)
            into.add(way.id, nodes, tags)
        bar.update(count % _TICK)


def _haversine_m(lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray) -> Any:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2 - lon1)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def edges_of(
    ways: WayArrays, *, default_speeds: Mapping[str, float], fallback_speed: float
) -> tuple[pd.DataFrame, int]:
    """The directed edges between kept nodes, with lengths, speeds and travel times.

    A node is kept where a way ends, and where several ways (or one way twice)
    pass: the graph has the same paths as the unsimplified one, with far fewer
    nodes. Each way gives one edge per stretch between two kept nodes, in both
    directions unless it is one-way.

    Returns
    -------
    edges, with_maxspeed
        The table (``u, v, u_lon, u_lat, v_lon, v_lat, length_m, travel_time_s,
        speed_kph, highway, oneway``), and how many of its rows had a ``maxspeed``.
    """
    a = ways.numpy()
    refs, lon, lat, starts = a["refs"], a["lon"], a["lat"], a["starts"]
    n_ways, n_nodes = len(starts), len(refs)
    ends = np.append(starts[1:], n_nodes) - 1
    way_of = np.repeat(np.arange(n_ways), np.diff(np.append(starts, n_nodes)))
    _, inverse, counts = np.unique(refs, return_inverse=True, return_counts=True)
    kept = counts[inverse] > 1
    kept[starts] = True
    kept[ends] = True
    segment = np.zeros(n_nodes)
    segment[1:] = _haversine_m(lon[:-1], lat[:-1], lon[1:], lat[1:])
    cumulative = np.cumsum(segment)
    at = np.flatnonzero(kept)
    same_way = way_of[at[:-1]] == way_of[at[1:]]
    first, second = at[:-1][same_way], at[1:][same_way]
    way = way_of[first]
    length = cumulative[second] - cumulative[first]
    classes = np.array(ways.classes, dtype=object)[a["highway"][way]]
    tagged = a["speed"][way]
    defaults = np.array([default_speeds.get(c, fallback_speed) for c in ways.classes])
    speed = np.where(np.isnan(tagged), defaults[a["highway"][way]], tagged)
    direction = a["oneway"][way]
    forward = direction >= 0
    backward = direction <= 0
    u = np.concatenate([first[forward], second[backward]])
    v = np.concatenate([second[forward], first[backward]])
    pick = np.concatenate([np.flatnonzero(forward), np.flatnonzero(backward)])
    table = pd.DataFrame(
        {
            "u": refs[u],
            "v": refs[v],
            "u_lon": lon[u],
            "u_lat": lat[u],
            "v_lon": lon[v],
            "v_lat": lat[v],
            "length_m": length[pick],
            "travel_time_s": length[pick] / (speed[pick] / 3.6),
            "speed_kph": speed[pick].astype(float),
            "highway": classes[pick],
            "oneway": direction[pick] != 0,
        }
    )
    table = table.sort_values(["u", "v", "length_m"], kind="stable").reset_index(drop=True)
    return table, int((~np.isnan(tagged[pick])).sum())
