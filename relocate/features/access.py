"""Distances and estimated drive times from each village to airports, préfecture and towns.

Every distance is geodesic, on the WGS84 ellipsoid, from the point each village is
measured from (:func:`village_points`): its town hall, or a point inside its polygon.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd

from relocate.errors import MissingColumnError
from relocate.features._geodesy import geodesic_km, nearest_geodesic_km
from relocate.features.drive import DriveTimeModel

__all__ = [
    "dist_km_nearest",
    "dist_km_prefecture",
    "dist_km_to",
    "dist_km_town",
    "drive_min_estimate",
    "nearest_km",
    "towns",
    "village_points",
]


def village_points(villages: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    r"""Return the lon/lat each village is measured from.

    The town hall's position where the source has one, otherwise the polygon's
    representative point (always inside the polygon, unlike a centroid).

    .. math::

        p_i = \begin{cases}
            (\lambda^{\mathrm{th}}_i, \varphi^{\mathrm{th}}_i)
                & \text{if the town hall of village } i \text{ has a position} \\
            \operatorname{representative\_point}(g_i) & \text{otherwise}
        \end{cases}

    where :math:`\lambda` is the longitude, :math:`\varphi` the latitude (degrees,
    WGS84) and :math:`g_i` the village's polygon.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with ``townhall_lon`` and ``townhall_lat`` columns (NaN where the
        town hall's position is unknown) and polygons in any CRS.

    Returns
    -------
    lon, lat : numpy.ndarray
        The longitude and latitude of each village's point, in degrees (WGS84), in
        the villages' order.

    Raises
    ------
    MissingColumnError
        If ``townhall_lon`` or ``townhall_lat`` is not a column of ``villages``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {
    ...         "name": ["Village A", "Village B"],
    ...         "townhall_lon": [0.505, float("nan")],
    ...         "townhall_lat": [43.605, float("nan")],
    ...     },
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> lon, lat = village_points(villages)
    >>> lon.round(3).tolist(), lat.round(3).tolist()
    ([0.505, 0.6], [43.605, 43.6])
    """
    for column in ("townhall_lon", "townhall_lat"):
        if column not in villages:
            raise MissingColumnError(f"villages table lacks column {column!r}")
    lon = villages["townhall_lon"].to_numpy(dtype=float).copy()
    lat = villages["townhall_lat"].to_numpy(dtype=float).copy()
    missing = np.isnan(lon) | np.isnan(lat)
    if missing.any():
        geoms = villages.geometry.to_crs("EPSG:4326")[missing]
        fallback = geoms.representative_point()
        lon[missing] = fallback.x.to_numpy()
        lat[missing] = fallback.y.to_numpy()
    return lon, lat


def dist_km_to(villages: gpd.GeoDataFrame, *, lon: float, lat: float, name: str) -> pd.Series:
    r"""Geodesic distance in km from each village to one point.

    .. math::

        d_i = \frac{s_{\mathrm{WGS84}}\left(p_i, (\lambda, \varphi)\right)}{1000}

    where :math:`p_i` is the village's point (:func:`village_points`) and
    :math:`s_{\mathrm{WGS84}}` the length in metres of the geodesic (shortest path)
    between two points on the WGS84 ellipsoid, as :meth:`pyproj.Geod.inv` measures it.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with town-hall coordinates and polygons.
    lon, lat : float
        The destination, in degrees (WGS84).
    name : str
        The destination's suffix: the series is named ``dist_km_<name>``.

    Returns
    -------
    pandas.Series
        ``dist_km_<name>``: the distance in km, indexed like ``villages`` (NaN where
        the village has no position).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {
    ...         "name": ["Village A", "Village B"],
    ...         "townhall_lon": [0.5, 0.6],
    ...         "townhall_lat": [43.6, 43.6],
    ...     },
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> dist = dist_km_to(villages, lon=0.5, lat=43.9, name="X")
    >>> dist.name
    'dist_km_X'
    >>> dist.round(2).to_dict()
    {'99001': 33.33, '99002': 34.29}
    """
    v_lon, v_lat = village_points(villages)
    return pd.Series(
        geodesic_km(v_lon, v_lat, lon, lat), index=villages.index, name=f"dist_km_{name}"
    )


def nearest_km(
    villages: gpd.GeoDataFrame, *, lon: npt.ArrayLike, lat: npt.ArrayLike, name: str
) -> tuple[pd.Series, npt.NDArray[np.intp]]:
    r"""Geodesic distance in km from each village to the nearest of several points.

    .. math::

        j_i = \operatorname*{arg\,min}_j \; \sigma(p_i, q_j), \qquad
        d_i = \frac{s_{\mathrm{WGS84}}(p_i, q_{j_i})}{1000}

    where :math:`p_i` is the village's point (:func:`village_points`), :math:`q_j`
    the points with a position, :math:`\sigma` the great-circle distance on the
    sphere (which finds the nearest point quickly) and :math:`s_{\mathrm{WGS84}}` the
    length in metres of the geodesic on the WGS84 ellipsoid.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with town-hall coordinates and polygons.
    lon, lat : array-like of float
        The points, in degrees (WGS84); points without a position are ignored.
    name : str
        The destination's suffix: the series is named ``dist_km_<name>``.

    Returns
    -------
    distances : pandas.Series
        ``dist_km_<name>``: the distance in km, indexed like ``villages`` (NaN where
        the village has no position or there is no point).
    nearest : numpy.ndarray of int
        For each village, the position in ``lon``/``lat`` of its nearest point (-1
        where there is none).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A"], "townhall_lon": [0.5], "townhall_lat": [43.6]},
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61)],
    ...     index=["99001"],
    ...     crs="EPSG:4326",
    ... )
    >>> dist, nearest = nearest_km(villages, lon=[0.6, 0.5], lat=[43.6, 43.7], name="x")
    >>> dist.name, dist.round(1).tolist(), nearest.tolist()
    ('dist_km_x', [8.1], [0])
    """
    t_lon = np.asarray(lon, dtype=float)
    t_lat = np.asarray(lat, dtype=float)
    known = np.flatnonzero(~(np.isnan(t_lon) | np.isnan(t_lat)))
    v_lon, v_lat = village_points(villages)
    dist, index = nearest_geodesic_km(v_lon, v_lat, t_lon[known], t_lat[known])
    nearest = np.full(len(index), -1, dtype=np.intp)
    found = index >= 0
    nearest[found] = known[index[found]]
    return pd.Series(dist, index=villages.index, name=f"dist_km_{name}"), nearest


def dist_km_nearest(
    villages: gpd.GeoDataFrame, *, targets: gpd.GeoDataFrame, name: str
) -> pd.Series:
    r"""Geodesic distance in km from each village to the nearest of several points.

    .. math::

        d_i = \frac{s_{\mathrm{WGS84}}(p_i, q_{j_i})}{1000}, \qquad
        j_i = \operatorname*{arg\,min}_j \; \sigma(p_i, q_j)

    where :math:`p_i` is the village's point (:func:`village_points`), :math:`q_j`
    the target points, :math:`\sigma` the great-circle distance on the sphere and
    :math:`s_{\mathrm{WGS84}}` the length in metres of the geodesic on the WGS84
    ellipsoid (see :func:`nearest_km`).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with town-hall coordinates and polygons.
    targets : geopandas.GeoDataFrame
        The points (an airport, stations...), point geometries in any CRS.
    name : str
        The destination's suffix: the series is named ``dist_km_<name>``.

    Returns
    -------
    pandas.Series
        ``dist_km_<name>``: the distance in km to the nearest target, indexed like
        ``villages`` (NaN where the village has no position or there is no target).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point, box
    >>> villages = gpd.GeoDataFrame(
    ...     {
    ...         "name": ["Village A", "Village B"],
    ...         "townhall_lon": [0.5, 0.6],
    ...         "townhall_lat": [43.6, 43.6],
    ...     },
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> stations = gpd.GeoDataFrame(
    ...     {"name": ["Station A", "Station B"]},
    ...     geometry=[Point(0.5, 43.65), Point(0.7, 43.6)],
    ...     crs="EPSG:4326",
    ... )
    >>> dist = dist_km_nearest(villages, targets=stations, name="station")
    >>> dist.name
    'dist_km_station'
    >>> dist.round(2).to_dict()
    {'99001': 5.56, '99002': 8.07}
    """
    pts = targets.geometry.to_crs("EPSG:4326")
    dist, _ = nearest_km(villages, lon=pts.x.to_numpy(), lat=pts.y.to_numpy(), name=name)
    return dist


def dist_km_prefecture(villages: gpd.GeoDataFrame, *, prefecture: gpd.GeoDataFrame) -> pd.Series:
    r"""Geodesic distance in km from each village to the préfecture (a one-row villages table).

    .. math::

        d_i = \frac{s_{\mathrm{WGS84}}(p_i, p_{\mathrm{pref}})}{1000}

    where :math:`p_i` and :math:`p_{\mathrm{pref}}` are the points of the village and
    of the préfecture (:func:`village_points`) and :math:`s_{\mathrm{WGS84}}` the
    length in metres of the geodesic on the WGS84 ellipsoid.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with town-hall coordinates and polygons.
    prefecture : geopandas.GeoDataFrame
        The préfecture's commune, as a one-row table shaped like ``villages``
        (only its first row is read).

    Returns
    -------
    pandas.Series
        ``dist_km_prefecture``: the distance in km, indexed like ``villages`` (0 for
        the préfecture itself).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {
    ...         "name": ["Village A", "Village B"],
    ...         "townhall_lon": [0.5, 0.6],
    ...         "townhall_lat": [43.6, 43.6],
    ...     },
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> dist = dist_km_prefecture(villages, prefecture=villages.loc[["99002"]])
    >>> dist.name
    'dist_km_prefecture'
    >>> dist.round(2).to_dict()
    {'99001': 8.07, '99002': 0.0}
    """
    lon, lat = village_points(prefecture)
    return dist_km_to(villages, lon=float(lon[0]), lat=float(lat[0]), name="prefecture")


def towns(communes: gpd.GeoDataFrame, *, min_population: int) -> gpd.GeoDataFrame:
    r"""The communes of at least ``min_population`` inhabitants (missing populations are not).

    .. math::

        T = \{\, c : P_c \geq P_{\min} \,\}

    where :math:`P_c` is the population of commune :math:`c` (a missing or
    non-numeric population is in no town) and :math:`P_{\min}` is ``min_population``.

    Parameters
    ----------
    communes : geopandas.GeoDataFrame
        Communes with a ``population`` column.
    min_population : int
        The smallest population of a town.

    Returns
    -------
    geopandas.GeoDataFrame
        The rows of ``communes`` that are towns, in their order.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> communes = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B", "Village C"], "population": [120, 2500, None]},
    ...     geometry=[
    ...         box(0.49, 43.59, 0.51, 43.61),
    ...         box(0.59, 43.59, 0.61, 43.61),
    ...         box(0.49, 43.69, 0.51, 43.71),
    ...     ],
    ...     index=["99001", "99002", "99003"],
    ...     crs="EPSG:4326",
    ... )
    >>> towns(communes, min_population=2000).index.tolist()
    ['99002']
    """
    population = pd.to_numeric(communes["population"], errors="coerce")
    return communes[population >= min_population]


def dist_km_town(
    villages: gpd.GeoDataFrame, *, communes: gpd.GeoDataFrame, min_population: int
) -> pd.Series:
    r"""Geodesic distance in km to the nearest commune of at least ``min_population``.

    Towns are looked for among ``communes`` (all of France, so a town across the
    département's border counts). A village that is itself a town gets 0 km.

    .. math::

        d_i = \frac{s_{\mathrm{WGS84}}(p_i, p_{t_i})}{1000}, \qquad
        t_i = \operatorname*{arg\,min}_{t \in T} \; \sigma(p_i, p_t)

    where :math:`T` is the set of :func:`towns`, :math:`p` the point of a village or
    town (:func:`village_points`), :math:`\sigma` the great-circle distance on the
    sphere and :math:`s_{\mathrm{WGS84}}` the length in metres of the geodesic on the
    WGS84 ellipsoid.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with town-hall coordinates and polygons.
    communes : geopandas.GeoDataFrame
        The communes to look for towns among, shaped like ``villages`` with a
        ``population`` column.
    min_population : int
        The smallest population of a town.

    Returns
    -------
    pandas.Series
        ``dist_km_town``: the distance in km to the nearest town, indexed like
        ``villages`` (NaN where there is no town or the village has no position).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> communes = gpd.GeoDataFrame(
    ...     {
    ...         "name": ["Village A", "Village B", "Village C"],
    ...         "population": [120, 450, 2500],
    ...         "townhall_lon": [0.5, 0.6, 0.5],
    ...         "townhall_lat": [43.6, 43.6, 43.7],
    ...     },
    ...     geometry=[
    ...         box(0.49, 43.59, 0.51, 43.61),
    ...         box(0.59, 43.59, 0.61, 43.61),
    ...         box(0.49, 43.69, 0.51, 43.71),
    ...     ],
    ...     index=["99001", "99002", "99003"],
    ...     crs="EPSG:4326",
    ... )
    >>> dist = dist_km_town(communes, communes=communes, min_population=2000)
    >>> dist.name
    'dist_km_town'
    >>> dist.round(2).to_dict()
    {'99001': 11.11, '99002': 13.73, '99003': 0.0}
    """
    t_lon, t_lat = village_points(towns(communes, min_population=min_population))
    dist, _ = nearest_km(villages, lon=t_lon, lat=t_lat, name="town")  # a town finds itself
    return dist


def drive_min_estimate(dist_km: pd.Series, *, model: DriveTimeModel) -> pd.Series:
    r"""Estimated drive time in minutes from a ``dist_km_<x>`` series; named ``drive_min_<x>``.

    The minutes are :meth:`DriveTimeModel.predict` of the distances.

    .. math::

        t_i = d_i \times \frac{k}{v} \times 60

    where :math:`d_i` is the geodesic distance in km, :math:`k` the model's detour
    factor and :math:`v` its mean speed in km/h (:class:`DriveTimeModel`; the fitted
    values once it is fitted).

    Parameters
    ----------
    dist_km : pandas.Series
        Distances in km, named ``dist_km_<x>`` (as the ``dist_km_*`` functions
        return them).
    model : DriveTimeModel
        The drive-time model.

    Returns
    -------
    pandas.Series
        ``drive_min_<x>``: the estimated drive time in minutes, indexed like
        ``dist_km`` (NaN where the distance is).

    Raises
    ------
    MissingColumnError
        If the series' name does not start with ``dist_km_``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> from relocate.features.drive import DriveTimeModel
    >>> villages = gpd.GeoDataFrame(
    ...     {
    ...         "name": ["Village A", "Village B"],
    ...         "townhall_lon": [0.5, 0.6],
    ...         "townhall_lat": [43.6, 43.6],
    ...     },
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> dist = dist_km_to(villages, lon=0.5, lat=43.9, name="X")
    >>> minutes = drive_min_estimate(dist, model=DriveTimeModel(detour_factor=1.3, speed_kmh=70))
    >>> minutes.name
    'drive_min_X'
    >>> minutes.round(1).to_dict()
    {'99001': 37.1, '99002': 38.2}
    """
    if not str(dist_km.name).startswith("dist_km_"):
        raise MissingColumnError(f"expected a dist_km_<x> series, got {dist_km.name!r}")
    suffix = str(dist_km.name).removeprefix("dist_km_")
    minutes = model.predict(dist_km.to_numpy(dtype=float))
    return pd.Series(minutes, index=dist_km.index, name=f"drive_min_{suffix}")
