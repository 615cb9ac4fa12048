"""Broadband features: hand-computed shares, NaN for missing communes, names and alignment."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from relocate.catalogue import default_catalogue
from relocate.errors import MissingColumnError
from relocate.features.broadband import (
    best_tech_pct,
    fibre_share_pct,
    ftth_deployed_share_pct,
    wired_1gbps_share_pct,
    wired_30mbps_share_pct,
    wired_100mbps_share_pct,
)
from relocate.sources.arcep import BEST_TECHNOLOGIES, ArcepSource
from relocate.sources.arcep_deploiements import ArcepDeploiementsSource
from relocate.sources.opendata import ParseContext
from tests.conftest import ComputeFeatures, empty_context

BEST_TECH_LABELS = BEST_TECHNOLOGIES
_BROADBAND = {"arcep", "arcep-deploiements"}
#: The broadband features the catalogue declares, in its order.
SPECS = [s for s in default_catalogue().specs() if set(s.sources) & _BROADBAND]


def broadband_features(
    compute: ComputeFeatures,
    villages: gpd.GeoDataFrame,
    *,
    arcep: pd.DataFrame | None,
    deploiements: pd.DataFrame | None,
) -> pd.DataFrame:
    """The broadband features the catalogue computes from whichever tables are given."""
    tables = {"arcep": arcep, "arcep-deploiements": deploiements}
    given = {key: table for key, table in tables.items() if table is not None}
    computed = compute(villages, tables=given)
    names = [n for n, keys in computed.sources.items() if set(keys) & _BROADBAND]
    return computed.frame[names]


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ARCEP_COLUMNS = [
    "fibre_share_pct",
    "wired_30mbps_share_pct",
    "wired_100mbps_share_pct",
    "wired_1gbps_share_pct",
    *(f"best_tech_{tech}_pct" for tech in BEST_TECH_LABELS),
]


def context() -> ParseContext:
    """A parse context without communes (the ARCEP parsers need none)."""
    return empty_context()


def arcep_table(rows: dict[str, dict[str, float]]) -> pd.DataFrame:
    """An ``arcep`` table with the given counts (the others 0)."""
    columns = [
        "premises",
        "wired_8_premises",
        "wired_30_premises",
        "wired_100_premises",
        "wired_1g_premises",
        "ftth_premises",
        *(f"best_{tech}_premises" for tech in BEST_TECHNOLOGIES),
        "best_total_premises",
        "copper_premises",
    ]
    frame = pd.DataFrame.from_dict(rows, orient="index").reindex(columns=columns)
    frame = frame.fillna(0.0).astype(float)
    frame.index.name = "insee"
    return frame


@pytest.fixture
def arcep() -> pd.DataFrame:
    # 99003 (a village) is absent; 98001 is not a village.
    return arcep_table(
        {
            "99001": {
                "premises": 400,
                "wired_30_premises": 300,
                "wired_100_premises": 100,
                "wired_1g_premises": 40,
                "ftth_premises": 40,
                "best_ftth_premises": 40,
                "best_coax_premises": 60,
                "best_cu_8_premises": 200,
                "best_4gf_premises": 80,
                "best_sat_premises": 20,
                "best_total_premises": 400,
            },
            "99002": {
                "premises": 0,
                "best_total_premises": 0,
            },
            "98001": {
                "premises": 10,
                "ftth_premises": 10,
                "best_ftth_premises": 10,
                "best_total_premises": 10,
            },
        }
    )


@pytest.fixture
def deploiements() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "ftth_connectable_premises": [30.0, 300.0, 5.0],
            "ftth_coverage_class": [25.0, 80.0, 0.0],
            "premises": [120.0, 250.0, 0.0],
            "housing_units": [100.0, 250.0, 0.0],
            "establishments": [20.0, 0.0, 0.0],
        },
        index=pd.Index(["99001", "99002", "99003"], name="insee"),
    )


def test_fibre_share_is_ftth_over_premises(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> None:
    share = fibre_share_pct(villages, arcep)
    assert share.name == "fibre_share_pct"
    assert share.index.equals(villages.index)
    assert share["99001"] == pytest.approx(10.0)  # 40 / 400
    # No premises: no share (not 0 %); absent commune: NaN, never 0.
    assert math.isnan(share["99002"])
    assert math.isnan(share["99003"])
    assert "98001" not in share.index


def test_wired_speed_shares(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> None:
    assert wired_30mbps_share_pct(villages, arcep)["99001"] == pytest.approx(75.0)
    assert wired_100mbps_share_pct(villages, arcep)["99001"] == pytest.approx(25.0)
    assert wired_1gbps_share_pct(villages, arcep)["99001"] == pytest.approx(10.0)
    for function in (wired_30mbps_share_pct, wired_100mbps_share_pct, wired_1gbps_share_pct):
        series = function(villages, arcep)
        assert series.name == function.__name__
        assert series.index.equals(villages.index)
        assert series[["99002", "99003"]].isna().all()


def test_best_technology_shares_partition_the_premises_served(
    villages: gpd.GeoDataFrame, arcep: pd.DataFrame
) -> None:
    shares = {tech: best_tech_pct(villages, arcep, tech=tech) for tech in BEST_TECH_LABELS}
    assert shares["ftth"]["99001"] == pytest.approx(10.0)
    assert shares["coax"]["99001"] == pytest.approx(15.0)
    assert shares["cu_8"]["99001"] == pytest.approx(50.0)
    assert shares["4gf"]["99001"] == pytest.approx(20.0)
    assert shares["sat"]["99001"] == pytest.approx(5.0)
    assert shares["thdr"]["99001"] == 0.0
    assert sum(s["99001"] for s in shares.values()) == pytest.approx(100.0)
    for tech, series in shares.items():
        assert series.name == f"best_tech_{tech}_pct"
        assert series[["99002", "99003"]].isna().all()


def test_best_technology_share_is_of_premises_served_not_of_all(
    villages: gpd.GeoDataFrame,
) -> None:
    table = arcep_table(
        {"99001": {"premises": 100, "best_total_premises": 80, "best_4gf_premises": 80}}
    )
    assert best_tech_pct(villages, table, tech="4gf")["99001"] == pytest.approx(100.0)


def test_an_unknown_technology_is_refused(villages: gpd.GeoDataFrame, arcep: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unknown technology 'fibre'"):
        best_tech_pct(villages, arcep, tech="fibre")


def test_a_table_without_the_column_is_named(
    villages: gpd.GeoDataFrame, arcep: pd.DataFrame
) -> None:
    with pytest.raises(MissingColumnError, match="ftth_premises"):
        fibre_share_pct(villages, arcep.drop(columns="ftth_premises"))


def test_deployed_share_is_capped_at_100(
    villages: gpd.GeoDataFrame, deploiements: pd.DataFrame
) -> None:
    share = ftth_deployed_share_pct(villages, deploiements)
    assert share.name == "ftth_deployed_share_pct"
    assert share.index.equals(villages.index)
    assert share["99001"] == pytest.approx(25.0)  # 30 / 120
    assert share["99002"] == 100.0  # 300 connectable for 250 counted premises
    assert math.isnan(share["99003"])  # no premises


def test_features_follow_the_villages_order(
    villages: gpd.GeoDataFrame, arcep: pd.DataFrame
) -> None:
    reversed_villages = villages.iloc[::-1]
    share = fibre_share_pct(reversed_villages, arcep)
    assert list(share.index) == ["99003", "99002", "99001"]
    assert share["99001"] == pytest.approx(10.0)


def test_broadband_features_gives_the_columns_of_the_tables_given(
    villages: gpd.GeoDataFrame,
    arcep: pd.DataFrame,
    deploiements: pd.DataFrame,
    compute_features: ComputeFeatures,
) -> None:
    def broadband(**tables: pd.DataFrame | None) -> pd.DataFrame:
        return broadband_features(compute_features, villages, **tables)  # type: ignore[arg-type]

    only_arcep = broadband(arcep=arcep, deploiements=None)
    assert list(only_arcep.columns) == ARCEP_COLUMNS
    assert only_arcep.index.equals(villages.index)
    only_old = broadband(arcep=None, deploiements=deploiements)
    assert list(only_old.columns) == ["ftth_deployed_share_pct"]
    both = broadband(arcep=arcep, deploiements=deploiements)
    assert list(both.columns) == [*ARCEP_COLUMNS, "ftth_deployed_share_pct"]
    none = broadband(arcep=None, deploiements=None)
    assert none.empty
    assert none.index.equals(villages.index)


def test_every_feature_has_a_spec(
    villages: gpd.GeoDataFrame,
    arcep: pd.DataFrame,
    deploiements: pd.DataFrame,
    compute_features: ComputeFeatures,
) -> None:
    both = broadband_features(compute_features, villages, arcep=arcep, deploiements=deploiements)
    specs = {spec.name: spec for spec in SPECS}
    assert list(specs) == list(both.columns)
    assert all(spec.unit.key == "%" and not spec.estimate for spec in SPECS)
    assert specs["ftth_deployed_share_pct"].sources == ("arcep-deploiements",)
    assert all(specs[name].sources == ("arcep",) for name in ARCEP_COLUMNS)


def test_features_from_the_parsed_fixture_files(
    villages: gpd.GeoDataFrame, compute_features: ComputeFeatures
) -> None:
    arcep = (
        ArcepSource()
        .parse(
            [
                FIXTURES / "arcep" / "commune_debit_filaire.csv",
                FIXTURES / "arcep" / "commune_meilleure_techno_thd.csv",
            ],
            context=context(),
        )
        .table
    )
    old = (
        ArcepDeploiementsSource()
        .parse(
            [
                FIXTURES / "arcep-deploiements" / "ftthCommunes.csv",
                FIXTURES / "arcep-deploiements" / "communes.csv",
            ],
            context=context(),
        )
        .table
    )
    features = broadband_features(compute_features, villages, arcep=arcep, deploiements=old)
    a, b, c = (features.loc[code] for code in ("99001", "99002", "99003"))
    assert a["fibre_share_pct"] == pytest.approx(75.0)  # 150 / 200
    assert a["wired_30mbps_share_pct"] == pytest.approx(80.0)  # 160 / 200
    assert a["best_tech_cu_8_pct"] == pytest.approx(10.0)  # 20 / 200
    assert b["fibre_share_pct"] == 0.0
    assert b["best_tech_cu_8_pct"] == pytest.approx(100 * 40 / 76)
    assert np.isnan(c["fibre_share_pct"])  # no premises in village C
    assert a["ftth_deployed_share_pct"] == 0.0  # 0 / 128
    assert b["ftth_deployed_share_pct"] == pytest.approx(100 * 90 / 1_100)
    assert c["ftth_deployed_share_pct"] == 100.0  # 300 / 250, capped
