"""Drive times on the road network, replacing the straight-line estimates when roads are loaded."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from relocate.features.access import village_points
from relocate.features.roads import (
    DriveEstimateFit,
    RoadNetwork,
    drive_min_nearest,
    drive_min_to,
    fit_drive_estimate,
    isochrones,
    snap_distance_m,
    unreachable_reason,
)

__all__ = ["ISOCHRONE_MINUTES", "MAX_DESTINATION_SNAP_M", "network_drive_times"]

#: The isochrones drawn around each airport, in minutes.
ISOCHRONE_MINUTES = (30, 45, 60)
#: A destination farther than this from every road of the network is outside it (metres).
MAX_DESTINATION_SNAP_M = 2000.0


def _on_network(network: RoadNetwork, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which destinations lie on the network's area (close enough to one of its roads)."""
    ok = ~(np.isnan(lon) | np.isnan(lat))
    inside = np.zeros(len(lon), dtype=bool)
    if ok.any():
        _, dist = network.snap(lon[ok], lat[ok])
        inside[ok] = np.asarray(dist) <= MAX_DESTINATION_SNAP_M
    return inside


def _nearest(
    villages: gpd.GeoDataFrame, network: RoadNetwork, lon: np.ndarray, lat: np.ndarray, name: str
) -> pd.Series:
    keep = _on_network(network, lon, lat)
    if not keep.any():
        return pd.Series(np.nan, index=villages.index, name=f"drive_min_{name}")
    return drive_min_nearest(villages, network=network, lons=lon[keep], lats=lat[keep], name=name)


def network_drive_times(
    villages: gpd.GeoDataFrame,
    *,
    network: RoadNetwork,
    features: pd.DataFrame,
    communes: gpd.GeoDataFrame,
    prefecture: str,
    airports: gpd.GeoDataFrame,
    town_min_population: int,
    points: Mapping[str, pd.DataFrame],
) -> tuple[pd.DataFrame, gpd.GeoDataFrame, DriveEstimateFit | None, pd.DataFrame]:
    """Compute on the road network every ``drive_min_*`` feature the estimate gave.

    Parameters
    ----------
    villages
        The villages, indexed by INSEE code.
    network
        The road network.
    features
        The features computed so far (their ``drive_min_*`` columns say which
        times to compute, their ``dist_km_<IATA>`` feed the fit).
    communes
        All communes (the préfecture and the towns).
    prefecture
        INSEE code of the préfecture.
    airports
        Airports indexed by IATA code.
    town_min_population
        A town has at least this many inhabitants.
    points
        For each service kind, the point table it comes from.

    Returns
    -------
    times, isochrones, fit, notes
        The drive times (minutes, NaN where there is no road path) and each
        village's distance to the network (``snap_m``); the areas within
        :data:`ISOCHRONE_MINUTES` of each airport; the straight-line model fitted
        to the network's times to the airports (None without data); and, for
        each time computed, why it is missing for a village (None where it is not).
    """
    columns = [c for c in features.columns if c.startswith("drive_min_")]
    out: dict[str, pd.Series] = {}
    for iata, point in airports.geometry.items():
        name = f"drive_min_{iata}"
        if name in columns:
            out[name] = drive_min_to(
                villages, network=network, lon=point.x, lat=point.y, name=str(iata)
            )
    if "drive_min_airport" in columns:
        out["drive_min_airport"] = _nearest(
            villages,
            network,
            airports.geometry.x.to_numpy(dtype=float),
            airports.geometry.y.to_numpy(dtype=float),
            "airport",
        )
    if "drive_min_prefecture" in columns:
        lon, lat = village_points(communes.loc[[prefecture]])
        out["drive_min_prefecture"] = drive_min_to(
            villages, network=network, lon=float(lon[0]), lat=float(lat[0]), name="prefecture"
        )
    if "drive_min_town" in columns:
        population = pd.to_numeric(communes["population"], errors="coerce")
        lon, lat = village_points(communes[population >= town_min_population])
        out["drive_min_town"] = _nearest(villages, network, lon, lat, "town")
    for kind, table in points.items():
        name = f"drive_min_{kind}"
        if name not in columns:
            continue
        chosen = table[table["kind"] == kind]
        out[name] = _nearest(
            villages,
            network,
            chosen["lon"].to_numpy(dtype=float),
            chosen["lat"].to_numpy(dtype=float),
            kind,
        )

    areas = []
    for iata, point in airports.geometry.items():
        if not _on_network(network, np.array([point.x]), np.array([point.y]))[0]:
            continue
        area = isochrones(network, lon=point.x, lat=point.y, minutes=ISOCHRONE_MINUTES)
        areas.append(area.assign(airport=str(iata)))
    zones = (
        gpd.GeoDataFrame(pd.concat(areas, ignore_index=True), crs="EPSG:4326")
        if areas
        else gpd.GeoDataFrame({"airport": [], "minutes": []}, geometry=[], crs="EPSG:4326")
    )

    straight, road_km, road_min = [], [], []
    nodes, _ = network.snap(*village_points(villages))
    for iata, point in airports.geometry.items():
        name = f"drive_min_{iata}"
        if name not in out or f"dist_km_{iata}" not in features:
            continue
        lengths = np.where(nodes >= 0, network.lengths_to(point.x, point.y)[nodes], np.nan) / 1e3
        straight.append(features[f"dist_km_{iata}"].to_numpy(dtype=float))
        road_km.append(np.asarray(lengths, dtype=float))
        road_min.append(out[name].to_numpy(dtype=float))
    fit = None
    if straight:
        s, k, m = (np.concatenate(a) for a in (straight, road_km, road_min))
        ok = np.isfinite(s) & np.isfinite(k) & np.isfinite(m) & (s > 0)
        if ok.sum() >= 2:
            fit = fit_drive_estimate(s[ok], k[ok], m[ok])
    notes = pd.DataFrame(
        {
            name: unreachable_reason(villages, network=network, times=times).to_numpy()
            for name, times in out.items()
        },
        index=villages.index,
        dtype=object,
    )
    out["snap_m"] = snap_distance_m(villages, network=network)
    return pd.DataFrame(out, index=villages.index), zones, fit, notes
