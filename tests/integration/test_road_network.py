"""A road network in the cache replaces the drive-time estimates (synthetic grid over the Gers)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import relocate
from relocate.features._geodesy import geodesic_km
from relocate.outputs import build_map, format_explanation
from relocate.sources.opendata import Parsed
from relocate.sources.registry import OPEN_DATA
from relocate.sources.store import Store

pytestmark = pytest.mark.slow

#: A fixture grid of two-way roads at 80 km/h, every 0.01°, over the Gers and both airports
#: (every town hall is then within 0.7 km of a node, under the router's 1 km snapping limit).
SPEED_KPH = 80.0
STEP = 0.01
WEST, EAST, SOUTH, NORTH = -0.35, 1.45, 43.25, 44.25


def _grid_edges() -> pd.DataFrame:
    lons = np.round(np.arange(WEST, EAST + 1e-9, STEP), 5)
    lats = np.round(np.arange(SOUTH, NORTH + 1e-9, STEP), 5)
    lon, lat = np.meshgrid(lons, lats)
    ids = np.arange(lon.size).reshape(lon.shape) + 1
    # Neighbours to the east and to the north, then both directions of each road.
    pairs = [
        (ids[:, :-1], ids[:, 1:], lon[:, :-1], lat[:, :-1], lon[:, 1:], lat[:, 1:]),
        (ids[:-1, :], ids[1:, :], lon[:-1, :], lat[:-1, :], lon[1:, :], lat[1:, :]),
    ]
    u, v, ulon, ulat, vlon, vlat = (np.concatenate([p[k].ravel() for p in pairs]) for k in range(6))
    u, v, ulon, ulat, vlon, vlat = (
        np.concatenate([a, b])
        for a, b in ((u, v), (v, u), (ulon, vlon), (ulat, vlat), (vlon, ulon), (vlat, ulat))
    )
    length = geodesic_km(ulon, ulat, vlon, vlat) * 1000.0
    return pd.DataFrame(
        {
            "u": u.astype("int64"),
            "v": v.astype("int64"),
            "u_lon": ulon,
            "u_lat": ulat,
            "v_lon": vlon,
            "v_lat": vlat,
            "length_m": length,
            "speed_kph": SPEED_KPH,
            "travel_time_s": length / (SPEED_KPH / 3.6),
            "highway": "secondary",
            "oneway": False,
        }
    )


@pytest.fixture(scope="module")
def networked(tmp_path_factory: pytest.TempPathFactory) -> relocate.Territory:
    cache = tmp_path_factory.mktemp("roads-cache")
    source = OPEN_DATA["osm"]
    store = Store(cache)
    staging = store.staging("osm")
    placeholder = staging / "fixture-grid.osm"
    placeholder.write_text("<osm/>", encoding="utf-8")
    parsed = Parsed(table=_grid_edges(), edition="fixture-grid", edition_date=date(2026, 1, 1))
    store.install(
        source,
        staging=staging,
        files=[(placeholder, "fixture")],
        parsed=parsed,
        how="imported",
        departement="32",
    )
    return relocate.load_territory(relocate.Settings(cache_dir=Path(cache)))


def test_drive_times_come_from_the_network(networked: relocate.Territory) -> None:
    features = networked.features
    assert not networked.is_estimate("drive_min_TLS")
    assert "osm" in networked.feature_sources["drive_min_TLS"]
    assert "road network" in networked.drive_times
    # On a grid, the road is at least the straight line, less the walks to the nearest
    # grid node at both ends (not driven: under 0.7 km each, so 2 x 0.53 min at 80 km/h).
    straight_min = features["dist_km_TLS"] / SPEED_KPH * 60
    assert (features["drive_min_TLS"] >= straight_min - 1.1).all()
    # ... and at most the Manhattan detour (sqrt 2) plus the snapping of both ends.
    assert (features["drive_min_TLS"] <= straight_min * 1.5 + 3).all()
    assert features["drive_min_TLS"].notna().all()


def test_nearest_airport_is_the_faster_of_the_two(networked: relocate.Territory) -> None:
    features = networked.features
    expected = features[["drive_min_TLS", "drive_min_AGF"]].min(axis=1)
    np.testing.assert_allclose(features["drive_min_airport"], expected, rtol=1e-9)


def test_estimate_model_is_fitted_with_its_error(networked: relocate.Territory) -> None:
    fit = networked.drive_fit
    assert fit is not None
    assert 1.0 <= fit.detour_factor_ <= 1.45  # a grid's detour lies between 1 and sqrt(2)
    assert fit.speed_kmh_ == pytest.approx(SPEED_KPH, rel=0.02)
    assert fit.mae_min_ >= 0 and fit.n_routes_ >= 458


def test_the_fit_calibrates_the_estimate_where_roads_are_not_loaded(
    networked: relocate.Territory, tmp_path: Path
) -> None:
    fit = networked.drive_fit
    assert fit is not None
    cache = tmp_path / "cache"
    shutil.copytree(networked.settings.cache_dir, cache)
    # Loading a road network fits the model but keeps nothing: no later run changes.
    assert not (cache / "drive-model").exists()
    # The explicit step keeps the fit as an edition of the store.
    kept = relocate.fit_drive_model(relocate.Settings(cache_dir=cache))
    assert kept.edition.startswith("fit-")
    assert (cache / "drive-model").is_dir()
    # The same cache, the road network removed: the estimate now uses the fitted model.
    shutil.rmtree(cache / "osm")
    offline = relocate.load_territory(relocate.Settings(cache_dir=cache))
    assert offline.is_estimate("drive_min_TLS")
    assert offline.drive_model is not None
    assert offline.drive_model.parameters == pytest.approx((fit.detour_factor_, fit.speed_kmh_))
    assert offline.drive_model_fit is not None
    assert offline.drive_model_fit.edition == kept.edition
    assert "fitted on the road network of département 32" in offline.drive_times
    assert f"mean error {fit.mae_min_:.1f} min" in offline.drive_times
    assert f"drive-model edition {kept.edition}" in offline.drive_times
    expected = offline.features["dist_km_TLS"] * fit.detour_factor_ / fit.speed_kmh_ * 60
    np.testing.assert_allclose(offline.features["drive_min_TLS"], expected, rtol=1e-9)
    # ... unless the settings ask for the stated model.
    stated = relocate.load_territory(relocate.Settings(cache_dir=cache, calibrate_estimate=False))
    assert stated.drive_times == relocate.DriveTimeModel().description


def test_isochrones_around_the_airports(networked: relocate.Territory) -> None:
    zones = networked.isochrones
    assert zones is not None
    assert set(zones["airport"]) == {"TLS", "AGF"}
    assert set(zones["minutes"]) == {30, 45, 60}
    tls = zones[zones["airport"] == "TLS"].set_index("minutes").geometry
    assert tls[30].area < tls[45].area < tls[60].area


def test_outputs_stop_calling_network_times_estimates(networked: relocate.Territory) -> None:
    profile = relocate.load_profile("remote-worker")
    ranking = relocate.score(networked.features, profile, names=networked.villages["name"])
    text = format_explanation(ranking, networked, "32160")
    assert "Drive to Toulouse-Blagnac airport (TLS) " in text
    assert "Drive to Toulouse-Blagnac airport (TLS) (estimate)" not in text
    assert "Drive times: road network" in text
    fmap = build_map(ranking, networked, top=10)
    html = fmap.get_root().render()
    assert '"isochrones":[{' in html
    assert '"name":"drive_min_TLS","label"' in html
    assert '"drive_estimated":false' in html  # the footer says "drive times", not estimates
    assert len(html.encode("utf-8")) <= 2 * 1024 * 1024  # with the isochrones, still small


def test_runs_do_not_change_what_later_runs_compute(
    networked: relocate.Territory, tmp_path: Path
) -> None:
    """No hidden state: the same settings and editions give the same tables, whatever ran."""
    cache = tmp_path / "cache"
    shutil.copytree(networked.settings.cache_dir, cache)
    shutil.rmtree(cache / "osm")
    settings = relocate.Settings(cache_dir=cache)
    before = relocate.load_territory(settings).features
    # A territory with a road network loaded, a map, another département, a ranking...
    again = relocate.load_territory(networked.settings)
    profile = relocate.load_profile("family")
    relocate.score(again.features, profile)
    relocate.load_territory(relocate.Settings(cache_dir=cache, departement="47"))
    # ... change nothing for the first settings.
    pd.testing.assert_frame_equal(relocate.load_territory(settings).features, before)
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == ["communes"]
