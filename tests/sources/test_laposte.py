"""La Poste's points of contact: the real list, the hand-written fixture, and bad files."""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from relocate.errors import SourceFormatError
from relocate.sources.fetch import fetch_source
from relocate.sources.laposte import AMBIGUOUS, KINDS, LaPosteSource
from relocate.sources.opendata import POINT_COLUMNS, ParseContext
from relocate.sources.store import Store
from tests.conftest import empty_context
from tests.sources.conftest import Mirror

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "laposte"
FIXTURE = FIXTURES / "laposte_poincont2.csv"
#: The current dataset's layout (data-fair CSV export), its lines API, its metadata.
CURRENT = FIXTURES / "laposte-poincont2.csv"
LINES = FIXTURES / "laposte-poincont2.json"
METADATA = FIXTURES / "laposte-poincont2.meta.json"
REAL = "laposte-points-de-contact/laposte_poincont2.csv"
TODAY = datetime.now(UTC).date()
#: 2025-03-04 12:00 UTC, the modification time given to copied fixtures.
STAMP = datetime(2025, 3, 4, 12, 0, tzinfo=UTC).timestamp()


def parse(*paths: Path, context: ParseContext | None = None):
    return LaPosteSource().parse(list(paths), context=context or empty_context())


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
    # The list states no date: its age is unknown, never the day it was imported.
    assert parsed.edition == f"edition unknown, imported on {TODAY.isoformat()}"
    assert parsed.dated_by == "unknown"


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
    assert parsed.dated_by == "unknown"
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
    kinds = {"post_office", "postal_agency", "postal_relay", "postal_other"}
    assert set(KINDS.values()) == {*kinds, AMBIGUOUS}
    # Every kind of the current dataset, as public code that reads it lists them.
    for label in (
        "Bureau centre",
        "Agence postale communale ou intercommunale",
        "Point partenaire",
        "Agence postale ou Relais poste",
        "Bureau de Poste",
        "Relais poste",
    ):
        assert label.casefold() in KINDS, label


def test_characteristics_are_compared_without_case(tmp_path: Path) -> None:
    text = fixture_text().replace(";Bureau de Poste;", ";BUREAU  DE POSTE;")
    parsed = parse(write(tmp_path, text))
    assert parsed.table.loc[0, "kind"] == "post_office"
    assert parsed.warnings == ()


def test_unknown_characteristic_is_kept_as_other_with_a_warning(tmp_path: Path) -> None:
    text = fixture_text().replace(";Relais poste commerçant;", ";Guichet de la fixture;")
    parsed = parse(write(tmp_path, text))
    assert parsed.table.loc[2, "kind"] == "postal_other"
    [warning] = parsed.warnings
    assert warning.startswith("laposte_poincont2.csv, line 4, column 'Caractéristique_du_site'")
    assert "'Guichet de la fixture' (1)" in warning


def test_downloads_the_current_dataset_and_its_metadata() -> None:
    raw, metadata = LaPosteSource().downloads(departement="32")
    api = "https://data.laposte.fr/data-fair/api/v1/datasets/laposte-poincont2"
    assert (raw.url, raw.filename) == (f"{api}/raw", "laposte-poincont2.csv")
    [lines] = raw.fallbacks  # the lines API, followed page by page, if the raw file is gone
    assert lines.url.startswith(f"{api}/lines?size=10000") and lines.paged
    assert (metadata.url, metadata.optional) == (api, True)


# --- bad files ----------------------------------------------------------------------------


def test_a_bom_is_removed_silently(tmp_path: Path) -> None:
    # The portal's CSV exports start with one.
    parsed = parse(write(tmp_path, b"\xef\xbb\xbf" + FIXTURE.read_bytes()))
    assert parsed.warnings == ()
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
    text = fixture_text().replace("Code_INSEE", "Code_INSE", 1)
    with pytest.raises(SourceFormatError) as caught:
        parse(write(tmp_path, text))
    message = str(caught.value)
    assert message.startswith("laposte_poincont2.csv, line 1: column 'Code_INSEE' is missing")
    assert "found 'Code_INSE': renamed?" in message


def test_case_and_accents_of_column_names_do_not_matter(tmp_path: Path) -> None:
    text = fixture_text().replace("Code_INSEE", "code_insee", 1).replace("Libellé", "LIBELLE", 1)
    parsed = parse(write(tmp_path, text))
    assert parsed.warnings == ()
    assert parsed.table["insee"].tolist() == ["99001", "99002", "99003", "01999", "99001"]


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


# --- the current dataset (data-fair), its lines API and metadata ---------------------------

CURRENT_KINDS = [
    "post_office",  # Bureau de Poste
    "post_office",  # Bureau centre
    "postal_agency",  # Agence postale communale ou intercommunale
    "postal_relay",  # Point partenaire
    "postal_agency",  # Agence postale ou Relais poste, its name ending in AP
    "postal_relay",  # Agence postale ou Relais poste, its name ending in RP
]


