"""Geodesic distances on the WGS84 ellipsoid and nearest neighbours on the sphere."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pyproj import Geod
from sklearn.neighbors import BallTree

__all__ = ["EARTH_RADIUS_KM", "geodesic_km", "nearest_geodesic_km"]

_GEOD = Geod(ellps="WGS84")
EARTH_RADIUS_KM = 6371.0088

FloatArray = npt.NDArray[np.float64]


def geodesic_km(
    lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike, lat2: npt.ArrayLike
) -> FloatArray:
    """Return the geodesic distance in km between points, element-wise (NaN in, NaN out)."""
    lon1, lat1, lon2, lat2 = np.broadcast_arrays(
        *(np.asarray(a, dtype=float) for a in (lon1, lat1, lon2, lat2))
    )
    out = np.full(lon1.shape, np.nan)
    ok = ~(np.isnan(lon1) | np.isnan(lat1) | np.isnan(lon2) | np.isnan(lat2))
    if ok.any():
        _, _, metres = _GEOD.inv(lon1[ok], lat1[ok], lon2[ok], lat2[ok])
        out[ok] = np.asarray(metres) / 1000.0
    return out


def nearest_geodesic_km(
    lon: FloatArray, lat: FloatArray, target_lon: FloatArray, target_lat: FloatArray
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Find, for each point, the nearest target and the geodesic distance to it.

    The nearest target is found on the sphere with a haversine ball tree, then its
    distance is measured on the ellipsoid. Points with NaN coordinates get NaN and
    index -1.

    Returns
    -------
    distances_km, target_index

    """
    dist = np.full(lon.shape, np.nan)
    index = np.full(lon.shape, -1, dtype=np.intp)
    ok = ~(np.isnan(lon) | np.isnan(lat))
    if not ok.any() or len(target_lon) == 0:
        return dist, index
    tree = BallTree(np.radians(np.column_stack([target_lat, target_lon])), metric="haversine")
    _, idx = tree.query(np.radians(np.column_stack([lat[ok], lon[ok]])), k=1)
    index[ok] = idx[:, 0]
    dist[ok] = geodesic_km(lon[ok], lat[ok], target_lon[idx[:, 0]], target_lat[idx[:, 0]])
    return dist, index
