"""Tiny, obviously fake fixtures shared by the unit tests (no real data, no network)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from relocate.catalogue import Catalogue, FeatureSet, default_catalogue
from relocate.declare import Inputs
from relocate.errors import SourceFormatError
from relocate.features import DriveTimeModel
from relocate.scoring import Profile, parse_profile
from relocate.sources._csv import (
    CsvSpec,
    drop_duplicate_communes,
    insee_codes,
    numbers,
    read_checked_csv,
)
from relocate.sources.communes import CommuneData
from relocate.sources.opendata import Download, OpenDataSource, ParseContext, Parsed
from relocate.sources.provenance import SourceInfo

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


# --- fixture open-data sources and parse contexts --------------------------------------

#: The published format of the fixture source: ``code_insee;count;date``, UTF-8, no BOM.
SPEC = CsvSpec(sep=";", required=["code_insee", "count", "date"])


def empty_context(departement: str = "99") -> ParseContext:
    """A parse context with no commune at all (the dummy parser needs none)."""
    communes = CommuneData(
        communes=gpd.GeoDataFrame(
            {"name": pd.Series(dtype=object)},
            geometry=gpd.GeoSeries([], crs="EPSG:4326"),
            crs="EPSG:4326",
        ),
        departements=pd.DataFrame({"name": pd.Series(dtype=object)}),
        source=SourceInfo(
            key="communes",
            name="Fixture communes",
            publisher="Fixture publisher",
            licence="Fixture licence",
            edition="fixture",
            loaded_from="tests",
        ),
    )
    return ParseContext(communes=communes, departement=departement)


class DummySource(OpenDataSource):
    """A national fixture source: one ``;`` CSV ``code_insee;count;date`` per edition.

    Parameters
    ----------
    base_url
        Where the file is served (a local test server).
    filename
        The path of the file under ``base_url``, also the name it is saved under.
    """

    key: ClassVar[str] = "dummy"
    name: ClassVar[str] = "Fixture counts per commune"
    publisher: ClassVar[str] = "Fixture publisher"
    licence: ClassVar[str] = "Fixture licence"
    page_url: ClassVar[str] = "http://127.0.0.1/fixture"
    file_format: ClassVar[str] = "CSV, ';'-separated, UTF-8: code_insee;count;date"
    edition_rule: ClassVar[str] = "the date in the 'date' column"
    rhythm_days: ClassVar[int] = 365
    per_departement: ClassVar[bool] = False

    def __init__(self, *, base_url: str = "http://127.0.0.1:9", filename: str = "good.csv"):
        self.base_url = base_url.rstrip("/")
        self.filename = filename

    def downloads(self, *, departement: str) -> list[Download]:
        """The one file, at ``<base_url>/<filename>``."""
        del departement
        return [Download(url=f"{self.base_url}/{self.filename}", filename=self.filename)]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """A table indexed by ``insee`` with a float ``count`` column."""
        del context
        table = read_checked_csv(files[0], SPEC)
        codes = insee_codes(table, "code_insee")
        counts = numbers(table, "count")
        keep = drop_duplicate_communes(table, codes, what="count")
        dates = set(table.frame["date"].str.strip())
        if len(dates) != 1:
            raise SourceFormatError(f"{files[0].name}: column 'date' holds {len(dates)} dates")
        edition = dates.pop()
        try:
            edition_date = date.fromisoformat(edition)
        except ValueError:
            raise SourceFormatError(
                f"{table.where(0, 'date')}: {edition!r} is not a date"
            ) from None
        frame = pd.DataFrame(
            {"count": counts[keep].to_numpy()},
            index=pd.Index(codes[keep].to_numpy(), name="insee"),
        )
        return Parsed(
            table=frame,
            edition=edition,
            edition_date=edition_date,
            warnings=tuple(table.warnings),
            notes={"communes": len(frame)},
        )


class DummyDepartementSource(DummySource):
    """The same fixture source, published as one file per département (``dep-<code>.csv``)."""

    key: ClassVar[str] = "dummy-dep"
    per_departement: ClassVar[bool] = True

    def downloads(self, *, departement: str) -> list[Download]:
        """The file of one département, at ``<base_url>/dep-<code>.csv``."""
        name = f"dep-{departement}.csv"
        return [Download(url=f"{self.base_url}/{name}", filename=name)]


def make_context(communes: gpd.GeoDataFrame, departement: str = "99") -> ParseContext:
    """A parse context over a fixture communes table."""
    codes = sorted(set(communes["departement"]))
    departements = pd.DataFrame(
        {"name": [f"Fixture {c}" for c in codes], "prefecture": [None] * len(codes)},
        index=pd.Index(codes, name="departement"),
    )
    source = SourceInfo(
        key="communes",
        name="Fixture communes",
        publisher="Fixture publisher",
        licence="Fixture licence",
        edition="fixture",
        loaded_from="tests",
    )
    data = CommuneData(communes=communes, departements=departements, source=source)
    return ParseContext(communes=data, departement=departement)


# --- running the command line ----------------------------------------------------------


@dataclass(frozen=True)
class CliResult:
    """What one run of the command line did."""

    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]

    def assert_one_line_error(self) -> str:
        """Check the run failed with exit code 2 and one clean line on stderr; return it."""
        assert self.code == 2, (self.code, self.out, self.err)
        assert "Traceback" not in self.err
        assert len(self.err_lines) == 1, self.err
        line = self.err_lines[0]
        assert line.startswith("relocate: error: "), line
        return line


def run_main(*args: str | os.PathLike[str], env: Mapping[str, str] | None = None) -> CliResult:
    """Run ``relocate.cli.main`` in-process (with ``env`` set meanwhile); return what it did."""
    from relocate.cli import main

    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    with (
        mock.patch.dict(os.environ, dict(env or {})),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
    ):
        try:
            main([str(a) for a in args])
        except SystemExit as exc:
            code = exc.code
    assert isinstance(code, int), code
    return CliResult(code=code, out=out.getvalue(), err=err.getvalue())


_PAGE_DATA = re.compile(r'<script type="application/json" id="relocate-data">(.*?)</script>', re.S)


def page_data(html: str) -> dict:
    """The data a map page embeds for its script, decoded."""
    match = _PAGE_DATA.search(html)
    assert match is not None, "no relocate-data element in the page"
    return json.loads(match.group(1))
