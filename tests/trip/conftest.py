"""Fixtures of the trip tests: fixture territories, and France's communes kept to a few fakes.

Places outside a territory are looked up among all of France's communes
(:func:`relocate.sources.load_communes`); here that table is the fixture's own few
communes, so that no test reads (or caches) the national file. The programme's tests
(``test_brief_programme.py``) use the real Gers with the programme's fixture data, as
``tests/programme/`` loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from relocate.catalogue import default_catalogue
from relocate.features import DriveTimeModel
from relocate.settings import Settings
from relocate.sources import SourceInfo
from relocate.sources.communes import CommuneData
from relocate.territory import Territory
from tests.programme.conftest import (  # noqa: F401 (the programme's fixtures, used by name)
    base_cache,
    context,
    programme_cache,
    programme_gers,
)

#: Drive minutes = straight-line km: easy to reason about.
KM_IS_MINUTES = DriveTimeModel(detour_factor=1.0, speed_kmh=60.0)
#: Communes of France outside the fixture département 99 (one shares a name with another).
ELSEWHERE: list[dict[str, Any]] = [
    {"code": "98001", "name": "Town Y", "lon": 0.80, "lat": 43.60, "departement": "98"},
    {"code": "98002", "name": "Twin", "lon": 0.90, "lat": 43.50, "departement": "98"},
    {"code": "97002", "name": "Twin", "lon": 0.95, "lat": 43.40, "departement": "97"},
]


@pytest.fixture(autouse=True)
def few_communes_of_france(
    monkeypatch: pytest.MonkeyPatch,
    make_villages: Callable[[Sequence[dict[str, Any]]], gpd.GeoDataFrame],
) -> gpd.GeoDataFrame:
    """France's communes, for place look-ups: the fakes of :data:`ELSEWHERE` only."""
    communes = make_villages(ELSEWHERE)
    data = CommuneData(
        communes=communes,
        departements=pd.DataFrame(
            {"name": ["Fixture 97", "Fixture 98"], "prefecture": ["97002", "98001"]},
            index=pd.Index(["97", "98"], name="departement"),
        ),
        source=SourceInfo(
            key="communes",
            name="Fixture communes",
            publisher="Fixture publisher",
            licence="Fixture licence",
            edition="fixture",
            loaded_from="fixture",
        ),
    )
    monkeypatch.setattr("relocate.trip.places.load_communes", lambda **_: data)
    return communes


@pytest.fixture
def territory_of(
    make_villages: Callable[[Sequence[dict[str, Any]]], gpd.GeoDataFrame],
    airports: gpd.GeoDataFrame,
) -> Callable[..., Territory]:
    """Factory: a fixture département 99 of the given villages, with the km = minutes estimate."""

    def make(rows: Sequence[dict[str, Any]], open_data: dict[str, Any] | None = None) -> Territory:
        villages = make_villages(rows)
        return Territory(
            code="99",
            name="Fixture département",
            prefecture=str(rows[0]["code"]),
            villages=villages,
            features=pd.DataFrame(index=villages.index),
            airports=airports,
            sources=(),
            settings=Settings(departement="99", cache_dir=Path("unused-fixture-cache")),
            catalogue=default_catalogue(),
            feature_sources={},
            open_data=open_data or {},
            drive_model=KM_IS_MINUTES,
        )

    return make
