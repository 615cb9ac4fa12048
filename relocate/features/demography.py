"""Population and density of each village."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

__all__ = ["area_km2", "density_per_km2", "population"]

_GEOD = Geod(ellps="WGS84")


def population(villages: gpd.GeoDataFrame) -> pd.Series:
    r"""Population municipale of each village (NaN where the source has none).

    .. math::

        P_i = \text{population}_i

    the source's ``population`` column read as a number (a missing or non-numeric
    value gives NaN).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with a ``population`` column.

    Returns
    -------
    pandas.Series
        ``population``: inhabitants (float), indexed like ``villages``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B"], "population": [120, None]},
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.59, 43.59, 0.61, 43.61)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> pop = population(villages)
    >>> pop.name, pop.to_dict()
    ('population', {'99001': 120.0, '99002': nan})
    """
    values = pd.to_numeric(villages["population"], errors="coerce").astype(float)
    return pd.Series(values.to_numpy(), index=villages.index, name="population")


def area_km2(villages: gpd.GeoDataFrame) -> pd.Series:
    r"""Geodesic area of each village's polygon on the WGS84 ellipsoid (NaN where empty).

    .. math::

        A_i = \frac{\left| S_{\mathrm{WGS84}}(g_i) \right|}{10^6}

    where :math:`g_i` is the village's polygon in longitude/latitude and
    :math:`S_{\mathrm{WGS84}}` its area in m² on the WGS84 ellipsoid, as
    :meth:`pyproj.Geod.geometry_area_perimeter` measures it (whatever the CRS of
    ``villages``: no projection distorts it).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with polygons in any CRS.

    Returns
    -------
    pandas.Series
        ``area_km2``: the area in km², indexed like ``villages`` (NaN where the
        polygon is missing or empty).

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B"]},
    ...     geometry=[box(0.49, 43.59, 0.51, 43.61), box(0.5, 43.6, 0.54, 43.64)],
    ...     index=["99001", "99002"],
    ...     crs="EPSG:4326",
    ... )
    >>> area = area_km2(villages)
    >>> area.name, area.round(3).to_dict()
    ('area_km2', {'99001': 3.588, '99002': 14.349})
    """
    geoms = villages.geometry.to_crs("EPSG:4326")
    values = [
        np.nan if geom is None or geom.is_empty else abs(_GEOD.geometry_area_perimeter(geom)[0])
        for geom in geoms
    ]
    return pd.Series(np.asarray(values) / 1e6, index=villages.index, name="area_km2")


def density_per_km2(villages: gpd.GeoDataFrame) -> pd.Series:
    r"""Inhabitants per km² of geodesic area (NaN where population or polygon is missing).

    .. math::

        \rho_i = \frac{P_i}{A_i}

    where :math:`P_i` is the village's :func:`population` and :math:`A_i` the
    geodesic area of its polygon in km² (:func:`area_km2`).

    Parameters
    ----------
    villages : geopandas.GeoDataFrame
        Villages with a ``population`` column and polygons in any CRS.

    Returns
    -------
    pandas.Series
        ``density_per_km2``: inhabitants per km², indexed like ``villages``.

    Examples
    --------
    >>> import geopandas as gpd
    >>> from shapely.geometry import box
    >>> villages = gpd.GeoDataFrame(
    ...     {"name": ["Village A", "Village B", "Village C"], "population": [120, 450, None]},
    ...     geometry=[
    ...         box(0.49, 43.59, 0.51, 43.61),
    ...         box(0.59, 43.59, 0.61, 43.61),
    ...         box(0.49, 43.69, 0.51, 43.71),
    ...     ],
    ...     index=["99001", "99002", "99003"],
    ...     crs="EPSG:4326",
    ... )
    >>> density = density_per_km2(villages)
    >>> density.name, density.round(1).to_dict()
    ('density_per_km2', {'99001': 33.4, '99002': 125.4, '99003': nan})
    """
    values = population(villages) / area_km2(villages)
    return values.rename("density_per_km2")
