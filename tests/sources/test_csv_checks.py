"""Checked CSV reading: every bad file is repaired with a counted warning or named in an error."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from relocate.errors import RelocateError, SourceFormatError
from relocate.sources._csv import (
    CsvSpec,
    TableRead,
    drop_duplicate_communes,
    insee_codes,
    numbers,
    plain_key,
    read_checked_csv,
)

SPEC = CsvSpec(sep=";", required=["code_insee", "count"])
BOM = b"\xef\xbb\xbf"


def write(tmp_path: Path, text: str | bytes, name: str = "fixture.csv") -> Path:
    """Write a fixture file (text as UTF-8 with '\\n' line ends, or raw bytes)."""
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def read(tmp_path: Path, text: str | bytes, spec: CsvSpec = SPEC) -> TableRead:
    return read_checked_csv(write(tmp_path, text), spec)


# --- reading, encoding, separator ------------------------------------------------------------


def test_clean_file_is_read_as_text_without_warnings(tmp_path: Path) -> None:
    table = read(tmp_path, "code_insee;count;name\n99001;012;Fixture A\n99002;;Fixture B\n")
    assert table.warnings == []
    assert list(table.frame.columns) == ["code_insee", "count", "name"]
    # Text, untouched: leading zeros kept, empty cells are "" (not NaN).
    assert table.frame["count"].tolist() == ["012", ""]
    assert table.first_data_line == 2
    assert table.line_of(1) == 3
    assert table.where(1, "count") == "fixture.csv, line 3, column 'count'"


def test_expected_bom_is_removed_silently(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["code_insee", "count"], bom_expected=True)
    table = read(tmp_path, BOM + b"code_insee;count\n99001;1\n", spec)
    assert table.warnings == []
    assert list(table.frame.columns) == ["code_insee", "count"]


def test_unexpected_bom_is_removed_with_a_warning(tmp_path: Path) -> None:
    table = read(tmp_path, BOM + b"code_insee;count\n99001;1\n")
    assert table.warnings == ["fixture.csv: a UTF-8 byte-order mark was removed"]
    assert list(table.frame.columns) == ["code_insee", "count"]
    assert table.frame["code_insee"].tolist() == ["99001"]


def test_expected_bom_may_be_absent(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["code_insee", "count"], bom_expected=True)
    table = read(tmp_path, "code_insee;count\n99001;1\n", spec)
    assert table.warnings == []


def test_latin1_file_is_read_as_windows_1252_with_a_warning_naming_the_line(
    tmp_path: Path,
) -> None:
    text = "code_insee;count;name\n99001;1;Fixture A\n99002;2;Fixture Clairière\n"
    table = read(tmp_path, text.encode("latin-1"))
    assert table.frame["name"].tolist() == ["Fixture A", "Fixture Clairière"]
    [warning] = table.warnings
    assert warning.startswith("fixture.csv: not utf-8")
    assert "0xe8" in warning
    assert "line 3" in warning
    assert "character 23" in warning
    assert "Windows-1252" in warning


def test_latin1_line_is_counted_after_a_bom(tmp_path: Path) -> None:
    text = "code_insee;count;name\n99001;1;Fixture é\n"
    table = read(tmp_path, BOM + text.encode("latin-1"))
    assert table.frame["name"].tolist() == ["Fixture é"]
    assert len(table.warnings) == 2
    assert "line 2" in table.warnings[1]


def test_other_separator_is_repaired_with_a_warning(tmp_path: Path) -> None:
    table = read(tmp_path, "code_insee,count\n99001,1\n99002,2\n")
    assert table.warnings == ["fixture.csv: columns separated by ',', not ';'; read as such"]
    assert table.frame["count"].tolist() == ["1", "2"]


def test_tab_separator_is_repaired(tmp_path: Path) -> None:
    table = read(tmp_path, "code_insee\tcount\n99001\t1\n")
    assert "'\\t'" in table.warnings[0]
    assert table.frame["code_insee"].tolist() == ["99001"]


def test_other_separator_without_every_required_column_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "code_insee,total\n99001,1\n")
    with pytest.raises(SourceFormatError) as info:
        read_checked_csv(path, SPEC)
    message = str(info.value)
    assert message.startswith("fixture.csv, line 1: column ")
    assert "is missing" in message
    assert "';'-separated columns including code_insee, count" in message


def test_other_separator_error_names_the_column_really_missing(tmp_path: Path) -> None:
    path = write(tmp_path, "code_insee,total\n99001,1\n")
    with pytest.raises(SourceFormatError) as info:
        read_checked_csv(path, SPEC)
    message = str(info.value)
    assert message.startswith("fixture.csv, line 1: column 'count' is missing")
    assert "code_insee,total" not in message


def test_missing_column_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, "code_insee;date\n99001;2024-12-31\n", name="fixture-missing.csv")
    with pytest.raises(SourceFormatError) as info:
        read_checked_csv(path, SPEC)
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, RelocateError)
    message = str(info.value)
    assert message.startswith("fixture-missing.csv, line 1: column 'count' is missing")
    assert "renamed?" not in message  # nothing close to 'count'
    assert "\n" not in message


def test_renamed_column_is_suggested(tmp_path: Path) -> None:
    path = write(tmp_path, "code_commune_insee;count\n99001;1\n")
    with pytest.raises(SourceFormatError, match="column 'code_insee' is missing") as info:
        read_checked_csv(path, SPEC)
    assert "found 'code_commune_insee': renamed?" in str(info.value)


def test_empty_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match=r"^fixture\.csv: the file is empty"):
        read(tmp_path, "")


def test_title_lines_are_skipped_and_line_numbers_stay_right(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["code_insee", "count"], skip_lines=2)
    text = "Fixture title\nFixture subtitle;with;separators\ncode_insee;count\n99001;1\n99X02;2\n"
    table = read(tmp_path, text, spec)
    assert table.first_data_line == 4
    assert table.frame["code_insee"].tolist() == ["99001", "99X02"]
    with pytest.raises(SourceFormatError, match=r"fixture\.csv, line 5, column 'code_insee'"):
        insee_codes(table, "code_insee")


def test_missing_column_after_title_lines_names_the_header_line(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["code_insee", "count"], skip_lines=2)
    path = write(tmp_path, "Fixture title\n\ncode_insee;total\n99001;1\n")
    with pytest.raises(SourceFormatError, match=r"^fixture\.csv, line 3: column 'count'"):
        read_checked_csv(path, spec)


def test_header_prefix_is_removed_from_the_first_column(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["code_insee", "count"], header_prefix="#")
    table = read(tmp_path, "#code_insee;count\n99001;1\n", spec)
    assert list(table.frame.columns) == ["code_insee", "count"]
    assert table.frame["code_insee"].tolist() == ["99001"]
    assert table.warnings == []


def test_quoted_header_is_read(tmp_path: Path) -> None:
    table = read(tmp_path, '"code_insee";"count"\n"99001";"1"\n')
    assert list(table.frame.columns) == ["code_insee", "count"]


@pytest.mark.parametrize(
    "text",
    ["code_insee;count\n99001;1\n\n99X03;3\n", 'code_insee;count\n99001;"1\n"\n99X03;3\n'],
    ids=["blank-line", "multi-line-cell"],
)
def test_line_numbers_count_every_file_line(tmp_path: Path, text: str) -> None:
    table = read(tmp_path, text)
    with pytest.raises(SourceFormatError, match=r"line 4, column 'code_insee'"):
        insee_codes(table, "code_insee")


def test_row_with_an_extra_field_is_an_error_naming_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "Fixture title\ncode_insee;count\n99001;1\n99002;Fixture;2\n")
    spec = CsvSpec(sep=";", required=["code_insee", "count"], skip_lines=1)
    with pytest.raises(SourceFormatError, match=r"^fixture\.csv, line 4: 3 fields, but the header"):
        read_checked_csv(path, spec)


def test_extra_field_on_the_first_row_is_an_error_not_a_shift(tmp_path: Path) -> None:
    path = write(tmp_path, "code_insee;count\n99001;Fixture;1\n99002;2\n")
    with pytest.raises(SourceFormatError, match="line 2"):
        read_checked_csv(path, SPEC)


# --- commune codes ---------------------------------------------------------------------------


def codes_of(tmp_path: Path, *codes: str) -> tuple[list[str], TableRead]:
    rows = "".join(f"{code};1\n" for code in codes)
    table = read(tmp_path, "code_insee;count\n" + rows)
    return insee_codes(table, "code_insee").tolist(), table


def test_codes_written_as_integers_are_padded_with_a_counted_warning(tmp_path: Path) -> None:
    codes, table = codes_of(tmp_path, "9901", "99002", "9903.0", " 99004 ")
    assert codes == ["09901", "99002", "09903", "99004"]
    assert table.warnings == [
        "fixture.csv: 2 codes in column 'code_insee' were written as numbers "
        "and were restored as 5-character text"
    ]


def test_codes_written_as_floats_are_read(tmp_path: Path) -> None:
    codes, _ = codes_of(tmp_path, "99001.0", "9902.0")
    assert codes == ["99001", "09902"]


def test_five_digit_float_codes_are_counted_in_a_warning(tmp_path: Path) -> None:
    _, table = codes_of(tmp_path, "99001.0", "99002.0")
    assert any("2 codes" in w for w in table.warnings)


def test_corsican_and_overseas_codes_are_valid(tmp_path: Path) -> None:
    codes, table = codes_of(tmp_path, "2A999", "2B999", "97999", "99001")
    assert codes == ["2A999", "2B999", "97999", "99001"]
    assert table.warnings == []


@pytest.mark.parametrize(
    ("bad", "shown"),
    [
        ("99A01", "'99A01'"),
        ("990011", "'990011'"),
        ("", "''"),
        ("2C001", "'2C001'"),
        ("99 001", "'99 001'"),
    ],
)
def test_invalid_code_names_file_line_and_column(tmp_path: Path, bad: str, shown: str) -> None:
    table = read(tmp_path, f"code_insee;count\n99001;1\n{bad};2\n99003;3\n")
    with pytest.raises(SourceFormatError) as info:
        insee_codes(table, "code_insee")
    assert str(info.value) == (
        f"fixture.csv, line 3, column 'code_insee': {shown} is not an INSEE commune code"
    )


# --- numbers ---------------------------------------------------------------------------------


def test_numbers_are_floats_and_empty_cells_are_nan(tmp_path: Path) -> None:
    table = read(tmp_path, "code_insee;count\n99001;12\n99002;\n99003;-0.5\n99004;1e3\n")
    values = numbers(table, "count").tolist()
    assert values[0] == 12.0
    assert math.isnan(values[1])
    assert values[2:] == [-0.5, 1000.0]


def test_non_numeric_values_name_file_first_line_column_and_count(tmp_path: Path) -> None:
    text = "code_insee;count\n99001;1\n99002;n/a\n99003;3\n99004;x\n"
    table = read(tmp_path, text)
    with pytest.raises(SourceFormatError) as info:
        numbers(table, "count")
    assert str(info.value) == (
        "fixture.csv, line 3, column 'count': 'n/a' is not a number (2 such values in that column)"
    )


def test_declared_missing_markers_are_nan(tmp_path: Path) -> None:
    table = read(tmp_path, "code_insee;count\n99001;s\n99002;4\n99003;\n")
    values = numbers(table, "count", na_values=("", "s")).tolist()
    assert math.isnan(values[0]) and math.isnan(values[2])
    assert values[1] == 4.0


def test_thousands_separator_and_decimal_comma(tmp_path: Path) -> None:
    table = read(tmp_path, "code_insee;count\n99001;1 234,5\n99002;12,25\n99003;7\n")
    values = numbers(table, "count", thousands=" ", decimal=",").tolist()
    assert values == [1234.5, 12.25, 7.0]


def test_dot_thousands_with_decimal_comma(tmp_path: Path) -> None:
    table = read(tmp_path, "code_insee;count\n99001;1.234.567,5\n99002;0,5\n")
    values = numbers(table, "count", thousands=".", decimal=",").tolist()
    assert values == [1234567.5, 0.5]


def test_decimal_comma_without_option_is_an_error(tmp_path: Path) -> None:
    table = read(tmp_path, "code_insee;count\n99001;1,5\n")
    with pytest.raises(SourceFormatError, match=r"line 2, column 'count': '1,5' is not a number"):
        numbers(table, "count")


# --- duplicates ------------------------------------------------------------------------------


def test_identical_duplicate_rows_are_dropped_with_a_warning(tmp_path: Path) -> None:
    text = "code_insee;count\n99001;1\n99002;2\n99001;1\n99002;2\n99002;2\n99003;3\n"
    table = read(tmp_path, text)
    codes = insee_codes(table, "code_insee")
    keep = drop_duplicate_communes(table, codes, what="count")
    assert keep.tolist() == [True, True, False, False, False, True]
    assert codes[keep].tolist() == ["99001", "99002", "99003"]
    assert table.warnings == ["fixture.csv: 3 repeated count rows were dropped"]


def test_no_duplicates_no_warning(tmp_path: Path) -> None:
    table = read(tmp_path, "code_insee;count\n99001;1\n99002;1\n")
    keep = drop_duplicate_communes(table, insee_codes(table, "code_insee"), what="count")
    assert keep.all()
    assert table.warnings == []


def test_duplicates_are_compared_on_padded_codes(tmp_path: Path) -> None:
    # "9901" and "09901" are the same commune: two different rows for it are a clash.
    table = read(tmp_path, "code_insee;count\n9901;1\n09901;2\n")
    codes = insee_codes(table, "code_insee")
    with pytest.raises(SourceFormatError, match="commune 09901"):
        drop_duplicate_communes(table, codes, what="count")


def test_conflicting_duplicates_name_both_lines(tmp_path: Path) -> None:
    text = "code_insee;count\n99001;1\n99002;2\n99001;5\n99003;3\n"
    table = read(tmp_path, text)
    with pytest.raises(SourceFormatError) as info:
        drop_duplicate_communes(table, insee_codes(table, "code_insee"), what="count")
    assert str(info.value) == (
        "fixture.csv, lines 2 and 4: two different count rows for commune 99001"
    )


def test_conflicting_duplicates_after_exact_ones_name_the_file_lines(tmp_path: Path) -> None:
    # The exact repeat on line 3 is dropped; the clash is between lines 2 and 5.
    text = "code_insee;count\n99001;1\n99001;1\n99002;2\n99001;9\n"
    table = read(tmp_path, text)
    with pytest.raises(SourceFormatError, match=r"lines 2 and 5: .* commune 99001$"):
        drop_duplicate_communes(table, insee_codes(table, "code_insee"), what="count")


def test_interleaved_conflicts_name_two_lines_of_the_same_commune(tmp_path: Path) -> None:
    text = "code_insee;count\n99001;1\n99002;2\n99001;5\n99002;6\n"
    table = read(tmp_path, text)
    with pytest.raises(SourceFormatError) as info:
        drop_duplicate_communes(table, insee_codes(table, "code_insee"), what="count")
    assert str(info.value) == (
        "fixture.csv, lines 2 and 4: two different count rows for commune 99001"
    )


# --- other names, other published separators ------------------------------------------------


def test_a_column_under_another_published_name_is_read_under_its_own(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["code_insee", "count"], aliases={"count": ("Nombre",)})
    table = read(tmp_path, "code_insee;Nombre\n99001;3\nx;4\n", spec)
    assert list(table.frame.columns) == ["code_insee", "count"]
    assert table.warnings == []
    # Messages name the column as the file names it.
    with pytest.raises(SourceFormatError, match=r"line 3, column 'code_insee': 'x'"):
        insee_codes(table, "code_insee")
    with pytest.raises(SourceFormatError, match=r"column 'Nombre': 'n' is not a number"):
        numbers(read(tmp_path, "code_insee;Nombre\n99001;n\n", spec), "count")


def test_header_key_compares_names_without_case_or_accents(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["Libellé", "Code_INSEE"], header_key=plain_key)
    table = read(tmp_path, "LIBELLE;code insee\nA;99001\n", spec)
    assert list(table.frame.columns) == ["Libellé", "Code_INSEE"]
    assert table.original == {"Libellé": "LIBELLE", "Code_INSEE": "code insee"}


def test_a_separator_the_publisher_uses_is_read_without_a_warning(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", seps=(",",), required=["code_insee", "count"])
    assert read(tmp_path, "code_insee,count\n99001,3\n", spec).warnings == []
    other = read(tmp_path, "code_insee\tcount\n99001\t3\n", spec)
    assert other.warnings == ["fixture.csv: columns separated by '\\t', not ';'; read as such"]


def test_a_missing_column_names_its_other_names(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["code_insee", "count"], aliases={"count": ("Nombre",)})
    with pytest.raises(
        SourceFormatError, match=r"column 'count' is missing \(nor its other name 'Nombre'\)"
    ):
        read(tmp_path, "code_insee;total\n99001;3\n", spec)
