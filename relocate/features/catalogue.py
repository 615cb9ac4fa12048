"""The catalogue of features: name, label, unit, source and whether a value is an estimate."""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from relocate.sources.airports import drivable_airports

__all__ = [
    "FeatureSpec",
    "feature_spec",
    "is_known_feature",
    "known_feature_names",
    "open_data_feature_names",
    "suggest",
]


@dataclass(frozen=True, kw_only=True)
class FeatureSpec:
    """What one feature column means.

    Attributes
    ----------
    name
        Column name, with its unit in it (``drive_min_TLS``).
    label
        Short human label.
    unit
        Unit of the raw value, as shown to users.
    sources
        Keys of the sources it is computed from.
    estimate
        True if the value is modelled rather than measured.
    description
        One sentence on how it is computed.

    """

    name: str
    label: str
    unit: str
    sources: tuple[str, ...]
    estimate: bool
    description: str


_STATIC: dict[str, FeatureSpec] = {
    spec.name: spec
    for spec in [
        FeatureSpec(
            name="population",
            label="Population",
            unit="inhabitants",
            sources=("communes",),
            estimate=False,
            description="INSEE population municipale.",
        ),
        FeatureSpec(
            name="density_per_km2",
            label="Population density",
            unit="inhabitants/km²",
            sources=("communes",),
            estimate=False,
            description="Population divided by the commune's geodesic area.",
        ),
        FeatureSpec(
            name="townhall_hours_per_week",
            label="Town-hall opening hours",
            unit="h/week",
            sources=("communes",),
            estimate=False,
            description="Weekly opening hours of the town hall, from its published timetable.",
        ),
        FeatureSpec(
            name="dist_km_prefecture",
            label="Distance to the préfecture",
            unit="km",
            sources=("communes",),
            estimate=False,
            description="Geodesic distance from the town hall to the préfecture's town hall.",
        ),
        FeatureSpec(
            name="drive_min_prefecture",
            label="Drive to the préfecture",
            unit="min",
            sources=("communes",),
            estimate=True,
            description="Drive time to the préfecture, estimated from the straight line.",
        ),
        FeatureSpec(
            name="dist_km_town",
            label="Distance to the nearest town",
            unit="km",
            sources=("communes",),
            estimate=False,
            description=(
                "Geodesic distance to the nearest commune of at least the town threshold "
                "(0 if the village is itself one), in any département."
            ),
        ),
        FeatureSpec(
            name="drive_min_town",
            label="Drive to the nearest town",
            unit="min",
            sources=("communes",),
            estimate=True,
            description="Drive time to the nearest town, estimated from the straight line.",
        ),
        FeatureSpec(
            name="snap_m",
            label="Distance from the town hall to the road network",
            unit="m",
            sources=("communes", "osm"),
            estimate=False,
            description="Geodesic distance from the town hall to the nearest node of the "
            "road network; drive times start there (only with a road network loaded).",
        ),
        FeatureSpec(
            name="dist_km_airport",
            label="Distance to the nearest airport",
            unit="km",
            sources=("communes", "airports"),
            estimate=False,
            description="Geodesic distance to the nearest of the configured airports.",
        ),
        FeatureSpec(
            name="drive_min_airport",
            label="Drive to the nearest airport",
            unit="min",
            sources=("communes", "airports"),
            estimate=True,
            description="Drive time to the nearest configured airport, estimated.",
        ),
    ]
}

_AIRPORT_FEATURE = re.compile(r"^(dist_km|drive_min)_([A-Z0-9]{3})$")


@functools.cache
def _iata_codes() -> frozenset[str]:
    return frozenset(drivable_airports())


@functools.cache
def _open_data_specs() -> dict[str, FeatureSpec]:
    # Imported here: these modules import FeatureSpec from this one.
    from relocate.features import broadband, housing, services

    return {spec.name: spec for module in (services, broadband, housing) for spec in module.SPECS}


def feature_spec(name: str) -> FeatureSpec | None:
    """Return the spec of a feature name, or None if no such feature can exist."""
    if name in _STATIC:
        return _STATIC[name]
    if name in _open_data_specs():
        return _open_data_specs()[name]
    match = _AIRPORT_FEATURE.match(name)
    if match is None or match.group(2) not in _iata_codes():
        return None
    kind, iata = match.groups()
    if kind == "dist_km":
        return FeatureSpec(
            name=name,
            label=f"Distance to {iata} airport",
            unit="km",
            sources=("communes", "airports"),
            estimate=False,
            description=f"Geodesic distance from the town hall to airport {iata}.",
        )
    return FeatureSpec(
        name=name,
        label=f"Drive to {iata} airport",
        unit="min",
        sources=("communes", "airports"),
        estimate=True,
        description=f"Drive time to airport {iata}, estimated from the straight line.",
    )


def is_known_feature(name: str) -> bool:
    """Return True if ``name`` is a feature relocate can compute."""
    return feature_spec(name) is not None


def known_feature_names(airports: Iterable[str] = ()) -> list[str]:
    """Return the built-in feature names, the per-airport ones, then the open-data ones."""
    names = list(_STATIC)
    for iata in airports:
        names += [f"dist_km_{iata}", f"drive_min_{iata}"]
    return names + list(_open_data_specs())


def open_data_feature_names() -> list[str]:
    """Return the names of the features computed from open-data sources."""
    return list(_open_data_specs())


def suggest(name: str, candidates: Iterable[str]) -> str | None:
    """Return the candidate closest to a misspelt name, if one is close enough."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None
