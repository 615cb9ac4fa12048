"""A département ready to score: its villages, their features and the sources behind them.

:func:`load_territory` runs the pipeline for one département: it loads the
built-in sources and the open-data editions in the store, computes every feature
the catalogue declares (:meth:`relocate.catalogue.Catalogue.compute`), and, when a
road network is loaded, replaces the estimated drive times with times along it.
It writes nothing: the same settings and the same editions in the store give the
same features, whatever ran before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from relocate.catalogue import Catalogue, FeatureSpec, PlacedDestination, default_catalogue
from relocate.declare import Inputs
from relocate.errors import InvalidOptionError
from relocate.features.access import village_points
from relocate.features.drive import DriveTimeModel
from relocate.i18n import translator
from relocate.settings import Settings
from relocate.sources import SourceInfo, load_airports, load_communes, select_departement
from relocate.sources.drive_model import FittedModel, load_fit, save_fit
from relocate.sources.opendata import replace_commune_columns
from relocate.sources.store import LoadedSource, Store

__all__ = [
    "ISOCHRONE_MINUTES",
    "MAX_DESTINATION_SNAP_M",
    "Territory",
    "fit_drive_model",
    "load_territory",
]

#: The isochrones drawn around each airport, in minutes.
ISOCHRONE_MINUTES = (30, 45, 60)
#: A destination farther than this from every road of the network is outside it (metres).
MAX_DESTINATION_SNAP_M = 2000.0
#: The source whose table is the road network.
_ROADS = "osm"


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
    catalogue
        The catalogue the features were computed from (labels, units, sources).
    feature_sources
        For each feature, the keys of the sources it was computed from.
    open_data
        The open-data editions loaded, by source key.
    estimated
        The features whose values are estimates (drive times without a road network).
    drive_model
        The model that estimated drive times (the stated one, or a fitted edition).
    drive_model_fit
        The fitted edition of the store that model is, if it is one.
    drive_fit
        The model fitted on this run's road network (None without one).
    isochrones
        Areas within :data:`ISOCHRONE_MINUTES` of each airport (with a road network).
    drive_notes
        Why a drive time along the network is missing, per village and feature.
    destinations
        The destinations measured to, with their points and sources.
    """

    code: str
    name: str
    prefecture: str
    villages: gpd.GeoDataFrame
    features: pd.DataFrame
    airports: gpd.GeoDataFrame
    sources: tuple[SourceInfo, ...]
    settings: Settings
    catalogue: Catalogue
    feature_sources: dict[str, tuple[str, ...]]
    open_data: dict[str, LoadedSource]
    estimated: frozenset[str] = frozenset()
    drive_model: DriveTimeModel | None = None
    drive_model_fit: FittedModel | None = None
    drive_fit: DriveTimeModel | None = None
    isochrones: gpd.GeoDataFrame | None = None
    drive_notes: pd.DataFrame | None = None
    destinations: tuple[PlacedDestination, ...] = ()

    @property
    def roads(self) -> LoadedSource | None:
        """The road network's edition, if one is loaded."""
        return self.open_data.get(_ROADS)

    @property
    def estimate_model(self) -> DriveTimeModel:
        """The model estimated drive times are computed with."""
        return self.drive_model or self.settings.drive_model

    @property
    def drive_times(self) -> str:
        """How the ``drive_min_*`` features were obtained, in words (English)."""
        return self.describe_drive_times("en")

    def describe_drive_times(self, lang: str = "en") -> str:
        """How the ``drive_min_*`` features were obtained, in words, in ``lang``."""
        tr = translator(lang)
        if self.roads is not None:
            return tr._(
                "road network: OpenStreetMap, edition {edition}, fastest path at each road's "
                "speed limit (class defaults where none is tagged)"
            ).format(edition=self.roads.info.edition)
        detour, speed = self.estimate_model.parameters
        fit = self.drive_model_fit
        if fit is None:
            return tr._(
                "estimate: straight-line distance x {detour} detour at {speed} km/h"
            ).format(detour=tr.decimal(detour), speed=tr.decimal(speed))
        model = fit.model
        return tr._(
            "estimate: straight-line distance x {detour} detour at {speed} km/h, fitted on the "
            "road network of département {departement} (OpenStreetMap {roads}; mean error "
            "{mae} min, largest {largest} min, {n} routes; drive-model edition {edition})"
        ).format(
            detour=tr.number(detour, digits=2),
            speed=tr.number(speed),
            departement=fit.departement,
            roads=fit.roads_edition,
            mae=tr.number(model.mae_min_, digits=1),
            largest=tr.number(model.max_error_min_),
            n=tr.number(model.n_routes_),
            edition=fit.edition,
        )

    def spec(self, feature: str) -> FeatureSpec:
        """What a feature means (label, unit, sources), from the catalogue.

        Raises
        ------
        UnknownFeatureError
            If the catalogue has no such feature.
        """
        return self.catalogue.require(feature)

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

    def is_built_in(self, feature: str) -> bool:
        """True if a feature comes only from built-in sources (no edition to name per value)."""
        return set(self.feature_sources.get(feature, ())) <= set(self.catalogue.built_in)

    def feature_table(self) -> pd.DataFrame:
        """The analysts' table: INSEE code, name, département, then every feature."""
        table = pd.concat(
            [self.villages[["name", "departement"]], self.features], axis=1
        ).rename_axis("insee")
        return table.reset_index()


