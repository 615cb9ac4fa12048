"""Where a trip's days start and end: a village, a commune, an airport, a station, a point.

:func:`resolve_place` reads what an advisor types (``Auch``, ``TLS``, ``Toulouse``,
``gare:Agen``, ``43.63,1.36``) and returns a :class:`~relocate.trip.model.Place`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pandas as pd

from relocate._names import find_village, nearest, normalise_name
from relocate.errors import UnknownVillageError
from relocate.features.access import village_points
from relocate.sources import load_communes
from relocate.sources.airports import drivable_airports, short_name
from relocate.territory import Territory
from relocate.trip.model import Place

__all__ = ["resolve_place", "village_place"]

_COORDINATES = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*[,;]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
_STATION_PREFIX = re.compile(r"^\s*(?:gare|station)\s*(?::|\s+d['’]\s*|\s+de\s+|\s+)", re.I)
_AIRPORT_PREFIX = re.compile(r"^\s*(?:a[eé]roport|airport)\s*(?::|\s+d['’]\s*|\s+de\s+|\s+)", re.I)
#: Metropolitan France and Corsica, with a margin: a point outside is a typo (swapped lat, lon).
_FRANCE = (41.0, 51.5, -5.5, 10.0)


def village_place(territory: Territory, code: str) -> Place:
    """A village of the territory as a place (at its town hall, or inside its polygon)."""
    lon, lat = village_points(territory.villages.loc[[code]])
    return Place(
        kind="village",
        key=code,
        name=str(territory.villages.at[code, "name"]),
        lon=float(lon[0]),
        lat=float(lat[0]),
        insee=code,
        departement=territory.code,
    )


def _airport(code: str) -> Place | None:
    entry = drivable_airports().get(code.strip().upper())
    if entry is None:
        return None
    return Place(
        kind="airport",
        key=code.strip().upper(),
        name=short_name(str(entry["name"])),
        lon=float(entry["lon"]),
        lat=float(entry["lat"]),
    )


def _airport_named(query: str) -> Place:
    """An airport by IATA code or by (part of) its name or city."""
    found = _airport(query)
    if found is not None:
        return found
    key = normalise_name(query)
    table = drivable_airports()
    matches = sorted(
        code
        for code, entry in table.items()
        if entry["country"] == "FR"
        and key
        and (key in normalise_name(str(entry["name"])) or key in normalise_name(str(entry["city"])))
    )
    if len(matches) == 1:
        place = _airport(matches[0])
        assert place is not None
        return place
    if matches:
        shown = ", ".join(f"{table[c]['name']} ({c})" for c in matches[:8])
        raise UnknownVillageError(f"airport {query!r} matches {shown}; give its IATA code")
    raise UnknownVillageError(
        f"no airport in or near France is named {query!r}; give its IATA code "
        "(near the Gers: TLS, AGF, PUF, LDE, BOD)"
    )


def _coordinates(query: str) -> Place | None:
    match = _COORDINATES.match(query)
    if match is None:
        return None
    lat, lon = float(match.group(1)), float(match.group(2))
    south, north, west, east = _FRANCE
    if not (south <= lat <= north and west <= lon <= east):
        raise UnknownVillageError(
            f"the point {query.strip()!r} (latitude {lat}, longitude {lon}) is not in "
            "metropolitan France; give latitude first, then longitude (e.g. 43.6465,0.5857)"
        )
    return Place(
        kind="coordinates", key=f"{lat:.6f},{lon:.6f}", name=query.strip(), lon=lon, lat=lat
    )


def _station(territory: Territory, query: str) -> Place:
    edition = territory.open_data.get("sncf")
    if edition is None:
        raise UnknownVillageError(
            f"station {query!r}: the stations are not loaded; run `relocate data fetch sncf` "
            "(or give the station's commune instead)"
        )
    table: pd.DataFrame = edition.table
    names = {f"s{i}": str(name) for i, name in enumerate(table["name"])}
    try:
        key = find_village(names, query)
    except UnknownVillageError as error:
        raise UnknownVillageError(
            f"station {query!r} is not one of the {len(names)} stations of the sncf source: "
            f"{str(error).replace('villages', 'stations').replace('village', 'station')}"
        ) from None
    at = table.iloc[int(key[1:])]
    insee = at.get("insee")
    known = insee is not None and not pd.isna(insee)
    return Place(
        kind="station",
        key=str(at["name"]),
        name=str(at["name"]),
        lon=float(at["lon"]),
        lat=float(at["lat"]),
        insee=str(insee) if known else None,
    )


def _commune(territory: Territory, query: str) -> Place | None:
    """A commune of France whose name (or INSEE code) is exactly the query, if one is."""
    communes = load_communes(cache_dir=territory.settings.cache_dir).communes
    wanted = query.strip().upper()
    if wanted in communes.index:
        codes = [wanted]
    else:
        key = normalise_name(query)
        names: pd.Series = communes["name"]
        codes = [str(c) for c, n in names.items() if normalise_name(str(n)) == key]
    if not codes:
        return None
    if len(codes) > 1:
        shown = ", ".join(
            f"{communes.at[c, 'name']} ({c}, {communes.at[c, 'departement']})" for c in codes[:10]
        )
        raise UnknownVillageError(
            f"{query!r} names {len(codes)} communes of France: {shown}; give its INSEE code"
        )
    code = codes[0]
    lon, lat = village_points(communes.loc[[code]])
    return Place(
        kind="commune",
        key=code,
        name=str(communes.at[code, "name"]),
        lon=float(lon[0]),
        lat=float(lat[0]),
        insee=code,
        departement=str(communes.at[code, "departement"]),
    )


def _exact_village(territory: Territory, query: str) -> str | None:
    """The territory's village the query names exactly (code, or whole name), if one."""
    names: Mapping[str, str] = {
        str(code): str(name) for code, name in territory.villages["name"].items()
    }
    wanted = query.strip().upper()
    if wanted in names:
        return wanted
    key = normalise_name(query)
    exact = [code for code, name in names.items() if normalise_name(name) == key]
    return exact[0] if len(exact) == 1 else None


