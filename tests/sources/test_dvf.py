"""DVF géolocalisées: house prices per commune from hand-written fixtures, and broken files."""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from relocate.errors import FetchError, SourceFormatError
from relocate.sources.dvf import (
    BASE_URL,
    LOW_CONFIDENCE_SALES,
    MAX_PRICE_EUR_M2,
    MIN_PRICE_EUR_M2,
    DvfSource,
    latest_full_year,
)
from relocate.sources.fetch import fetch_source
from relocate.sources.opendata import ParseContext, Parsed
from relocate.sources.store import Store
from tests.conftest import make_context
from tests.sources.conftest import Mirror

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "dvf"
Y2023 = FIXTURES / "dvf-2023-99.csv"
Y2024 = FIXTURES / "dvf-2024-99.csv.gz"


@pytest.fixture
def context(villages: gpd.GeoDataFrame) -> ParseContext:
    return make_context(villages)


def parse(files: list[Path], context: ParseContext) -> Parsed:
    return DvfSource().parse(files, context=context)


def rows_of(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_rows(path: Path, rows: list[list[str]], *, sep: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def edited(tmp_path: Path, change: Callable[[list[list[str]]], None], name: str = "99.csv") -> Path:
    """A copy of the 2023 fixture with ``change`` applied to its rows (header first)."""
    rows = rows_of(Y2023)
    change(rows)
    return write_rows(tmp_path / name, rows)


def set_cell(rows: list[list[str]], line: int, column: str, value: str) -> None:
    """Set one cell; ``line`` is the file's line number (the header is line 1)."""
    rows[line - 1][rows[0].index(column)] = value


# --- the hand-written fixtures --------------------------------------------------------------


def test_two_years_give_median_count_and_confidence_per_commune(context: ParseContext) -> None:
    parsed = parse([Y2023, Y2024], context)
    table = parsed.table
    assert table.index.name == "insee"
    assert list(table.index) == ["99001", "99002"]  # 99003 sold no house (a VEFA only)
    # 99001: 1500 (house with a garage and land), 2500, 2100, 2000, 2000 €/m².
    assert table.loc["99001", "house_price_eur_m2"] == 2000.0
    assert table.loc["99001", "house_sales"] == 5
    assert not table.loc["99001", "low_confidence"]
    assert table.loc["99002", "house_price_eur_m2"] == 1000.0
    assert table.loc["99002", "house_sales"] == 1
    assert table.loc["99002", "low_confidence"]
    assert LOW_CONFIDENCE_SALES == 5
    # The few sales behind a low-confidence median are kept, for their spread.
    assert list(table.loc["99002", "low_confidence_prices_eur_m2"]) == [1000.0]
    assert table.loc["99001", "low_confidence_prices_eur_m2"] is None


def test_edition_is_the_years_covered_dated_by_the_last_mutation(context: ParseContext) -> None:
    parsed = parse([Y2023, Y2024], context)
    assert parsed.edition == "2023-2024"
    assert parsed.edition_date == date(2024, 12, 15)
    # The period runs from the earliest sale to the latest, not from 1 January.
    first = min(row[rows_of(Y2023)[0].index("date_mutation")] for row in rows_of(Y2023)[1:])
    assert set(parsed.table["period_start"]) == {first}
    assert set(parsed.table["period_end"]) == {"2024-12-15"}
    assert parsed.warnings == ()


def test_a_half_first_year_is_said(context: ParseContext, tmp_path: Path) -> None:
    def second_half(rows: list[list[str]]) -> None:
        column = rows[0].index("date_mutation")
        for row in rows[1:]:
            row[column] = "2023-07-" + row[column][8:10]

    parsed = parse([edited(tmp_path, second_half), Y2024], context)
    assert set(parsed.table["period_start"]) <= {f"2023-07-{d:02d}" for d in range(1, 32)}
    assert any(
        w.startswith("the first year, 2023, starts on 2023-07-") and "second half" in w
        for w in parsed.warnings
    )


def test_set_aside_sales_are_counted(context: ParseContext) -> None:
    notes = parse([Y2023, Y2024], context).notes
    assert notes["sales_kept"] == 6
    assert notes["excluded_several_dwellings"] == 2  # two houses; a house and a flat
    assert notes["excluded_no_surface"] == 1
    assert notes["excluded_no_price"] == 0
    assert notes["excluded_price_bounds"] == 1  # 50,000 €/m²
    assert notes["low_confidence_communes"] == 1
    assert notes["unknown_commune_sales"] == 0


@pytest.mark.parametrize(
    ("price", "kept"),
    [(MIN_PRICE_EUR_M2 - 1, False), (MIN_PRICE_EUR_M2, True), (MAX_PRICE_EUR_M2, True),
     (MAX_PRICE_EUR_M2 + 1, False)],
)  # fmt: skip
def test_price_bounds_are_inclusive(
    context: ParseContext, tmp_path: Path, price: float, kept: bool
) -> None:
    # Mutation 2023-2 (line 5): a house of 80 m² in 99001.
    path = edited(tmp_path, lambda rows: set_cell(rows, 5, "valeur_fonciere", str(80 * price)))
    parsed = parse([path], context)
    assert parsed.table.loc["99001", "house_sales"] == (2 if kept else 1)
    assert parsed.notes["excluded_price_bounds"] == (1 if kept else 2)


def test_one_plain_year_alone(context: ParseContext) -> None:
    parsed = parse([Y2023], context)
    assert parsed.edition == "2023"
    assert parsed.edition_date == date(2023, 10, 10)
    assert parsed.table.loc["99001", "house_price_eur_m2"] == 2000.0  # 1500 and 2500
    assert parsed.table.loc["99001", "house_sales"] == 2
    assert parsed.table.loc["99001", "low_confidence"]


def test_one_gzipped_year_alone(context: ParseContext) -> None:
    parsed = parse([Y2024], context)
    assert parsed.edition == "2024"
    assert parsed.table["house_sales"].to_dict() == {"99001": 3}


def test_table_survives_the_store_parquet_round_trip(context: ParseContext, tmp_path: Path) -> None:
    table = parse([Y2023, Y2024], context).table
    table.to_parquet(tmp_path / "table.parquet")
    back = pd.read_parquet(tmp_path / "table.parquet")
    assert back.index.name == "insee"
    pd.testing.assert_frame_equal(back, table, check_dtype=False)


def test_arrondissement_codes_count_as_their_commune(
    make_villages: Callable[..., gpd.GeoDataFrame], tmp_path: Path
) -> None:
    communes = make_villages([{"code": "75056", "name": "Fixture Paris", "lon": 2.3, "lat": 48.8,
                               "departement": "75"}])  # fmt: skip

    def to_paris(rows: list[list[str]]) -> None:
        for line in range(2, len(rows) + 1):
            set_cell(rows, line, "code_commune", "75112" if line % 2 else "75105")

    parsed = parse([edited(tmp_path, to_paris)], make_context(communes, "75"))
    assert list(parsed.table.index) == ["75056"]
    assert parsed.notes["unknown_commune_sales"] == 0


def test_downloads_the_last_five_full_years() -> None:
    source = DvfSource()
    items = source.downloads(departement="32", today=date(2026, 11, 30))
    assert [i.url for i in items] == [
        f"https://files.data.gouv.fr/geo-dvf/latest/csv/{year}/departements/32.csv.gz"
        for year in range(2021, 2026)
    ]
    assert len({i.filename for i in items}) == 5
    assert all(i.filename.endswith("-32.csv.gz") for i in items)
    assert source.per_departement


def test_every_year_is_optional() -> None:
    items = DvfSource().downloads(departement="32", today=date(2026, 11, 30))
    assert all(item.optional for item in items)
    assert [item.what for item in items] == [f"DVF {year}" for year in range(2021, 2026)]


def test_a_year_the_server_does_not_have_is_skipped_with_a_warning(
    mirror: Mirror, tmp_path: Path, villages: gpd.GeoDataFrame
) -> None:
    source = DvfSource()
    last = latest_full_year(date.today())
    # The oldest year of the window is gone (between October and April, it may be).
    for year in range(last - 3, last + 1):
        mirror.add(f"{BASE_URL}/{year}/departements/99.csv.gz", Y2024.read_bytes())
    manifest = fetch_source(
        source,
        store=Store(tmp_path / "cache"),
        context=make_context(villages),
        session=mirror.session(),
        progress=False,
    )
    assert len(manifest.files) == 4
    [skipped] = [w for w in manifest.warnings if "skipped" in w]
    assert skipped.startswith(f"DVF {last - 4}: ")
    assert "answered 404" in skipped and skipped.endswith("skipped (not published there)")


def test_no_year_at_all_is_a_failed_fetch(mirror: Mirror, tmp_path: Path, villages) -> None:
    with pytest.raises(FetchError, match=r"none of the 5 files of dvf is published there"):
        fetch_source(
            DvfSource(),
            store=Store(tmp_path / "cache"),
            context=make_context(villages),
            session=mirror.session(),
            progress=False,
        )


def test_latest_full_year_waits_for_the_spring_release() -> None:
    assert latest_full_year(date(2026, 4, 30)) == 2024
    assert latest_full_year(date(2026, 5, 1)) == 2025
    items = DvfSource().downloads(departement="2A", today=date(2026, 1, 10))
    assert items[0].url.endswith("/2020/departements/2A.csv.gz")
    assert items[-1].url.endswith("/2024/departements/2A.csv.gz")


# --- broken files ---------------------------------------------------------------------------


def test_same_year_twice_is_read_once_with_a_warning(context: ParseContext, tmp_path: Path) -> None:
    copy = tmp_path / "copy.csv"
    copy.write_bytes(Y2023.read_bytes())
    parsed = parse([Y2023, copy, Y2024], context)
    assert any("copy.csv" in w and "already read" in w for w in parsed.warnings)
    assert parsed.table["house_sales"].to_dict() == {"99001": 5, "99002": 1}


def test_missing_year_is_warned(context: ParseContext, tmp_path: Path) -> None:
    later = tmp_path / "2025.csv.gz"
    text = gzip.decompress(Y2024.read_bytes()).decode("utf-8").replace("2024-", "2025-")
    later.write_bytes(gzip.compress(text.encode("utf-8")))
    parsed = parse([Y2023, later], context)
    assert parsed.edition == "2023-2025"
    assert any("no mutation dated 2024" in w for w in parsed.warnings)


def test_files_of_another_departement_are_refused(villages: gpd.GeoDataFrame) -> None:
    with pytest.raises(SourceFormatError, match=r"no mutation in département 32 .*for 99"):
        parse([Y2023], make_context(villages, "32"))


def test_latin1_file_is_read_with_a_warning(context: ParseContext, tmp_path: Path) -> None:
    path = tmp_path / "99.csv"
    path.write_bytes(Y2023.read_text(encoding="utf-8").encode("latin-1"))
    parsed = parse([path], context)
    assert any("not utf-8" in w and "99.csv" in w for w in parsed.warnings)
    assert parsed.table["house_sales"].to_dict() == {"99001": 2, "99002": 1}


def test_byte_order_mark_is_removed_with_a_warning(context: ParseContext, tmp_path: Path) -> None:
    path = tmp_path / "99.csv.gz"
    path.write_bytes(gzip.compress(b"\xef\xbb\xbf" + gzip.decompress(Y2024.read_bytes())))
    parsed = parse([path], context)
    assert any("99.csv.gz" in w and "byte-order mark" in w for w in parsed.warnings)
    assert parsed.table["house_sales"].to_dict() == {"99001": 3}


def test_semicolon_separator_is_repaired_with_a_warning(
    context: ParseContext, tmp_path: Path
) -> None:
    path = write_rows(tmp_path / "99.csv", rows_of(Y2023), sep=";")
    parsed = parse([path], context)
    assert any("separated by ';'" in w for w in parsed.warnings)
    assert parsed.table["house_price_eur_m2"].to_dict() == {"99001": 2000.0, "99002": 1000.0}


def test_missing_column_names_file_line_and_column(context: ParseContext, tmp_path: Path) -> None:
    def drop(rows: list[list[str]]) -> None:
        at = rows[0].index("type_local")
        for row in rows:
            del row[at]

    with pytest.raises(SourceFormatError, match=r"99\.csv, line 1: column 'type_local' is missing"):
        parse([edited(tmp_path, drop)], context)


def test_renamed_column_is_suggested(context: ParseContext, tmp_path: Path) -> None:
    def rename(rows: list[list[str]]) -> None:
        rows[0][rows[0].index("surface_reelle_bati")] = "surface_reelle_batie"

    with pytest.raises(SourceFormatError, match=r"found 'surface_reelle_batie': renamed\?"):
        parse([edited(tmp_path, rename)], context)


def test_repeated_house_row_is_read_as_two_houses(context: ParseContext, tmp_path: Path) -> None:
    # DVF repeats identical rows for identical locals: a repeated house row is a
    # second house, and a sale of two houses has no price per m² of one.
    path = edited(tmp_path, lambda rows: rows.insert(5, list(rows[4])))  # mutation 2023-2
    parsed = parse([path], context)
    assert parsed.notes["excluded_several_dwellings"] == 3
    assert parsed.table.loc["99001", "house_sales"] == 1


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("valeur_fonciere", "150 000", r"line 3, column 'valeur_fonciere': '150 000' is not a num"),
        ("surface_reelle_bati", "cent", r"line 3, column 'surface_reelle_bati': 'cent' is not"),
        ("date_mutation", "15/03/2023", r"line 3, column 'date_mutation': '15/03/2023' is not a"),
        ("code_commune", "9900A", r"line 3, column 'code_commune': '9900A' is not an INSEE"),
        ("id_mutation", "", r"line 3, column 'id_mutation': the mutation id is empty"),
    ],
)
def test_bad_values_name_file_line_and_column(
    context: ParseContext, tmp_path: Path, column: str, value: str, message: str
) -> None:
    path = edited(tmp_path, lambda rows: set_cell(rows, 3, column, value))
    with pytest.raises(SourceFormatError, match=r"99\.csv, " + message):
        parse([path], context)


