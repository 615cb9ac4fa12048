"""A département ready to score: its villages, their features and the sources behind them."""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from relocate.features import build_features
from relocate.settings import Settings
from relocate.sources import SourceInfo, load_airports, load_communes, select_departement

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

    @property
    def drive_times(self) -> str:
        """How the ``drive_min_*`` features were obtained, in words."""
        return self.settings.drive_estimate.description

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
    features = build_features(
        departement.villages,
        communes=communes.communes,
        prefecture=departement.prefecture,
        airports=airports.airports,
        town_min_population=settings.town_min_population,
        drive_estimate=settings.drive_estimate,
    )
    return Territory(
        code=departement.code,
        name=departement.name,
        prefecture=departement.prefecture,
        villages=departement.villages,
        features=features,
        airports=airports.airports,
        sources=(communes.source, airports.source),
        settings=settings,
    )
