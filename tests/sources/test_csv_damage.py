"""Damaged and odd files: each is read, with a counted warning, or refused with one line."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import pytest

from relocate.errors import SourceFormatError
from relocate.sources._csv import CsvSpec, read_checked_csv, size_text

SPEC = CsvSpec(sep=";", required=["code_insee", "count"])


def write(tmp_path: Path, data: str | bytes, name: str = "fixture.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def refused(path: Path, spec: CsvSpec = SPEC) -> str:
    with pytest.raises(SourceFormatError) as info:
        read_checked_csv(path, spec)
    message = str(info.value)
    assert "\n" not in message
    return message


# --- a last line cut short -------------------------------------------------------------------


def test_a_last_line_with_missing_fields_and_no_line_break_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "code_insee;count;name\n99001;1;Fixture A\n99002;2")
    assert refused(path) == (
        "fixture.csv, line 3: the last line is cut (2 of 3 fields) and the file does not end "
        "with a line break: an interrupted download or a truncated copy; download the file again"
    )


def test_a_file_ending_inside_a_quoted_value_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, 'code_insee;count;name\n99001;1;"Fixture A\n99002')
    assert "line 2: the file ends inside a quoted value" in refused(path)


def test_a_quote_left_open_after_a_line_break_is_refused(tmp_path: Path) -> None:
    # Cut just after a line break inside a quoted value: the file ends with a line break.
    path = write(tmp_path, 'code_insee;count;name\n99001;1;"Fixture\n')
    assert "the file ends inside a quoted value" in refused(path)


def test_a_complete_last_line_without_a_line_break_is_read(tmp_path: Path) -> None:
    table = read_checked_csv(write(tmp_path, "code_insee;count\n99001;1\n99002;2"), SPEC)
    assert table.frame["count"].tolist() == ["1", "2"]
    assert table.warnings == []


def test_a_stray_quote_in_a_last_line_without_a_line_break_is_text(tmp_path: Path) -> None:
    path = write(tmp_path, 'code_insee;count;name\n99001;1;Fixture 12" A')
    table = read_checked_csv(path, SPEC)
    assert table.frame["name"].tolist() == ['Fixture 12" A']


def test_short_rows_inside_the_file_are_padded_and_counted(tmp_path: Path) -> None:
    text = "code_insee;count;name\n99001;1\n99002;2;Fixture B\n99003;3\n"
    table = read_checked_csv(write(tmp_path, text), SPEC)
    assert table.frame["name"].tolist() == ["", "Fixture B", ""]
    assert table.warnings == [
        "fixture.csv: 2 rows have fewer fields than the header and were read with empty "
        "values for the missing ones (first at line 2)"
    ]


# --- line endings, long values, columns --------------------------------------------------


def test_carriage_returns_alone_end_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "code_insee;count\r99001;1\r\r99002;x\r")
    table = read_checked_csv(path, SPEC)
    assert table.frame["code_insee"].tolist() == ["99001", "99002"]
    assert table.lines is not None
    assert table.lines.tolist() == [2, 4]
    assert table.where(1, "count") == "fixture.csv, line 4, column 'count'"


def test_a_value_over_the_csv_limit_is_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, 'code_insee;count\n99001;1\n99002;"' + "x" * 140_000 + '"\n')
    assert refused(path) == (
        "fixture.csv, line 3: a value longer than 131,072 characters (a quote that is never "
        "closed?)"
    )


def test_a_quote_never_closed_is_one_line(tmp_path: Path) -> None:
    rows = "".join(f"9900{i % 10};{i}\n" for i in range(20_000))
    path = write(tmp_path, 'code_insee;count\n99001;"1\n' + rows)
    message = refused(path)
    assert message.startswith("fixture.csv, line 2: ")
    assert "quote" in message


def test_a_required_column_given_twice_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "code_insee;count;name;count\n99001;1;A;2\n")
    assert refused(path) == (
        "fixture.csv, line 1: column 'count' appears twice (columns 2 and 4); rename or "
        "remove one of them"
    )


def test_a_column_given_twice_that_is_not_kept_is_ignored(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["code_insee", "count"], usecols=["code_insee", "count"])
    path = write(tmp_path, "code_insee;count;note;note\n99001;1;a;b\n")
    table = read_checked_csv(path, spec)
    assert list(table.frame.columns) == ["code_insee", "count"]


def test_columns_without_a_name_are_not_kept(tmp_path: Path) -> None:
    table = read_checked_csv(write(tmp_path, "code_insee;count;;\n99001;1;;\n"), SPEC)
    assert list(table.frame.columns) == ["code_insee", "count"]


def test_nul_bytes_at_the_start_are_binary_data(tmp_path: Path) -> None:
    path = write(tmp_path, b"code_insee;count\n99001;\x00\x01\x02\x03;\n" + bytes(range(256)))
    assert refused(path) == "fixture.csv, line 2: a NUL byte: binary data, not a CSV text file"


# --- not CSV text ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_is_refused_saying_to_save_it_as_utf8(tmp_path: Path, encoding: str) -> None:
    path = write(tmp_path, "code_insee;count\n99001;1\n".encode(encoding))
    message = refused(path)
    assert message.startswith("fixture.csv: the file ")
    assert "UTF-" in message
    assert "save it as UTF-8" in message


@pytest.mark.parametrize(
    ("data", "said"),
    [
        (b"PK\x03\x04rest of an archive", "a zip archive"),
        (gzip.compress(b"code_insee;count\n"), "gzip-compressed"),
        (b"<!DOCTYPE html><html><body>Not found</body></html>", "a web page (HTML)"),
        (b"%PDF-1.7 ...", "a PDF document"),
    ],
)
def test_other_formats_are_named(tmp_path: Path, data: bytes, said: str) -> None:
    assert said in refused(write(tmp_path, data))


def test_a_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    spec = CsvSpec(sep=";", required=["code_insee", "count"], max_bytes=1000)
    path = write(tmp_path, "code_insee;count\n" + "99001;1\n" * 200)
    assert refused(path, spec) == (
        "fixture.csv: more than 1000 bytes, far larger than the source publishes: not the "
        "expected file, or a damaged one"
    )


def test_an_empty_file_and_a_bom_alone_are_empty(tmp_path: Path) -> None:
    assert "the file is empty" in refused(write(tmp_path, b""))
    assert "the file is empty" in refused(write(tmp_path, b"\xef\xbb\xbf"))


def test_a_folder_is_one_line(tmp_path: Path) -> None:
    folder = tmp_path / "fixture.csv"
    folder.mkdir()
    assert refused(folder).startswith("cannot read fixture.csv: ")


def test_an_opener_reads_a_member_of_an_archive(tmp_path: Path) -> None:
    archive = tmp_path / "fixture.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("inside.csv", "code_insee;count\n99001;1\n")

    def opener() -> io.BufferedIOBase:
        return zipfile.ZipFile(archive).open("inside.csv")  # type: ignore[return-value]

    table = read_checked_csv(Path("inside.csv"), SPEC, opener=opener)
    assert table.frame["count"].tolist() == ["1"]


def test_repeated_values_share_one_string(tmp_path: Path) -> None:
    table = read_checked_csv(
        write(tmp_path, "code_insee;count\n" + "99001;1\n" * 5), CsvSpec(sep=";", required=[])
    )
    assert table.frame["code_insee"].nunique() == 1
    assert len(table.frame) == 5


def test_size_text() -> None:
    assert size_text(200 << 20) == "200 MiB"
    assert size_text(999) == "999 bytes"
