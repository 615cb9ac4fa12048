"""A fixture open-data source read through the checked-CSV helpers, for store and fetch tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import pandas as pd

from relocate.errors import SourceFormatError
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