def load_territory(settings: Settings, *, catalogue: Catalogue | None = None) -> Territory:
    """Load the sources and compute every feature for one département.

    Parameters
    ----------
    settings
        Which département and airports, the town threshold, the drive-time
        model and the cache folder.
    catalogue
        The sources and what they declare (default: relocate's own,
        :func:`~relocate.catalogue.default_catalogue`).

    Returns
    -------
    Territory

    """
    catalogue = catalogue or default_catalogue()
    communes = load_communes(cache_dir=settings.cache_dir)
    departement = select_departement(communes, settings.departement)
    airports = load_airports(settings.airports)
    store = Store(settings.cache_dir)
    loaded: dict[str, LoadedSource] = {}
    for source in catalogue.sources:
        if source.built_in:
            continue
        edition = store.load(source, departement=departement.code)  # type: ignore[arg-type]
        if edition is not None:
            loaded[source.key] = edition
    fitted = None
    if settings.calibrate_estimate and _ROADS not in loaded:
        fitted = load_fit(store, departement=departement.code)
    model = fitted.model if fitted is not None else settings.drive_model
    # A loaded source may replace commune columns (the current populations) first.
    (all_communes, villages), replacing = replace_commune_columns(
        catalogue.sources,
        {key: edition.table for key, edition in loaded.items()},
        (communes.communes, departement.villages),
    )
    inputs = Inputs(
        villages=villages,
        communes=all_communes,
        prefecture=departement.prefecture,
        airports=airports.airports,
        tables={key: edition.table for key, edition in loaded.items()},
        town_min_population=settings.town_min_population,
        trade=settings.trade,
        min_members_shown=settings.min_members_shown,
        drive_model=model,
        today=settings.today,
    )
    computed = catalogue.compute(inputs, drive_model=model)
    features = computed.frame
    feature_sources = dict(computed.sources)
    communes_info = communes.source
    for source in replacing:
        for name in source.supersedes:
            if name in feature_sources:
                feature_sources[name] = (*feature_sources[name], source.key)
        communes_info = replace(
            communes_info,
            # Names and editions only, so that it reads the same in every language.
            edition=f"{communes_info.edition}; {', '.join(source.commune_columns)}: "
            f"{source.key} {loaded[source.key].info.edition}",
        )
    isochrones = fit = notes = None
    if _ROADS in loaded:
        roads = _RoadStage(villages, loaded[_ROADS].table)
        timed, notes = roads.drive_times(computed.destinations)
        features = features.copy()
        features[timed.columns] = timed
        for name in timed.columns:
            feature_sources[name] = (*feature_sources.get(name, ()), _ROADS)
        features["snap_m"] = roads.snap_m()
        feature_sources["snap_m"] = catalogue.require("snap_m").sources
        isochrones = roads.isochrones(airports.airports)
        to_airports = [
            item
            for item in computed.destinations
            if catalogue.require(item.destination.names[0]).family == "airport"
        ]
        fit = roads.fit(features, to_airports, timed, settings.drive_model)
    estimated = frozenset(
        name
        for name in features.columns
        if (spec := catalogue.spec(name)) is not None
        and spec.estimate
        and _ROADS not in feature_sources.get(name, ())
    )
    return Territory(
        code=departement.code,
        name=departement.name,
        prefecture=departement.prefecture,
        villages=villages,
        features=features,
        airports=airports.airports,
        sources=(communes_info, airports.source, *(e.info for e in loaded.values())),
        settings=settings,
        catalogue=catalogue,
        feature_sources=feature_sources,
        open_data=loaded,
        estimated=estimated,
        drive_model=model,
        drive_model_fit=fitted,
        drive_fit=fit,
        isochrones=isochrones,
        drive_notes=notes,
        destinations=computed.destinations,
    )


def fit_drive_model(settings: Settings, *, catalogue: Catalogue | None = None) -> FittedModel:
    """Fit the drive-time model on the département's road network, and keep it in the store.

    This is the explicit step that makes a fitted model (the road network's import
    runs it); later runs without a road network estimate with it, and say so.

    Raises
    ------
    InvalidOptionError
        If no road network is loaded for the département, or it allows no fit.
    """
    territory = load_territory(settings, catalogue=catalogue)
    roads = territory.roads
    if roads is None:
        raise InvalidOptionError(
            f"no road network is loaded for département {territory.code}: run "
            "`relocate data fetch osm` or `relocate data import osm FILE.osm.pbf` first"
        )
    if territory.drive_fit is None:
        raise InvalidOptionError(
            f"the road network of département {territory.code} reaches none of the airports "
            "from the villages: no route to fit the drive-time model on"
        )
    store = Store(settings.cache_dir)
    manifest = save_fit(
        store,
        territory.drive_fit,
        departement=territory.code,
        roads_edition=roads.info.edition,
        roads_date=roads.manifest.date,
    )
    return FittedModel(
        model=territory.drive_fit,
        departement=territory.code,
        roads_edition=roads.info.edition,
        edition=manifest.edition,
    )


