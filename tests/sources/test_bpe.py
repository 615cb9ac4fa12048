"""INSEE's BPE: both published layouts, the kinds per edition, positions, and bad files."""

from __future__ import annotations

import math
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from relocate.catalogue import default_catalogue
from relocate.errors import SourceFormatError
from relocate.sources.bpe import (
    EDITION_KINDS,
    KINDS_FROM_2023,
    KINDS_UNTIL_2022,
    BpeSource,
    kinds_for_edition,
)
from relocate.sources.fetch import fetch_source
from relocate.sources.opendata import POINT_COLUMNS, ParseContext
from relocate.sources.store import Store
from tests.conftest import empty_context
from tests.sources.conftest import Mirror

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bpe"
DETAIL = FIXTURES / "BPE24.csv"
XY = FIXTURES / "bpe21_ensemble_xy.csv"
XY_HEADER = "REG;DEP;DEPCOM;DCIRIS;AN;TYPEQU;LAMBERT_X;LAMBERT_Y;QUALITE_XY"
#: Auch town hall (INSEE 32013), longitude and latitude, from the DILA directory.
AUCH_TOWN_HALL = (0.583748, 43.6471)


def parse(*paths: Path):
    return BpeSource().parse(list(paths), context=empty_context())


def write(tmp_path: Path, data: str | bytes, name: str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def xy_file(tmp_path: Path, *rows: str, name: str = "bpe21_ensemble_xy.csv") -> Path:
    return write(tmp_path, "\n".join([XY_HEADER, *rows]) + "\n", name)


# --- the layout of 2023 and later (longitude and latitude) --------------------------------


def test_detail_layout_gives_points_of_the_kinds_relocate_uses() -> None:
    parsed = parse(DETAIL)
    table = parsed.table
    assert parsed.edition == "2024"
    assert parsed.edition_date == date(2024, 1, 1)
    assert parsed.warnings == ()
    assert list(table.columns) == [*POINT_COLUMNS, "bpe_typequ", "bpe_quality"]
    # The restaurant (A504) is not a kind relocate uses.
    assert "A504" not in set(table["bpe_typequ"])
    assert table["kind"].tolist() == [
        "bakery",
        "gp",
        "gp",
        "pharmacy",
        "nursery_school",
        "primary_school",
        "primary_school",
        "post_office",
        "train_station",
        "supermarket",
        "college",
        "lycee",
    ]
    assert table.loc[0, "name"] == "FIXTURE BOULANGERIE A"
    assert table.loc[0, "insee"] == "99001"
    # The published longitude and latitude, untouched.
    assert (table.loc[0, "lon"], table.loc[0, "lat"]) == (0.5012, 43.6008)


def test_repeated_rows_are_kept_as_separate_professionals() -> None:
    table = parse(DETAIL).table
    gps = table[table["kind"] == "gp"]
    assert len(gps) == 2
    assert gps["lon"].nunique() == 1


def test_bad_and_missing_positions_are_left_out_but_the_facility_kept() -> None:
    parsed = parse(DETAIL)
    table = parsed.table.set_index("bpe_typequ")
    # M: more than 500 m off -> no position; _Z: not geolocated; _U: unknown, kept.
    assert math.isnan(table.loc["D307", "lon"])
    assert table.loc["D307", "insee"] == "99002"
    assert math.isnan(table.loc["C107", "lat"])
    assert table.loc["C109", "lon"] == 0.5021
    assert parsed.notes["without_position"] == 2
    assert parsed.notes["bad_position_left_out"] == 1
    assert parsed.notes["not_geolocated"] == 1
    assert parsed.notes["unknown_quality"] == 1
    assert parsed.notes["kind_gp"] == 2
    assert parsed.notes["facilities"] == 12


def test_zip_archive_is_read_like_the_csv_in_it(tmp_path: Path) -> None:
    archive = tmp_path / "BPE24.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("meta_BPE24.csv", "COD_VAR;LIB_VAR\nAN;Année de référence\n")
        zf.write(DETAIL, "BPE24.csv")
    from_zip = parse(archive)
    from_csv = parse(DETAIL)
    assert from_zip.edition == "2024"
    assert from_zip.table.equals(from_csv.table)


def test_errors_in_a_zip_archive_name_the_csv_in_it(tmp_path: Path) -> None:
    text = DETAIL.read_text(encoding="utf-8").replace(";0.5012;43.6008;", ";0.5012;north;")
    archive = tmp_path / "BPE24.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("BPE24.csv", text)
    with pytest.raises(SourceFormatError) as caught:
        parse(archive)
    assert str(caught.value).startswith(
        "BPE24.csv (in BPE24.zip), line 2, column 'LATITUDE': 'north' is not a number"
    )


def test_quoted_name_with_a_separator_is_read(tmp_path: Path) -> None:
    text = DETAIL.read_text(encoding="utf-8").replace(
        ";FIXTURE BOULANGERIE A;", ';"FIXTURE BOULANGERIE; A";'
    )
    table = parse(write(tmp_path, text, "BPE24.csv")).table
    assert table.loc[0, "name"] == "FIXTURE BOULANGERIE; A"
    assert table.loc[0, "kind"] == "bakery"
    assert (table.loc[0, "lon"], table.loc[0, "lat"]) == (0.5012, 43.6008)


def test_unexpected_bom_is_removed_with_a_warning(tmp_path: Path) -> None:
    parsed = parse(write(tmp_path, b"\xef\xbb\xbf" + XY.read_bytes(), XY.name))
    assert parsed.warnings == ("bpe21_ensemble_xy.csv: a UTF-8 byte-order mark was removed",)
    assert parsed.table["kind"].tolist() == parse(XY).table["kind"].tolist()


def test_archive_without_a_data_csv_is_an_error(tmp_path: Path) -> None:
    archive = tmp_path / "BPE24.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("BPE24.xlsx", "not a csv")
    with pytest.raises(SourceFormatError, match=r"^BPE24.zip: no data CSV file"):
        parse(archive)


def test_swapped_longitude_and_latitude_are_left_out_with_a_warning(tmp_path: Path) -> None:
    text = DETAIL.read_text(encoding="utf-8").replace(";0.5012;43.6008;", ";43.6008;0.5012;")
    parsed = parse(write(tmp_path, text, "BPE24.csv"))
    assert math.isnan(parsed.table.loc[0, "lon"])
    [warning] = parsed.warnings
    assert "1 positions outside metropolitan France" in warning
    assert "line 2" in warning


# --- the layout of 2021 and earlier (Lambert-93, UTM overseas) ----------------------------


def test_xy_layout_reads_the_old_nomenclature_and_converts_positions() -> None:
    parsed = parse(XY)
    table = parsed.table
    assert parsed.edition == "2021"
    assert parsed.edition_date == date(2021, 1, 1)
    assert parsed.warnings == ()
    assert table["kind"].tolist() == [
        "bakery",
        "gp",
        "pharmacy",
        "nursery_school",
        "primary_school",
        "postal_agency",
        "train_station",
        "supermarket",
        "college",
        "gp",
    ]
    assert table["name"].isna().all()
    # Converted from Lambert-93 back to the made-up positions the fixture was written from.
    assert table.loc[0, "lon"] == pytest.approx(0.5012, abs=1e-6)
    assert table.loc[0, "lat"] == pytest.approx(43.6008, abs=1e-6)
    # "Mauvaise" and "Non géolocalisé": no position.
    assert math.isnan(table.loc[2, "lon"]) and math.isnan(table.loc[3, "lon"])
    assert parsed.notes["not_geolocated"] == 1
    assert parsed.notes["bad_position_left_out"] == 1


def test_lambert93_false_origin_is_3e_46_5n() -> None:
    # By definition of Lambert-93 (EPSG:2154): (700000, 6600000) is 3°E, 46.5°N.
    table = parse(XY).table
    origin = table[table["bpe_typequ"] == "C201"].iloc[0]
    assert origin["lon"] == pytest.approx(3.0, abs=1e-9)
    assert origin["lat"] == pytest.approx(46.5, abs=1e-9)


def test_lambert93_position_of_auch_town_hall_is_converted_back(tmp_path: Path) -> None:
    x, y = Transformer.from_crs(4326, 2154, always_xy=True).transform(*AUCH_TOWN_HALL)
    # Auch is about 195 km west and 314 km south of the false origin.
    assert x == pytest.approx(505032, abs=1)
    assert y == pytest.approx(6286101, abs=1)
    path = xy_file(tmp_path, f"76;32;99001;990010000;2021;A206;{x:.2f};{y:.2f};Bonne")
    [row] = parse(path).table.itertuples()
    assert row.lon == pytest.approx(AUCH_TOWN_HALL[0], abs=1e-6)
    assert row.lat == pytest.approx(AUCH_TOWN_HALL[1], abs=1e-6)


def test_overseas_positions_are_converted_from_utm() -> None:
    table = parse(XY).table
    overseas = table[table["insee"] == "97199"].iloc[0]
    assert overseas["lon"] == pytest.approx(-61.55, abs=1e-6)
    assert overseas["lat"] == pytest.approx(16.25, abs=1e-6)


# --- editions and nomenclatures -----------------------------------------------------------


def test_every_kind_is_a_service_kind_relocate_scores_from_the_bpe() -> None:
    catalogue = default_catalogue()
    bpe_kinds = {k.key for k in catalogue.service_kinds() if "bpe" in catalogue.providers(k.key)}
    for kinds in (KINDS_UNTIL_2022, KINDS_FROM_2023):
        assert set(kinds.values()) == bpe_kinds


def test_nomenclature_of_each_edition() -> None:
    assert EDITION_KINDS[2021]["D201"] == "gp"
    assert "D201" not in EDITION_KINDS[2024]
    assert EDITION_KINDS[2024]["D265"] == "gp"
    assert EDITION_KINDS[2023]["D307"] == "pharmacy"
    assert EDITION_KINDS[2022]["B203"] == "bakery"
    # BPE 2026 is read with the 2023 nomenclature; an older edition with the old one.
    assert kinds_for_edition(2026)[0] is KINDS_FROM_2023
    assert kinds_for_edition(2010)[0] is KINDS_UNTIL_2022
    # A newer edition's codes may mean other things: refused, not mapped.
    with pytest.raises(SourceFormatError, match=r"BPE 2030: relocate knows the facility codes"):
        kinds_for_edition(2030)


def test_the_2026_edition_is_read(tmp_path: Path) -> None:
    text = DETAIL.read_text(encoding="utf-8").replace("\n2024;", "\n2026;")
    parsed = parse(write(tmp_path, text, "BPE26.csv"))
    assert (parsed.edition, parsed.edition_date) == ("2026", date(2026, 1, 1))
    assert set(parsed.table["kind"]) >= {"gp", "pharmacy", "bakery"}


def test_an_edition_whose_nomenclature_is_unknown_is_refused(tmp_path: Path) -> None:
    text = DETAIL.read_text(encoding="utf-8").replace("\n2024;", "\n2027;")
    with pytest.raises(SourceFormatError) as caught:
        parse(write(tmp_path, text, "BPE27.csv"))
    message = str(caught.value)
    assert message.startswith("BPE 2027: relocate knows the facility codes (TYPEQU) of the ")
    assert "import BPE 2026 (BPE26.zip)" in message


def test_edition_option_gives_the_year_of_a_file_without_one(tmp_path: Path) -> None:
    lines = XY.read_text(encoding="utf-8").splitlines()
    text = "\n".join(";".join(c for i, c in enumerate(line.split(";")) if i != 4) for line in lines)
    context = empty_context()
    given = ParseContext(communes=context.communes, departement="99", edition="2021")
    parsed = BpeSource().parse([write(tmp_path, text + "\n", "facilities.csv")], context=given)
    assert parsed.edition == "2021"


def test_codes_of_the_other_nomenclature_are_read_when_the_expected_ones_are_absent(
    tmp_path: Path,
) -> None:
    path = xy_file(
        tmp_path,
        "99;99;99001;990010000;2024;D201;498067.39;6280980.34;B",
        "99;99;99001;990010000;2024;D307;498067.39;6280980.34;B",
        "99;99;99001;990010000;2024;D301;498067.39;6280980.34;B",
        name="BPE24.csv",
    )
    parsed = parse(path)
    # No D265 in this 2024 file: its D201 rows are GPs; D307 is there, so D301 is not read.
    assert parsed.table["bpe_typequ"].tolist() == ["D201", "D307"]
    assert parsed.table["kind"].tolist() == ["gp", "pharmacy"]
    [warning] = parsed.warnings
    assert "no gp under code(s) D265 of the 2024 nomenclature" in warning
    assert "D201" in warning


def test_edition_comes_from_the_file_name_without_an_an_column(tmp_path: Path) -> None:
    lines = XY.read_text(encoding="utf-8").splitlines()
    text = "\n".join(";".join(c for i, c in enumerate(line.split(";")) if i != 4) for line in lines)
    assert parse(write(tmp_path, text + "\n", "bpe21_ensemble_xy.csv")).edition == "2021"
    assert parse(write(tmp_path, text + "\n", "BPE22.csv")).edition == "2022"
    with pytest.raises(SourceFormatError, match="cannot tell the edition"):
        parse(write(tmp_path, text + "\n", "facilities.csv"))


def test_file_name_and_an_column_that_disagree_give_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, XY.read_bytes(), "bpe20_ensemble_xy.csv")
    parsed = parse(path)
    assert parsed.edition == "2021"
    assert parsed.warnings == (
        "bpe20_ensemble_xy.csv: the file's name says 2020 but column 'AN' says 2021; "
        "the edition is 2021",
    )


