"""La Poste's points of contact: the real list, the hand-written fixture, and bad files."""

from __future__ import annotations

import math
import os
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from relocate.errors import SourceFormatError
from relocate.sources.laposte import KINDS, LaPosteSource
from relocate.sources.opendata import POINT_COLUMNS
from tests.conftest import empty_context

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "laposte" / "laposte_poincont2.csv"
REAL = "laposte-points-de-contact/laposte_poincont2.csv"
#: 2025-03-04 12:00 UTC, the modification time given to copied fixtures.
STAMP = datetime(2025, 3, 4, 12, 0, tzinfo=UTC).timestamp()


def parse(path: Path):
    return LaPosteSource().parse([path], context=empty_context())


def fixture_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")


def write(tmp_path: Path, data: str | bytes, *, name: str = "laposte_poincont2.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    os.utime(path, (STAMP, STAMP))
    return path


# --- the real list ------------------------------------------------------------------------


def test_real_list_has_every_site_with_codes_as_text(shared_data: Callable[[str], Path]) -> None:
    path = shared_data(REAL)
    parsed = parse(path)
    table = parsed.table
    assert len(table) == 17700
    assert list(table.columns[:5]) == list(POINT_COLUMNS)
    assert parsed.warnings == ()
    assert parsed.notes == {
        "sites": 17700,
        "kind_post_office": 7776,
        "kind_postal_agency": 6653 + 207,
        "kind_postal_other": 1,
        "kind_postal_relay": 3063,
        "without_position": 26,
        "without_commune": 0,
        # No commune polygons in this context: no position can be checked.
        "outside_commune": 0,
        "unchecked_position": 17700 - 26,
    }
    first = table.iloc[0]
    assert (first["laposte_id"], first["insee"], first["laposte_postcode"]) == (
        "00001A",
        "01004",
        "01500",
    )
    assert first["kind"] == "post_office"
    assert first["name"] == "AMBERIEU EN BUGEY"
    assert table["insee"].str.fullmatch(r"\d{5}|2[AB]\d{3}").all()
    assert table["laposte_id"].is_unique
    written = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()
    assert parsed.edition == f"retrieved {written.isoformat()}"


def test_real_list_has_the_hundred_sites_of_the_gers(shared_data: Callable[[str], Path]) -> None:
    table = parse(shared_data(REAL)).table
    gers = table[table["insee"].str.startswith("32")]
    assert len(gers) == 100
    assert gers["kind"].value_counts().to_dict() == {
        "post_office": 39,
        "postal_agency": 38,
        "postal_relay": 23,
    }
    # Every one of them has a position, in the Gers (not swapped, not elsewhere).
    assert gers["lon"].between(-0.3, 1.3).all()
    assert gers["lat"].between(43.3, 44.1).all()
    assert (gers["insee"] == "32013").sum() >= 1  # Auch has a post office


# --- the hand-written fixture -------------------------------------------------------------


def test_fixture_is_read_into_points(tmp_path: Path) -> None:
    path = tmp_path / "laposte_poincont2.csv"
    shutil.copyfile(FIXTURE, path)
    os.utime(path, (STAMP, STAMP))
    parsed = parse(path)
    table = parsed.table
    assert parsed.warnings == ()
    assert (parsed.edition, parsed.edition_date) == ("retrieved 2025-03-04", date(2025, 3, 4))
    assert table["kind"].tolist() == [
        "post_office",
        "postal_agency",
        "postal_relay",
        "postal_agency",
        "postal_other",
    ]
    assert table["insee"].tolist() == ["99001", "99002", "99003", "01999", "99001"]
    assert table.loc[3, "laposte_postcode"] == "01990"
    assert table.loc[1, "lat"] == 43.60031
    assert table.loc[1, "lon"] == 0.600412
    # The relay has no coordinates: kept, in its commune, without a position.
    assert math.isnan(table.loc[2, "lon"]) and math.isnan(table.loc[2, "lat"])
    assert table.loc[2, "insee"] == "99003"
    assert table.loc[2, "laposte_geocoding"] == "Géocodé au centre de la commune"
    assert table.loc[4, "laposte_type"] == "Agence postale militaire"
    assert parsed.notes["without_position"] == 1


def test_every_kind_is_one_relocate_knows() -> None:
    assert set(KINDS.values()) == {"post_office", "postal_agency", "postal_relay", "postal_other"}


def test_characteristics_are_compared_without_case(tmp_path: Path) -> None:
    text = fixture_text().replace(";Bureau de Poste;", ";BUREAU  DE POSTE;")
    parsed = parse(write(tmp_path, text))
    assert parsed.table.loc[0, "kind"] == "post_office"
    assert parsed.warnings == ()


def test_unknown_characteristic_is_kept_as_other_with_a_warning(tmp_path: Path) -> None:
    text = fixture_text().replace(";Relais poste commerçant;", ";Point partenaire;")
    parsed = parse(write(tmp_path, text))
    assert parsed.table.loc[2, "kind"] == "postal_other"
    [warning] = parsed.warnings
    assert warning.startswith("laposte_poincont2.csv, line 4, column 'Caractéristique_du_site'")
    assert "'Point partenaire' (1)" in warning


def test_downloads_the_published_file() -> None:
    [download] = LaPosteSource().downloads(departement="32")
    assert download.url.startswith("https://www.data.gouv.fr/")
    assert download.filename == "laposte_poincont2.csv"


# --- bad files ----------------------------------------------------------------------------


def test_unexpected_bom_is_removed_with_a_warning(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, b"\xef\xbb\xbf" + FIXTURE.read_bytes()))
    assert parsed.warnings == ("laposte_poincont2.csv: a UTF-8 byte-order mark was removed",)
    assert parsed.table["laposte_id"].iloc[0] == "90001A"