def test_current_layout_is_read() -> None:
    parsed = parse(CURRENT)
    table = parsed.table
    assert table["kind"].tolist() == CURRENT_KINDS
    assert table["laposte_id"].tolist() == [f"9001{i}A" for i in range(1, 7)]
    assert table.loc[5, "insee"] == "01999"  # written 1999 in the file
    assert table.loc[2, "name"] == "FIXTURE VILLAGE B AP"
    assert table.loc[2, "laposte_type"] == "Agence postale communale ou intercommunale"
    assert math.isnan(table.loc[3, "lat"])
    # The comma separator and the byte-order mark are the layout's: no warning for them.
    assert parsed.warnings == (
        "laposte-poincont2.csv: 1 codes in column 'Code_INSEE' were written as numbers and "
        "were restored as 5-character text",
    )
    assert parsed.notes["kind_from_name"] == 2
    assert parsed.dated_by == "unknown"


def test_ambiguous_kind_follows_the_name(tmp_path: Path) -> None:
    text = CURRENT.read_text(encoding="utf-8-sig").replace("FIXTURE VILLAGE C AP", "EPICERIE C")
    parsed = parse(write(tmp_path, text, name="laposte-poincont2.csv"))
    # A name that says neither: the more limited service, a relay.
    assert parsed.table.loc[4, "kind"] == "postal_relay"


def test_lines_api_is_read_like_the_csv() -> None:
    parsed = parse(LINES)
    table = parsed.table
    assert table["kind"].tolist() == ["post_office", "postal_agency", "postal_relay"]
    assert table["insee"].tolist() == ["99001", "99002", "01999"]
    assert table["laposte_postcode"].tolist() == ["99100", "99100", "1990"]
    assert table.loc[0, "lon"] == 0.5001
    assert parsed.warnings == (
        "laposte-poincont2.json: 1 codes in column 'code_insee' were written as numbers and "
        "were restored as 5-character text",
    )


def test_lines_api_errors_name_the_result(tmp_path: Path) -> None:
    text = LINES.read_text(encoding="utf-8").replace('"latitude": 43.60031', '"latitude": "x"')
    with pytest.raises(
        SourceFormatError, match=r"result 2, column 'latitude': 'x' is not a number"
    ):
        parse(write(tmp_path, text, name="laposte-poincont2.json"))


def test_metadata_dates_the_edition() -> None:
    parsed = parse(CURRENT, METADATA)
    assert (parsed.edition, parsed.edition_date) == ("2026-11-03", date(2026, 11, 3))
    assert parsed.dated_by == "metadata"


def test_edition_option_or_server_date_dates_an_undated_list() -> None:
    context = empty_context()
    given = ParseContext(communes=context.communes, departement="99", edition="2026-11")
    parsed = parse(CURRENT, context=given)
    assert (parsed.edition, parsed.edition_date, parsed.dated_by) == (
        "2026-11",
        date(2026, 11, 1),
        "option",
    )
    served = ParseContext(
        communes=context.communes,
        departement="99",
        server_dates={"laposte-poincont2.csv": date(2026, 10, 28)},
    )
    parsed = parse(CURRENT, context=served)
    assert (parsed.edition, parsed.dated_by) == ("2026-10-28", "server")


def test_two_lists_are_refused() -> None:
    with pytest.raises(SourceFormatError, match="one file"):
        parse(CURRENT, LINES)


def test_fetch_follows_the_lines_api_when_the_raw_file_is_gone(
    mirror: Mirror, tmp_path: Path
) -> None:
    api = LaPosteSource.api_url
    results = json.loads(LINES.read_text(encoding="utf-8"))["results"]
    second = f"{api}/lines?size=10000&after=2"

    def page(query: dict[str, list[str]]) -> bytes:
        if query.get("after") == ["2"]:
            return json.dumps({"total": 3, "results": results[2:]}).encode()
        return json.dumps({"total": 3, "next": second, "results": results[:2]}).encode()

    mirror.add(f"{api}/lines", page)
    mirror.add(api, METADATA.read_bytes())
    manifest = fetch_source(
        LaPosteSource(),
        store=Store(tmp_path / "cache"),
        context=empty_context(),
        session=mirror.session(),
        progress=False,
    )
    assert manifest.rows == 3
    assert (manifest.edition, manifest.dated_by) == ("2026-11-03", "metadata")
    assert [f.name for f in manifest.files] == [
        "laposte-poincont2.json",
        "laposte-poincont2.meta.json",
    ]
    assert (
        mirror.hits["/mirror/data.laposte.fr/data-fair/api/v1/datasets/laposte-poincont2/raw"] == 1
    )
    assert (
        mirror.hits["/mirror/data.laposte.fr/data-fair/api/v1/datasets/laposte-poincont2/lines"]
        == 2
    )