def test_two_years_in_one_file_are_an_error(tmp_path: Path) -> None:
    text = XY.read_text(encoding="utf-8").replace(";2021;B102;", ";2020;B102;")
    with pytest.raises(
        SourceFormatError,
        match=r"^bpe21_ensemble_xy.csv, line 9, column 'AN': year 2020 in a file of year 2021",
    ):
        parse(write(tmp_path, text, "bpe21_ensemble_xy.csv"))


def test_downloads_the_national_archive() -> None:
    [download] = BpeSource().downloads(departement="32")
    assert download.url.startswith("https://www.insee.fr/fr/statistiques/fichier/8217525/")
    assert download.url.endswith(".zip")
    assert download.filename == download.url.rsplit("/", 1)[1]


def test_downloads_try_the_newer_editions_names_first() -> None:
    [download] = BpeSource().downloads(departement="32", today=date(2026, 12, 1))
    names = [d.filename for d in (download, *download.fallbacks)]
    assert names == ["BPE26.zip", "BPE25.zip"]
    # Never a name beyond the editions relocate can read, however late it is.
    [later] = BpeSource().downloads(departement="32", today=date(2031, 6, 1))
    assert [d.filename for d in (later, *later.fallbacks)] == ["BPE26.zip", "BPE25.zip"]
    [early] = BpeSource().downloads(departement="32", today=date(2025, 3, 1))
    assert [d.filename for d in (early, *early.fallbacks)] == ["BPE25.zip"]


