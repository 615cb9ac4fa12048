"""Features: pure functions from a villages GeoDataFrame to named, unit-bearing series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import geopandas as gpd
import pandas as pd

from relocate.features.access import (
    dist_km_nearest,
    dist_km_prefecture,
    dist_km_to,
    dist_km_town,
    drive_min_estimate,
    village_points,
)
from relocate.features.catalogue import FeatureSpec, feature_spec, is_known_feature
from relocate.features.demography import area_km2, density_per_km2, population
from relocate.features.services import SERVICE_KINDS, service_features
from relocate.features.townhall import (
    format_opening_hours,
    parse_opening_hours,
    townhall_hours_per_week,
)
from relocate.settings import DriveEstimate

__all__ = [
    "FeatureSpec",
    "area_km2",
    "build_features",
    "density_per_km2",
    "dist_km_nearest",
    "dist_km_prefecture",
    "dist_km_to",
    "dist_km_town",
    "drive_min_estimate",
    "feature_spec",
    "format_opening_hours",
    "is_known_feature",
    "open_data_features",
    "parse_opening_hours",
    "population",
    "townhall_hours_per_week",
    "village_points",
]


def build_features(
    villages: gpd.GeoDataFrame,
    *,
    communes: gpd.GeoDataFrame,
    prefecture: str,
    airports: gpd.GeoDataFrame,
    town_min_population: int,
    drive_estimate: DriveEstimate,
) -> pd.DataFrame:
    """Compute every built-in feature for each village.

    Parameters
    ----------
    villages
        The villages to describe, indexed by INSEE code.
    communes
        All communes (to find towns across the border and the préfecture).
    prefecture
        INSEE code of the préfecture.
    airports
        Airports indexed by IATA code, point geometry.
    town_min_population
        Threshold for ``dist_km_town``.
    drive_estimate
        Model for the ``drive_min_*`` estimates.

    Returns
    -------
    pandas.DataFrame
        One row per village, same index, one column per feature.

    """
    columns: list[pd.Series] = [
        population(villages),
        density_per_km2(villages),
        townhall_hours_per_week(villages),
    ]
    distances = [
        dist_km_prefecture(villages, prefecture=communes.loc[[prefecture]]),
        dist_km_town(villages, communes=communes, min_population=town_min_population),
        dist_km_nearest(villages, targets=airports, name="airport"),
    ]
    for iata, point in airports.geometry.items():
        distances.append(dist_km_to(villages, lon=point.x, lat=point.y, name=str(iata)))
    for dist in distances:
        columns += [dist, drive_min_estimate(dist, model=drive_estimate)]
    return pd.concat(columns, axis=1)


def open_data_features(
    villages: gpd.GeoDataFrame,
    *,
    tables: Mapping[str, pd.DataFrame],
    point_sources: Sequence[str],
    drive_estimate: DriveEstimate,
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Compute the features of whichever open-data sources are loaded.

    Parameters
    ----------
    villages
        The villages to describe, indexed by INSEE code.
    tables
        Each loaded source's standard table, by source key (``arcep``, ``bpe``...).
    point_sources
        The keys of the sources that list facilities as points, in order of
        preference: where two give the same kind of service (La Poste and the
        BPE both list post offices), the first one loaded gives it.
    drive_estimate
        Model for the ``drive_min_*`` estimates.

    Returns
    -------
    features, provenance
        One row per village and a column per feature; and, for each feature,
        the key of the source it was computed from.
    """
    # Imported here: these modules need the catalogue, which needs this package.
    from relocate.features.broadband import broadband_features
    from relocate.features.housing import housing_features

    parts: list[pd.DataFrame] = []
    provenance: dict[str, str] = {}

    def add(frame: pd.DataFrame, key: str) -> None:
        parts.append(frame)
        provenance.update(dict.fromkeys(frame.columns, key))

    if "arcep" in tables:
        add(broadband_features(villages, arcep=tables["arcep"], deploiements=None), "arcep")
    if "arcep-deploiements" in tables:
        frame = broadband_features(villages, arcep=None, deploiements=tables["arcep-deploiements"])
        add(frame, "arcep-deploiements")
    if "dvf" in tables:
        add(housing_features(villages, dvf=tables["dvf"]), "dvf")
    given: set[str] = set()
    for key in point_sources:
        if key not in tables:
            continue
        points = tables[key]
        kinds = [k for k in SERVICE_KINDS if k not in given and (points["kind"] == k).any()]
        given.update(kinds)
        chosen = points[points["kind"].isin(kinds)]
        add(service_features(villages, points=chosen, drive_estimate=drive_estimate), key)
    if not parts:
        return pd.DataFrame(index=villages.index), provenance
    return pd.concat(parts, axis=1), provenance
