"""Airports by IATA code from the ``airportsdata`` package."""

from __future__ import annotations

import difflib
import functools
import importlib.metadata
from collections.abc import Sequence
from dataclasses import dataclass

import airportsdata
import geopandas as gpd
import numpy as np

from relocate.declare import BuiltInSource, Destination, DestinationFamily, Inputs, Points, Text
from relocate.errors import UnknownAirportError
from relocate.sources.provenance import SourceInfo

__all__ = [
    "AIRPORTS",
    "AIRPORT_COUNTRIES",
    "AirportData",
    "airports_source",
    "drivable_airports",
    "load_airports",
    "short_name",
]

_PACKAGE = "airportsdata"

#: Airports relocate measures against: in France (overseas included) and its
#: neighbours. Farther ones are no drive away, and a typo (TSL, in Mexico, for
#: TLS) must not pass as one.
AIRPORT_COUNTRIES = frozenset(
    {"FR", "GP", "MQ", "GF", "RE", "YT", "PM", "BE", "LU", "DE", "CH", "IT", "MC", "ES", "AD"}
)


#: The generic words airportsdata's (English) names end with, dropped from the names
#: relocate shows: the layer or criterion already says it is an airport, in the
#: reader's language.
_GENERIC_SUFFIXES = (" International Airport", " Airport", " Airfield", " Air Base")


def short_name(name: str) -> str:
    """An airport's name without its English generic word, in any language's sentence.

    Examples
    --------
    >>> short_name("Toulouse-Blagnac Airport")
    'Toulouse-Blagnac'
    >>> short_name("Barcelona International Airport")
    'Barcelona'
    >>> short_name("Fixture Airport One")
    'Fixture Airport One'
    """
    for suffix in _GENERIC_SUFFIXES:
        if name.endswith(suffix):
            return name.removesuffix(suffix)
    return name


@functools.cache
def drivable_airports() -> dict[str, airportsdata.Airport]:
    """Return the airportsdata entries, by IATA code, in :data:`AIRPORT_COUNTRIES`."""
    table = airportsdata.load("IATA")
    return {code: a for code, a in table.items() if a["country"] in AIRPORT_COUNTRIES}


def airports_source(version: str | None = None) -> SourceInfo:
    """Describe the airports source as shipped by the installed ``airportsdata``."""
    version = version or importlib.metadata.version(_PACKAGE)
    edition = version
    if len(version) == 8 and version.isdigit():  # versions are release dates, YYYYMMDD
        edition = f"{version[:4]}-{version[4:6]}-{version[6:]}"
    return SourceInfo(
        key="airports",
        name=Text(
            en="airportsdata (airport names and positions by IATA code)",
            fr="airportsdata (noms et positions des aéroports par code IATA)",
        ),
        publisher=Text(
            en="Mike Borsetti, from mwgg/Airports checked against national AIPs",
            fr="Mike Borsetti, d’après mwgg/Airports vérifié sur les AIP nationales",
        ),
        licence="MIT",
        edition=edition,
        loaded_from=f"PyPI package airportsdata {version}",
        url="https://pypi.org/project/airportsdata/",
    )


@dataclass(frozen=True, kw_only=True)
class AirportData:
    """Airports, indexed by IATA code, with ``name``, ``city`` and point geometry (EPSG:4326).

    ``name`` is airportsdata's without its generic English word (:func:`short_name`):
    ``Toulouse-Blagnac``.
    """

    airports: gpd.GeoDataFrame
    source: SourceInfo


def load_airports(codes: Sequence[str]) -> AirportData:
    """Load the airports with these IATA codes, in the order given.

    Raises
    ------
    UnknownAirportError
        If a code is not a known IATA code; the message suggests close codes.

    """
    table = drivable_airports()
    rows = []
    for raw_code in codes:
        code = raw_code.strip().upper()
        far = airportsdata.load("IATA").get(code) if code not in table else None
        if far is not None:
            raise UnknownAirportError(
                f"airport {code} ({far['name']}, {far['city']}, {far['country']}) is too far "
                "from France to drive to: relocate measures to airports in "
                f"{', '.join(sorted(AIRPORT_COUNTRIES))} (near the Gers: TLS, AGF, PUF, LDE, BOD)"
            )
        if code not in table:
            swapped = [c for c in sorted(table) if sorted(c) == sorted(code)]  # TSL -> TLS
            close = swapped + difflib.get_close_matches(code, sorted(table), n=5, cutoff=0.3)
            close = list(dict.fromkeys(close))[:5]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownAirportError(
                f"unknown airport {raw_code!r}: not an IATA code of an airport in or near "
                f"France{hint} (near the Gers: TLS, AGF, PUF, LDE, BOD, BIQ, RDZ, CCF)"
            )
        entry = table[code]
        rows.append(
            {
                "iata": code,
                "name": short_name(str(entry["name"])),
                "city": entry["city"],
                "lon": float(entry["lon"]),
                "lat": float(entry["lat"]),
            }
        )
    frame = gpd.GeoDataFrame(
        rows,
        geometry=gpd.points_from_xy([r["lon"] for r in rows], [r["lat"] for r in rows]),
        crs="EPSG:4326",
    ).set_index("iata")
    return AirportData(airports=frame, source=airports_source())


# --- what the source declares --------------------------------------------------------------


def _all_airports(inputs: Inputs) -> Points:
    points = inputs.airports.geometry.to_crs("EPSG:4326")
    return Points(
        lon=points.x.to_numpy(dtype=float),
        lat=points.y.to_numpy(dtype=float),
        names=inputs.airports["name"].to_numpy(dtype=object),
    )


def _one_airport(iata: str, inputs: Inputs) -> Points:
    point = inputs.airports.geometry.to_crs("EPSG:4326").loc[iata]
    names = np.array([inputs.airports.at[iata, "name"]], dtype=object)
    return Points(lon=np.array([point.x]), lat=np.array([point.y]), names=names)


def _airport(iata: str) -> Destination:
    entry = drivable_airports().get(iata)
    name = short_name(str(entry["name"])) if entry is not None else iata
    return Destination(
        key=iata,
        place=Text(en="{name} airport ({iata})", fr="l’aéroport {name} ({iata})").format(
            name=name, iata=iata
        ),
        sources=("communes", "airports"),
        points=functools.partial(_one_airport, iata),
        description=Text(en="airport {iata}", fr="l’aéroport {iata}").format(iata=iata),
    )


def _codes() -> frozenset[str]:
    return frozenset(drivable_airports())


def _configured(inputs: Inputs) -> list[str]:
    return [str(code) for code in inputs.airports.index]


#: The airports' destinations: the nearest configured one, and each airport by IATA code.
AIRPORTS = BuiltInSource(
    key="airports",
    destinations=(
        Destination(
            key="airport",
            place=Text(en="the nearest airport", fr="l’aéroport le plus proche"),
            sources=("communes", "airports"),
            points=_all_airports,
            description=Text(
                en="the nearest of the configured airports",
                fr="le plus proche des aéroports choisis",
            ),
            named=True,
        ),
    ),
    families=(
        DestinationFamily(name="airport", domain=_codes, make=_airport, instances=_configured),
    ),
)
