"""A département ready to score: its villages, their features and the sources behind them."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from relocate.features import build_features, feature_spec, open_data_features
from relocate.features.network import network_drive_times
from relocate.features.roads import DriveEstimateFit, RoadNetwork
from relocate.settings import DriveEstimate, Settings
from relocate.sources import SourceInfo, load_airports, load_communes, select_departement
from relocate.sources.calibration import CalibratedEstimate, load_calibration, save_calibration
from relocate.sources.registry import OPEN_DATA, POINT_SOURCES
from relocate.sources.store import LoadedSource, Store

__all__ = ["Territory", "load_territory"]


@dataclass(frozen=True, kw_only=True)
class Territory:
    """Everything the scoring and the outputs need about one département.

    Attributes
    ----------
    code, name
        The département.
    prefecture
        INSEE code of its préfecture.
    villages
        One row per village, indexed by INSEE code: name, population, town-hall
        details, polygon (EPSG:4326).
    features
        One row per village, same index, one column per feature.
    airports
        The airports measured against, indexed by IATA code.
    sources
        Provenance of every source loaded.
    settings
        The settings the features were computed with.

    """

    code: str
    name: str
    prefecture: str
    villages: gpd.GeoDataFrame
    features: pd.DataFrame
    airports: gpd.GeoDataFrame
    sources: tuple[SourceInfo, ...]
    settings: Settings
    feature_sources: dict[str, tuple[str, ...]]
    open_data: dict[str, LoadedSource]
    estimated: frozenset[str] = frozenset()
    drive_basis: str = ""
    isochrones: gpd.GeoDataFrame | None = None
    drive_fit: DriveEstimateFit | None = None
    drive_notes: pd.DataFrame | None = None
    drive_estimate: DriveEstimate | None = None

    @property
    def drive_times(self) -> str:
        """How the ``drive_min_*`` features were obtained, in words."""
        return self.drive_basis or self.settings.drive_estimate.description

    def is_estimate(self, feature: str) -> bool:
        """True if the feature's values are estimates, to be labelled as such."""
        return feature in self.estimated

    def source(self, key: str) -> SourceInfo | None:
        """The provenance of one loaded source, or None if it is not loaded."""
        return next((s for s in self.sources if s.key == key), None)

    def sources_of(self, feature: str) -> list[SourceInfo]:
        """The loaded sources a feature was computed from."""
        found = (self.source(k) for k in self.feature_sources.get(feature, ()))
        return [s for s in found if s is not None]

    def feature_table(self) -> pd.DataFrame:
        """The analysts' table: INSEE code, name, département, then every feature."""
        table = pd.concat(
            [self.villages[["name", "departement"]], self.features], axis=1
        ).rename_axis("insee")
        return table.reset_index()


def load_territory(settings: Settings) -> Territory:
    """Load the built-in sources and compute every feature for one département.

    Parameters
    ----------
    settings
        Which département and airports, the town threshold, the drive-time
        model and the cache folder.

    Returns
    -------
    Territory

    """
    communes = load_communes(cache_dir=settings.cache_dir)
    departement = select_departement(communes, settings.departement)
    airports = load_airports(settings.airports)
    store = Store(settings.cache_dir)
    loaded = {
        key: edition
        for key, source in OPEN_DATA.items()
        if (edition := store.load(source, departement=departement.code)) is not None
    }
    estimate, drive_basis = settings.drive_estimate, settings.drive_estimate.description
    calibration = load_calibration(settings.cache_dir) if settings.calibrate_estimate else None
    if calibration is not None and "osm" not in loaded:
        estimate, drive_basis = calibration.estimate, calibration.description
    builtin = build_features(
        departement.villages,
        communes=communes.communes,
        prefecture=departement.prefecture,
        airports=airports.airports,
        town_min_population=settings.town_min_population,
        drive_estimate=estimate,
    )
    extra, extra_sources = open_data_features(
        departement.villages,
        tables={key: edition.table for key, edition in loaded.items()},
        point_sources=POINT_SOURCES,
        drive_estimate=estimate,
    )
    feature_sources = {
        name: spec.sources if (spec := feature_spec(name)) else () for name in builtin.columns
    }
    feature_sources.update({name: (key,) for name, key in extra_sources.items()})
    features = pd.concat([builtin, extra], axis=1)
    isochrones = fit = None
    drive_notes = None
    if "osm" in loaded:
        roads = loaded["osm"]
        network = RoadNetwork.from_edges(roads.table)
        points = {
            name.removeprefix("drive_min_"): loaded[key].table
            for name, key in extra_sources.items()
            if name.startswith("drive_min_") and key in loaded
        }
        timed, isochrones, fit, drive_notes = network_drive_times(
            departement.villages,
            network=network,
            features=features,
            communes=communes.communes,
            prefecture=departement.prefecture,
            airports=airports.airports,
            town_min_population=settings.town_min_population,
            points=points,
        )
        features[timed.columns] = timed
        for name in timed.columns:
            feature_sources[name] = (*feature_sources.get(name, ()), "osm")
        drive_basis = (
            f"road network: OpenStreetMap, edition {roads.info.edition}, "
            "fastest path at each road's speed limit (class defaults where none is tagged)"
        )
        if fit is not None:
            save_calibration(
                settings.cache_dir,
                CalibratedEstimate(
                    detour_factor=fit.detour_factor,
                    speed_kmh=fit.speed_kmh,
                    mae_min=fit.mae_min,
                    max_error_min=fit.max_error_min,
                    n=fit.n,
                    departement=departement.code,
                    roads_edition=roads.info.edition,
                ),
            )
    estimated = frozenset(
        name
        for name in features.columns
        if (spec := feature_spec(name)) is not None
        and spec.estimate
        and "osm" not in feature_sources.get(name, ())
    )
    return Territory(
        code=departement.code,
        name=departement.name,
        prefecture=departement.prefecture,
        villages=departement.villages,
        features=features,
        airports=airports.airports,
        sources=(communes.source, airports.source, *(e.info for e in loaded.values())),
        settings=settings,
        feature_sources=feature_sources,
        open_data=loaded,
        estimated=estimated,
        drive_basis=drive_basis,
        isochrones=isochrones,
        drive_fit=fit,
        drive_notes=drive_notes,
        drive_estimate=estimate,
    )
