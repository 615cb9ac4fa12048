"""The ARCEP "Ma connexion internet" parser, on hand-written files in the published format."""

from __future__ import annotations

import itertools
import math
import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from relocate.errors import SourceFormatError
from relocate.sources.arcep import (
    BEST_FILE,
    BEST_TECHNOLOGIES,
    TECHNO_FILE,
    WIRED_FILE,
    ArcepSource,
    quarter_of,
)
from relocate.sources.opendata import ParseContext, Parsed
from tests.conftest import empty_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arcep"
FILES = (WIRED_FILE, BEST_FILE, TECHNO_FILE)
BOM = b"\xef\xbb\xbf"


def context() -> ParseContext:
    """A parse context without communes (the ARCEP parsers need none)."""
    return empty_context()


def parse(paths: list[Path]) -> Parsed:
    return ArcepSource().parse(paths, context=context())


def copy(tmp_path: Path, names: tuple[str, ...] = FILES) -> list[Path]:
    """Copy fixture files into tmp_path (to be altered there)."""
    paths = []
    for name in names:
        dest = tmp_path / name
        shutil.copyfile(FIXTURES / name, dest)
        paths.append(dest)
    return paths


def edit(path: Path, old: str, new: str) -> None:
    """Replace text in a UTF-8 fixture copy, checking the text was there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def clean() -> Parsed:
    return parse([FIXTURES / name for name in FILES])


# --- the documented format ------------------------------------------------------------------


def test_fixture_files_give_the_documented_table(clean: Parsed) -> None:
    table = clean.table
    assert table.index.name == "insee"
    assert list(table.index) == ["99001", "99002", "99003", "99004"]
    assert all(isinstance(code, str) for code in table.index)
    expected_columns = [
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
    assert list(table.columns) == expected_columns
    assert all(dtype == np.float64 for dtype in table.dtypes)
    a = table.loc["99001"]
    assert a["premises"] == 200
    assert a["wired_8_premises"] == 180
    assert a["wired_30_premises"] == 160
    assert a["wired_100_premises"] == 150
    assert a["wired_1g_premises"] == 150
    assert a["ftth_premises"] == 150
    assert a["best_cu_30_premises"] == 10
    assert a["best_cu_8_premises"] == 20
    assert a["best_4gf_premises"] == 15
    assert a["best_sat_premises"] == 5
    assert a["best_total_premises"] == 200
    assert a["copper_premises"] == 190
    b = table.loc["99002"]
    assert (b["premises"], b["best_total_premises"], b["wired_30_premises"]) == (80, 76, 0)
    assert table.loc["99004", "best_coax_premises"] == 100
    assert clean.edition == "2025-T2"
    assert clean.edition_date == date(2025, 6, 30)
    assert clean.warnings == ()
    assert clean.notes == {"communes": 4}


def test_files_are_recognised_in_any_order(clean: Parsed) -> None:
    for order in itertools.permutations(FILES):
        parsed = parse([FIXTURES / name for name in order])
        pd.testing.assert_frame_equal(parsed.table, clean.table)
        assert parsed.edition == clean.edition


def test_techno_file_is_optional(clean: Parsed) -> None:
    parsed = parse([FIXTURES / BEST_FILE, FIXTURES / WIRED_FILE])
    assert parsed.table["copper_premises"].isna().all()
    pd.testing.assert_frame_equal(
        parsed.table.drop(columns="copper_premises"),
        clean.table.drop(columns="copper_premises"),
    )


def test_a_renamed_best_technology_file_is_recognised_by_its_header(
    tmp_path: Path, clean: Parsed
) -> None:
    wired, best = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    renamed = best.rename(tmp_path / "download (1).csv")
    parsed = parse([renamed, wired])
    pd.testing.assert_frame_equal(
        parsed.table.drop(columns="copper_premises"),
        clean.table.drop(columns="copper_premises"),
    )


def test_downloads_are_the_wired_best_and_techno_files_of_the_last_edition() -> None:
    items = ArcepSource().downloads(departement="32")
    assert [item.filename for item in items] == [WIRED_FILE, BEST_FILE, TECHNO_FILE]
    for item in items:
        assert item.url == (
            "https://data.arcep.fr/fixe/maconnexioninternet/statistiques/last/commune/"
            + item.filename
        )
    assert not any(item.filename == "commune_debit.csv" for item in items)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-30", (2025, 2, True)),
        ("2026-03-31", (2026, 1, True)),
        ("2025-12-31", (2025, 4, True)),
        ("30/09/2025", (2025, 3, True)),
        ("2025-05-15", (2025, 2, False)),
        ("2025-T2", (2025, 2, True)),
        ("2025_T4", (2025, 4, True)),
        ("T2 2025", (2025, 2, True)),
        ("t1-2024", (2024, 1, True)),
        ("2025-02-30", None),
        ("2025-T5", None),
        ("last", None),
    ],
)
def test_quarter_of_reads_dates_and_quarter_labels(
    text: str, expected: tuple[int, int, bool] | None
) -> None:
    assert quarter_of(text) == expected


# --- traps of the published files -----------------------------------------------------------


@pytest.mark.parametrize("name", ["commune_debit.csv", "commune_debit_terrestre.csv"])
def test_speed_files_other_than_the_wired_one_are_refused(tmp_path: Path, name: str) -> None:
    _, best = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    other = tmp_path / name
    shutil.copyfile(FIXTURES / WIRED_FILE, other)
    with pytest.raises(SourceFormatError, match=rf"{name}: .*{WIRED_FILE}"):
        parse([other, best])


def test_a_renamed_speed_file_is_refused_rather_than_guessed(tmp_path: Path) -> None:
    wired, best = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    renamed = wired.rename(tmp_path / "export.csv")
    with pytest.raises(SourceFormatError, match=r"export\.csv: .*keep the published name"):
        parse([renamed, best])


def test_a_required_file_missing_is_named() -> None:
    with pytest.raises(SourceFormatError, match=rf"{WIRED_FILE} missing"):
        parse([FIXTURES / BEST_FILE, FIXTURES / TECHNO_FILE])


def test_a_file_given_twice_is_an_error(tmp_path: Path) -> None:
    twin = tmp_path / "commune_meilleure_techno_thd (2).csv"
    shutil.copyfile(FIXTURES / BEST_FILE, twin)
    with pytest.raises(SourceFormatError, match="give each file once"):
        parse([FIXTURES / WIRED_FILE, FIXTURES / BEST_FILE, twin])


def test_files_of_different_editions_are_an_error(tmp_path: Path) -> None:
    wired, best = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    edit(wired, "2025-06-30", "2025-03-31")
    with pytest.raises(SourceFormatError, match="different editions") as info:
        parse([wired, best])
    assert WIRED_FILE in str(info.value)
    assert BEST_FILE in str(info.value)


def test_two_dates_in_one_file_name_the_line(tmp_path: Path) -> None:
    wired, best = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    edit(best, "0;0;0;2025-06-30\n99004", "0;0;0;2025-03-31\n99004")
    with pytest.raises(SourceFormatError, match=rf"{BEST_FILE}, line 4, column 'date'"):
        parse([wired, best])


def test_a_date_inside_a_quarter_is_read_as_that_quarter_with_a_warning(tmp_path: Path) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    for path in paths:
        edit(path, "2025-06-30", "2025-05-15")
    parsed = parse(paths)
    assert parsed.edition == "2025-T2"
    assert parsed.edition_date == date(2025, 6, 30)
    assert any("not the end of a quarter" in w for w in parsed.warnings)


def test_a_date_that_is_no_date_names_the_line(tmp_path: Path) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    for path in paths:
        edit(path, "2025-06-30", "juin 2025")
    with pytest.raises(SourceFormatError, match=r"line 2, column 'date': 'juin 2025'"):
        parse(paths)


def test_rows_of_another_type_are_left_out_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    paths = copy(tmp_path)
    with paths[0].open("a", encoding="utf-8") as out:
        out.write("99001;Fixture village A;99;99;40;pro;0;40;40;40;40;40;40;2025-06-30\n")
    parsed = parse(paths)
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any("1 rows of another type than 'all'" in w for w in parsed.warnings)


def test_technologies_that_do_not_add_up_are_counted(tmp_path: Path) -> None:
    paths = copy(tmp_path)
    edit(paths[1], "99;99;200;all;200;150", "99;99;200;all;199;150")
    parsed = parse(paths)
    assert any("in 1 communes the technologies do not add up" in w for w in parsed.warnings)


def test_a_commune_missing_from_one_file_is_kept_and_counted(tmp_path: Path) -> None:
    paths = copy(tmp_path)
    edit(paths[0], "99002;Fixture village B;99;99;80;all;10;70;60;40;0;0;0;2025-06-30\n", "")
    parsed = parse(paths)
    assert "99002" in parsed.table.index
    assert math.isnan(parsed.table.loc["99002", "wired_30_premises"])
    assert parsed.table.loc["99002", "ftth_premises"] == 0
    assert any("1 communes are in only one of" in w for w in parsed.warnings)


def test_fibre_counts_disagreeing_between_files_are_counted(tmp_path: Path) -> None:
    paths = copy(tmp_path)
    edit(paths[2], "99;99;200;all;150", "99;99;200;all;149")
    parsed = parse(paths)
    assert parsed.table.loc["99001", "ftth_premises"] == 150
    assert any("different number of FttH-eligible" in w for w in parsed.warnings)


# --- bad files: repaired with a counted warning, or named in an error -----------------------


def test_a_byte_order_mark_is_removed_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    paths = copy(tmp_path)
    paths[1].write_bytes(BOM + paths[1].read_bytes())
    parsed = parse(paths)
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any(f"{BEST_FILE}: a UTF-8 byte-order mark" in w for w in parsed.warnings)


def test_a_latin1_file_is_read_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    paths = copy(tmp_path)
    paths[0].write_bytes(paths[0].read_text(encoding="utf-8").encode("latin-1"))
    parsed = parse(paths)
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any(f"{WIRED_FILE}: not utf-8" in w and "line 5" in w for w in parsed.warnings)


@pytest.mark.parametrize("separator", [",", "\t"])
def test_another_separator_is_read_with_a_warning(
    tmp_path: Path, clean: Parsed, separator: str
) -> None:
    paths = copy(tmp_path)
    text = paths[2].read_text(encoding="utf-8")
    paths[2].write_text(text.replace(";", separator), encoding="utf-8")
    parsed = parse(paths)
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any(f"{TECHNO_FILE}: columns separated by {separator!r}" in w for w in parsed.warnings)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    lines = paths[0].read_text(encoding="utf-8").splitlines()
    # Drop the elig_thd30 column (the 11th) from every line.
    paths[0].write_text(
        "\n".join(";".join(c for i, c in enumerate(line.split(";")) if i != 10) for line in lines)
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(
        SourceFormatError, match=rf"{WIRED_FILE}, line 1: column 'elig_thd30' is missing"
    ):
        parse(paths)


def test_a_renamed_column_is_named_with_its_new_name(tmp_path: Path) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    edit(paths[1], ";elig_ftth;", ";elig_fttH_;")
    with pytest.raises(
        SourceFormatError, match=r"column 'elig_ftth' is missing; found 'elig_fttH_': renamed\?"
    ):
        parse(paths)


def test_an_exactly_repeated_row_is_dropped_with_a_warning(tmp_path: Path, clean: Parsed) -> None:
    paths = copy(tmp_path)
    with paths[1].open("a", encoding="utf-8") as out:
        out.write("99002;Fixture village B;99;99;80;all;76;0;0;0;0;40;30;0;6;2025-06-30\n")
    parsed = parse(paths)
    pd.testing.assert_frame_equal(parsed.table, clean.table)
    assert any(f"{BEST_FILE}: 1 repeated commune rows were dropped" in w for w in parsed.warnings)


def test_two_different_rows_for_one_commune_name_both_lines(tmp_path: Path) -> None:
    paths = copy(tmp_path)
    with paths[1].open("a", encoding="utf-8") as out:
        out.write("99002;Fixture village B;99;99;81;all;77;1;0;0;0;40;30;0;6;2025-06-30\n")
    with pytest.raises(SourceFormatError, match=rf"{BEST_FILE}, lines 3 and 6: .* 99002"):
        parse(paths)


@pytest.mark.parametrize("value", ["12a", "n/a"])
def test_a_count_that_is_not_a_number_names_file_line_and_column(
    tmp_path: Path, value: str
) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    edit(paths[0], "99;99;80;all;10;70;60;40;0;0;0", f"99;99;80;all;10;70;60;40;{value};0;0")
    with pytest.raises(
        SourceFormatError, match=rf"{WIRED_FILE}, line 3, column 'elig_thd30': .* not a number"
    ):
        parse(paths)


def test_an_empty_cell_is_a_missing_value_counted_in_a_warning(
    tmp_path: Path, clean: Parsed
) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    edit(paths[0], "99;99;80;all;10;70;60;40;0;0;0", "99;99;80;all;10;70;60;40;;0;")
    parsed = parse(paths)
    table = parsed.table
    # That commune gets no value from those columns; the others, and its other columns, stay.
    missing = table.loc[table["wired_30_premises"].isna()]
    assert len(missing) == 1
    assert table["wired_100_premises"].isna().sum() == 0
    assert table["wired_1g_premises"].isna().sum() == 1
    # Without the optional techno file, copper is unknown everywhere, in both.
    assert (
        table.notna().sum().sum()
        == clean.table.drop(columns="copper_premises").notna().sum().sum() - 2
    )
    [warning] = [w for w in parsed.warnings if "empty cells" in w]
    assert warning == (
        f"{WIRED_FILE}: 2 empty cells in 1 communes (first at line 3, column 'elig_thd30') "
        "read as missing values: those communes get no value from those columns"
    )


def test_a_commune_with_an_empty_cell_has_no_share_rather_than_zero(tmp_path: Path) -> None:
    from relocate.features.broadband import wired_30mbps_share_pct

    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    edit(paths[0], "99;99;80;all;10;70;60;40;0;0;0", "99;99;80;all;10;70;60;40;;0;0")
    table = parse(paths).table
    code = table.index[table["wired_30_premises"].isna()][0]
    villages = pd.DataFrame(index=pd.Index([code], name="insee"))
    assert wired_30mbps_share_pct(villages, table).isna().all()


@pytest.mark.parametrize("value", ["-4", "2.5"])
def test_a_count_that_is_not_a_whole_number_names_the_line(tmp_path: Path, value: str) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    edit(paths[1], "99;99;80;all;76;0;0;0;0;40", f"99;99;80;all;76;0;0;0;0;{value}")
    with pytest.raises(
        SourceFormatError, match=rf"{BEST_FILE}, line 3, column 'elig_cu_8': .* not a count"
    ):
        parse(paths)


def test_codes_written_as_integers_are_padded_with_a_warning(tmp_path: Path) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    with paths[0].open("a", encoding="utf-8") as out:
        out.write("1999;Fixture village Z;1;84;10;all;0;10;10;10;10;10;0;2025-06-30\n")
    with paths[1].open("a", encoding="utf-8") as out:
        out.write("1999;Fixture village Z;1;84;10;all;10;10;0;0;0;0;0;0;0;2025-06-30\n")
    parsed = parse(paths)
    assert parsed.table.loc["01999", "ftth_premises"] == 10
    assert "1999" not in parsed.table.index
    padded = [w for w in parsed.warnings if "1 codes in column 'code_insee'" in w]
    assert [w.split(":")[0] for w in padded] == [WIRED_FILE, BEST_FILE]


def test_a_code_that_is_no_commune_code_names_the_line(tmp_path: Path) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    edit(paths[1], "99003;Fixture village C", "Total;Fixture village C")
    with pytest.raises(
        SourceFormatError, match=rf"{BEST_FILE}, line 4, column 'code_insee': 'Total'"
    ):
        parse(paths)


def test_a_header_without_rows_is_an_error(tmp_path: Path) -> None:
    paths = copy(tmp_path, (WIRED_FILE, BEST_FILE))
    header = paths[0].read_text(encoding="utf-8").splitlines()[0]
    paths[0].write_text(header + "\n", encoding="utf-8")
    with pytest.raises(SourceFormatError, match=rf"{WIRED_FILE}: no data row"):
        parse(paths)