def test_a_fetch_falls_back_to_the_older_archive(mirror: Mirror, tmp_path: Path) -> None:
    archive = tmp_path / "BPE25.zip"
    with zipfile.ZipFile(archive, "w") as out:
        out.write(DETAIL, "BPE25.csv")
    files = BpeSource.files_url
    mirror.add(f"{files}/BPE25.zip", archive.read_bytes())
    source = BpeSource()
    manifest = fetch_source(
        source,
        store=Store(tmp_path / "cache"),
        context=empty_context(),
        session=mirror.session(),
        progress=False,
    )
    assert manifest.edition == "2024"  # the fixture's AN column
    assert [f.name for f in manifest.files] == ["BPE25.zip"]
    newest = min(date.today().year, 2026) % 100
    if newest > 25:  # BPE26.zip tried first, not found
        assert (
            mirror.hits[f"/mirror/www.insee.fr/fr/statistiques/fichier/8217525/BPE{newest}.zip"]
            == 1
        )


# --- bad files ----------------------------------------------------------------------------


def test_latin1_file_is_read_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, XY.read_text(encoding="utf-8").encode("latin-1"), XY.name)
    parsed = parse(path)
    [warning] = parsed.warnings
    assert "not utf-8" in warning
    assert "line 5" in warning  # the é of "Non géolocalisé"
    assert parsed.notes["not_geolocated"] == 1


