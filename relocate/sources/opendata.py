"""What every official open-data source declares: name, publisher, licence, URLs, format, parser."""

from __future__ import annotations

import json
import re
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from relocate.declare import Destination, DestinationFamily, Feature, ServiceKind, Text
from relocate.errors import InvalidOptionError, SourceFormatError
from relocate.i18n import translator
from relocate.sources._crs import metric_crs
from relocate.sources._csv import MAX_FILE_BYTES
from relocate.sources.communes import CommuneData

__all__ = [
    "EDITION_UNKNOWN",
    "METROPOLE",
    "POINT_COLUMNS",
    "POSITION_TOLERANCE_M",
    "DatedBy",
    "Download",
    "OpenDataSource",
    "ParseContext",
    "Parsed",
    "edition_of_option",
    "edition_words",
    "is_undated",
    "metadata_date",
    "outside_their_commune",
    "read_metadata",
    "refuse_swapped_positions",
    "replace_commune_columns",
    "undated_edition",
]

#: The columns every table of points starts with.
POINT_COLUMNS = ("insee", "kind", "name", "lon", "lat")

#: Metropolitan France and Corsica, with a margin: lon min, lat min, lon max, lat max.
METROPOLE = (-5.8, 41.0, 10.0, 51.5)

#: How far (in metres) a position may lie outside the polygon of the commune it names
#: before it is counted as outside it (polygons are simplified; boundary roads are common).
POSITION_TOLERANCE_M = 2000.0
#: Positions checked at a time against their commune's polygon.
_BLOCK = 1 << 16


#: How an edition's date was established, best first: from the data itself (a date
#: column, a header line, a file name the publisher dates), from the publisher's
#: metadata beside it (a portal's "data updated" date), from ``--edition`` on import,
#: from the server's ``Last-Modified`` on fetch; or not at all (the age is then unknown).
DatedBy = Literal["content", "metadata", "option", "server", "unknown"]

#: The edition of a file that states no date, given none by ``--edition`` or the server.
EDITION_UNKNOWN = "edition unknown, imported on {day}"
_UNKNOWN = re.compile(r"^(edition unknown, imported on|retrieved) \d{4}-\d{2}-\d{2}$")
#: The same, with the day and what follows (`` #2`` for a second edition of that day).
_WORDS = re.compile(r"(edition unknown, imported on|retrieved) (\d{4}-\d{2}-\d{2})(.*)")


@dataclass(frozen=True, kw_only=True)
class Download:
    """One file to download: where from, the name it is saved under, and what if it is absent.

    Attributes
    ----------
    url
        The publisher's address.
    filename
        The name the file is saved under (and parsed by).
    fallbacks
        Other files to try, in order, when the server has no such file (404 or
        410): the names of older editions after the newest one's.
    optional
        The edition is complete without this file (a year DVF has not published,
        a portal's metadata): a file the server does not have is skipped with a
        warning instead of failing the fetch.
    what
        What the file is, in a few words, for that warning (``2021``, ``metadata``).
    paged
        The address answers a page of a JSON API (``{"results": [...], "next": URL}``):
        every page is followed and the results saved as one JSON document.
    """

    url: str
    filename: str
    fallbacks: tuple[Download, ...] = ()
    optional: bool = False
    what: str = ""
    paged: bool = False


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
    edition
        The edition given on the command line (``--edition``), for files that
        state no date (see :func:`undated_edition`); None when not given.
    server_dates
        The date each fetched file's server gave it (``Last-Modified``), by file name.
    roads_buffer_m
        How far around the département every drivable road is kept (the road
        network source; major roads are kept farther, see :mod:`relocate.sources.osm`).
    """

    communes: CommuneData
    departement: str
    edition: str | None = None
    server_dates: Mapping[str, date] = field(default_factory=dict)
    roads_buffer_m: float = 15_000.0


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
    dated_by
        How the edition's date was established (:data:`DatedBy`); with
        ``unknown``, ``edition_date`` is the day of the import and the age unknown.
    """

    table: pd.DataFrame
    edition: str
    edition_date: date
    warnings: tuple[str, ...] = ()
    notes: dict[str, int] = field(default_factory=dict)
    dated_by: DatedBy = "content"


