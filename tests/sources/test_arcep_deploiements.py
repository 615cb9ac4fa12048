"""The ARCEP FttH deployments parser, on the real 2018 T1 files and on hand-written ones."""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from relocate.errors import SourceError, SourceFormatError
from relocate.sources.arcep_deploiements import (
    COMMUNES_FILE,
    FTTH_FILE,
    ArcepDeploiementsSource,
)
from relocate.sources.opendata import ParseContext, Parsed
from tests.conftest import empty_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arcep-deploiements"
REAL = "arcep-ftth-deploiements-2018T1"
BOM = b"\xef\xbb\xbf"
NBSP = "\u00a0"
#: The Gers communes with FttH-connectable premises at 2018 T1 (the README says 7).
GERS_WITH_FIBRE = {"32013", "32091", "32117", "32160", "32213", "32256", "32410"}


def context() -> ParseContext:
    """A parse context without communes (this parser needs none)."""
    return empty_context()


def parse(paths: list[Path]) -> Parsed:
    return ArcepDeploiementsSource().parse(paths, context=context())


@functools.cache
def parse_real(ftth: Path, communes: Path) -> Parsed:
    """The real files parsed once for all the tests that read them."""
    return parse([ftth, communes])


@pytest.fixture
def real(shared_data: Callable[[str], Path]) -> Parsed:
    return parse_real(shared_data(f"{REAL}/{FTTH_FILE}"), shared_data(f"{REAL}/{COMMUNES_FILE}"))


@pytest.fixture
def clean() -> Parsed:
    return parse([FIXTURES / FTTH_FILE, FIXTURES / COMMUNES_FILE])


