"""Airports from the installed airportsdata package, as relocate names and places them."""

from __future__ import annotations

import pytest

from relocate.errors import UnknownAirportError
from relocate.sources.airports import load_airports


def test_names_drop_the_english_generic_word() -> None:
    airports = load_airports(["TLS", "AGF", "BCN"]).airports
    assert list(airports.index) == ["TLS", "AGF", "BCN"]
    assert airports["name"].to_dict() == {
        "TLS": "Toulouse-Blagnac",
        "AGF": "Agen-La Garenne",
        "BCN": "Barcelona",
    }
    assert airports.crs == "EPSG:4326"
    tls = airports.geometry.loc["TLS"]
    assert 1.3 < tls.x < 1.4 and 43.6 < tls.y < 43.7  # Blagnac, west of Toulouse


def test_a_far_airport_is_refused_with_its_full_name() -> None:
    with pytest.raises(UnknownAirportError, match=r"John F Kennedy International Airport"):
        load_airports(["JFK"])
