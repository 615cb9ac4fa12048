"""Population and density of each village."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Polygon

from relocate.features import (
    area_km2,
    density_per_km2,
    population,
)

GEOD = Geod(ellps="WGS84")
MakeVillages = Callable[[Sequence[dict[str, Any]]], gpd.GeoDataFrame]

HOURS_40 = '[["lundi","vendredi",[["08:00:00","12:30:00"],["13:30:00","17:00:00"]]]]'
ONE_DAY = '[["mercredi","mercredi",[["09:00:00","12:15:00"]]]]'
WRAPPING = '[["samedi","lundi",[["10:00:00","12:00:00"]]]]'
TWO_ENTRIES = (
    '[["lundi","mardi",[["09:00:00","12:00:00"]]],["jeudi","jeudi",[["14:00:00","16:30:00"]]]]'
)


def geod_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def shuffled(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same villages in a non-sorted order."""
    out = frame.iloc[[2, 0, 1]]
    assert not out.index.is_monotonic_increasing
    return out


# --- population and density ----------------------------------------------------------------


def test_population_is_float_and_keeps_missing(make_villages: MakeVillages) -> None:
    villages = make_villages(
        [
            {"code": "99002", "name": "Village B", "lon": 0.6, "lat": 43.6, "population": 450},
            {"code": "99001", "name": "Village A", "lon": 0.5, "lat": 43.6, "population": None},
        ]
    )
    expected = pd.Series([450.0, np.nan], index=villages.index, name="population")
    pd.testing.assert_series_equal(population(villages), expected)


def test_area_matches_a_geodesic_computation(villages: gpd.GeoDataFrame) -> None:
    # Village A is the square [0.49, 0.51] x [43.59, 43.61].
    lons = [0.49, 0.51, 0.51, 0.49]
    lats = [43.59, 43.59, 43.61, 43.61]
    area_m2, _ = GEOD.polygon_area_perimeter(lons, lats)
    expected_km2 = abs(area_m2) / 1e6
    # Rough cross-check: 0.02 deg of latitude x 0.02 deg of longitude at 43.6 deg N.
    rough = (0.02 * 111.1) * (0.02 * 111.3 * math.cos(math.radians(43.6)))
    assert expected_km2 == pytest.approx(rough, rel=0.01)
    assert area_km2(villages).loc["99001"] == pytest.approx(expected_km2, rel=1e-9)


def test_density_is_population_over_geodesic_area(villages: gpd.GeoDataFrame) -> None:
    lons = [0.49, 0.51, 0.51, 0.49]
    lats = [43.59, 43.59, 43.61, 43.61]
    area_a = abs(GEOD.polygon_area_perimeter(lons, lats)[0]) / 1e6
    density = density_per_km2(villages)
    assert density.name == "density_per_km2"
    assert density.loc["99001"] == pytest.approx(120 / area_a, rel=1e-9)
    assert 30 < density.loc["99001"] < 40  # 120 inhabitants on ~3.6 km²


def test_density_is_nan_without_polygon_or_population(make_villages: MakeVillages) -> None:
    villages = make_villages(
        [
            {"code": "99001", "name": "Village A", "lon": 0.5, "lat": 43.6, "population": 100,
             "geometry": Polygon()},
            {"code": "99002", "name": "Village B", "lon": 0.6, "lat": 43.6, "population": None},
        ]
    )  # fmt: skip
    assert np.isnan(area_km2(villages).loc["99001"])
    assert density_per_km2(villages).isna().all()


def test_area_is_computed_on_wgs84_even_from_a_projected_crs(villages: gpd.GeoDataFrame) -> None:
    projected = villages.to_crs("EPSG:2154")
    np.testing.assert_allclose(area_km2(projected), area_km2(villages), rtol=1e-6)
