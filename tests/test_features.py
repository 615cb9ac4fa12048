"""Features: population, density, opening hours, distances, drive-time estimates."""

from __future__ import annotations

import math
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
    area_km2,
    build_features,
    density_per_km2,
    dist_km_nearest,
    dist_km_prefecture,
    dist_km_to,
    dist_km_town,
    drive_min_estimate,
    feature_spec,
    format_opening_hours,
    is_known_feature,
    parse_opening_hours,
    population,
    townhall_hours_per_week,
    village_points,
)
from relocate.settings import DriveEstimate

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


# --- town-hall opening hours ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        (HOURS_40, 40.0),
        (ONE_DAY, 3.25),
        (WRAPPING, 6.0),  # Saturday, Sunday and Monday, 2 h each
        (TWO_ENTRIES, 8.5),
        ('[["dimanche","dimanche",[["10:00:00","11:00:00"]]]]', 1.0),
        ('[["lundi","dimanche",[["09:00:00","10:00:00"]]]]', 7.0),
    ],
    ids=["weekdays", "single-day", "wrapping", "two-entries", "sunday", "whole-week"],
)
def test_hours_per_week(make_villages: MakeVillages, text: str, hours: float) -> None:
    villages = make_villages(
        [{"code": "99001", "name": "Village A", "lon": 0.5, "lat": 43.6, "hours": text}]
    )
    result = townhall_hours_per_week(villages)
    assert result.name == "townhall_hours_per_week"
    assert result.dtype == np.float64
    assert result.loc["99001"] == pytest.approx(hours)


@pytest.mark.parametrize(
    "text",
    [
        "[]",
        None,
        np.nan,
        "",
        "garbage",
        "{}",
        "42",
        "null",
        '[["lundi","vendredi"]]',
        '[["lundi","vendredi",[["08:00:00"]]]]',
        '[["monday","friday",[["08:00:00","12:00:00"]]]]',
        '[["lundi","vendredi",[["8h","12h"]]]]',
        '[["lundi","vendredi",[]]]',
    ],
    ids=[
        "empty-list",
        "none",
        "nan",
        "empty-string",
        "garbage",
        "object",
        "number",
        "json-null",
        "no-intervals",
        "half-interval",
        "english-days",
        "bad-times",
        "no-slots",
    ],
)
def test_unknown_timetable_is_nan_not_zero(make_villages: MakeVillages, text: Any) -> None:
    villages = make_villages(
        [
            {"code": "99001", "name": "Village A", "lon": 0.5, "lat": 43.6, "hours": text},
            {"code": "99002", "name": "Village B", "lon": 0.6, "lat": 43.6, "hours": HOURS_40},
        ]
    )
    assert parse_opening_hours(text) is None
    assert format_opening_hours(text) is None
    result = townhall_hours_per_week(villages)
    assert np.isnan(result.loc["99001"])
    assert result.loc["99002"] == pytest.approx(40.0)


def test_parsed_slots_are_sorted_by_day_then_time() -> None:
    slots = parse_opening_hours(WRAPPING)
    assert slots is not None
    assert [s.day for s in slots] == [0, 5, 6]
    assert all(s.hours == pytest.approx(2.0) for s in slots)
    two = parse_opening_hours(TWO_ENTRIES)
    assert two is not None
    assert [(s.day, f"{s.start:%H:%M}") for s in two] == [(0, "09:00"), (1, "09:00"), (3, "14:00")]


def test_format_opening_hours() -> None:
    day = "08:00-12:30, 13:30-17:00"
    assert format_opening_hours(HOURS_40) == "; ".join(
        f"{d} {day}" for d in ["Mon", "Tue", "Wed", "Thu", "Fri"]
    )
    assert format_opening_hours(WRAPPING) == ("Mon 10:00-12:00; Sat 10:00-12:00; Sun 10:00-12:00")
    assert format_opening_hours(ONE_DAY) == "Wed 09:00-12:15"


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
    result = drive_min_estimate(dist, model=DriveEstimate())
    expected = pd.Series([0.0, 78.0, np.nan], index=dist.index, name="drive_min_TLS")
    pd.testing.assert_series_equal(result, expected)  # 70 km x 1.3 at 70 km/h = 78 min


def test_drive_min_estimate_custom_model() -> None:
    dist = pd.Series([10.0], index=["99001"], name="dist_km_town")
    model = DriveEstimate(detour_factor=1.5, speed_kmh=50)
    result = drive_min_estimate(dist, model=model)
    assert result.name == "drive_min_town"
    assert result.iloc[0] == pytest.approx(10 * 1.5 / 50 * 60)  # 18 min
    assert result.iloc[0] == pytest.approx(model.minutes(10.0))


def test_drive_min_estimate_needs_a_distance_series() -> None:
    with pytest.raises(MissingColumnError, match="dist_km_"):
        drive_min_estimate(pd.Series([1.0], name="population"), model=DriveEstimate())


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


def test_build_features(
    villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, airports: gpd.GeoDataFrame
) -> None:
    mixed = shuffled(villages)
    model = DriveEstimate(detour_factor=1.2, speed_kmh=60)
    table = build_features(
        mixed,
        communes=communes,
        prefecture="99003",
        airports=airports,
        town_min_population=2000,
        drive_estimate=model,
    )
    assert table.columns.tolist() == [
        "population",
        "density_per_km2",
        "townhall_hours_per_week",
        "dist_km_prefecture",
        "drive_min_prefecture",
        "dist_km_town",
        "drive_min_town",
        "dist_km_airport",
        "drive_min_airport",
        "dist_km_TLS",
        "drive_min_TLS",
        "dist_km_AGF",
        "drive_min_AGF",
    ]
    assert table.index.equals(mixed.index)
    assert all(is_known_feature(c) for c in table.columns)
    for column in table.columns:
        spec = feature_spec(column)
        assert spec is not None
        if column.startswith("drive_min_"):
            assert spec.unit == "min" and spec.estimate
            dist = table[column.replace("drive_min_", "dist_km_")]
            pd.testing.assert_series_equal(
                table[column], (dist * 1.2 / 60 * 60).rename(column), check_exact=False
            )
        if column.startswith("dist_km_"):
            assert spec.unit == "km" and not spec.estimate
    assert table.loc["99003", "dist_km_prefecture"] == 0.0
    assert table.loc["99003", "dist_km_town"] == 0.0
    assert table.loc["99001", "dist_km_TLS"] == pytest.approx(geod_km(0.5, 43.6, 1.0, 43.6))
    assert table.loc["99001", "dist_km_AGF"] == pytest.approx(geod_km(0.5, 43.6, 0.5, 44.2))
    assert table.loc["99002", "population"] == 450.0
    assert table["townhall_hours_per_week"].tolist() == [35.0, 35.0, 35.0]


def test_feature_catalogue() -> None:
    assert feature_spec("drive_min_TLS") is not None
    assert feature_spec("dist_km_PUF") is not None
    assert feature_spec("drive_min_ZZZ") is None  # not an IATA code
    assert feature_spec("drive_min_tls") is None  # codes are upper case
    assert feature_spec("area_km2") is None  # computed, but not a scoring feature
    spec = feature_spec("density_per_km2")
    assert spec is not None and spec.unit == "inhabitants/km²"
