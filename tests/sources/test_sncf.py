"""SNCF passenger stations: the real list, the hand-written fixture, and bad files."""

from __future__ import annotations

import csv
import io
import math
import os
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from relocate.errors import SourceFormatError
from relocate.sources.opendata import POINT_COLUMNS
from relocate.sources.sncf import SncfStationsSource
from tests.conftest import empty_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "sncf"
FIXTURE = FIXTURES / "gares-de-voyageurs.csv"
#: The portal's relabelled export, and its metadata.
RELABELLED = FIXTURES / "gares-de-voyageurs-2026.csv"
METADATA = FIXTURES / "gares-de-voyageurs.meta.json"
REAL = "sncf-gares-de-voyageurs/gares-de-voyageurs.csv"
BOM = b"\xef\xbb\xbf"
#: 2025-03-04 12:00 UTC, the modification time given to copied fixtures.
STAMP = datetime(2025, 3, 4, 12, 0, tzinfo=UTC).timestamp()


def parse(path: Path):
    return SncfStationsSource().parse([path], context=empty_context())


def fixture_text() -> str:
    return FIXTURE.read_bytes().removeprefix(BOM).decode("utf-8")


def write(tmp_path: Path, data: str | bytes, *, name: str = "gares-de-voyageurs.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.utime(path, (STAMP, STAMP))
    return path


# --- the real list ------------------------------------------------------------------------


def test_real_list_has_every_station_with_codes_as_text(
    shared_data: Callable[[str], Path],
) -> None:
    path = shared_data(REAL)
    parsed = parse(path)
    table = parsed.table
    assert len(table) == 2782
    assert list(table.columns[:5]) == list(POINT_COLUMNS)
    assert set(table["kind"]) == {"station"}
    # Published with a BOM, as expected: nothing repaired.
    assert parsed.warnings == ()
    # No commune polygons in this context: no position can be checked.
    assert parsed.notes == {
        "stations": 2782,
        "without_position": 0,
        "without_commune": 0,
        "outside_commune": 0,
        "unchecked_position": 2782,
    }
    assert table["insee"].str.fullmatch(r"\d{5}|2[AB]\d{3}").all()
    # Codes of the Ain (01) and others keep their leading zero.
    assert table["insee"].str.startswith("0").sum() > 100
    assert table["sncf_id"].is_unique
    # The list states no date: the edition is unknown, never the day it was imported.
    today = datetime.now(UTC).date()
    assert parsed.edition == f"edition unknown, imported on {today.isoformat()}"
    assert parsed.dated_by == "unknown"


def test_real_list_has_the_four_stations_of_the_gers(
    shared_data: Callable[[str], Path],
) -> None:
    table = parse(shared_data(REAL)).table
    gers = table[table["insee"].str.startswith("32")].set_index("insee")
    assert sorted(gers.index) == ["32012", "32013", "32147", "32160"]
    assert gers.loc["32013", "name"] == "Auch"
    assert gers.loc["32160", "name"] == "L'Isle-Jourdain"
    assert gers.loc["32012", "name"] == "Aubiet"
    assert gers.loc["32147", "name"].startswith("Gimont")
    # Inside the Gers, so latitude and longitude were not swapped.
    assert gers["lon"].between(-0.3, 1.3).all()
    assert gers["lat"].between(43.3, 44.1).all()
    assert gers.loc["32013", "lat"] == pytest.approx(43.647488)
    assert gers.loc["32013", "lon"] == pytest.approx(0.596661)
    # Agen, in the next département, is there too.
    assert (table["insee"] == "47001").any()


# --- the hand-written fixture -------------------------------------------------------------


def test_fixture_is_read_into_points(tmp_path: Path) -> None:
    path = tmp_path / "gares-de-voyageurs.csv"
    shutil.copyfile(FIXTURE, path)
    os.utime(path, (STAMP, STAMP))
    parsed = parse(path)
    table = parsed.table
    assert parsed.warnings == ()
    assert parsed.edition.startswith("edition unknown, imported on ")
    assert table["insee"].tolist() == ["99001", "99002", "09999"]
    assert table["name"].tolist() == ["Fixture station A", "Fixture station B", "Fixture station Ç"]
    # "lat, lon" in the file: longitude and latitude in the table.
    assert table["lat"].tolist() == [43.6012345, 43.6, 43.7002]
    assert table["lon"].tolist() == [0.5012345, 0.6, -0.4998]
    assert table.loc[1, "sncf_segment"] == "A;B"
    assert table.loc[1, "sncf_uic"] == "87000002;87000003"
    assert table.loc[0, "sncf_trigram"] == "FXA"


def test_a_file_without_bom_is_read_without_warning(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, fixture_text()))
    assert parsed.warnings == ()
    assert len(parsed.table) == 3


