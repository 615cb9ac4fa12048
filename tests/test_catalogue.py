"""The catalogue: built from the sources' declarations, it names and computes every feature."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from pyproj import Geod

from relocate.catalogue import Catalogue, default_catalogue
from relocate.features import DriveTimeModel
from relocate.outputs.card import low_confidence
from relocate.settings import Settings
from relocate.sources.airports import AIRPORTS
from relocate.sources.arcep import BEST_TECHNOLOGIES
from relocate.sources.bpe import BpeSource
from relocate.sources.communes import COMMUNES
from relocate.sources.laposte import LaPosteSource
from relocate.territory import Territory
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


def shuffled(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The same villages in a non-sorted order."""
    out = frame.iloc[[2, 0, 1]]
    assert not out.index.is_monotonic_increasing
    return out


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


# --- service_features ----------------------------------------------------------------------


def test_service_features_has_four_columns_per_kind_present_only(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    frame = service_features(compute_features, villages, points=MIXED)
    # In the catalogue's order; 'postal_other' is not a known kind and gives nothing.
    assert list(frame.columns) == [
        "count_post_office",
        "dist_km_post_office",
        "drive_min_post_office",
        "nearest_post_office_name",
        "count_bakery",
        "dist_km_bakery",
        "drive_min_bakery",
        "nearest_bakery_name",
    ]
    assert list(frame.index) == list(villages.index)


def test_service_drive_time_is_distance_times_detour_over_speed(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    model = DriveTimeModel(detour_factor=1.5, speed_kmh=45.0)
    frame = service_features(compute_features, villages, points=MIXED, model=model)
    for kind in ("post_office", "bakery"):
        dist = frame[f"dist_km_{kind}"]
        expected = dist * 1.5 / 45.0 * 60.0
        np.testing.assert_allclose(frame[f"drive_min_{kind}"], expected, rtol=1e-12)
    # Worked by hand: 99001 is 8.07 km from the bakery: 8.07 x 1.5 / 45 x 60 = 16.1 min.
    km = geod_km(0.50, 43.60, 0.60, 43.60)
    assert frame.at["99001", "drive_min_bakery"] == pytest.approx(km * 2.0)


def test_service_features_of_no_point_is_an_empty_frame(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    frame = service_features(compute_features, villages, points=MIXED.iloc[:0])
    assert frame.columns.empty
    assert list(frame.index) == list(villages.index)


def test_every_service_kind_has_three_specs_naming_its_sources() -> None:
    catalogue = default_catalogue()
    specs = [s for s in catalogue.specs() if catalogue.service_kind(s.destination or "")]
    names = {spec.name: spec for spec in specs}
    for kind in catalogue.service_kinds():
        sources = catalogue.providers(kind.key)
        assert names[f"count_{kind.key}"].sources == sources
        assert names[f"dist_km_{kind.key}"].unit.key == "km"
        assert names[f"drive_min_{kind.key}"].estimate
        assert not names[f"dist_km_{kind.key}"].estimate
    for kind in catalogue.service_kinds():
        named = names[f"nearest_{kind.key}_name"]
        assert named.unit.key == "text" and named.role == "name"
    assert len(specs) == 4 * len(catalogue.service_kinds())
    assert catalogue.providers("post_office") == ("laposte", "bpe")


# --- open_data_features: which source gives what ------------------------------------------

#: A fixture La Poste table: one post office in 99001, a communal agency in 99002.
LAPOSTE = points(
    [
        ("99001", "post_office", 0.50, 43.60),
        ("99002", "postal_agency", 0.60, 43.60),
    ]
)
#: A fixture BPE table: post offices in 99002 and 99003, a bakery in 99003.
BPE = points(
    [
        ("99002", "post_office", 0.60, 43.60),
        ("99003", "post_office", 0.50, 43.70),
        ("99003", "bakery", 0.50, 43.70),
    ]
)


def test_first_point_source_gives_a_shared_kind(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    features, provenance = open_data_features(
        compute_features, villages, tables={"bpe": BPE, "laposte": LAPOSTE}
    )
    # La Poste comes before the BPE: its one post office, not the BPE's two.
    assert features["count_post_office"].to_dict() == {"99001": 1.0, "99002": 0.0, "99003": 0.0}
    assert features.at["99001", "dist_km_post_office"] == pytest.approx(0.0, abs=1e-9)
    assert features.at["99002", "dist_km_post_office"] > 7.0
    for column in ("count_post_office", "dist_km_post_office", "drive_min_post_office"):
        assert provenance[column] == "laposte"
    assert provenance["count_postal_agency"] == "laposte"
    # The BPE still gives the kinds La Poste has not.
    assert features["count_bakery"].to_dict() == {"99001": 0.0, "99002": 0.0, "99003": 1.0}
    for column in ("count_bakery", "dist_km_bakery", "drive_min_bakery"):
        assert provenance[column] == "bpe"
    assert features.columns.is_unique
    assert set(provenance) == set(features.columns)


def test_preference_follows_point_sources_order(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    bpe_first = Catalogue([COMMUNES, AIRPORTS, BpeSource(), LaPosteSource()])
    features, provenance = open_data_features(
        compute_features, villages, tables={"laposte": LAPOSTE, "bpe": BPE}, catalogue=bpe_first
    )
    assert features["count_post_office"].to_dict() == {"99001": 0.0, "99002": 1.0, "99003": 1.0}
    assert provenance["dist_km_post_office"] == "bpe"
    assert provenance["drive_min_postal_agency"] == "laposte"
    assert features.columns.is_unique


def test_only_loaded_point_sources_listed_give_features(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    station = points([("99001", "station", 0.50, 43.60)])
    without_sncf = Catalogue([COMMUNES, AIRPORTS, LaPosteSource()])
    features, provenance = open_data_features(
        compute_features,
        villages,
        tables={"sncf": station, "laposte": LAPOSTE},  # sncf is loaded but not in the catalogue
        catalogue=without_sncf,
    )
    assert "count_station" not in features
    assert set(provenance.values()) == {"laposte"}


def test_point_source_drive_times_use_the_model(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    model = DriveTimeModel(detour_factor=2.0, speed_kmh=60.0)
    features, _ = open_data_features(compute_features, villages, tables={"bpe": BPE}, model=model)
    np.testing.assert_allclose(
        features["drive_min_bakery"], features["dist_km_bakery"] * 2.0, rtol=1e-12
    )


def test_nothing_loaded_gives_no_feature(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    features, provenance = open_data_features(compute_features, villages, tables={})
    assert features.columns.empty
    assert list(features.index) == list(villages.index)
    assert provenance == {}


# --- open_data_features: tables per commune ------------------------------------------------


def arcep_table() -> pd.DataFrame:
    """Shaped like ArcepSource.parse: 99001 and 99002 only; 99002 has no premises."""
    data: dict[str, list[float]] = {
        "premises": [200.0, 0.0],
        "wired_8_premises": [190.0, 0.0],
        "wired_30_premises": [150.0, 0.0],
        "wired_100_premises": [120.0, 0.0],
        "wired_1g_premises": [100.0, 0.0],
        "ftth_premises": [100.0, 0.0],
        "best_total_premises": [190.0, 0.0],
        "copper_premises": [np.nan, np.nan],
    }
    best = {"ftth": 100.0, "coax": 0.0, "cu_30": 50.0, "thdr": 0.0, "cu_8": 20.0, "4gf": 10.0}
    best |= {"hdr": 5.0, "sat": 5.0}
    for tech in BEST_TECH_LABELS:
        data[f"best_{tech}_premises"] = [best[tech], 0.0]
    return pd.DataFrame(data, index=pd.Index(["99001", "99002"], name="insee"))


def deploiements_table() -> pd.DataFrame:
    """Shaped like ArcepDeploiementsSource.parse; 99003 has more connectable than premises."""
    return pd.DataFrame(
        {
            "ftth_connectable_premises": [50.0, 0.0, 130.0],
            "ftth_coverage_class": [25.0, 0.0, 80.0],
            "premises": [200.0, 80.0, 100.0],
            "housing_units": [180.0, 70.0, 90.0],
            "establishments": [20.0, 10.0, 10.0],
        },
        index=pd.Index(["99001", "99002", "99003"], name="insee"),
    )


def dvf_table() -> pd.DataFrame:
    """Shaped like DvfSource.parse: 99001 with many sales, 99002 with two, 99003 none."""
    return pd.DataFrame(
        {
            "house_price_eur_m2": [1500.0, 900.0],
            "house_sales": [12, 2],
            "low_confidence": [False, True],
            "period_start": ["2020-01-01", "2020-01-01"],
            "period_end": ["2024-12-31", "2024-12-31"],
        },
        index=pd.Index(["99001", "99002"], name="insee"),
    )


def test_broadband_and_house_price_tables_give_their_columns(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    features, provenance = open_data_features(
        compute_features,
        villages,
        tables={
            "arcep": arcep_table(),
            "arcep-deploiements": deploiements_table(),
            "dvf": dvf_table(),
        },
    )
    arcep_columns = [
        "fibre_share_pct",
        "wired_30mbps_share_pct",
        "wired_100mbps_share_pct",
        "wired_1gbps_share_pct",
        *(f"best_tech_{tech}_pct" for tech in BEST_TECH_LABELS),
    ]
    dvf_columns = ["house_price_eur_m2", "house_sales", "house_price_low_confidence"]
    assert list(features.columns) == [*arcep_columns, "ftth_deployed_share_pct", *dvf_columns]
    assert provenance == {
        **dict.fromkeys(arcep_columns, "arcep"),
        "ftth_deployed_share_pct": "arcep-deploiements",
        **dict.fromkeys(dvf_columns, "dvf"),
    }
    row = features.loc["99001"]
    assert row["fibre_share_pct"] == pytest.approx(50.0)
    assert row["wired_30mbps_share_pct"] == pytest.approx(75.0)
    assert row["best_tech_ftth_pct"] == pytest.approx(100.0 / 190.0 * 100.0)
    assert sum(row[f"best_tech_{tech}_pct"] for tech in BEST_TECH_LABELS) == pytest.approx(100.0)
    # No premises (99002) or not in the table (99003): unknown, not 0 %.
    assert math.isnan(features.at["99002", "fibre_share_pct"])
    assert math.isnan(features.at["99003", "fibre_share_pct"])
    # FttH deployments: 25 %, 0 %, and 130 % capped at 100 %.
    assert features["ftth_deployed_share_pct"].tolist() == pytest.approx([25.0, 0.0, 100.0])
    assert features["house_price_eur_m2"].tolist()[:2] == [1500.0, 900.0]
    assert features["house_sales"].tolist()[:2] == [12.0, 2.0]
    assert features["house_price_low_confidence"].tolist()[:2] == [0.0, 1.0]
    assert features.loc["99003", dvf_columns].isna().all()


# --- the report's doubt about prices from few sales ----------------------------------------


def test_price_from_few_sales_is_flagged_in_reports(
    villages: gpd.GeoDataFrame, airports: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    features, provenance = open_data_features(
        compute_features, villages, tables={"dvf": dvf_table()}
    )
    territory = Territory(
        code="99",
        name="Fixture département",
        prefecture="99001",
        villages=villages,
        features=features,
        airports=airports,
        sources=(),
        settings=Settings(departement="99", cache_dir=Path("unused-fixture-cache")),
        catalogue=default_catalogue(),
        feature_sources={name: (key,) for name, key in provenance.items()},
        open_data={},
    )
    assert low_confidence(territory, "house_price_eur_m2", "99001") is None
    assert low_confidence(territory, "house_price_eur_m2", "99002") == "low confidence: 2 sales"


# --- the built-in features -----------------------------------------------------------------


def test_build_features(villages: gpd.GeoDataFrame, compute_features: ComputeFeatures) -> None:
    mixed = shuffled(villages)
    model = DriveTimeModel(detour_factor=1.2, speed_kmh=60)
    table = compute_features(mixed, model=model).frame
    assert table.columns.tolist() == [
        "population",
        "density_per_km2",
        "townhall_hours_per_week",
        "dist_km_prefecture",
        "drive_min_prefecture",
        "dist_km_town",
        "drive_min_town",
        "nearest_town_name",
        "dist_km_airport",
        "drive_min_airport",
        "nearest_airport_name",
        "dist_km_TLS",
        "drive_min_TLS",
        "dist_km_AGF",
        "drive_min_AGF",
    ]
    assert table.index.equals(mixed.index)
    catalogue = default_catalogue()
    assert all(catalogue.is_known(c) for c in table.columns)
    for column in table.columns:
        spec = catalogue.spec(column)
        assert spec is not None
        if column.startswith("drive_min_"):
            assert spec.unit.key == "min" and spec.estimate
            dist = table[column.replace("drive_min_", "dist_km_")]
            pd.testing.assert_series_equal(
                table[column], (dist * 1.2 / 60 * 60).rename(column), check_exact=False
            )
        if column.startswith("dist_km_"):
            assert spec.unit.key == "km" and not spec.estimate
    assert table.loc["99003", "dist_km_prefecture"] == 0.0
    assert table.loc["99003", "dist_km_town"] == 0.0
    assert table.loc["99001", "dist_km_TLS"] == pytest.approx(geod_km(0.5, 43.6, 1.0, 43.6))
    assert table.loc["99001", "dist_km_AGF"] == pytest.approx(geod_km(0.5, 43.6, 0.5, 44.2))
    assert table.loc["99002", "population"] == 450.0
    assert table["nearest_town_name"].tolist() == ["Village C"] * 3
    assert table.loc["99002", "nearest_airport_name"] == "Fixture Airport One"
    assert table["townhall_hours_per_week"].tolist() == [35.0, 35.0, 35.0]


def test_feature_catalogue() -> None:
    feature_spec = default_catalogue().spec
    assert feature_spec("drive_min_TLS") is not None
    assert feature_spec("dist_km_PUF") is not None
    assert feature_spec("drive_min_ZZZ") is None  # not an IATA code
    assert feature_spec("drive_min_tls") is None  # codes are upper case
    assert feature_spec("area_km2") is None  # computed, but not a scoring feature
    spec = feature_spec("density_per_km2")
    assert spec is not None and spec.unit.key == "inhabitants/km²"


def test_the_nearest_facility_is_named_with_its_commune(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    table = points([("98001", "pharmacy", 0.80, 43.60), ("99002", "pharmacy", 0.60, 43.60)])
    table.loc[1, "name"] = "Pharmacie de Village B"  # names its commune already
    table.loc[0, "name"] = None  # no name published: the commune says where it is
    frame = service_features(compute_features, villages, points=table)
    assert frame["nearest_pharmacy_name"].to_dict() == {
        "99001": "Pharmacie de Village B",
        "99002": "Pharmacie de Village B",
        "99003": "Pharmacie de Village B",
    }
    far = service_features(compute_features, villages, points=table.iloc[:1])
    assert far.at["99001", "nearest_pharmacy_name"] == "Town Y"
    table.loc[1, "name"] = "Fixture chemist"
    named = service_features(compute_features, villages, points=table)
    assert named.at["99002", "nearest_pharmacy_name"] == "Fixture chemist (Village B)"