def test_codes_written_as_integers_are_padded(
    make_villages: Callable[..., gpd.GeoDataFrame], tmp_path: Path
) -> None:
    communes = make_villages([{"code": "00001", "name": "Fixture Zero", "lon": 0.9, "lat": 43.6,
                               "departement": "00"}])  # fmt: skip

    def to_zero(rows: list[list[str]]) -> None:
        for line in range(2, len(rows) + 1):
            set_cell(rows, line, "code_commune", "1")

    parsed = parse([edited(tmp_path, to_zero)], make_context(communes, "00"))
    assert any(re.search(r"code_commune.*5.character", w) for w in parsed.warnings)
    assert list(parsed.table.index) == ["00001"]
    assert parsed.table.loc["00001", "house_sales"] == 3


def test_corrupt_gzip_names_the_file(context: ParseContext, tmp_path: Path) -> None:
    path = tmp_path / "32.csv.gz"
    path.write_bytes(Y2024.read_bytes()[:40])
    with pytest.raises(SourceFormatError, match=r"32\.csv\.gz: not a readable gzip file"):
        parse([path], context)


def test_header_only_files_are_an_error(context: ParseContext, tmp_path: Path) -> None:
    path = edited(tmp_path, lambda rows: rows.__delitem__(slice(1, None)))
    with pytest.raises(SourceFormatError, match="no mutation rows"):
        parse([path], context)


def test_no_file_is_an_error(context: ParseContext) -> None:
    with pytest.raises(SourceFormatError, match="no file"):
        parse([], context)
