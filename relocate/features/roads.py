"""Drive times along a road network: the routing graph, drive-time features, isochrones, fit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
import shapely
from pyproj import Transformer
from scipy import ndimage
from scipy.sparse.csgraph import dijkstra

from relocate.errors import InvalidOptionError, MissingColumnError
from relocate.features._geodesy import SphereTree, geodesic_km
from relocate.features.access import village_points

__all__ = [
    "DEFAULT_MAX_SNAP_M",
    "ROUTING_COLUMNS",
    "RoadNetwork",
    "drive_min_nearest",
    "drive_min_to",
    "isochrones",
    "snap_distance_m",
    "unreachable_reason",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

#: The columns of a directed edges table that routing reads (the ``osm`` source's table
#: starts with them).
ROUTING_COLUMNS: tuple[str, ...] = (
    "u",
    "v",
    "u_lon",
    "u_lat",
    "v_lon",
    "v_lat",
    "length_m",
    "travel_time_s",
)

#: A point farther than this from every node of the network is off the network: its
#: drive times are NaN (a town hall is never this far from a drivable road; a
#: destination this far away lies outside the area the network covers).
DEFAULT_MAX_SNAP_M = 5000.0


@dataclass(frozen=True, eq=False)
class RoadNetwork:
    """A directed road graph ready for shortest-path queries.

    Nodes are numbered ``0..n-1`` in the order of their sorted OSM ids. ``time_s``
    and ``length_m`` are ``n x n`` CSR matrices whose entry ``[i, j]`` is the
    travel time (s) or the length (m) of the edge ``i -> j``; where the table has
    parallel edges, each matrix keeps the minimum of its own weight. Build it with
    :meth:`from_edges`.
    """

    node_ids: npt.NDArray[np.int64]
    lon: FloatArray
    lat: FloatArray
    time_s: sp.csr_matrix
    length_m: sp.csr_matrix
    #: The reduced edges (one per ordered node pair): from, to, travel time in s.
    edge_u: IntArray
    edge_v: IntArray
    edge_time_s: FloatArray
    #: Rows of the edges table dropped for a missing or negative weight, or a loop.
    dropped_edges: int
    _time_t: sp.csr_matrix
    _length_t: sp.csr_matrix
    _tree: SphereTree

    @classmethod
    def from_edges(cls, edges: pd.DataFrame) -> RoadNetwork:
        """Build the network from the ``osm`` source's directed edges table.

        Rows with a missing or negative ``travel_time_s`` or ``length_m``, and
        self-loops (which never shorten a path), are dropped and counted in
        ``dropped_edges``.
        """
        for column in ROUTING_COLUMNS:
            if column not in edges:
                raise MissingColumnError(f"edges table lacks column {column!r}")
        table = edges.loc[:, list(ROUTING_COLUMNS)]
        time = table["travel_time_s"].to_numpy(dtype=float)
        length = table["length_m"].to_numpy(dtype=float)
        keep = (
            np.isfinite(time)
            & np.isfinite(length)
            & (time >= 0)
            & (length >= 0)
            & (table["u"].to_numpy() != table["v"].to_numpy())
        )
        dropped = int((~keep).sum())
        table = table[keep]
        if table.empty:
            raise InvalidOptionError("the edges table has no usable edge: no road network to route")

        ends = pd.concat(
            [
                table[["u", "u_lon", "u_lat"]].set_axis(["id", "lon", "lat"], axis=1),
                table[["v", "v_lon", "v_lat"]].set_axis(["id", "lon", "lat"], axis=1),
            ],
            ignore_index=True,
        )
        nodes = ends.drop_duplicates("id").sort_values("id")
        node_ids = nodes["id"].to_numpy(dtype=np.int64)
        lon = nodes["lon"].to_numpy(dtype=float)
        lat = nodes["lat"].to_numpy(dtype=float)

        # csr construction SUMS duplicate entries: reduce parallel edges to their minimum first.
        pairs = table.groupby(["u", "v"], sort=False)[["travel_time_s", "length_m"]].min()
        u_idx = np.searchsorted(node_ids, pairs.index.get_level_values("u").to_numpy(np.int64))
        v_idx = np.searchsorted(node_ids, pairs.index.get_level_values("v").to_numpy(np.int64))
        n = len(node_ids)
        w_time = pairs["travel_time_s"].to_numpy(dtype=float)
        w_length = pairs["length_m"].to_numpy(dtype=float)
        time_s = sp.csr_matrix((w_time, (u_idx, v_idx)), shape=(n, n))
        length_m = sp.csr_matrix((w_length, (u_idx, v_idx)), shape=(n, n))
        tree = SphereTree(lon, lat)
        return cls(
            node_ids=node_ids,
            lon=lon,
            lat=lat,
            time_s=time_s,
            length_m=length_m,
            edge_u=u_idx.astype(np.intp),
            edge_v=v_idx.astype(np.intp),
            edge_time_s=w_time,
            dropped_edges=dropped,
            _time_t=time_s.T.tocsr(),
            _length_t=length_m.T.tocsr(),
            _tree=tree,
        )

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return len(self.node_ids)

    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> tuple[IntArray, FloatArray]:
        """Find the node nearest each point and the geodesic distance to it in metres.

        Points with NaN coordinates get node index -1 and distance NaN.
        """
        lon_a = np.atleast_1d(np.asarray(lon, dtype=float))
        lat_a = np.atleast_1d(np.asarray(lat, dtype=float))
        index = np.full(lon_a.shape, -1, dtype=np.intp)
        dist = np.full(lon_a.shape, np.nan)
        ok = ~(np.isnan(lon_a) | np.isnan(lat_a))
        if ok.any():
            idx = self._tree.nearest(lon_a[ok], lat_a[ok])
            index[ok] = idx
            dist[ok] = 1000.0 * geodesic_km(lon_a[ok], lat_a[ok], self.lon[idx], self.lat[idx])
        return index, dist

    def _one_node(self, lon: float, lat: float) -> int:
        node, _ = self.snap([lon], [lat])
        if node[0] < 0:
            raise InvalidOptionError(f"destination has no position (lon={lon}, lat={lat})")
        return int(node[0])

    def times_to(self, lon: float, lat: float) -> FloatArray:
        """Seconds from every node to the node nearest (lon, lat); inf where unreachable.

        One Dijkstra from the destination on the transposed graph.
        """
        node = self._one_node(lon, lat)
        return np.asarray(dijkstra(self._time_t, directed=True, indices=[node])[0], dtype=float)

    def times_from(self, lon: float, lat: float) -> FloatArray:
        """Seconds from the node nearest (lon, lat) to every node; inf where unreachable."""
        node = self._one_node(lon, lat)
        return np.asarray(dijkstra(self.time_s, directed=True, indices=[node])[0], dtype=float)

    def times_to_nearest(self, lons: npt.ArrayLike, lats: npt.ArrayLike) -> FloatArray:
        """Seconds from every node to the nearest (in time) of several destinations.

        One multi-source Dijkstra (``min_only``) on the transposed graph; inf where
        no destination can be reached, and everywhere if no destination has a position.
        """
        nodes, _ = self.snap(lons, lats)
        nodes = np.unique(nodes[nodes >= 0])
        if len(nodes) == 0:
            return np.full(self.n_nodes, np.inf)
        return np.asarray(
            dijkstra(self._time_t, directed=True, indices=nodes, min_only=True), dtype=float
        )

    def lengths_to(self, lon: float, lat: float) -> FloatArray:
        """Metres from every node to the node nearest (lon, lat) along the shortest-length path."""
        node = self._one_node(lon, lat)
        return np.asarray(dijkstra(self._length_t, directed=True, indices=[node])[0], dtype=float)


# --------------------------------------------------------------------------- features


def _minutes_at_villages(
    villages: gpd.GeoDataFrame,
    network: RoadNetwork,
    seconds: FloatArray,
    max_snap_m: float,
) -> FloatArray:
    """Minutes at each village's snapped node: NaN when off the network or unreachable."""
    nodes, dist = network.snap(*village_points(villages))
    minutes = np.full(len(nodes), np.nan)
    ok = (nodes >= 0) & (dist <= max_snap_m)
    minutes[ok] = seconds[nodes[ok]] / 60.0
    minutes[~np.isfinite(minutes)] = np.nan
    return minutes


