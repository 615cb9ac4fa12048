"""Facilities near each village, from a table of points: how many in it, how far the nearest."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from relocate.features.access import nearest_km

__all__ = ["count_in_village", "dist_km_nearest_point", "points_of_kind"]


def count_in_village(villages: gpd.GeoDataFrame, points: pd.DataFrame, *, kind: str) -> pd.Series:
    r"""Number of points of ``kind`` whose commune is the village (0 where none: a count).

    .. math::

        n_i = \left| \{\, q : \mathrm{kind}_q = k,\ \mathrm{insee}_q = i \,\} \right|

    where :math:`q` runs over the rows of ``points`` and :math:`k` is ``kind``. A
    point counts by its commune's code, with or without a position; points without
    a commune count nowhere.

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        The villages, indexed by INSEE code.
    points : pandas.DataFrame
        A table of points with ``insee`` (the commune's code) and ``kind`` columns.
    kind : str
        The kind of facility to count (``post_office``, ``bakery``...).

    Returns
    -------
    pandas.Series
        ``count_<kind>``: a number of facilities (float), indexed like ``villages``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B"]},
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> points = pd.DataFrame(
    ...     {
    ...         "insee": ["99001", "99001", "99002", None],
    ...         "kind": ["bakery", "bakery", "pharmacy", "bakery"],
    ...         "name": ["Bakery A", "Bakery B", "Pharmacy A", "Bakery C"],
    ...         "lon": [0.50, None, 0.60, 0.62],
    ...         "lat": [43.60, None, 43.60, 43.62],
    ...     }
    ... )
    >>> counts = count_in_village(villages, points, kind="bakery")
    >>> counts.name, counts.to_dict()
    ('count_bakery', {'99001': 2.0, '99002': 0.0})
    """
    codes = points.loc[points["kind"] == kind, "insee"].dropna()
    counts = codes.value_counts().reindex(villages.index, fill_value=0)
    return pd.Series(counts.to_numpy(dtype=float), index=villages.index, name=f"count_{kind}")


def points_of_kind(points: pd.DataFrame, *, kind: str) -> pd.DataFrame:
    """The rows of a points table (``insee, kind, name, lon, lat``) of one kind, with a position.

    Parameters
    ----------
    points : pandas.DataFrame
        A table of points with ``kind``, ``lon`` and ``lat`` columns (degrees, WGS84).
    kind : str
        The kind of facility to keep.

    Returns
    -------
    pandas.DataFrame
        The rows of ``points`` of that kind with both coordinates, in their order.

    Examples
    --------
    >>> import pandas as pd
    >>> points = pd.DataFrame(
    ...     {
    ...         "insee": ["99001", "99001", "99002"],
    ...         "kind": ["bakery", "bakery", "pharmacy"],
    ...         "name": ["Bakery A", "Bakery B", "Pharmacy A"],
    ...         "lon": [0.50, None, 0.60],
    ...         "lat": [43.60, None, 43.60],
    ...     }
    ... )
    >>> points_of_kind(points, kind="bakery")["name"].tolist()
    ['Bakery A']
    """
    return points[(points["kind"] == kind) & points["lon"].notna() & points["lat"].notna()]


def dist_km_nearest_point(
    villages: gpd.GeoDataFrame, points: pd.DataFrame, *, kind: str
) -> pd.Series:
    r"""Geodesic distance in km to the nearest point of ``kind`` (NaN if there is none).

    .. math::

        d_i = \frac{s_{\mathrm{WGS84}}(p_i, q_{j_i})}{1000}, \qquad
        j_i = \operatorname*{arg\,min}_{j} \; \sigma(p_i, q_j)

    where :math:`p_i` is the village's point (its town hall, else a point inside its
    polygon), :math:`q_j` the points of ``kind`` with a position, in any commune,
    :math:`\sigma` the great-circle distance on the sphere and
    :math:`s_{\mathrm{WGS84}}` the length in metres of the geodesic on the WGS84
    ellipsoid (see :func:`relocate.features.access.nearest_km`).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with town-hall coordinates (``townhall_lon``, ``townhall_lat``) and
        polygons.
    points : pandas.DataFrame
        A table of points with ``kind``, ``lon`` and ``lat`` columns (degrees, WGS84);
        points without a position are ignored.
    kind : str
        The kind of facility to measure the distance to.

    Returns
    -------
    pandas.Series
        ``dist_km_<kind>``: the distance in km, indexed like ``villages`` (NaN where
        there is no point of that kind or the village has no position).

    Examples
    --------
    >>> import geopandas as gpd
    >>> import pandas as pd
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
    >>> points = pd.DataFrame(
    ...     {
    ...         "insee": ["99001", "99001", "99002"],
    ...         "kind": ["bakery", "bakery", "pharmacy"],
    ...         "name": ["Bakery A", "Bakery B", "Pharmacy A"],
    ...         "lon": [0.51, None, 0.60],
    ...         "lat": [43.60, None, 43.60],
    ...     }
    ... )
    >>> dist = dist_km_nearest_point(villages, points, kind="bakery")
    >>> dist.name, dist.round(2).to_dict()
    ('dist_km_bakery', {'99001': 0.81, '99002': 7.27})
    """
    chosen = points_of_kind(points, kind=kind)
    dist, _ = nearest_km(
        villages,
        lon=chosen["lon"].to_numpy(dtype=float),
        lat=chosen["lat"].to_numpy(dtype=float),
        name=kind,
    )
    return dist
