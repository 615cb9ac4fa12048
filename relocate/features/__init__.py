"""Features: pure functions from a villages GeoDataFrame to named, unit-bearing series."""

from __future__ import annotations

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
