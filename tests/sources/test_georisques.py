"""GASPAR (Géorisques): natural-disaster decrees, flood plans and listed risks per commune."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from relocate.catalogue import default_catalogue
from relocate.errors import SourceFormatError
from relocate.sources import load_communes
from relocate.sources.georisques import ARCHIVE_URL, GeorisquesSource, theme_of
from relocate.sources.opendata import ParseContext, Parsed
from tests.conftest import ComputeFeatures, make_context

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "georisques"
CATNAT = FIXTURES / "catnat_gaspar_2026-06-29.csv"
CATNAT_2025 = FIXTURES / "catnat_gaspar.csv"
PPRN = FIXTURES / "pprn_gaspar_2026-06-29.csv"
RISQ = FIXTURES / "ddrm_risq_gaspar_2026-06-29.csv"


@pytest.fixture
def context(communes: gpd.GeoDataFrame) -> ParseContext:
    return make_context(communes)


def archive(tmp_path: Path, *members: Path, name: str = "gaspar.zip") -> Path:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as out:
        for member in members:
            out.write(member, member.name)
        out.writestr("azi_gaspar_2026-06-29.csv", "cod_commune;lib\n99001;x\n")  # not read
    return path


def parse(*paths: Path, context: ParseContext) -> Parsed:
    return GeorisquesSource().parse(list(paths), context=context)


def test_the_archive_gives_one_row_per_commune(context: ParseContext, tmp_path: Path) -> None:
    parsed = parse(archive(tmp_path, CATNAT, PPRN, RISQ), context=context)
    table = parsed.table
    assert list(table.index) == ["98001", "98002", "99001", "99002", "99003"]
    assert table.loc["99001"].to_dict() == {
        "catnat_count": 3.0,  # one decree given twice, at 00:00 and 02:00, is one
        "catnat_flood_count": 2.0,
        "catnat_drought_count": 1.0,
        "flood_plan": 1.0,
        "flood_risk_listed": 1.0,
        "clay_risk_listed": 0.0,
    }
    assert table.loc["99002"].to_dict() == {
        "catnat_count": 3.0,
        "catnat_flood_count": 1.0,
        "catnat_drought_count": 1.0,
        "flood_plan": 0.0,  # a ground-movement plan
        "flood_risk_listed": 0.0,
        "clay_risk_listed": 1.0,  # "Tassements différentiels"
    }
    # A prescribed plan not approved is no plan yet; no decree is zero decrees.
    assert table.loc["99003", "flood_plan"] == 0.0
    assert table.loc["98001", "catnat_count"] == 0.0
    assert (parsed.edition, parsed.edition_date, parsed.dated_by) == (
        "2026-06-29",
        date(2026, 6, 29),
        "content",
    )
    assert parsed.notes["catnat_repeated_rows"] == 2
    assert parsed.notes["catnat_unknown_commune"] == 1
    assert parsed.notes["flood_plans"] == 1
    assert parsed.warnings == ()


def test_the_2025_layout_gives_the_same_decrees(context: ParseContext, tmp_path: Path) -> None:
    new = parse(CATNAT, context=context).table
    old = parse(CATNAT_2025, context=context).table
    pd.testing.assert_frame_equal(new, old)
    # Undated member names: the edition comes from --edition, the server, or is unknown.
    assert parse(CATNAT_2025, context=context).dated_by == "unknown"


def test_themes_not_given_are_left_unknown(context: ParseContext) -> None:
    parsed = parse(CATNAT, context=context)
    assert parsed.table["flood_plan"].isna().all()
    assert parsed.table["clay_risk_listed"].isna().all()
    assert parsed.warnings == (
        "no pprn_gaspar file nor risq_gaspar file: their columns are left unknown",
    )


def test_no_clay_label_in_the_file_leaves_clay_unknown(
    context: ParseContext, tmp_path: Path
) -> None:
    text = RISQ.read_text(encoding="utf-8").replace("Tassements différentiels", "Eboulement")
    risks = tmp_path / RISQ.name
    risks.write_text(text, encoding="utf-8")
    parsed = parse(CATNAT, PPRN, risks, context=context)
    assert parsed.table["clay_risk_listed"].isna().all()
    assert any("clay_risk_listed is left unknown" in w for w in parsed.warnings)


def test_without_catnat_the_archive_is_refused(context: ParseContext, tmp_path: Path) -> None:
    with pytest.raises(SourceFormatError, match=r"no catnat_gaspar file"):
        parse(archive(tmp_path, PPRN, RISQ), context=context)


def test_a_file_of_another_name_is_refused(context: ParseContext, tmp_path: Path) -> None:
    other = tmp_path / "risques.csv"
    other.write_bytes(RISQ.read_bytes())
    with pytest.raises(SourceFormatError, match=r"risques.csv: not a GASPAR file relocate reads"):
        parse(other, context=context)


def test_errors_name_the_member_and_its_line(context: ParseContext, tmp_path: Path) -> None:
    bad = tmp_path / CATNAT.name
    bad.write_text(CATNAT.read_text(encoding="utf-8").replace(";99002;", ";9900X;", 1), "utf-8")
    with pytest.raises(
        SourceFormatError,
        match=r"^catnat_gaspar_2026-06-29.csv \(in gaspar.zip\), line 7, column 'code_commune'",
    ):
        parse(archive(tmp_path, bad), context=context)


def test_member_names_and_their_dates() -> None:
    assert theme_of("GASPAR/catnat_gaspar_2026-07-08.csv") == ("catnat", date(2026, 7, 8))
    assert theme_of("ddrm_risq_gaspar_2026-06-29.csv") == ("risq", date(2026, 6, 29))
    assert theme_of("pprn_gaspar.csv") == ("pprn", None)
    assert theme_of("pprt_gaspar_2026-06-29.csv") is None


def test_features_are_declared_with_labels(
    villages: gpd.GeoDataFrame, context: ParseContext, compute_features: ComputeFeatures
) -> None:
    table = parse(CATNAT, PPRN, RISQ, context=context).table
    frame = compute_features(villages, tables={"georisques": table}).frame
    assert frame.loc["99001", "catnat_drought_count"] == 1.0
    assert frame.loc["99001", "flood_plan"] == 1.0
    catalogue = default_catalogue()
    spec = catalogue.require("catnat_drought_count")
    assert spec.label.fr.startswith("Catastrophes naturelles de sécheresse")
    assert spec.unit.key == "count" and spec.sources == ("georisques",)
    assert catalogue.require("flood_plan").unit.flag


def test_downloads_the_national_archive() -> None:
    [download] = GeorisquesSource().downloads(departement="32")
    assert (download.url, download.filename) == (ARCHIVE_URL, "gaspar.zip")


def test_an_old_code_of_a_merged_commune_counts_for_the_new_one(tmp_path: Path) -> None:
    communes = load_communes(cache_dir=tmp_path / "cache")
    context = ParseContext(communes=communes, departement="32")
    # Cabas-Loumassès (32067) is a delegated commune of 32365 since their merger.
    text = CATNAT_2025.read_text(encoding="utf-8").replace(";99001;", ";32067;")
    path = tmp_path / "catnat_gaspar.csv"
    path.write_text(text, encoding="utf-8")
    table = parse(path, context=context).table
    assert table.loc["32365", "catnat_count"] == 3.0
    assert "32067" not in table.index
