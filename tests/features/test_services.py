"""Facilities from a table of points: how many in the village, how far the nearest one."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from relocate.catalogue import Catalogue, default_catalogue
from relocate.features import DriveTimeModel
from relocate.features.services import count_in_village, dist_km_nearest_point
from relocate.sources.arcep import BEST_TECHNOLOGIES
from tests.conftest import ComputeFeatures

GEOD = Geod(ellps="WGS84")
BEST_TECH_LABELS = BEST_TECHNOLOGIES
#: Fixture villages (tests/conftest.py): 99001 (0.50, 43.60), 99002 (0.60, 43.60),
#: 99003 (0.50, 43.70), measured from their town halls at those positions.
TOWNHALLS = {"99001": (0.50, 43.60), "99002": (0.60, 43.60), "99003": (0.50, 43.70)}


def geod_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return GEOD.inv(lon1, lat1, lon2, lat2)[2] / 1000.0


def points(rows: list[tuple[str | None, str, float, float]]) -> pd.DataFrame:
    """A POINT table (``insee, kind, name, lon, lat``) from (insee, kind, lon, lat) rows."""
    return pd.DataFrame(
        {
            "insee": pd.Series([r[0] for r in rows], dtype=object),
            "kind": [r[1] for r in rows],
            "name": [f"Fixture {r[1]} {i}" for i, r in enumerate(rows)],
            "lon": pd.Series([r[2] for r in rows], dtype=float),
            "lat": pd.Series([r[3] for r in rows], dtype=float),
        }
    )


#: Post offices: two in 99001, one without a commune, one without a position (in
#: 99003), one in a commune outside the villages. A bakery in 99002. A kind the
#: features do not know.
MIXED = points(
    [
        ("99001", "post_office", 0.51, 43.61),
        ("99001", "post_office", 0.47, 43.58),
        (None, "post_office", 0.62, 43.62),
        ("99003", "post_office", np.nan, np.nan),
        ("98001", "post_office", 0.80, 43.60),
        ("99002", "bakery", 0.60, 43.60),
        ("99002", "postal_other", 0.60, 43.60),
    ]
)


def nearest_by_hand(kind: str, table: pd.DataFrame) -> dict[str, float]:
    """For each fixture village, the geodesic distance to the nearest positioned point."""
    chosen = table[(table["kind"] == kind) & table["lon"].notna()]
    targets = list(zip(chosen["lon"], chosen["lat"], strict=True))
    return {
        code: min(geod_km(lon, lat, t_lon, t_lat) for t_lon, t_lat in targets)
        for code, (lon, lat) in TOWNHALLS.items()
    }


def open_data_features(
    compute: ComputeFeatures,
    villages: gpd.GeoDataFrame,
    *,
    tables: dict[str, pd.DataFrame],
    model: DriveTimeModel | None = None,
    catalogue: Catalogue | None = None,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """The features the open-data tables give (not the built-in ones), and each one's source."""
    computed = compute(villages, tables=tables, model=model, catalogue=catalogue)
    built_in = set((catalogue or default_catalogue()).built_in)
    names = [n for n, keys in computed.sources.items() if not set(keys) <= built_in]
    provenance = {n: computed.sources[n][0] for n in names}
    return computed.frame[names], provenance


def service_features(
    compute: ComputeFeatures,
    villages: gpd.GeoDataFrame,
    *,
    points: pd.DataFrame,
    model: DriveTimeModel | None = None,
) -> pd.DataFrame:
    """The service features a table of points gives (as the BPE's table)."""
    frame, _ = open_data_features(compute, villages, tables={"bpe": points}, model=model)
    return frame


# --- count_in_village ----------------------------------------------------------------------


def test_count_counts_points_by_commune_including_those_without_position(
    villages: gpd.GeoDataFrame,
) -> None:
    counts = count_in_village(villages, MIXED, kind="post_office")
    assert counts.name == "count_post_office"
    assert list(counts.index) == list(villages.index)
    # The point without a commune is not counted anywhere; the one in 98001 is not a village;
    # the one without a position still belongs to 99003.
    assert counts.to_dict() == {"99001": 2.0, "99002": 0.0, "99003": 1.0}
    assert counts.dtype == float


def test_count_is_zero_not_nan_where_there_is_none(villages: gpd.GeoDataFrame) -> None:
    counts = count_in_village(villages, MIXED, kind="bakery")
    assert counts.to_dict() == {"99001": 0.0, "99002": 1.0, "99003": 0.0}
    none = count_in_village(villages, MIXED, kind="hospital")
    assert none.to_dict() == {"99001": 0.0, "99002": 0.0, "99003": 0.0}


def test_count_ignores_points_whose_commune_is_unknown(villages: gpd.GeoDataFrame) -> None:
    table = points([(None, "gp", 0.50, 43.60), (None, "gp", 0.60, 43.60)])
    assert count_in_village(villages, table, kind="gp").sum() == 0.0


def test_count_follows_the_villages_order(villages: gpd.GeoDataFrame) -> None:
    shuffled = villages.iloc[[2, 0, 1]]
    counts = count_in_village(shuffled, MIXED, kind="post_office")
    assert list(counts.index) == ["99003", "99001", "99002"]
    assert list(counts) == [1.0, 2.0, 0.0]


# --- dist_km_nearest_point -----------------------------------------------------------------


def test_distance_is_geodesic_to_the_nearest_point_of_the_kind(
    villages: gpd.GeoDataFrame,
) -> None:
    dist = dist_km_nearest_point(villages, MIXED, kind="post_office")
    assert dist.name == "dist_km_post_office"
    expected = nearest_by_hand("post_office", MIXED)
    for code, km in expected.items():
        assert dist[code] == pytest.approx(km, rel=1e-9)
    # 99002's nearest is the post office without a commune, 99001's one of its own.
    assert expected["99002"] == pytest.approx(geod_km(0.60, 43.60, 0.62, 43.62))
    assert expected["99001"] == pytest.approx(geod_km(0.50, 43.60, 0.51, 43.61))


def test_distance_is_zero_at_the_town_hall(villages: gpd.GeoDataFrame) -> None:
    dist = dist_km_nearest_point(villages, MIXED, kind="bakery")
    assert dist["99002"] == pytest.approx(0.0, abs=1e-9)
    assert dist["99001"] == pytest.approx(geod_km(0.50, 43.60, 0.60, 43.60), rel=1e-9)


def test_distance_is_nan_when_there_is_no_point_of_the_kind(villages: gpd.GeoDataFrame) -> None:
    dist = dist_km_nearest_point(villages, MIXED, kind="hospital")
    assert dist.isna().all()
    assert list(dist.index) == list(villages.index)


def test_distance_ignores_points_without_coordinates(villages: gpd.GeoDataFrame) -> None:
    # The pharmacy without position is in 99001 itself: read as (0, 0) or kept,
    # it would give a wrong distance; ignored, the far one is the nearest.
    table = points(
        [
            ("99001", "pharmacy", np.nan, np.nan),
            ("99001", "pharmacy", np.nan, 43.60),
            ("98001", "pharmacy", 0.80, 43.60),
        ]
    )
    dist = dist_km_nearest_point(villages, table, kind="pharmacy")
    for code, (lon, lat) in TOWNHALLS.items():
        assert dist[code] == pytest.approx(geod_km(lon, lat, 0.80, 43.60), rel=1e-9)
    only_unknown = dist_km_nearest_point(villages, table.iloc[:2], kind="pharmacy")
    assert only_unknown.isna().all()
