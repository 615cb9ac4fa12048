"""Features: pure functions from a villages GeoDataFrame (and tables) to named series.

Each function takes the villages (indexed by INSEE code) and, where it needs one,
a source's standard table, and returns a :class:`pandas.Series` aligned to the
villages' index and named with its unit (``fibre_share_pct``, ``dist_km_TLS``).
Nothing here knows which sources exist or which features a profile uses: the
source modules declare which function computes which feature
(:mod:`relocate.declare`), and :mod:`relocate.catalogue` runs them.

This package imports nothing from :mod:`relocate.sources`, the catalogue,
scoring or outputs.
"""

from relocate.features.access import (
    dist_km_nearest,
    dist_km_prefecture,
    dist_km_to,
    dist_km_town,
    drive_min_estimate,
    nearest_km,
    towns,
    village_points,
)
from relocate.features.demography import area_km2, density_per_km2, population
from relocate.features.drive import DriveTimeModel
from relocate.features.townhall import parse_opening_hours, townhall_hours_per_week

__all__ = [
    "DriveTimeModel",
    "area_km2",
    "density_per_km2",
    "dist_km_nearest",
    "dist_km_prefecture",
    "dist_km_to",
    "dist_km_town",
    "drive_min_estimate",
    "nearest_km",
    "parse_opening_hours",
    "population",
    "townhall_hours_per_week",
    "towns",
    "village_points",
]