def test_relabelled_headers_are_read() -> None:
    parsed = parse(RELABELLED)
    assert parsed.warnings == ()
    table = parsed.table
    assert table["name"].tolist() == ["Fixture station A", "Fixture station B", "Fixture station Ç"]
    assert table.loc[1, "sncf_uic"] == "87000002;87000003"
    assert table["sncf_id"].iloc[0] == "00000000-0000-4000-8000-000000000001"


def test_a_column_missing_under_both_names_is_named(tmp_path: Path) -> None:
    text = RELABELLED.read_bytes().decode("utf-8-sig").replace("Nom_Gare", "Gare", 1)
    with pytest.raises(
        SourceFormatError, match=r"column 'Nom' is missing \(nor its other name 'Nom_Gare'\)"
    ):
        parse(write(tmp_path, text))


def test_the_portal_metadata_dates_the_edition() -> None:
    parsed = SncfStationsSource().parse([FIXTURE, METADATA], context=empty_context())
    assert (parsed.edition, parsed.edition_date, parsed.dated_by) == (
        "2026-09-14",
        date(2026, 9, 14),
        "metadata",
    )


def test_downloads_the_labelled_semicolon_export() -> None:
    download, metadata = SncfStationsSource().downloads(departement="32")
    assert metadata.optional and metadata.filename.endswith(".meta.json")
    assert download.url.startswith(
        "https://ressources.data.sncf.com/api/explore/v2.1/catalog/datasets/gares-de-voyageurs/"
        "exports/csv?"
    )
    assert "use_labels=true" in download.url
    assert "delimiter=%3B" in download.url
    assert download.filename == "gares-de-voyageurs.csv"


# --- bad files ----------------------------------------------------------------------------


def test_latin1_file_is_read_with_a_warning(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, fixture_text().encode("latin-1")))
    [warning] = parsed.warnings
    assert "not utf-8" in warning
    # The first byte that is not UTF-8 is the é of the header's "Position géographique".
    assert "line 1" in warning
    assert parsed.table["name"].iloc[2] == "Fixture station Ç"
    assert parsed.table["insee"].tolist() == ["99001", "99002", "09999"]


def test_comma_separated_file_is_read_with_a_warning(tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(fixture_text()), delimiter=";"))
    out = io.StringIO()
    csv.writer(out, delimiter=",", lineterminator="\n").writerows(rows)
    parsed = parse(write(tmp_path, out.getvalue()))
    assert parsed.warnings == (
        "gares-de-voyageurs.csv: columns separated by ',', not ';'; read as such",
    )
    assert parsed.table["lat"].tolist() == [43.6012345, 43.6, 43.7002]
    assert parsed.table.loc[1, "sncf_segment"] == "A;B"


