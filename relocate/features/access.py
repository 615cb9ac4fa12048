"""Distances and estimated drive times from each village to airports, préfecture and towns."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from relocate.errors import MissingColumnError
from relocate.features._geodesy import geodesic_km, nearest_geodesic_km
from relocate.settings import DriveEstimate

__all__ = [
    "dist_km_nearest",
    "dist_km_prefecture",
    "dist_km_to",
    "dist_km_town",
    "drive_min_estimate",
    "village_points",
]


def village_points(villages: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return the lon/lat each village is measured from.

    The town hall's position where the source has one, otherwise the polygon's
    representative point (always inside the polygon, unlike a centroid).
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
    """Geodesic distance in km from each village to one point.

    Parameters
    ----------
    villages
        Villages with town-hall coordinates and polygons.
    lon, lat
        The destination, in degrees (WGS84).
    name
        The destination's suffix: the series is named ``dist_km_<name>``.

    """
    v_lon, v_lat = village_points(villages)
    return pd.Series(
        geodesic_km(v_lon, v_lat, lon, lat), index=villages.index, name=f"dist_km_{name}"
    )


def dist_km_nearest(
    villages: gpd.GeoDataFrame, *, targets: gpd.GeoDataFrame, name: str
) -> pd.Series:
    """Geodesic distance in km from each village to the nearest of several points."""
    v_lon, v_lat = village_points(villages)
    pts = targets.geometry.to_crs("EPSG:4326")
    dist, _ = nearest_geodesic_km(v_lon, v_lat, pts.x.to_numpy(), pts.y.to_numpy())
    return pd.Series(dist, index=villages.index, name=f"dist_km_{name}")


def dist_km_prefecture(villages: gpd.GeoDataFrame, *, prefecture: gpd.GeoDataFrame) -> pd.Series:
    """Geodesic distance in km from each village to the préfecture (a one-row villages table)."""
    lon, lat = village_points(prefecture)
    return dist_km_to(villages, lon=float(lon[0]), lat=float(lat[0]), name="prefecture")


def dist_km_town(
    villages: gpd.GeoDataFrame, *, communes: gpd.GeoDataFrame, min_population: int
) -> pd.Series:
    """Geodesic distance in km to the nearest commune of at least ``min_population``.

    Towns are looked for among ``communes`` (all of France, so a town across the
    département's border counts). A village that is itself a town gets 0 km.
    """
    population = pd.to_numeric(communes["population"], errors="coerce")
    towns = communes[population >= min_population]
    t_lon, t_lat = village_points(towns)
    v_lon, v_lat = village_points(villages)
    dist, _ = nearest_geodesic_km(v_lon, v_lat, t_lon, t_lat)  # a town finds itself: 0 km
    return pd.Series(dist, index=villages.index, name="dist_km_town")


def drive_min_estimate(dist_km: pd.Series, *, model: DriveEstimate) -> pd.Series:
    """Estimated drive time in minutes from a ``dist_km_<x>`` series; named ``drive_min_<x>``."""
    if not str(dist_km.name).startswith("dist_km_"):
        raise MissingColumnError(f"expected a dist_km_<x> series, got {dist_km.name!r}")
    suffix = str(dist_km.name).removeprefix("dist_km_")
    return (dist_km * (model.detour_factor / model.speed_kmh * 60.0)).rename(f"drive_min_{suffix}")
