"""Geodesic distances on the WGS84 ellipsoid and nearest neighbours on the sphere."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from pyproj import Geod
from scipy.spatial import cKDTree

__all__ = ["EARTH_RADIUS_KM", "SphereTree", "geodesic_km", "nearest_geodesic_km"]

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


def _unit_vectors(lon: npt.ArrayLike, lat: npt.ArrayLike) -> FloatArray:
    lon_r = np.radians(np.asarray(lon, dtype=float))
    lat_r = np.radians(np.asarray(lat, dtype=float))
    cos_lat = np.cos(lat_r)
    return np.column_stack([cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)])


class SphereTree:
    """Nearest-neighbour queries on the sphere, over a fixed set of points.

    The points are placed on the unit sphere and searched with a k-d tree: the
    straight (chord) distance between two points of the sphere grows with their
    great-circle distance, so the nearest by chord is the nearest on the sphere.

    Parameters
    ----------
    lon, lat
        The points, in degrees, none missing.
    """

    def __init__(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> None:
        self._tree = cKDTree(_unit_vectors(lon, lat))

    def nearest(self, lon: npt.ArrayLike, lat: npt.ArrayLike) -> npt.NDArray[np.intp]:
        """The position of the point nearest each query point (no query point missing)."""
        _, index = self._tree.query(_unit_vectors(lon, lat), k=1)
        return np.asarray(index, dtype=np.intp).reshape(-1)


def nearest_geodesic_km(
    lon: FloatArray, lat: FloatArray, target_lon: FloatArray, target_lat: FloatArray
) -> tuple[FloatArray, npt.NDArray[np.intp]]:
    """Find, for each point, the nearest target and the geodesic distance to it.

    The nearest target is found on the sphere (:class:`SphereTree`), then its
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
    idx = SphereTree(target_lon, target_lat).nearest(lon[ok], lat[ok])
    index[ok] = idx
    dist[ok] = geodesic_km(lon[ok], lat[ok], target_lon[idx], target_lat[idx])
    return dist, index
