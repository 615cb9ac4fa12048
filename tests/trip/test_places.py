"""Where a trip starts and ends: villages, communes of France, airports, stations, points."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pandas as pd
import pytest

from relocate.errors import UnknownVillageError
from relocate.territory import Territory
from relocate.trip.places import resolve_place

ROWS = [
    {"code": "99001", "name": "Fixture village", "lon": 0.50, "lat": 43.60},
    {"code": "99002", "name": "Tls", "lon": 0.60, "lat": 43.60},  # a village named like a code
    {"code": "99003", "name": "Le Grand Village", "lon": 0.70, "lat": 43.60},
]


@pytest.fixture
def territory(territory_of: Callable[..., Territory]) -> Territory:
    stations = pd.DataFrame(
        {
            "insee": ["99001", "98001"],
            "kind": ["station", "station"],
            "name": ["Fixture village", "Town Y Central"],
            "lon": [0.505, 0.801],
            "lat": [43.601, 43.602],
        }
    )
    sncf = SimpleNamespace(table=stations, info=SimpleNamespace(edition="fixture"))
    return territory_of(ROWS, open_data={"sncf": sncf})


def test_a_village_of_the_territory_by_name_or_code(territory: Territory) -> None:
    for query in ("99003", "le grand village", "Grand Village"):
        place = resolve_place(territory, query)
        assert (place.kind, place.key, place.name) == ("village", "99003", "Le Grand Village")
    assert resolve_place(territory, "Fixture village").insee == "99001"


def test_an_airport_by_its_code(territory: Territory) -> None:
    place = resolve_place(territory, "AGF")
    assert (place.kind, place.key, place.name) == ("airport", "AGF", "Agen-La Garenne")
    assert place.label("en") == "Agen-La Garenne airport (AGF)"
    assert place.label("fr") == "aéroport Agen-La Garenne (AGF)"
    assert resolve_place(territory, "airport:Blagnac").key == "TLS"
    assert resolve_place(territory, "aéroport de Toulouse-Blagnac").key == "TLS"


def test_a_village_named_like_an_airport_code_stays_the_village(territory: Territory) -> None:
    assert resolve_place(territory, "Tls").kind == "village"
    assert resolve_place(territory, "TLS").kind == "village"  # the exact name comes first


def test_a_commune_elsewhere_in_france(territory: Territory) -> None:
    place = resolve_place(territory, "Town Y")
    assert (place.kind, place.key, place.departement) == ("commune", "98001", "98")
    assert place.label("fr") == "Town Y (98)"
    assert resolve_place(territory, "98001").key == "98001"
    with pytest.raises(UnknownVillageError, match=r"names 2 communes of France: .*give its INSEE"):
        resolve_place(territory, "Twin")
    assert resolve_place(territory, "97002").departement == "97"


def test_a_station(territory: Territory) -> None:
    place = resolve_place(territory, "gare:Town Y Central")
    assert (place.kind, place.insee) == ("station", "98001")
    assert place.label("fr") == "gare de Town Y Central"
    assert resolve_place(territory, "gare de Fixture village").kind == "station"
    assert resolve_place(territory, "station: town y").name == "Town Y Central"
    with pytest.raises(UnknownVillageError, match="not one of the 2 stations"):
        resolve_place(territory, "gare:Nowhere")


def test_a_station_needs_the_stations_loaded(territory_of: Callable[..., Territory]) -> None:
    with pytest.raises(UnknownVillageError, match="relocate data fetch sncf"):
        resolve_place(territory_of(ROWS), "gare:Agen")


def test_a_point(territory: Territory) -> None:
    place = resolve_place(territory, " 43.6465 , 0.5857 ")
    assert (place.kind, place.lat, place.lon) == ("coordinates", 43.6465, 0.5857)
    assert place.label("en") == "the point 43.6465, 0.5857"
    with pytest.raises(UnknownVillageError, match="latitude first"):
        resolve_place(territory, "0.5857,43.6465")


def test_nothing_known_says_what_was_tried(territory: Territory) -> None:
    with pytest.raises(UnknownVillageError) as exc:
        resolve_place(territory, "Toujouze", role="base")
    message = str(exc.value)
    assert message.startswith("base 'Toujouze' is no village of Fixture département (99)")
    assert "airport code (TLS) or point (lat,lon)" in message
    assert "\n" not in message
