"""FINESS extraction: acute hospitals, emergency departments and maternities (fixture files)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from relocate.catalogue import default_catalogue
from relocate.errors import SourceFormatError
from relocate.sources import CommuneData, load_communes
from relocate.sources.finess_autorisations import FinessAutorisationsSource, insee_of
from relocate.sources.opendata import POINT_COLUMNS, ParseContext, Parsed

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "finess-autorisations"
SITES = FIXTURES / "etalab-cs1100507-stock-20260512-0339.csv"
AUTHORISATIONS = FIXTURES / "finess-autorisations.csv"


@pytest.fixture(scope="module")
def real_communes(tmp_path_factory: pytest.TempPathFactory) -> CommuneData:
    return load_communes(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def parsed(real_communes: CommuneData) -> Parsed:
    context = ParseContext(communes=real_communes, departement="32")
    return FinessAutorisationsSource().parse([SITES, AUTHORISATIONS], context=context)


def kinds(parsed: Parsed) -> dict[str, list[str]]:
    """For each kind, the FINESS ids of its sites, sorted."""
    table = parsed.table
    return {
        k: sorted(table.loc[table["kind"] == k, "finess_id"]) for k in sorted(set(table["kind"]))
    }


def test_emergency_departments_maternities_and_acute_hospitals(parsed: Parsed) -> None:
    assert kinds(parsed) == {
        # 14/23 or 14/24 in force; not the SMUR antenna (14/26), not the ED whose
        # authorisation ended (320000999), nor the one not yet in operation (320000169).
        "emergency": ["310000999", "320000086", "320000102", "470016171", "9D0000999"],
        # 03/01 in full hospitalisation; not the perinatal centre (03/05, consultations).
        "maternity": ["320000086", "320000996", "470016171"],
        # an acute category with médecine and chirurgie, or an emergency department; not the
        # ex-hôpital local (106: médecine and SSR), the psychiatric hospital, the antenna,
        # the perinatal centre, nor the obstetric clinic without médecine and chirurgie.
        "hospital": [
            "310000999",
            "320000086",
            "320000102",
            "320000997",
            "320000999",
            "320780067",
            "470016171",
            "9D0000999",
        ],
    }


def test_levels_seasons_names_and_communes(parsed: Parsed) -> None:
    table = parsed.table
    assert list(table.columns[:5]) == list(POINT_COLUMNS)
    maternity = table[table["kind"] == "maternity"].set_index("finess_id")
    assert maternity["maternity_level"].to_dict() == {
        "320000086": "2A",  # 03/02 néonatologie on site
        "320000996": "1",
        "470016171": "3",  # 03/04 réanimation néonatale
    }
    emergency = table[table["kind"] == "emergency"].set_index("finess_id")
    assert emergency["emergency_seasonal"].to_dict()["310000999"]  # form 13 only
    assert not emergency.loc["320000086", "emergency_seasonal"]
    sites = table.drop_duplicates("finess_id").set_index("finess_id")
    assert sites.loc["320000086", "name"] == "CENTRE HOSPITALIER D'AUCH EN GASCOGNE"
    assert sites.loc["320000999", "name"] == 'CLINIQUE FIXTURE "LES PINS"; SITE A'
    assert sites["insee"].to_dict() == {
        "310000999": "31042",
        "320000086": "32013",
        "320000102": "32107",
        "320000996": "32013",
        "320000997": "32208",
        "320000999": "32013",
        "320780067": "32013",
        "470016171": "47001",
        "9D0000999": "97411",
    }
    assert sites.loc["320000086", "category"] == "355"


def test_positions_are_converted_to_wgs84(parsed: Parsed) -> None:
    sites = parsed.table.drop_duplicates("finess_id").set_index("finess_id")
    # Lambert-93 (named EPSG:2154, or LAMBERT_93 in the older layout), UTM 40S in La Réunion.
    assert sites.loc["320000086", ["lon", "lat"]].tolist() == pytest.approx(
        [0.58, 43.652], abs=1e-5
    )
    assert sites.loc["320000102", ["lon", "lat"]].tolist() == pytest.approx(
        [0.373, 43.959], abs=1e-5
    )
    assert sites.loc["9D0000999", ["lon", "lat"]].tolist() == pytest.approx(
        [55.45, -20.89], abs=1e-5
    )
    # No geolocation line: placed at its commune's town hall, and marked.
    assert sites.loc["320000997", "relocated"]
    assert sites["relocated"].sum() == 1


def test_edition_is_the_older_extraction(parsed: Parsed) -> None:
    assert (parsed.edition, parsed.edition_date) == ("2026-05-04", date(2026, 5, 4))
    assert parsed.notes["authorisations_expired"] == 1
    assert parsed.notes["authorisations_not_started"] == 1
    assert parsed.warnings == ()


def test_files_in_either_order(real_communes: CommuneData, parsed: Parsed) -> None:
    context = ParseContext(communes=real_communes, departement="32")
    again = FinessAutorisationsSource().parse([AUTHORISATIONS, SITES], context=context)
    pd.testing.assert_frame_equal(again.table, parsed.table)


def test_a_missing_file_is_named(real_communes: CommuneData) -> None:
    context = ParseContext(communes=real_communes, departement="32")
    with pytest.raises(SourceFormatError, match=r"needs the establishments extraction .* and"):
        FinessAutorisationsSource().parse([SITES], context=context)


def write(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_line_of_the_wrong_width_names_its_line(
    real_communes: CommuneData, tmp_path: Path
) -> None:
    context = ParseContext(communes=real_communes, departement="32")
    bad = write(tmp_path, AUTHORISATIONS, ";2005-01-01;2031-01-01", ";2005-01-01")
    with pytest.raises(
        SourceFormatError,
        match=r"^finess-autorisations.csv, line \d+: 20 fields in a 'activiteoffresoin' line, "
        r"not 21",
    ):
        FinessAutorisationsSource().parse([SITES, bad], context=context)


def test_a_file_that_is_not_an_extraction(real_communes: CommuneData, tmp_path: Path) -> None:
    context = ParseContext(communes=real_communes, departement="32")
    bad = write(tmp_path, SITES, "finess;etalab;111;2026-05-12", "id;name;date;x")
    with pytest.raises(SourceFormatError, match=r"line 1: not a FINESS extraction"):
        FinessAutorisationsSource().parse([bad, AUTHORISATIONS], context=context)


def test_a_windows_1252_edition_is_read_with_a_warning(
    real_communes: CommuneData, tmp_path: Path
) -> None:
    context = ParseContext(communes=real_communes, departement="32")
    old = tmp_path / SITES.name
    old.write_bytes(SITES.read_text(encoding="utf-8").encode("cp1252"))
    parsed = FinessAutorisationsSource().parse([old, AUTHORISATIONS], context=context)
    [warning] = parsed.warnings
    assert "not UTF-8" in warning and "Windows-1252" in warning
    labels = parsed.table.set_index("finess_id")["category_label"]
    assert set(labels[["9D0000999"]]) == {"Centre Hospitalier Régional (C.H.R.)"}


def test_insee_codes_of_finess_departements() -> None:
    assert insee_of("32", "013") == "32013"
    assert insee_of("2B", "033") == "2B033"
    assert insee_of("9A", "101") == "97101"
    assert insee_of("32", "") is None


def test_the_kinds_are_those_families_need() -> None:
    catalogue = default_catalogue()
    for name in ("drive_min_emergency", "drive_min_maternity", "drive_min_hospital"):
        assert "finess-autorisations" in catalogue.require(name).sources
    # The current extraction comes first; the 2020 GISCO list is the fallback for hospitals.
    assert catalogue.providers("hospital") == ("finess-autorisations", "finess")
    assert catalogue.providers("health_facility") == ("finess",)


def test_downloads_are_the_two_extractions() -> None:
    sites, authorisations = FinessAutorisationsSource().downloads(departement="32")
    assert sites.url.endswith("98f3161f-79ff-4f16-8f6a-6d571a80fea2")
    assert authorisations.url.endswith("89324560-4ab4-4596-8af6-c285cb3b9e67")


def test_table_survives_the_store_parquet_round_trip(parsed: Parsed, tmp_path: Path) -> None:
    parsed.table.to_parquet(tmp_path / "table.parquet")
    back = pd.read_parquet(tmp_path / "table.parquet")
    pd.testing.assert_frame_equal(back, parsed.table, check_dtype=False)
    assert back["emergency_seasonal"].dtype == bool
