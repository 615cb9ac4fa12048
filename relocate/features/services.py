"""Services and facilities near each village: how many in it, how far to the nearest."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from relocate.features._geodesy import nearest_geodesic_km
from relocate.features.access import drive_min_estimate, village_points
from relocate.features.catalogue import FeatureSpec
from relocate.settings import DriveEstimate

__all__ = [
    "SERVICE_KINDS",
    "SPECS",
    "count_in_village",
    "dist_km_nearest_point",
    "service_features",
]

#: Service kinds the point sources provide: label, plural, and the sources that give it.
SERVICE_KINDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "station": ("passenger railway station", "passenger railway stations", ("sncf",)),
    "train_station": ("railway station (BPE)", "railway stations (BPE)", ("bpe",)),
    "post_office": ("post office", "post offices", ("laposte", "bpe")),
    "postal_agency": ("communal postal agency", "communal postal agencies", ("laposte", "bpe")),
    "postal_relay": ("postal relay in a shop", "postal relays in shops", ("laposte", "bpe")),
    "hospital": ("hospital", "hospitals", ("finess",)),
    "gp": ("general practitioner", "general practitioners", ("bpe",)),
    "pharmacy": ("pharmacy", "pharmacies", ("bpe",)),
    "primary_school": ("primary school", "primary schools", ("bpe",)),
    "nursery_school": ("nursery school", "nursery schools", ("bpe",)),
    "college": ("collège", "collèges", ("bpe",)),
    "lycee": ("lycée", "lycées", ("bpe",)),
    "supermarket": ("supermarket or hypermarket", "supermarkets and hypermarkets", ("bpe",)),
    "bakery": ("bakery", "bakeries", ("bpe",)),
}


def _specs() -> tuple[FeatureSpec, ...]:
    specs = []
    for kind, (label, plural, sources) in SERVICE_KINDS.items():
        specs += [
            FeatureSpec(
                name=f"count_{kind}",
                label=f"{plural[0].upper()}{plural[1:]} in the village",
                unit="",
                sources=sources,
                estimate=False,
                description=f"Number of {plural} located in the commune.",
            ),
            FeatureSpec(
                name=f"dist_km_{kind}",
                label=f"Distance to the nearest {label}",
                unit="km",
                sources=sources,
                estimate=False,
                description=f"Geodesic distance from the town hall to the nearest {label}, "
                "in any département (0 would mean at the town hall itself).",
            ),
            FeatureSpec(
                name=f"drive_min_{kind}",
                label=f"Drive to the nearest {label}",
                unit="min",
                sources=sources,
                estimate=True,
                description=f"Drive time to the nearest {label}, estimated from the straight line.",
            ),
        ]
    return tuple(specs)


SPECS = _specs()


def count_in_village(villages: gpd.GeoDataFrame, points: pd.DataFrame, *, kind: str) -> pd.Series:
    """Number of points of ``kind`` whose commune is the village (0 where none: a count)."""
    codes = points.loc[points["kind"] == kind, "insee"].dropna()
    counts = codes.value_counts().reindex(villages.index, fill_value=0)
    return pd.Series(counts.to_numpy(dtype=float), index=villages.index, name=f"count_{kind}")


def dist_km_nearest_point(
    villages: gpd.GeoDataFrame, points: pd.DataFrame, *, kind: str
) -> pd.Series:
    """Geodesic distance in km to the nearest point of ``kind`` (NaN if there is none)."""
    chosen = points[(points["kind"] == kind) & points["lon"].notna() & points["lat"].notna()]
    v_lon, v_lat = village_points(villages)
    dist, _ = nearest_geodesic_km(
        v_lon, v_lat, chosen["lon"].to_numpy(dtype=float), chosen["lat"].to_numpy(dtype=float)
    )
    return pd.Series(dist, index=villages.index, name=f"dist_km_{kind}")


def service_features(
    villages: gpd.GeoDataFrame, *, points: pd.DataFrame, drive_estimate: DriveEstimate
) -> pd.DataFrame:
    """Count, distance and estimated drive time for every kind present in ``points``."""
    columns = []
    for kind in SERVICE_KINDS:
        if not (points["kind"] == kind).any():
            continue
        dist = dist_km_nearest_point(villages, points, kind=kind)
        columns += [
            count_in_village(villages, points, kind=kind),
            dist,
            drive_min_estimate(dist, model=drive_estimate),
        ]
    if not columns:
        return pd.DataFrame(index=villages.index)
    return pd.concat(columns, axis=1)
