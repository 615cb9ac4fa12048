"""Population and density of each village."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod

__all__ = ["area_km2", "density_per_km2", "population"]

_GEOD = Geod(ellps="WGS84")


def population(villages: gpd.GeoDataFrame) -> pd.Series:
    """Population municipale of each village (NaN where the source has none)."""
    values = pd.to_numeric(villages["population"], errors="coerce").astype(float)
    return pd.Series(values.to_numpy(), index=villages.index, name="population")


def area_km2(villages: gpd.GeoDataFrame) -> pd.Series:
    """Geodesic area of each village's polygon on the WGS84 ellipsoid (NaN where empty)."""
    geoms = villages.geometry.to_crs("EPSG:4326")
    values = [
        np.nan if geom is None or geom.is_empty else abs(_GEOD.geometry_area_perimeter(geom)[0])
        for geom in geoms
    ]
    return pd.Series(np.asarray(values) / 1e6, index=villages.index, name="area_km2")


def density_per_km2(villages: gpd.GeoDataFrame) -> pd.Series:
    """Inhabitants per km² of geodesic area (NaN where population or polygon is missing)."""
    values = population(villages) / area_km2(villages)
    return values.rename("density_per_km2")
