"""Tiny, obviously fake fixtures shared by the unit tests (no real data, no network)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from relocate.catalogue import Catalogue, FeatureSet, default_catalogue
from relocate.declare import Inputs
from relocate.features import DriveTimeModel
from relocate.scoring import Profile, parse_profile

CRS = "EPSG:4326"
#: Side of the fixture squares, in degrees.
SIDE = 0.02
#: Opening hours in the format of the DILA directory: Monday to Friday, 7 h a day = 35 h.
HOURS_35 = '[["lundi","vendredi",[["09:00:00","12:00:00"],["14:00:00","18:00:00"]]]]'
HOURS_40 = '[["lundi","vendredi",[["08:00:00","12:30:00"],["13:30:00","17:00:00"]]]]'

VillageRow = dict[str, Any]


def square(lon: float, lat: float, side: float = SIDE):
    """A square polygon centred on (lon, lat)."""
    half = side / 2
    return box(lon - half, lat - half, lon + half, lat + half)


def _village_frame(rows: Sequence[VillageRow]) -> gpd.GeoDataFrame:
    """Build a villages table shaped like ``relocate.sources.communes._parse`` output."""
    records = []
    geoms = []
    for row in rows:
        lon, lat = row["lon"], row["lat"]
        has_townhall = row.get("townhall", True)
        records.append(
            {
                "code": row["code"],
                "name": row["name"],
                "departement": row.get("departement", "99"),
                "population": row.get("population"),
                "epci_id": row.get("epci_id", "999000001"),
                "townhall_lon": lon if has_townhall else np.nan,
                "townhall_lat": lat if has_townhall else np.nan,
                "townhall_address": row.get("address", f"Mairie, 1 place de {row['name']}"),
                "townhall_hours": row.get("hours", HOURS_35),
                "townhall_email": row.get("email"),
                "townhall_phone": row.get("phone"),
                "townhall_website": row.get("website"),
            }
        )
        geoms.append(row.get("geometry", square(lon, lat)))
    frame = pd.DataFrame.from_records(records)
    frame["population"] = frame["population"].astype("Int64")
    frame["townhall_lon"] = frame["townhall_lon"].astype(float)
    frame["townhall_lat"] = frame["townhall_lat"].astype(float)
    for column in ["townhall_email", "townhall_phone", "townhall_website"]:
        frame[column] = frame[column].astype(object)
    villages = gpd.GeoDataFrame(frame, geometry=geoms, crs=CRS)
    return villages.set_index("code", drop=False).rename_axis("insee")


@pytest.fixture
def make_villages() -> Callable[[Sequence[VillageRow]], gpd.GeoDataFrame]:
    """Factory: rows of dicts (code, name, lon, lat, population, ...) -> villages table."""
    return _village_frame


VILLAGE_ROWS: list[VillageRow] = [
    {"code": "99001", "name": "Village A", "lon": 0.50, "lat": 43.60, "population": 120},
    {"code": "99002", "name": "Village B", "lon": 0.60, "lat": 43.60, "population": 450},
    {"code": "99003", "name": "Village C", "lon": 0.50, "lat": 43.70, "population": 2500},
]


@pytest.fixture
def villages() -> gpd.GeoDataFrame:
    """Three fake villages in fake département 99, each in a 0.02-degree square."""
    return _village_frame(VILLAGE_ROWS)


@pytest.fixture
def communes() -> gpd.GeoDataFrame:
    """The three villages plus two fake towns of département 98 (across the border)."""
    rows = [
        *VILLAGE_ROWS,
        {
            "code": "98001",
            "name": "Town Y",
            "lon": 0.80,
            "lat": 43.60,
            "population": 9000,
            "departement": "98",
        },
        {
            "code": "98002",
            "name": "Hamlet Z",
            "lon": 0.61,
            "lat": 43.61,
            "population": 10,
            "departement": "98",
        },
    ]
    return _village_frame(rows)


@pytest.fixture
def airports() -> gpd.GeoDataFrame:
    """Two airports shaped like ``load_airports`` output, at fake positions."""
    return gpd.GeoDataFrame(
        {"name": ["Fixture Airport One", "Fixture Airport Two"], "city": ["X", "Y"]},
        geometry=[Point(1.0, 43.6), Point(0.5, 44.2)],
        index=pd.Index(["TLS", "AGF"], name="iata"),
        crs=CRS,
    )


ComputeFeatures = Callable[..., FeatureSet]


@pytest.fixture
def compute_features(communes: gpd.GeoDataFrame, airports: gpd.GeoDataFrame) -> ComputeFeatures:
    """Factory: the catalogue's features of some villages, from the fixture communes and airports.

    Keyword arguments: ``tables`` (loaded open-data tables by source key), ``model``
    (the drive-time model, default the stated one), ``prefecture`` (default 99003),
    ``town_min_population`` (default 2000), ``catalogue`` (default relocate's own).
    """

    def compute(
        villages: gpd.GeoDataFrame,
        *,
        tables: dict[str, pd.DataFrame] | None = None,
        model: DriveTimeModel | None = None,
        prefecture: str = "99003",
        town_min_population: int = 2000,
        catalogue: Catalogue | None = None,
    ) -> FeatureSet:
        inputs = Inputs(
            villages=villages,
            communes=communes,
            prefecture=prefecture,
            airports=airports,
            tables=tables or {},
            town_min_population=town_min_population,
        )
        return (catalogue or default_catalogue()).compute(
            inputs, drive_model=model or DriveTimeModel()
        )

    return compute


def _criterion(
    weight: float = 1.0, better: str = "lower", full: float = 0.0, zero: float = 100.0
) -> dict[str, Any]:
    """A criterion table as read from TOML."""
    return {"weight": weight, "better": better, "full": full, "zero": zero}


@pytest.fixture
def make_profile() -> Callable[..., Profile]:
    """Factory: criteria (and constraints) as dicts -> validated Profile."""

    def build(
        criteria: dict[str, dict[str, Any]],
        constraints: dict[str, dict[str, Any]] | None = None,
    ) -> Profile:
        data: dict[str, Any] = {"name": "Fixture profile", "criteria": criteria}
        if constraints is not None:
            data["constraints"] = constraints
        return parse_profile(data, origin="fixture")

    return build


@pytest.fixture
def valid_profile_data() -> dict[str, Any]:
    """A minimal valid profile dictionary, for tests that break one part of it."""
    return {
        "name": "Fixture profile",
        "criteria": {"drive_min_TLS": _criterion(weight=2, full=30, zero=90)},
        "constraints": {"population": {"min": 100}},
    }


# --- real open-data files beside the project ---------------------------------------------

#: ``../shared/data`` beside the project root: real files in their published formats.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
#: Set (to anything but "" or "0") by ``.ci/run``: a missing shared file fails instead of skipping.
REQUIRE_SHARED_ENV = "RELOCATE_REQUIRE_SHARED_DATA"


@pytest.fixture
def shared_data() -> Callable[[str], Path]:
    """Return a function giving the path of a file under ``../shared/data``.

    When the file is absent the test is skipped with the reason, or fails when
    ``RELOCATE_REQUIRE_SHARED_DATA`` is set (as CI does), so CI always runs
    the parser tests on the real files.
    """

    def get(relative: str) -> Path:
        path = SHARED_DATA / relative
        if not path.exists():
            reason = f"real open-data file {path} is absent"
            if os.environ.get(REQUIRE_SHARED_ENV, "") not in ("", "0"):
                pytest.fail(f"{reason}, and {REQUIRE_SHARED_ENV} is set")
            pytest.skip(reason)
        return path

    return get
