"""What every official open-data source declares: name, publisher, licence, URLs, format, parser."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

import pandas as pd

from relocate.declare import Destination, DestinationFamily, Feature, ServiceKind
from relocate.errors import SourceFormatError
from relocate.sources.communes import CommuneData

__all__ = [
    "POINT_COLUMNS",
    "Download",
    "OpenDataSource",
    "ParseContext",
    "Parsed",
    "file_date_edition",
]

#: The columns every table of points starts with.
POINT_COLUMNS = ("insee", "kind", "name", "lon", "lat")


@dataclass(frozen=True, kw_only=True)
class Download:
    """One file to download: where from, and the name it is saved under."""

    url: str
    filename: str


@dataclass(frozen=True, kw_only=True)
class ParseContext:
    """What a parser may need besides its files.

    Attributes
    ----------
    communes
        Every commune of France (to check positions against polygons, to find a
        commune from a postcode and a name...).
    departement
        The département being worked on (for sources published per département).
    """

    communes: CommuneData
    departement: str


@dataclass(frozen=True, kw_only=True)
class Parsed:
    """A parsed edition of a source.

    Attributes
    ----------
    table
        The standardised table (see each source's docstring). Tables of points
        have ``insee``, ``kind``, ``name``, ``lon``, ``lat``; tables per commune
        are indexed by ``insee``.
    edition
        The edition, as the source states it (``2025-T2``, ``2024``...). Used
        as the cache folder's name.
    edition_date
        The date the edition describes, for its age in ``data status``.
    warnings
        Repairs made while reading, each counted.
    notes
        Counts worth showing in ``data status`` (``{"relocated": 3}``).
    """

    table: pd.DataFrame
    edition: str
    edition_date: date
    warnings: tuple[str, ...] = ()
    notes: dict[str, int] = field(default_factory=dict)


class OpenDataSource(ABC):
    """An official open-data source relocate can fetch, import and parse.

    Besides how to get and read its files, a source declares what it gives
    (:mod:`relocate.declare`): its features, and for a table of points the kinds
    of facility it lists. The catalogue is built from these declarations.
    """

    #: Name on the command line (``arcep``, ``bpe``...).
    key: ClassVar[str]
    #: The dataset's official name.
    name: ClassVar[str]
    publisher: ClassVar[str]
    licence: ClassVar[str]
    #: The dataset's page, for people.
    page_url: ClassVar[str]
    #: The published format, in words.
    file_format: ClassVar[str]
    #: How the edition is read, in words.
    edition_rule: ClassVar[str]
    #: How often the publisher publishes a new edition, in days.
    rhythm_days: ClassVar[int]
    #: How long after the date it describes an edition usually comes out, in days.
    lag_days: ClassVar[int] = 0
    #: True if the publisher publishes one file per département.
    per_departement: ClassVar[bool] = False
    #: False if no official download address is known: the files are imported by hand.
    fetchable: ClassVar[bool] = True
    #: Never: an open-data source is fetched or imported.
    built_in: ClassVar[bool] = False
    #: The features computed from its table.
    features: ClassVar[tuple[Feature, ...]] = ()
    #: Places it lets villages be measured to.
    destinations: ClassVar[tuple[Destination, ...]] = ()
    #: Destinations named by a pattern.
    families: ClassVar[tuple[DestinationFamily, ...]] = ()
    #: For a table of points (``insee, kind, name, lon, lat``): the kinds it lists.
    service_kinds: ClassVar[tuple[ServiceKind, ...]] = ()

    @abstractmethod
    def downloads(self, *, departement: str) -> list[Download]:
        """The files to download for an edition (the latest the publisher offers)."""

    @abstractmethod
    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse downloaded or imported files into the standard table.

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read.
        """


def file_date_edition(path: Path) -> tuple[str, date]:
    """The edition of an undated file: ``retrieved YYYY-MM-DD``, the day the file was written.

    The publisher states no date in the file, so the only honest edition is the
    day it was downloaded (a fetch writes the file that day; an import keeps the
    downloaded file's own date). It says "retrieved" so that nobody takes it for
    the date the data describes.
    """
    try:
        mtime = path.stat().st_mtime
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path}: {exc.strerror or exc}") from None
    day = datetime.fromtimestamp(mtime, tz=UTC).date()
    return f"retrieved {day.isoformat()}", day
