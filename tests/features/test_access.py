"""Points, distances and estimated drive times; every feature named and aligned."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod
from shapely.geometry import Point, Polygon

from relocate.errors import MissingColumnError
from relocate.features import (
    DriveTimeModel,
    area_km2,
    density_per_km2,
    dist_km_nearest,
    dist_km_prefecture,
    dist_km_to,
    dist_km_town,
    drive_min_estimate,
    population,
    townhall_hours_per_week,
    village_points,
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


# --- points and distances ------------------------------------------------------------------


def test_village_points_prefer_the_town_hall(villages: gpd.GeoDataFrame) -> None:
    lon, lat = village_points(villages)
    np.testing.assert_array_equal(lon, [0.5, 0.6, 0.5])
    np.testing.assert_array_equal(lat, [43.6, 43.6, 43.7])


def test_village_points_fall_back_inside_the_polygon(make_villages: MakeVillages) -> None:
    # A U-shaped village: its centroid lies in the notch, outside the polygon.
    u_shape = Polygon(
        [(0.40, 43.60), (0.46, 43.60), (0.46, 43.66), (0.44, 43.66), (0.44, 43.62),
         (0.42, 43.62), (0.42, 43.66), (0.40, 43.66)]
    )  # fmt: skip
    assert not u_shape.contains(u_shape.centroid)
    villages = make_villages(
        [
            {"code": "99001", "name": "Village A", "lon": 0.5, "lat": 43.6},
            {"code": "99002", "name": "Village U", "lon": 0.43, "lat": 43.63,
             "townhall": False, "geometry": u_shape},
        ]
    )  # fmt: skip
    lon, lat = village_points(villages)
    assert (lon[0], lat[0]) == (0.5, 43.6)
    assert u_shape.contains(Point(lon[1], lat[1]))
    # The input is not modified.
    assert np.isnan(villages.loc["99002", "townhall_lon"])


def test_village_points_fall_back_when_only_one_coordinate_is_missing(
    villages: gpd.GeoDataFrame,
) -> None:
    partial = villages.copy()
    partial.loc["99002", "townhall_lat"] = np.nan
    lon, lat = village_points(partial)
    assert partial.loc["99002", "geometry"].contains(Point(lon[1], lat[1]))


def test_village_points_need_the_columns(villages: gpd.GeoDataFrame) -> None:
    with pytest.raises(MissingColumnError, match="townhall_lat"):
        village_points(villages.drop(columns="townhall_lat"))


def test_dist_km_to_matches_pyproj(villages: gpd.GeoDataFrame) -> None:
    mixed = shuffled(villages)
    result = dist_km_to(mixed, lon=1.0, lat=43.6, name="TLS")
    expected = pd.Series(
        [
            geod_km(lon, lat, 1.0, 43.6)
            for lon, lat in zip(mixed.townhall_lon, mixed.townhall_lat, strict=True)
        ],
        index=mixed.index,
        name="dist_km_TLS",
    )
    pd.testing.assert_series_equal(result, expected, rtol=1e-9)
    # Known magnitude: 0.1 deg of latitude is about 11.1 km.
    assert dist_km_to(villages, lon=0.5, lat=43.7, name="x").loc["99001"] == pytest.approx(
        11.1, abs=0.05
    )
    assert dist_km_to(villages, lon=0.5, lat=43.7, name="x").loc["99003"] == 0.0


def test_dist_is_nan_without_any_position(make_villages: MakeVillages) -> None:
    villages = make_villages(
        [{"code": "99001", "name": "Village A", "lon": 0.5, "lat": 43.6, "townhall": False,
          "geometry": Polygon()}]
    )  # fmt: skip
    assert np.isnan(dist_km_to(villages, lon=1.0, lat=43.6, name="TLS").loc["99001"])


def test_dist_km_nearest_takes_the_closest_airport(
    villages: gpd.GeoDataFrame, airports: gpd.GeoDataFrame
) -> None:
    mixed = shuffled(villages)
    result = dist_km_nearest(mixed, targets=airports, name="airport")
    expected = [
        min(geod_km(lon, lat, p.x, p.y) for p in airports.geometry)
        for lon, lat in zip(mixed.townhall_lon, mixed.townhall_lat, strict=True)
    ]
    assert result.name == "dist_km_airport"
    assert result.index.equals(mixed.index)
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-9)


def test_dist_km_nearest_picks_different_targets(make_villages: MakeVillages) -> None:
    # One village next to each airport: each gets its own airport, not the first one.
    airports = gpd.GeoDataFrame(
        geometry=[Point(0.0, 43.0), Point(2.0, 45.0)],
        index=pd.Index(["TLS", "AGF"], name="iata"),
        crs="EPSG:4326",
    )
    villages = make_villages(
        [
            {"code": "99001", "name": "Village A", "lon": 1.99, "lat": 45.0},
            {"code": "99002", "name": "Village B", "lon": 0.01, "lat": 43.0},
        ]
    )
    result = dist_km_nearest(villages, targets=airports, name="airport")
    assert result.loc["99001"] == pytest.approx(geod_km(1.99, 45.0, 2.0, 45.0))
    assert result.loc["99002"] == pytest.approx(geod_km(0.01, 43.0, 0.0, 43.0))
    assert (result < 1.0).all()


def test_dist_km_prefecture(villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame) -> None:
    result = dist_km_prefecture(villages, prefecture=communes.loc[["99003"]])
    assert result.name == "dist_km_prefecture"
    assert result.loc["99003"] == 0.0
    assert result.loc["99001"] == pytest.approx(geod_km(0.5, 43.6, 0.5, 43.7))


def test_dist_km_town_a_town_is_at_zero(
    villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame
) -> None:
    # Towns (>= 2000): Village C (99003, 2500) and Town Y (98001, 9000, other département).
    # Hamlet Z (10 inhabitants) is next to Village B but is not a town.
    result = dist_km_town(shuffled(villages), communes=communes, min_population=2000)
    assert result.name == "dist_km_town"
    assert result.index.tolist() == ["99003", "99001", "99002"]
    assert result.loc["99003"] == 0.0
    assert result.loc["99001"] == pytest.approx(geod_km(0.5, 43.6, 0.5, 43.7))
    expected_b = min(geod_km(0.6, 43.6, 0.5, 43.7), geod_km(0.6, 43.6, 0.8, 43.6))
    assert result.loc["99002"] == pytest.approx(expected_b)
    assert result.loc["99002"] > 5  # not the hamlet 1.4 km away


def test_dist_km_town_may_lie_outside_the_departement(
    villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame
) -> None:
    # At 5000 inhabitants only Town Y, in département 98, is a town.
    result = dist_km_town(villages, communes=communes, min_population=5000)
    expected = [
        geod_km(lon, lat, 0.8, 43.6) for lon, lat in [(0.5, 43.6), (0.6, 43.6), (0.5, 43.7)]
    ]
    np.testing.assert_allclose(result.to_numpy(), expected, rtol=1e-9)


def test_dist_km_town_without_any_town_is_nan(
    villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame
) -> None:
    assert dist_km_town(villages, communes=communes, min_population=10**6).isna().all()


def test_dist_km_town_ignores_communes_without_population(
    villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame
) -> None:
    partial = communes.copy()
    partial.loc["99003", "population"] = pd.NA
    result = dist_km_town(villages, communes=partial, min_population=2000)
    assert result.loc["99003"] == pytest.approx(geod_km(0.5, 43.7, 0.8, 43.6))


# --- drive-time estimates ------------------------------------------------------------------


def test_drive_min_estimate_default_model(villages: gpd.GeoDataFrame) -> None:
    dist = pd.Series([0.0, 70.0, np.nan], index=["99003", "99001", "99002"], name="dist_km_TLS")
    result = drive_min_estimate(dist, model=DriveTimeModel())
    expected = pd.Series([0.0, 78.0, np.nan], index=dist.index, name="drive_min_TLS")
    pd.testing.assert_series_equal(result, expected)  # 70 km x 1.3 at 70 km/h = 78 min


def test_drive_min_estimate_custom_model() -> None:
    dist = pd.Series([10.0], index=["99001"], name="dist_km_town")
    model = DriveTimeModel(detour_factor=1.5, speed_kmh=50)
    result = drive_min_estimate(dist, model=model)
    assert result.name == "drive_min_town"
    assert result.iloc[0] == pytest.approx(10 * 1.5 / 50 * 60)  # 18 min
    assert result.iloc[0] == pytest.approx(model.predict([10.0])[0])


def test_drive_min_estimate_needs_a_distance_series() -> None:
    with pytest.raises(MissingColumnError, match="dist_km_"):
        drive_min_estimate(pd.Series([1.0], name="population"), model=DriveTimeModel())


# --- naming and alignment ------------------------------------------------------------------


FEATURES: dict[str, Callable[..., pd.Series]] = {
    "population": lambda v, c, a: population(v),
    "area_km2": lambda v, c, a: area_km2(v),
    "density_per_km2": lambda v, c, a: density_per_km2(v),
    "townhall_hours_per_week": lambda v, c, a: townhall_hours_per_week(v),
    "dist_km_TLS": lambda v, c, a: dist_km_to(v, lon=1.0, lat=43.6, name="TLS"),
    "dist_km_airport": lambda v, c, a: dist_km_nearest(v, targets=a, name="airport"),
    "dist_km_prefecture": lambda v, c, a: dist_km_prefecture(v, prefecture=c.loc[["99003"]]),
    "dist_km_town": lambda v, c, a: dist_km_town(v, communes=c, min_population=2000),
}


@pytest.mark.parametrize(("name", "func"), FEATURES.items(), ids=list(FEATURES))
def test_feature_series_are_named_and_aligned(
    villages: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    airports: gpd.GeoDataFrame,
    name: str,
    func: Callable[..., pd.Series],
) -> None:
    mixed = shuffled(villages)
    result = func(mixed, communes, airports)
    assert isinstance(result, pd.Series)
    assert result.name == name
    assert result.index.equals(mixed.index)
    # Same values as on the sorted table, row by row.
    sorted_result = func(villages, communes, airports)
    pd.testing.assert_series_equal(result.sort_index(), sorted_result)