def resolve_place(territory: Territory, query: str | Place, *, role: str = "base") -> Place:
    """The place an advisor names, for a day's start or end or an appointment.

    Read in this order:

    1. ``lat,lon`` (decimal degrees, latitude first): a point;
    2. ``gare:NAME`` / ``station:NAME`` / ``gare de NAME``: a station of the
       ``sncf`` source (loaded with ``relocate data fetch sncf``);
       ``airport:NAME`` / ``aéroport de NAME``: an airport by name;
    3. a village of the territory, by INSEE code or exact name;
    4. an IATA code of an airport in or near France (``TLS``, ``AGF``);
    5. a commune of France by exact name or INSEE code (``Toulouse``, ``31555``);
    6. a village of the territory by part of its name, as ``--villages`` reads it.

    Raises
    ------
    UnknownVillageError
        Saying what matched nothing (or several), with close names.
    """
    if isinstance(query, Place):
        return query
    point = _coordinates(query)
    if point is not None:
        return point
    if (prefix := _STATION_PREFIX.match(query)) is not None and query[prefix.end() :].strip():
        return _station(territory, query[prefix.end() :].strip())
    if (prefix := _AIRPORT_PREFIX.match(query)) is not None and query[prefix.end() :].strip():
        return _airport_named(query[prefix.end() :].strip())
    code = _exact_village(territory, query)
    if code is not None:
        return village_place(territory, code)
    if re.fullmatch(r"\s*[A-Za-z]{3}\s*", query) and (airport := _airport(query)) is not None:
        return airport
    commune = _commune(territory, query)
    if commune is not None:
        if commune.insee is not None and commune.insee in territory.villages.index:
            return village_place(territory, commune.insee)
        return commune
    names = {str(code): str(name) for code, name in territory.villages["name"].items()}
    try:
        return village_place(territory, find_village(names, query))
    except UnknownVillageError as error:
        communes = load_communes(cache_dir=territory.settings.cache_dir).communes
        close = nearest(normalise_name(query), {normalise_name(str(n)) for n in communes["name"]})
        hint = f"; communes of France with a close name: {', '.join(close)}" if close else ""
        raise UnknownVillageError(
            f"{role} {query!r} is no village of {territory.name} ({territory.code}), commune "
            f"of France, airport code (TLS) or point (lat,lon): {error}{hint}"
        ) from None
