"""Airports by IATA code from the ``airportsdata`` package."""

from __future__ import annotations

import difflib
import importlib.metadata
from collections.abc import Sequence
from dataclasses import dataclass

import airportsdata
import geopandas as gpd

from relocate.errors import UnknownAirportError
from relocate.sources.provenance import SourceInfo

__all__ = ["AirportData", "airports_source", "load_airports"]

_PACKAGE = "airportsdata"


def airports_source(version: str | None = None) -> SourceInfo:
    """Describe the airports source as shipped by the installed ``airportsdata``."""
    version = version or importlib.metadata.version(_PACKAGE)
    edition = version
    if len(version) == 8 and version.isdigit():  # versions are release dates, YYYYMMDD
        edition = f"{version[:4]}-{version[4:6]}-{version[6:]}"
    return SourceInfo(
        key="airports",
        name="airportsdata (airport names and positions by IATA code)",
        publisher="Mike Borsetti, from mwgg/Airports checked against national AIPs",
        licence="MIT",
        edition=edition,
        loaded_from=f"PyPI package airportsdata {version}",
        url="https://pypi.org/project/airportsdata/",
    )


@dataclass(frozen=True, kw_only=True)
class AirportData:
    """Airports, indexed by IATA code, with ``name``, ``city`` and point geometry (EPSG:4326)."""

    airports: gpd.GeoDataFrame
    source: SourceInfo


def load_airports(codes: Sequence[str]) -> AirportData:
    """Load the airports with these IATA codes, in the order given.

    Raises
    ------
    UnknownAirportError
        If a code is not a known IATA code; the message suggests close codes.

    """
    table = airportsdata.load("IATA")
    rows = []
    for raw_code in codes:
        code = raw_code.strip().upper()
        if code not in table:
            french = sorted(c for c, a in table.items() if a["country"] == "FR")
            close = difflib.get_close_matches(code, french, n=5, cutoff=0.3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownAirportError(
                f"unknown airport IATA code {raw_code!r}{hint} "
                "(French airports include TLS, AGF, PUF, LDE, BOD, BIQ, RDZ, CCF)"
            )
        entry = table[code]
        rows.append(
            {
                "iata": code,
                "name": entry["name"],
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