def test_comma_separated_file_is_read_with_a_warning(tmp_path: Path) -> None:
    path = write(tmp_path, XY.read_text(encoding="utf-8").replace(";", ","), XY.name)
    parsed = parse(path)
    assert parsed.warnings == (
        "bpe21_ensemble_xy.csv: columns separated by ',', not ';'; read as such",
    )
    assert parsed.table["kind"].tolist() == parse(XY).table["kind"].tolist()


def test_renamed_commune_column_is_named_in_the_error(tmp_path: Path) -> None:
    path = write(tmp_path, XY.read_text(encoding="utf-8").replace("DEPCOM", "DEP_COM", 1), XY.name)
    with pytest.raises(SourceFormatError) as caught:
        parse(path)
    message = str(caught.value)
    assert message.startswith("bpe21_ensemble_xy.csv, line 1: column 'DEPCOM' is missing")
    assert "found 'DEP_COM': renamed?" in message


def test_file_without_typequ_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, XY.read_text(encoding="utf-8").replace("TYPEQU", "TYPE", 1), XY.name)
    with pytest.raises(SourceFormatError, match=r"line 1: column 'TYPEQU' is missing"):
        parse(path)


def test_file_without_coordinates_is_an_error(tmp_path: Path) -> None:
    text = XY.read_text(encoding="utf-8").replace("LAMBERT_X;LAMBERT_Y", "X;Y", 1)
    with pytest.raises(SourceFormatError, match=r"line 1: no coordinates: expected columns"):
        parse(write(tmp_path, text, XY.name))