class OpenDataSource(ABC):
    """An official open-data source relocate can fetch, import and parse.

    Besides how to get and read its files, a source declares what it gives
    (:mod:`relocate.declare`): its features, and for a table of points the kinds
    of facility it lists. The catalogue is built from these declarations.
    """

    #: Name on the command line (``arcep``, ``bpe``...).
    key: ClassVar[str]
    #: The dataset's official name.
    #: The dataset's official name (a ``Text`` where it is not a proper name).
    name: ClassVar[str | Text]
    #: Who publishes it, in every language (a ``str`` where it is only names).
    publisher: ClassVar[str | Text]
    licence: ClassVar[str | Text]
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
    #: A new edition with fewer rows than this share of the edition in use is refused as a
    #: cut or partial file, unless the user accepts it (``--accept-smaller``).
    min_row_share: ClassVar[float] = 0.9
    #: The largest file (once decompressed) a download or an import may be, in bytes.
    max_file_bytes: ClassVar[int] = MAX_FILE_BYTES
    #: Columns its standard table always has: an edition without them is not this source's.
    table_columns: ClassVar[tuple[str, ...]] = ()
    #: The features computed from its table.
    features: ClassVar[tuple[Feature, ...]] = ()
    #: Places it lets villages be measured to.
    destinations: ClassVar[tuple[Destination, ...]] = ()
    #: Destinations named by a pattern.
    families: ClassVar[tuple[DestinationFamily, ...]] = ()
    #: For a table of points (``insee, kind, name, lon, lat``): the kinds it lists.
    service_kinds: ClassVar[tuple[ServiceKind, ...]] = ()
    #: Columns of the commune table this source's table (indexed by INSEE code) replaces
    #: when it is loaded, before any feature is computed (a newer edition of the
    #: populations, say): every feature computed from them then comes from it too.
    commune_columns: ClassVar[tuple[str, ...]] = ()
    #: The features (declared by other sources) computed from :attr:`commune_columns`:
    #: with this source loaded, their sources name it too.
    supersedes: ClassVar[tuple[str, ...]] = ()

    @abstractmethod
    def downloads(self, *, departement: str) -> list[Download]:
        """The files to download for an edition (the latest the publisher offers)."""

    def plan(self, context: ParseContext) -> list[Download]:
        """The files a fetch downloads (by default :meth:`downloads` for the département).

        A source whose addresses depend on more than the département's code (the
        road network's queries cover an area drawn around its communes) overrides it.
        """
        return self.downloads(departement=context.departement)

    @abstractmethod
    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse downloaded or imported files into the standard table.

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read.
        """


def edition_of_option(text: str) -> tuple[str, date]:
    """The edition ``--edition`` names, and the date it describes.

    Accepted: a day (``2026-11-15``), a month (``2026-11``: its first day), a year
    (``2026``: 1 January) or a quarter (``2026-T3``: its last day, as ARCEP dates them).

    Raises
    ------
    InvalidOptionError
        If the text is none of these.

    Examples
    --------
    >>> edition_of_option("2026-11")
    ('2026-11', datetime.date(2026, 11, 1))
    >>> edition_of_option("2025-T2")
    ('2025-T2', datetime.date(2025, 6, 30))
    """
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return value, date.fromisoformat(value)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            return value, date.fromisoformat(f"{value}-01")
        if re.fullmatch(r"\d{4}", value):
            return value, date(int(value), 1, 1)
        quarter = re.fullmatch(r"(\d{4})-T([1-4])", value)
        if quarter:
            year, q = int(quarter.group(1)), int(quarter.group(2))
            return value, date(year, 3 * q, 30 if q in (2, 3) else 31)
    except ValueError:
        pass
    raise InvalidOptionError(
        f"--edition {text!r} is not a date: give the day, month, year or quarter the "
        "publisher gives the data (2026-11-15, 2026-11, 2026 or 2026-T3)"
    )


def undated_edition(
    files: Sequence[Path], context: ParseContext, *, today: date | None = None
) -> tuple[str, date, DatedBy]:
    """The edition of files whose content states no date, and how it was established.

    In this order: ``--edition`` (``context.edition``); else the server's
    ``Last-Modified`` for a fetched file (the oldest, for several); else none:
    ``edition unknown, imported on YYYY-MM-DD``, whose age is unknown (``data
    status`` warns). The import's own date is never taken for the data's.

    Returns
    -------
    edition, edition_date, dated_by
    """
    if context.edition:
        edition, day = edition_of_option(context.edition)
        return edition, day, "option"
    served = [context.server_dates[p.name] for p in files if p.name in context.server_dates]
    if served:
        day = min(served)
        return day.isoformat(), day, "server"
    day = today or datetime.now(UTC).date()
    return EDITION_UNKNOWN.format(day=day.isoformat()), day, "unknown"


def read_metadata(path: Path) -> dict[str, object] | None:
    """A portal's metadata about a dataset (a JSON object), or None if ``path`` is not one.

    A JSON document of data (``{"results": [...]}``, a list) is not metadata.
    """
    if path.suffix.lower() != ".json":
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeError, ValueError):
        return None
    if not isinstance(data, dict) or "results" in data:
        return None
    return data


def metadata_date(data: Mapping[str, object], keys: Sequence[str]) -> date | None:
    """The first date found under the dotted ``keys`` of a portal's metadata (ISO date-times).

    Examples
    --------
    >>> metadata_date({"metas": {"default": {"modified": "2026-10-02T08:00:00+00:00"}}},
    ...               ["metas.default.data_processed", "metas.default.modified"])
    datetime.date(2026, 10, 2)
    """
    for key in keys:
        value: object = data
        for part in key.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        if isinstance(value, str):
            try:
                return date.fromisoformat(value[:10])
            except ValueError:
                continue
    return None


def replace_commune_columns(
    sources: Sequence[object],
    tables: Mapping[str, pd.DataFrame],
    frames: Sequence[gpd.GeoDataFrame],
) -> tuple[list[gpd.GeoDataFrame], list[OpenDataSource]]:
    """The commune tables with the columns loaded sources replace (:attr:`commune_columns`).

    Parameters
    ----------
    sources
        The catalogue's sources, in order (a later one replaces an earlier one's).
    tables
        The loaded sources' tables, by key (each indexed by INSEE code).
    frames
        Tables indexed by INSEE code (every commune, the villages), left unchanged.

    Returns
    -------
    frames, replacing
        Copies of ``frames`` with the columns replaced (a commune the source does not
        list gets a missing value, never the older one), and the sources that did it.
    """
    replacing = [
        s
        for s in sources
        if isinstance(s, OpenDataSource) and s.commune_columns and s.key in tables
    ]
    out = list(frames)
    for source in replacing:
        table = tables[source.key]
        for position, frame in enumerate(out):
            frame = frame.copy()
            for column in source.commune_columns:
                values = table[column].reindex(frame.index)
                if column in frame and str(frame[column].dtype) == "Int64":
                    values = values.astype("Int64")
                frame[column] = values.to_numpy() if values.dtype == object else values
            out[position] = frame
    return out, replacing


def edition_words(edition: str, lang: str = "en") -> str:
    """An edition as a reader reads it: an undated file's words in ``lang``, others as named.

    Examples
    --------
    >>> edition_words("edition unknown, imported on 2026-12-01", "fr")
    'édition inconnue, importée le 1er décembre 2026'
    >>> edition_words("retrieved 2026-03-02 #2", "en")
    'retrieved on 2 March 2026 #2'
    >>> edition_words("2025-T2", "fr")
    '2025-T2'
    """
    found = _WORDS.fullmatch(edition)
    if found is None:
        return edition
    tr = translator(lang)
    how, day, rest = found.groups()
    when = tr.day_month_year(date.fromisoformat(day))
    if how == "retrieved":
        return tr._("retrieved on {date}").format(date=when) + rest
    return tr._("edition unknown, imported on {date}").format(date=when) + rest


def is_undated(edition: str) -> bool:
    """True for the name of an edition whose date nobody knows.

    ``edition unknown, imported on ...``, and ``retrieved ...``, the name earlier
    versions gave such files (the day they were downloaded, not a date of the data).
    """
    return bool(_UNKNOWN.match(edition.split(" #")[0]))


# --- positions ---------------------------------------------------------------------------


def _in_metropole(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon_min, lat_min, lon_max, lat_max = METROPOLE
    return (lon >= lon_min) & (lon <= lon_max) & (lat >= lat_min) & (lat <= lat_max)


def refuse_swapped_positions(
    name: str, insee: np.ndarray, lon: np.ndarray, lat: np.ndarray, *, columns: str
) -> None:
    """Refuse a file whose positions of metropolitan communes mostly lie outside France.

    Rows without a position, and rows of overseas communes (``97...``), are not
    looked at; rows without a commune are.

    Parameters
    ----------
    name
        The file's name, for the message.
    insee
        Each row's commune code (None where unknown).
    lon, lat
        Each row's position (NaN where missing).
    columns
        The columns the positions come from, in words (``columns 'Latitude' and 'Longitude'``).

    Raises
    ------
    SourceFormatError
        If more than half of those positions lie outside metropolitan France,
        saying when they would lie inside it with latitude and longitude swapped.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    codes = pd.Series(insee, dtype=object).fillna("").astype(str)
    looked = np.isfinite(lon) & np.isfinite(lat) & ~codes.str.startswith("97").to_numpy()
    total = int(looked.sum())
    if total == 0:
        return
    outside = looked & ~_in_metropole(lon, lat)
    count = int(outside.sum())
    if count * 2 <= total:
        return
    swapped = int((outside & _in_metropole(lat, lon)).sum())
    if swapped * 2 > count:
        raise SourceFormatError(
            f"{name}: {count:,} of {total:,} positions lie outside France, and inside it with "
            f"latitude and longitude swapped: the file gives them the wrong way round ({columns}); "
            "correct it (or download it again)"
        )
    raise SourceFormatError(
        f"{name}: {count:,} of {total:,} positions lie outside France: the file does not give "
        f"them as WGS84 longitudes and latitudes ({columns}; another projection?)"
    )