class _RoadStage:
    """Drive times along a road network: the stage that replaces the estimates."""

    def __init__(self, villages: gpd.GeoDataFrame, edges: pd.DataFrame) -> None:
        # Lazy: scipy's sparse graphs are needed only with a road network loaded.
        from relocate.features.roads import RoadNetwork

        self.villages = villages
        self.network = RoadNetwork.from_edges(edges)

    def _on_network(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Which points lie on the network's area (close enough to one of its roads)."""
        ok = ~(np.isnan(lon) | np.isnan(lat))
        inside = np.zeros(len(lon), dtype=bool)
        if ok.any():
            _, dist = self.network.snap(lon[ok], lat[ok])
            inside[ok] = np.asarray(dist) <= MAX_DESTINATION_SNAP_M
        return inside

    def drive_times(
        self, destinations: Sequence[PlacedDestination]
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Every destination's drive time along the network, and why one is missing.

        A destination of one point is routed to wherever it is (the network's
        own limit applies); of several points, the ones on the network's area only.
        """
        from relocate.features.roads import drive_min_nearest, drive_min_to, unreachable_reason

        times: dict[str, pd.Series] = {}
        reasons: dict[str, np.ndarray] = {}
        for item in destinations:
            lon, lat = item.points.lon, item.points.lat
            if len(lon) == 1:
                series = drive_min_to(
                    self.villages,
                    network=self.network,
                    lon=float(lon[0]),
                    lat=float(lat[0]),
                    name=item.key,
                )
                where = {"lon": float(lon[0]), "lat": float(lat[0])}
            else:
                keep = self._on_network(lon, lat)
                series = (
                    drive_min_nearest(
                        self.villages,
                        network=self.network,
                        lons=lon[keep],
                        lats=lat[keep],
                        name=item.key,
                    )
                    if keep.any()
                    else pd.Series(
                        np.nan, index=self.villages.index, name=item.destination.names[1]
                    )
                )
                where = {}
            times[str(series.name)] = series
            reasons[str(series.name)] = unreachable_reason(
                self.villages, network=self.network, times=series, **where
            ).to_numpy()
        notes = pd.DataFrame(reasons, index=self.villages.index, dtype=object)
        return pd.DataFrame(times, index=self.villages.index), notes

    def snap_m(self) -> pd.Series:
        """Each village's distance to the network."""
        from relocate.features.roads import snap_distance_m

        return snap_distance_m(self.villages, network=self.network)

    def isochrones(self, airports: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
        """The areas within :data:`ISOCHRONE_MINUTES` of each airport on the network."""
        from relocate.features.roads import isochrones

        areas = []
        for iata, point in airports.geometry.items():
            if not self._on_network(np.array([point.x]), np.array([point.y]))[0]:
                continue
            area = isochrones(self.network, lon=point.x, lat=point.y, minutes=ISOCHRONE_MINUTES)
            areas.append(area.assign(airport=str(iata)))
        if not areas:
            return gpd.GeoDataFrame({"airport": [], "minutes": []}, geometry=[], crs="EPSG:4326")
        return gpd.GeoDataFrame(pd.concat(areas, ignore_index=True), crs="EPSG:4326")

    def fit(
        self,
        features: pd.DataFrame,
        destinations: Sequence[PlacedDestination],
        times: pd.DataFrame,
        stated: DriveTimeModel,
    ) -> DriveTimeModel | None:
        """The drive-time model fitted on the routes from each village to each destination."""
        straight, road_km, road_min = [], [], []
        nodes, _ = self.network.snap(*village_points(self.villages))
        for item in destinations:
            dist_name, drive_name = item.destination.names
            if drive_name not in times or dist_name not in features or len(item.points) != 1:
                continue
            lengths = self.network.lengths_to(float(item.points.lon[0]), float(item.points.lat[0]))
            km = np.where(nodes >= 0, lengths[np.maximum(nodes, 0)], np.nan) / 1e3
            straight.append(features[dist_name].to_numpy(dtype=float))
            road_km.append(np.asarray(km, dtype=float))
            road_min.append(times[drive_name].to_numpy(dtype=float))
        if not straight:
            return None
        s, k, m = (np.concatenate(a) for a in (straight, road_km, road_min))
        ok = np.isfinite(s) & np.isfinite(k) & np.isfinite(m) & (s > 0) & (k > 0) & (m > 0)
        if ok.sum() < 2:
            return None
        return DriveTimeModel(**stated.get_params()).fit(s, m, network_km=k)