def test_file_without_quality_is_an_error(tmp_path: Path) -> None:
    text = XY.read_text(encoding="utf-8").replace(";QUALITE_XY", ";QUALITE", 1)
    with pytest.raises(SourceFormatError, match=r"line 1: column 'QUALITE_XY' is missing"):
        parse(write(tmp_path, text, XY.name))


def test_non_numeric_coordinate_names_the_line_of_the_published_file(tmp_path: Path) -> None:
    filler = ["99;99;99001;990010000;2021;A504;498160.77;6281121.94;Bonne" for _ in range(40)]
    path = xy_file(
        tmp_path,
        *filler,
        "99;99;99002;990020000;2021;D201;506217,26;6280860.82;Bonne",
    )
    with pytest.raises(SourceFormatError) as caught:
        parse(path)
    # 1 header line, 40 restaurants relocate skips: the GP is on line 42.
    assert str(caught.value).startswith(
        "bpe21_ensemble_xy.csv, line 42, column 'LAMBERT_X': '506217,26' is not a number"
    )


def test_one_missing_coordinate_is_an_error(tmp_path: Path) -> None:
    path = xy_file(tmp_path, "99;99;99002;990020000;2021;D201;506217.26;;Bonne")
    with pytest.raises(SourceFormatError, match=r"line 2, column 'LAMBERT_Y': one coordinate"):
        parse(path)


def test_codes_written_as_integers_are_padded_with_a_warning(tmp_path: Path) -> None:
    path = xy_file(tmp_path, "84;1;1999;019990000;2021;D201;870000.00;6550000.00;Bonne")
    parsed = parse(path)
    assert parsed.table["insee"].tolist() == ["01999"]
    [warning] = parsed.warnings
    assert "1 codes in column 'DEPCOM'" in warning


def test_unknown_quality_keeps_the_position_with_a_warning(tmp_path: Path) -> None:
    path = xy_file(tmp_path, "99;99;99001;990010000;2021;D201;700000;6600000;Excellente")
    parsed = parse(path)
    assert parsed.table.loc[0, "lon"] == pytest.approx(3.0)
    [warning] = parsed.warnings
    assert "line 2, column 'QUALITE_XY'" in warning
    assert "'Excellente' (1)" in warning
    assert parsed.notes["unknown_quality"] == 1


def test_file_with_no_facility_relocate_uses_is_an_error(tmp_path: Path) -> None:
    path = xy_file(tmp_path, "99;99;99001;990010000;2021;A504;700000;6600000;Bonne")
    with pytest.raises(SourceFormatError, match="no facility of the types relocate uses"):
        parse(path)


def test_quoted_value_over_several_lines_is_an_error(tmp_path: Path) -> None:
    path = xy_file(tmp_path, '99;99;99001;990010000;2021;D201;700000;6600000;"Bon', 'ne"')
    with pytest.raises(SourceFormatError, match=r"line 2: a quoted value runs over several"):
        parse(path)


def test_more_than_one_file_is_an_error() -> None:
    with pytest.raises(SourceFormatError, match="got 2 files"):
        parse(XY, DETAIL)


def test_positions_are_floats_with_nan_for_missing() -> None:
    table = parse(DETAIL).table
    assert table["lon"].dtype == np.float64
    assert table["lat"].dtype == np.float64