def test_renamed_column_is_named_in_the_error(tmp_path: Path) -> None:
    text = fixture_text().replace("Code commune", "Code_commune", 1)
    with pytest.raises(SourceFormatError) as caught:
        parse(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith("gares-de-voyageurs.csv, line 1: column 'Code commune' is missing")
    assert "found 'Code_commune': renamed?" in message


def test_missing_position_column_is_an_error(tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(fixture_text()), delimiter=";"))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows([r[:3] + r[4:] for r in rows])
    with pytest.raises(SourceFormatError, match="column 'Position géographique' is missing"):
        parse(write(tmp_path, out.getvalue()))


def test_repeated_row_is_dropped_with_a_warning(tmp_path: Path) -> None:
    lines = fixture_text().splitlines()
    parsed = parse(write(tmp_path, "\n".join([*lines, lines[2]]) + "\n"))
    assert parsed.warnings == ("gares-de-voyageurs.csv: 1 repeated station rows were dropped",)
    assert len(parsed.table) == 3
    assert parsed.table["sncf_id"].is_unique


def test_two_different_rows_with_one_id_are_an_error(tmp_path: Path) -> None:
    lines = fixture_text().splitlines()
    other = lines[1].replace("Fixture station A", "Fixture station A bis")
    with pytest.raises(SourceFormatError) as caught:
        parse(write(tmp_path, "\n".join([*lines, other]) + "\n"))
    message = str(caught.value)
    assert message.startswith("gares-de-voyageurs.csv, lines 2 and 5: two different station rows")
    assert "00000000-0000-4000-8000-000000000001" in message


def test_rows_without_id_are_not_taken_for_one_another(tmp_path: Path) -> None:
    text = fixture_text().replace("00000000-0000-4000-8000-000000000001", "")
    text = text.replace("00000000-0000-4000-8000-000000000002", "")
    parsed = parse(write(tmp_path, text))
    assert parsed.warnings == ()
    assert parsed.table["sncf_id"].isna().tolist() == [True, True, False]


@pytest.mark.parametrize("position", ["43,6012345, 0,5012345", "north", "43.6012345"])
def test_position_that_is_not_lat_lon_names_line_and_column(tmp_path: Path, position) -> None:
    text = fixture_text().replace("43.6012345, 0.5012345", position)
    with pytest.raises(SourceFormatError) as caught:
        parse(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith(
        "gares-de-voyageurs.csv, line 2, column 'Position géographique': "
        f"{position!r} is not a position"
    )


def test_latitude_out_of_range_is_an_error(tmp_path: Path) -> None:
    text = fixture_text().replace("43.6, 0.6", "143.6, 0.6")
    with pytest.raises(SourceFormatError, match=r"line 3, column 'Position géographique': lat"):
        parse(write(tmp_path, text))


def test_empty_position_is_kept_without_coordinates(tmp_path: Path) -> None:
    text = fixture_text().replace("43.6, 0.6", "")
    parsed = parse(write(tmp_path, text))
    assert math.isnan(parsed.table.loc[1, "lon"])
    assert math.isnan(parsed.table.loc[1, "lat"])
    assert parsed.table.loc[1, "insee"] == "99002"
    assert parsed.notes["without_position"] == 1


def test_codes_written_as_integers_are_padded_with_a_warning(tmp_path: Path) -> None:
    text = fixture_text().replace(";09999;", ";9999;")
    parsed = parse(write(tmp_path, text))
    assert parsed.table["insee"].tolist() == ["99001", "99002", "09999"]
    [warning] = parsed.warnings
    assert "1 codes in column 'Code commune'" in warning
    assert "5-character" in warning


def test_code_that_is_not_a_commune_names_its_line(tmp_path: Path) -> None:
    text = fixture_text().replace(";99002;", ";Paris;")
    with pytest.raises(
        SourceFormatError,
        match=r"^gares-de-voyageurs.csv, line 3, column 'Code commune': 'Paris' is not an INSEE",
    ):
        parse(write(tmp_path, text))


def test_more_than_one_file_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, fixture_text())
    with pytest.raises(SourceFormatError, match=r"one CSV file .*; got 2 files"):
        SncfStationsSource().parse([path, path], context=empty_context())