def outside_their_commune(
    insee: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    communes: gpd.GeoDataFrame,
    *,
    tolerance_m: float = POSITION_TOLERANCE_M,
) -> tuple[np.ndarray, np.ndarray]:
    """Which positions lie farther than ``tolerance_m`` from the commune they name.

    Distances are measured in the commune's metric projection; a position inside
    the polygon is not measured at all (most are).

    Returns
    -------
    outside, unchecked
        Boolean masks: positions beyond the tolerance; positions that cannot be
        checked (a commune the table does not know, or without a polygon). Rows
        without a commune or a position are neither.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    outside = np.zeros(len(lon), dtype=bool)
    unchecked = np.zeros(len(lon), dtype=bool)
    codes = pd.Series(insee, dtype=object)
    rows = np.flatnonzero(codes.notna().to_numpy() & np.isfinite(lon) & np.isfinite(lat))
    if len(rows) == 0:
        return outside, unchecked
    where = communes.index.get_indexer(pd.Index(codes.to_numpy()[rows], dtype=object))
    known = where >= 0
    unchecked[rows[~known]] = True
    rows, where = rows[known], where[known]
    geoms = communes.geometry.to_numpy()[where]
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    unchecked[rows[empty]] = True
    rows, where, geoms = rows[~empty], where[~empty], geoms[~empty]
    inside = np.zeros(len(rows), dtype=bool)
    for start in range(0, len(rows), _BLOCK):  # in blocks: bounded temporary geometries
        block = slice(start, start + _BLOCK)
        inside[block] = shapely.intersects_xy(geoms[block], lon[rows[block]], lat[rows[block]])
    rows, where = rows[~inside], where[~inside]
    if len(rows) == 0:
        return outside, unchecked
    # Each commune's polygon is projected once, however many positions name it.
    polygons_of, which = np.unique(where, return_inverse=True)
    if "departement" in communes.columns:
        departements = communes["departement"].to_numpy(dtype=object)[polygons_of]
    else:
        departements = np.full(len(polygons_of), None, dtype=object)
    crs_of = np.array([metric_crs(d) for d in departements])
    shapes = communes.geometry.to_numpy()[polygons_of]
    for crs in sorted(set(crs_of.tolist())):
        mine = crs_of == crs
        projected = np.full(len(polygons_of), None, dtype=object)
        projected[mine] = gpd.GeoSeries(shapes[mine], crs="EPSG:4326").to_crs(crs).to_numpy()
        pick = mine[which]
        points = gpd.GeoSeries(
            gpd.points_from_xy(lon[rows[pick]], lat[rows[pick]]), crs="EPSG:4326"
        ).to_crs(crs)
        polygons = projected[which[pick]]
        distance = shapely.distance(points.to_numpy(), polygons)
        outside[rows[pick]] = distance > tolerance_m
    return outside, unchecked