def test_latin1_file_is_read_with_a_warning(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, fixture_text().encode("latin-1")))
    [warning] = parsed.warnings
    assert "not utf-8" in warning
    assert parsed.table.loc[2, "laposte_type"] == "Relais poste commerçant"
    assert parsed.table.loc[2, "kind"] == "postal_relay"


def test_tab_separated_file_is_read_with_a_warning(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, fixture_text().replace(";", "\t")))
    assert parsed.warnings == (
        "laposte_poincont2.csv: columns separated by '\\t', not ';'; read as such",
    )
    assert parsed.table["insee"].tolist() == ["99001", "99002", "99003", "01999", "99001"]


def test_header_without_hash_is_read(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, fixture_text().removeprefix("#")))
    assert parsed.warnings == ()
    assert parsed.table.loc[0, "laposte_id"] == "90001A"


def test_renamed_column_is_named_in_the_error(tmp_path: Path) -> None:
    text = fixture_text().replace("Code_INSEE", "Code_Insee", 1)
    with pytest.raises(SourceFormatError) as caught:
        parse(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith("laposte_poincont2.csv, line 1: column 'Code_INSEE' is missing")
    assert "found 'Code_Insee': renamed?" in message


def test_repeated_row_is_dropped_with_a_warning(tmp_path: Path) -> None:
    lines = fixture_text().splitlines()
    parsed = parse(write(tmp_path, "\n".join([*lines, lines[1]]) + "\n"))
    assert parsed.warnings == ("laposte_poincont2.csv: 1 repeated site rows were dropped",)
    assert len(parsed.table) == 5


def test_two_different_rows_for_one_site_are_an_error(tmp_path: Path) -> None:
    lines = fixture_text().splitlines()
    other = lines[2].replace("FIXTURE VILLAGE B AP", "FIXTURE VILLAGE B AGENCE")
    with pytest.raises(
        SourceFormatError,
        match=r"^laposte_poincont2.csv, lines 3 and 7: two different site rows .*'90002A'",
    ):
        parse(write(tmp_path, "\n".join([*lines, other]) + "\n"))


def test_interleaved_conflicts_name_two_lines_of_the_same_site(tmp_path: Path) -> None:
    lines = fixture_text().splitlines()
    first = lines[1].replace("FIXTURE VILLAGE A;", "FIXTURE VILLAGE A BIS;", 1)
    second = lines[2].replace("FIXTURE VILLAGE B AP", "FIXTURE VILLAGE B AGENCE")
    with pytest.raises(
        SourceFormatError,
        match=r"^laposte_poincont2.csv, lines 2 and 7: two different site rows .*'90001A'",
    ):
        parse(write(tmp_path, "\n".join([*lines, first, second]) + "\n"))


def test_decimal_comma_names_line_and_column(tmp_path: Path) -> None:
    text = fixture_text().replace(";43.60031;", ";43,60031;")
    with pytest.raises(SourceFormatError) as caught:
        parse(write(tmp_path, text))
    assert str(caught.value).startswith(
        "laposte_poincont2.csv, line 3, column 'Latitude': '43,60031' is not a number"
    )


def test_one_missing_coordinate_is_an_error(tmp_path: Path) -> None:
    text = fixture_text().replace(";0.600412;", ";;")
    with pytest.raises(
        SourceFormatError,
        match=r"^laposte_poincont2.csv, line 3, column 'Longitude': one coordinate",
    ):
        parse(write(tmp_path, text))


def test_longitude_out_of_range_is_an_error(tmp_path: Path) -> None:
    text = fixture_text().replace(";0.5001;", ";500.1;", 1)
    with pytest.raises(SourceFormatError, match=r"line 2, column 'Longitude': longitude 500.1"):
        parse(write(tmp_path, text))


def test_codes_written_as_integers_are_padded_with_a_warning(tmp_path: Path) -> None:
    text = fixture_text().replace(";01999;", ";1999;")
    parsed = parse(write(tmp_path, text))
    assert parsed.table.loc[3, "insee"] == "01999"
    [warning] = parsed.warnings
    assert "1 codes in column 'Code_INSEE'" in warning


def test_code_that_is_not_a_commune_names_its_line(tmp_path: Path) -> None:
    text = fixture_text().replace(";99003;", ";990030;")
    with pytest.raises(
        SourceFormatError,
        match=r"^laposte_poincont2.csv, line 4, column 'Code_INSEE': '990030' is not an INSEE",
    ):
        parse(write(tmp_path, text))
