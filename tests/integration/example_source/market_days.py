"""A test-only source: weekly market days per commune (fixture data, not a real dataset).

It shows what adding a commune-level source with one criterion takes: this module
(where to get the file, how to read it, what it gives), a fixture file and a test.
Nothing else in relocate changes: a catalogue built with it scores, explains and maps
its criterion in French and English like any other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import ClassVar

import pandas as pd

from relocate.declare import COUNT, Feature, Text, from_table
from relocate.errors import SourceFormatError
from relocate.sources._csv import (
    CsvSpec,
    drop_duplicate_communes,
    insee_codes,
    numbers,
    read_checked_csv,
)
from relocate.sources.opendata import Download, OpenDataSource, ParseContext, Parsed

#: ``code_insee;market_days;date``: UTF-8, ``;``-separated.
SPEC = CsvSpec(sep=";", required=["code_insee", "market_days", "date"])


def market_days_per_week(villages: pd.DataFrame, markets: pd.DataFrame) -> pd.Series:
    """Days a week with a market in the village (0 where the table lists none: a count).

    .. math:: m_i = \\text{market days of commune } i

    Examples
    --------
    >>> villages = pd.DataFrame(index=["99001", "99002"])
    >>> table = pd.DataFrame({"market_days": [2.0]}, index=["99001"])
    >>> market_days_per_week(villages, table).tolist()
    [2.0, 0.0]
    """
    values = markets["market_days"].reindex(villages.index).fillna(0.0).astype(float)
    return values.rename("market_days_per_week")


class MarketDaysSource(OpenDataSource):
    """Fixture weekly markets: one row per commune with market days, dated in the file."""

    key: ClassVar[str] = "example-markets"
    name: ClassVar[str] = "Fixture weekly markets (test-only example source)"
    publisher: ClassVar[str] = "relocate's tests"
    licence: ClassVar[str] = "fixture data"
    page_url: ClassVar[str] = "https://example.org/markets"
    file_format: ClassVar[str] = "CSV, ';'-separated, UTF-8: code_insee;market_days;date"
    edition_rule: ClassVar[str] = "the date column (ISO), the same on every row"
    rhythm_days: ClassVar[int] = 365
    fetchable: ClassVar[bool] = False
    features: ClassVar[tuple[Feature, ...]] = (
        Feature(
            name="market_days_per_week",
            unit=COUNT,
            label=Text(en="Market days a week", fr="Jours de marché par semaine"),
            description=Text(
                en="Days a week with an open-air market in the commune.",
                fr="Jours de la semaine où la commune a un marché de plein air.",
            ),
            sources=("example-markets",),
            compute=from_table(market_days_per_week, "example-markets"),
        ),
    )

    def downloads(self, *, departement: str) -> list[Download]:
        """None: the fixture file is imported."""
        del departement
        return []

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Read the one file into a table indexed by INSEE code."""
        del context
        if len(files) != 1:
            raise SourceFormatError(f"the markets are one file; got {len(files)}")
        table = read_checked_csv(files[0], SPEC)
        codes = insee_codes(table, "code_insee")
        keep = drop_duplicate_communes(table, codes, what="commune").to_numpy()
        days = numbers(table, "market_days")
        frame = pd.DataFrame(
            {"market_days": days.to_numpy()[keep]},
            index=pd.Index(codes.to_numpy()[keep], name="insee"),
        )
        edition = date.fromisoformat(str(table.frame["date"].iloc[0]).strip())
        return Parsed(
            table=frame,
            edition=edition.isoformat(),
            edition_date=edition,
            warnings=tuple(table.warnings),
            notes={"communes": len(frame)},
        )