def drive_min_to(
    villages: gpd.GeoDataFrame,
    *,
    network: RoadNetwork,
    lon: float,
    lat: float,
    name: str,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.Series:
    """Drive time in minutes from each village to one point, along the road network.

    The time runs from the node nearest the village's point (town hall, else a
    point inside the polygon) to the node nearest the destination; the walk to
    and from those nodes is not counted.

    Parameters
    ----------
    villages
        Villages with town-hall coordinates and polygons.
    network
        The road network.
    lon, lat
        The destination, in degrees (WGS84).
    name
        The destination's suffix: the series is named ``drive_min_<name>``.
    max_snap_m
        A village or destination farther than this from every node gets NaN.

    Returns
    -------
    pandas.Series
        Minutes, aligned to ``villages.index``; NaN (never 0 or inf) where there is
        no road path or a point is off the network (see :func:`unreachable_reason`).

    """
    _, dest_snap = network.snap([lon], [lat])
    if not dest_snap[0] <= max_snap_m:
        seconds = np.full(network.n_nodes, np.inf)
    else:
        seconds = network.times_to(lon, lat)
    minutes = _minutes_at_villages(villages, network, seconds, max_snap_m)
    return pd.Series(minutes, index=villages.index, name=f"drive_min_{name}")


def drive_min_nearest(
    villages: gpd.GeoDataFrame,
    *,
    network: RoadNetwork,
    lons: npt.ArrayLike,
    lats: npt.ArrayLike,
    name: str,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.Series:
    """Drive time in minutes from each village to the nearest (in time) of several points.

    Destinations farther than ``max_snap_m`` from the network are left out; the
    series is named ``drive_min_<name>``, NaN where no destination can be reached.
    """
    lons_a = np.atleast_1d(np.asarray(lons, dtype=float))
    lats_a = np.atleast_1d(np.asarray(lats, dtype=float))
    _, dest_snap = network.snap(lons_a, lats_a)
    near = dest_snap <= max_snap_m  # False for NaN
    seconds = network.times_to_nearest(lons_a[near], lats_a[near])
    minutes = _minutes_at_villages(villages, network, seconds, max_snap_m)
    return pd.Series(minutes, index=villages.index, name=f"drive_min_{name}")


def snap_distance_m(villages: gpd.GeoDataFrame, *, network: RoadNetwork) -> pd.Series:
    """Geodesic distance in metres from each village's point to its nearest network node."""
    _, dist = network.snap(*village_points(villages))
    return pd.Series(dist, index=villages.index, name="snap_m")


def unreachable_reason(
    villages: gpd.GeoDataFrame,
    *,
    network: RoadNetwork,
    times: pd.Series,
    lon: float | None = None,
    lat: float | None = None,
    max_snap_m: float = DEFAULT_MAX_SNAP_M,
) -> pd.Series:
    """Say, in words, why each NaN drive time is missing.

    Parameters
    ----------
    villages
        The villages the times were computed for.
    network
        The road network.
    times
        A ``drive_min_<name>`` series from :func:`drive_min_to` or :func:`drive_min_nearest`.
    lon, lat
        The single destination of :func:`drive_min_to`, if any: checked for being
        off the network.
    max_snap_m
        The threshold the times were computed with.

    Returns
    -------
    pandas.Series
        Named ``<times.name>_reason``: None where the time is known, otherwise
        ``"no road path to <name>"``, ``"town hall 7.2 km from the nearest road"``
        (``"village centre ..."`` where the town hall's position is unknown),
        ``"<name> 12.0 km from the nearest road of the network"`` or
        ``"no position"``.

    """
    target = str(times.name).removeprefix("drive_min_")
    times = times.reindex(villages.index)
    _, dist = network.snap(*village_points(villages))
    has_townhall = (villages["townhall_lon"].notna() & villages["townhall_lat"].notna()).to_numpy()
    dest_off: str | None = None
    if lon is not None and lat is not None:
        _, dest_dist = network.snap([lon], [lat])
        if not dest_dist[0] <= max_snap_m:
            dest_off = f"{target} {dest_dist[0] / 1000:.1f} km from the nearest road of the network"
    reasons: list[str | None] = []
    for missing, d, townhall in zip(times.isna().to_numpy(), dist, has_townhall, strict=True):
        if not missing:
            reasons.append(None)
        elif np.isnan(d):
            reasons.append("no position")
        elif d > max_snap_m:
            what = "town hall" if townhall else "village centre"
            reasons.append(f"{what} {d / 1000:.1f} km from the nearest road")
        elif dest_off is not None:
            reasons.append(dest_off)
        else:
            reasons.append(f"no road path to {target}")
    return pd.Series(reasons, index=villages.index, name=f"{times.name}_reason", dtype=object)


# --------------------------------------------------------------------------- isochrones


def _band_area(
    x0: FloatArray, y0: FloatArray, x1: FloatArray, y1: FloatArray, *, buffer_m: float
) -> shapely.Geometry:
    """The segments ``(x0, y0)-(x1, y1)`` (metres) widened by ``buffer_m``, on a raster.

    Points are sampled along each segment every quarter of ``buffer_m``, marked on a
    grid of ``buffer_m / 2`` cells, dilated by a disc of radius ``buffer_m``; each
    row's runs of marked cells become boxes, and the boxes are merged.
    """
    cell = buffer_m / 2.0
    length = np.hypot(x1 - x0, y1 - y0)
    steps = np.ceil(length / (cell / 2.0)).astype(np.intp) + 1  # samples, both ends included
    seg = np.repeat(np.arange(len(x0)), steps)
    first = np.repeat(np.cumsum(steps) - steps, steps)
    share = (np.arange(len(seg)) - first) / np.repeat(np.maximum(steps - 1, 1), steps)
    px = x0[seg] + share * (x1 - x0)[seg]
    py = y0[seg] + share * (y1 - y0)[seg]
    radius = buffer_m / cell
    pad = int(np.ceil(radius)) + 1
    origin_x, origin_y = px.min() - pad * cell, py.min() - pad * cell
    col = ((px - origin_x) / cell).astype(np.intp)
    row = ((py - origin_y) / cell).astype(np.intp)
    grid = np.zeros((row.max() + pad + 1, col.max() + pad + 1), dtype=bool)
    grid[row, col] = True
    reach = int(np.ceil(radius))
    dy, dx = np.mgrid[-reach : reach + 1, -reach : reach + 1]
    grid = ndimage.binary_dilation(grid, structure=dx**2 + dy**2 <= radius**2)
    edges = np.diff(np.pad(grid, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    run_row, run_start = np.nonzero(edges == 1)  # row-major: starts and ends pair up
    _, run_end = np.nonzero(edges == -1)
    boxes = shapely.box(
        origin_x + run_start * cell,
        origin_y + run_row * cell,
        origin_x + run_end * cell,
        origin_y + (run_row + 1) * cell,
    )
    return shapely.simplify(shapely.union_all(boxes), cell)


def isochrones(
    network: RoadNetwork,
    *,
    lon: float,
    lat: float,
    minutes: Sequence[float] = (30, 45, 60),
    direction: Literal["to", "from"] = "to",
    buffer_m: float = 300.0,
    crs: str = "EPSG:2154",
) -> gpd.GeoDataFrame:
    """Areas within a drive time of a point, one (multi)polygon per time.

    Each area covers the road stretches reachable within the time, widened by
    ``buffer_m`` on each side in the metric ``crs`` (Lambert-93 by default:
    metropolitan France). The stretches are drawn on a grid of ``buffer_m / 2``
    cells, widened by a disc of radius ``buffer_m`` and outlined, then simplified
    to one cell: the outline is accurate to about one cell (150 m by default).
    That raster is what keeps a 60-minute area of a département's network under
    a second; a union of exact buffers takes minutes. An edge whose far end is
    out of reach contributes the part of it that is within reach, assuming a
    constant speed along it; edges are straight segments between their nodes.

    Parameters
    ----------
    network
        The road network.
    lon, lat
        The point, in degrees (WGS84).
    minutes
        The drive times, in minutes.
    direction
        ``"to"``: areas from which the point is reached within the time (the
        times :func:`drive_min_to` reports); ``"from"``: areas reached from it.
    buffer_m
        Half-width, in metres, of the band drawn around each reachable road.
    crs
        The metric CRS the buffer is drawn in.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``minutes`` and ``geometry`` (EPSG:4326), in the order of ``minutes``;
        an empty geometry where no node is within reach.

    """
    if direction == "to":
        seconds = network.times_to(lon, lat)
        near, far = network.edge_v, network.edge_u  # a stretch next to v reaches v, then the point
    elif direction == "from":
        seconds = network.times_from(lon, lat)
        near, far = network.edge_u, network.edge_v
    else:
        raise InvalidOptionError(f"direction must be 'to' or 'from' (got {direction!r})")
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    x, y = to_metric.transform(network.lon, network.lat)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    back = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
    geoms = []
    for limit_min in minutes:
        limit = float(limit_min) * 60.0
        nodes = np.flatnonzero(seconds <= limit)
        edges = np.flatnonzero(seconds[near] <= limit)
        if len(nodes) == 0:
            geoms.append(shapely.Polygon())
            continue
        a, b = near[edges], far[edges]
        with np.errstate(divide="ignore", invalid="ignore"):
            share = (limit - seconds[a]) / network.edge_time_s[edges]
        share = np.clip(np.nan_to_num(share, nan=1.0, posinf=1.0), 0.0, 1.0)
        ends_x = x[a] + share * (x[b] - x[a])
        ends_y = y[a] + share * (y[b] - y[a])
        area = _band_area(
            np.concatenate([x[a], x[nodes]]),
            np.concatenate([y[a], y[nodes]]),
            np.concatenate([ends_x, x[nodes]]),
            np.concatenate([ends_y, y[nodes]]),
            buffer_m=buffer_m,
        )
        geoms.append(
            shapely.transform(area, lambda c: np.column_stack(back.transform(c[:, 0], c[:, 1])))
        )
    return gpd.GeoDataFrame(
        {"minutes": [float(m) for m in minutes]}, geometry=geoms, crs="EPSG:4326"
    )
