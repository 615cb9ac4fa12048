"""Positions: a file with latitude and longitude swapped is refused; those outside their commune
are counted (by SNCF and La Poste), on fixtures and on copies of the real files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from relocate.errors import SourceFormatError
from relocate.sources import CommuneData, load_communes
from relocate.sources.bpe import BpeSource
from relocate.sources.finess import FinessHospitalsSource
from relocate.sources.laposte import LaPosteSource
from relocate.sources.opendata import (
    ParseContext,
    outside_their_commune,
    refuse_swapped_positions,
)
from relocate.sources.sncf import SncfStationsSource
from tests.conftest import empty_context, make_context

SNCF = "sncf-gares-de-voyageurs/gares-de-voyageurs.csv"
LAPOSTE = "laposte-points-de-contact/laposte_poincont2.csv"
FINESS = "hospitals-finess-2020/hospitals-FR.csv"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_positions_in_france_pass() -> None:
    lon, lat = np.array([0.5, 2.35, -1.5]), np.array([43.6, 48.85, 47.2])
    refuse_swapped_positions("f.csv", np.array(["32013", None, "44109"]), lon, lat, columns="x")


def test_swapped_positions_are_refused() -> None:
    lon, lat = np.array([43.6, 48.85, 47.2]), np.array([0.5, 2.35, -1.5])
    with pytest.raises(SourceFormatError) as info:
        refuse_swapped_positions(
            "f.csv",
            np.array(["32013", "75056", "44109"]),
            lon,
            lat,
            columns="columns 'lat' and 'lon'",
        )
    assert str(info.value) == (
        "f.csv: 3 of 3 positions lie outside France, and inside it with latitude and longitude "
        "swapped: the file gives them the wrong way round (columns 'lat' and 'lon'); correct it "
        "(or download it again)"
    )


def test_positions_in_another_projection_are_refused() -> None:
    lon, lat = np.array([498210.6, 512000.0]), np.array([6281164.8, 6290000.0])
    with pytest.raises(SourceFormatError, match="another projection"):
        refuse_swapped_positions("f.csv", np.array(["32013", "32014"]), lon, lat, columns="x")


def test_overseas_and_a_few_wrong_positions_are_not_a_refusal() -> None:
    # Réunion (97411) lies outside metropolitan France, as it should; one wrong point of three.
    lon = np.array([55.45, 0.5, 43.6, 2.35])
    lat = np.array([-20.9, 43.6, 0.5, 48.85])
    codes = np.array(["97411", "32013", "32013", "75056"], dtype=object)
    refuse_swapped_positions("f.csv", codes, lon, lat, columns="x")


def test_outside_their_commune(make_villages) -> None:
    communes = make_villages(
        [
            {"code": "99001", "name": "A", "lon": 0.50, "lat": 43.60},
            {"code": "99002", "name": "B", "lon": 0.60, "lat": 43.60},
        ]
    )
    codes = np.array(["99001", "99001", "99002", "99999", None, "99002"], dtype=object)
    # Inside; 1 km off the square; 20 km off; a commune unknown; no commune; no position.
    lon = np.array([0.50, 0.5225, 0.85, 0.5, 0.5, np.nan])
    lat = np.array([43.60, 43.60, 43.60, 43.6, 43.6, np.nan])
    outside, unchecked = outside_their_commune(codes, lon, lat, communes)
    assert outside.tolist() == [False, False, True, False, False, False]
    assert unchecked.tolist() == [False, False, False, True, False, False]


# --- the sources, on fixtures ---------------------------------------------------------------


def swap_columns(text: str, sep: str, first: str, second: str) -> str:
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    i, j = rows[0].index(first), rows[0].index(second)
    for row in rows[1:]:
        row[i], row[j] = row[j], row[i]
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\n").writerows(rows)
    return out.getvalue()


def swap_sncf_position(text: str) -> str:
    """The SNCF list with each ``"lat, lon"`` written ``"lon, lat"``."""
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    at = rows[0].index("Position géographique")
    for row in rows[1:]:
        lat, lon = row[at].split(",")
        row[at] = f"{lon.strip()}, {lat.strip()}"
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_sncf_with_lat_lon_swapped_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "sncf" / "gares-de-voyageurs.csv").read_text(encoding="utf-8-sig")
    path = tmp_path / "gares-de-voyageurs.csv"
    path.write_text(swap_sncf_position(text), encoding="utf-8")
    with pytest.raises(SourceFormatError, match="latitude and longitude swapped"):
        SncfStationsSource().parse([path], context=empty_context())


def test_laposte_with_lat_lon_swapped_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "laposte" / "laposte_poincont2.csv").read_text(encoding="utf-8")
    path = tmp_path / "laposte_poincont2.csv"
    path.write_text(swap_columns(text, ";", "Latitude", "Longitude"), encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        LaPosteSource().parse([path], context=empty_context())
    assert "the wrong way round (columns 'Latitude' and 'Longitude')" in str(info.value)


def test_bpe_with_lon_lat_swapped_is_refused(tmp_path: Path) -> None:
    text = (FIXTURES / "bpe" / "BPE24.csv").read_text(encoding="utf-8")
    path = tmp_path / "BPE24.csv"
    path.write_text(swap_columns(text, ";", "LONGITUDE", "LATITUDE"), encoding="utf-8")
    with pytest.raises(
        SourceFormatError, match=r"wrong way round \(columns 'LONGITUDE' and 'LATITUDE'\)"
    ):
        BpeSource().parse([path], context=empty_context())


def test_finess_with_lat_lon_swapped_is_refused(tmp_path: Path, make_villages) -> None:
    text = (FIXTURES / "finess" / "hospitals-fixture.csv").read_text(encoding="utf-8")
    path = tmp_path / "hospitals.csv"
    path.write_text(swap_columns(text, ",", "lat", "lon"), encoding="utf-8")
    communes = make_villages([{"code": "99001", "name": "Village A", "lon": 0.5, "lat": 43.6}])
    with pytest.raises(SourceFormatError, match="latitude and longitude swapped"):
        FinessHospitalsSource().parse([path], context=make_context(communes))


def test_sncf_counts_stations_outside_their_commune(tmp_path: Path, make_villages) -> None:
    communes = make_villages(
        [
            {"code": "99001", "name": "A", "lon": 0.50, "lat": 43.60},
            {"code": "99002", "name": "B", "lon": 0.90, "lat": 43.60},  # station B: 30 km off
        ]
    )
    path = tmp_path / "gares-de-voyageurs.csv"
    path.write_bytes((FIXTURES / "sncf" / "gares-de-voyageurs.csv").read_bytes())
    notes = SncfStationsSource().parse([path], context=make_context(communes)).notes
    assert notes["outside_commune"] == 1
    assert notes["unchecked_position"] == 1  # 09999: a commune the table does not know


# --- the real files ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_communes(tmp_path_factory: pytest.TempPathFactory) -> CommuneData:
    return load_communes(cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture
def real_context(real_communes: CommuneData) -> ParseContext:
    return ParseContext(communes=real_communes, departement="32")


def test_real_sncf_and_laposte_count_positions_outside_their_commune(
    shared_data: Callable[[str], Path], real_context: ParseContext
) -> None:
    sncf = SncfStationsSource().parse([shared_data(SNCF)], context=real_context).notes
    laposte = LaPosteSource().parse([shared_data(LAPOSTE)], context=real_context).notes
    # A few positions lie more than 2 km outside the commune the row names ...
    assert 0 < sncf["outside_commune"] < 20
    assert 0 < laposte["outside_commune"] < 50
    # ... and arrondissements and merged communes cannot be checked.
    assert 0 < sncf["unchecked_position"] < 100
    assert 0 < laposte["unchecked_position"] < 1000


def test_real_sncf_with_lat_lon_swapped_is_refused(
    shared_data: Callable[[str], Path], real_context: ParseContext, tmp_path: Path
) -> None:
    text = shared_data(SNCF).read_text(encoding="utf-8-sig")
    path = tmp_path / "gares-de-voyageurs.csv"
    path.write_text(swap_sncf_position(text), encoding="utf-8")
    with pytest.raises(SourceFormatError) as info:
        SncfStationsSource().parse([path], context=real_context)
    assert str(info.value).startswith("gares-de-voyageurs.csv: 2,7")
    assert "latitude and longitude swapped" in str(info.value)


def test_real_finess_with_lat_lon_swapped_is_refused(
    shared_data: Callable[[str], Path], real_context: ParseContext, tmp_path: Path
) -> None:
    path = tmp_path / "hospitals-FR.csv"
    text = shared_data(FINESS).read_text(encoding="utf-8")
    path.write_text(swap_columns(text, ",", "lat", "lon"), encoding="utf-8")
    with pytest.raises(
        SourceFormatError, match=r"^hospitals-FR\.csv: 5,\d{3} of 5,\d{3} positions"
    ):
        FinessHospitalsSource().parse([path], context=real_context)