def copy(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of the two fixture files, to be altered."""
    ftth, communes = tmp_path / FTTH_FILE, tmp_path / COMMUNES_FILE
    shutil.copyfile(FIXTURES / FTTH_FILE, ftth)
    shutil.copyfile(FIXTURES / COMMUNES_FILE, communes)
    return ftth, communes


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a UTF-8 file, checking the text was there."""
    text = path.read_bytes().decode("utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_bytes(text.replace(old, new).encode("utf-8"))


def append(path: Path, line: str) -> None:
    with path.open("ab") as out:
        out.write((line + "\r\n").encode("utf-8"))


# --- the real published files ---------------------------------------------------------------


def test_real_files_give_every_commune_of_2018(real: Parsed) -> None:
    table = real.table
    assert len(table) == 35_361
    assert table.index.is_unique
    assert table.index.name == "insee"
    assert real.edition == "2018-T1"
    assert real.edition_date == date(2018, 3, 31)
    assert real.warnings == ()
    assert real.notes == {"communes": 35_361, "with_ftth": 3_350}


def test_real_files_keep_codes_as_text_with_leading_zeros(real: Parsed) -> None:
    assert "01001" in real.table.index
    assert "1001" not in real.table.index
    assert {"2A004", "2B364", "97801"} <= set(real.table.index)
    assert (real.table.index.str.len() == 5).all()


def test_real_files_have_the_seven_gers_communes_with_fibre(real: Parsed) -> None:
    table = real.table
    gers = table[table.index.str.startswith("32")]
    assert set(gers.index[gers["ftth_connectable_premises"] > 0]) == GERS_WITH_FIBRE
    # Auch: the T1 2018 column, not T3 2017 (4,842) nor T4 2017 (5,364).
    assert table.loc["32013", "ftth_connectable_premises"] == 5_808
    assert table.loc["32013", "ftth_coverage_class"] == 25  # 5,808 of 14,470: 25-50 %
    # " 13 349    " and " 1 121    ", with no-break spaces between thousands.
    assert table.loc["32013", "housing_units"] == 13_349
    assert table.loc["32013", "establishments"] == 1_121
    assert table.loc["32013", "premises"] == 14_470


def test_real_files_read_a_dash_as_zero(real: Parsed) -> None:
    # Bezonvaux, a village destroyed in 1916: '-' homes and '-' establishments.
    assert real.table.loc["55050", ["housing_units", "establishments", "premises"]].eq(0).all()
    paris = real.table.loc["75056"]
    assert paris["premises"] == 1_362_182 + 149_289


# --- the documented format, on hand-written files -------------------------------------------


def test_fixture_files_give_the_documented_table(clean: Parsed) -> None:
    table = clean.table
    assert list(table.index) == ["99001", "99002", "99003", "99004"]
    assert list(table.columns) == [
        "ftth_connectable_premises",
        "ftth_coverage_class",
        "premises",
        "housing_units",
        "establishments",
    ]
    assert all(dtype == np.float64 for dtype in table.dtypes)
    assert table["ftth_connectable_premises"].tolist() == [0, 90, 300, 5]
    assert table["ftth_coverage_class"].tolist() == [0, 5, 80, 0]
    assert table["housing_units"].tolist() == [120, 1_050, 250, 0]
    assert table["establishments"].tolist() == [8, 50, 0, 0]
    assert table["premises"].tolist() == [128, 1_100, 250, 0]
    assert clean.edition == "2018-T1"
    assert clean.edition_date == date(2018, 3, 31)
    assert clean.warnings == ()


def test_files_are_recognised_in_either_order(clean: Parsed) -> None:
    parsed = parse([FIXTURES / COMMUNES_FILE, FIXTURES / FTTH_FILE])
    pd.testing.assert_frame_equal(parsed.table, clean.table)


def test_renamed_files_are_recognised_by_their_header(tmp_path: Path, clean: Parsed) -> None:
    ftth, communes = copy(tmp_path)
    parsed = parse([communes.rename(tmp_path / "a.csv"), ftth.rename(tmp_path / "b.csv")])
    pd.testing.assert_frame_equal(parsed.table, clean.table)


def test_lf_line_ends_read_like_crlf(tmp_path: Path, clean: Parsed) -> None:
    ftth, communes = copy(tmp_path)
    for path in (ftth, communes):
        path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    pd.testing.assert_frame_equal(parse([ftth, communes]).table, clean.table)


def test_the_latest_quarter_is_chosen_by_date_not_by_position(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    edit(ftth, "T3 2017,T4 2017,T1 2018", "T1 2018,T3 2017,T4 2017")
    parsed = parse([ftth, communes])
    assert parsed.edition == "2018-T1"
    # The first column now holds what the fixture has under T3 2017.
    assert parsed.table.loc["99002", "ftth_connectable_premises"] == 10


def test_a_shifted_header_is_found_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    ftth, communes = copy(tmp_path)
    edit(ftth, ",,,,\r\n,,,,\r\n", ",,,,\r\n")
    parsed = parse([ftth, communes])
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any(f"{FTTH_FILE}: the header is on line 4, not 5" in w for w in parsed.warnings)


def test_downloads_tell_the_user_to_import_the_files() -> None:
    with pytest.raises(SourceError, match="relocate data import arcep-deploiements") as info:
        ArcepDeploiementsSource().downloads(departement="32")
    assert FTTH_FILE in str(info.value)
    assert COMMUNES_FILE in str(info.value)


def test_a_missing_file_is_named() -> None:
    with pytest.raises(SourceFormatError, match=rf"{COMMUNES_FILE} missing"):
        parse([FIXTURES / FTTH_FILE])


def test_a_file_given_twice_is_an_error(tmp_path: Path) -> None:
    twin = tmp_path / "ftthCommunes (2).csv"
    shutil.copyfile(FIXTURES / FTTH_FILE, twin)
    with pytest.raises(SourceFormatError, match="give each once"):
        parse([FIXTURES / FTTH_FILE, twin, FIXTURES / COMMUNES_FILE])


def test_files_of_different_quarters_are_an_error(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    edit(communes, "OI 2018 T1", "OI 2017 T4")
    with pytest.raises(SourceFormatError, match="different editions"):
        parse([ftth, communes])


def test_no_quarter_column_is_an_error(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    edit(ftth, "T3 2017,T4 2017,T1 2018", "2017-3,2017-4,2018-1")
    with pytest.raises(SourceFormatError, match=rf"{FTTH_FILE}, line 5: no quarter column"):
        parse([ftth, communes])


def test_a_commune_in_one_file_only_is_kept_and_counted(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    append(communes, "99005,Fixture village E,99,99,999000001, 10    , 1    , -    ,,,,,")
    parsed = parse([ftth, communes])
    assert parsed.table.loc["99005", "premises"] == 11
    assert pd.isna(parsed.table.loc["99005", "ftth_connectable_premises"])
    assert any("1 communes are in only one of" in w for w in parsed.warnings)


def test_another_field_is_left_out_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    ftth, communes = copy(tmp_path)
    append(ftth, "99001,Locaux Raccordés,0,0,0")
    parsed = parse([ftth, communes])
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any("1 rows of another 'Champ'" in w for w in parsed.warnings)


def test_a_missing_field_is_an_error(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    text = ftth.read_bytes().decode("utf-8")
    kept = [line for line in text.split("\r\n") if "Catégorie" not in line]
    ftth.write_bytes("\r\n".join(kept).encode("utf-8"))
    with pytest.raises(SourceFormatError, match=r"no row with 'catégorie'"):
        parse([ftth, communes])


# --- bad files: repaired with a counted warning, or named in an error -----------------------


def test_a_byte_order_mark_is_removed_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    ftth, communes = copy(tmp_path)
    communes.write_bytes(BOM + communes.read_bytes())
    parsed = parse([ftth, communes])
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any(f"{COMMUNES_FILE}: a UTF-8 byte-order mark" in w for w in parsed.warnings)


def test_a_latin1_file_is_read_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    ftth, communes = copy(tmp_path)
    # The no-break space of " 1 050 " has a Latin-1 byte too.
    communes.write_bytes(communes.read_bytes().decode("utf-8").encode("latin-1"))
    parsed = parse([ftth, communes])
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any(f"{COMMUNES_FILE}: not utf-8" in w and "line 1" in w for w in parsed.warnings)


def test_another_separator_is_read_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    ftth, communes = copy(tmp_path)
    ftth.write_bytes(ftth.read_bytes().replace(b",", b";"))
    parsed = parse([ftth, communes])
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any(f"{FTTH_FILE}: columns separated by ';'" in w for w in parsed.warnings)


def test_a_renamed_column_is_named_with_its_new_name(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    edit(communes, ",Logements,", ",Logement,")
    with pytest.raises(
        SourceFormatError,
        match=rf"{COMMUNES_FILE}, line 5: column 'Logements' is missing; found 'Logement'",
    ):
        parse([ftth, communes])


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    edit(ftth, "Code commune,Champ,", "Code commune,Mesure,")
    with pytest.raises(SourceFormatError, match=rf"{FTTH_FILE}, line 5: column 'Champ'"):
        parse([ftth, communes])


def test_an_exactly_repeated_row_is_dropped_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    ftth, communes = copy(tmp_path)
    append(ftth, "99002,Locaux Raccordables,10,40,90")
    parsed = parse([ftth, communes])
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any(f"{FTTH_FILE}: 1 repeated" in w for w in parsed.warnings)


def test_two_different_rows_for_one_commune_name_both_lines(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    append(ftth, "99002,Locaux Raccordables,10,40,91")
    with pytest.raises(SourceFormatError, match=rf"{FTTH_FILE}, lines 8 and 14: .*99002"):
        parse([ftth, communes])


def test_two_rows_for_one_commune_in_communes_name_both_lines(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    append(communes, "99001,Fixture village A,99,99,999000001, 121    , 8    , -    ,,,,,")
    with pytest.raises(SourceFormatError, match=rf"{COMMUNES_FILE}, lines 6 and 10: .*99001"):
        parse([ftth, communes])


def test_a_count_that_is_not_a_number_names_file_line_and_column(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    edit(ftth, "99003,Locaux Raccordables,0,0,300", "99003,Locaux Raccordables,0,0,3OO")
    with pytest.raises(
        SourceFormatError, match=rf"{FTTH_FILE}, line 10, column 'T1 2018': '3OO' is not a number"
    ):
        parse([ftth, communes])


def test_a_premises_count_that_is_not_a_number_names_the_line(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    edit(communes, " 250    ,", " n.c.    ,")
    with pytest.raises(
        SourceFormatError, match=rf"{COMMUNES_FILE}, line 8, column 'Logements': .* not a number"
    ):
        parse([ftth, communes])


def test_a_negative_count_names_the_line(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    edit(communes, " 120    ,", " -120    ,")
    with pytest.raises(
        SourceFormatError, match=rf"{COMMUNES_FILE}, line 6, column 'Logements': .* not a count"
    ):
        parse([ftth, communes])


def test_codes_written_as_integers_are_padded_with_a_warning(tmp_path: Path) -> None:
    ftth, communes = copy(tmp_path)
    append(ftth, "1999,Locaux Raccordables,0,0,7")
    append(ftth, "1999,Catégorie,0,0,5")
    append(communes, "1999,Fixture village Z,84,1,999000001, 70    , -    , -    ,,,,,")
    parsed = parse([ftth, communes])
    assert parsed.table.loc["01999", "ftth_connectable_premises"] == 7
    assert parsed.table.loc["01999", "premises"] == 70
    padded = [w for w in parsed.warnings if "codes in column 'Code commune'" in w]
    assert len(padded) == 2
    assert padded[0].startswith(f"{FTTH_FILE}: 2 codes")  # its two rows
    assert padded[1].startswith(f"{COMMUNES_FILE}: 1 codes")
