"""What every official open-data source declares: name, publisher, licence, URLs, format, parser."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from relocate.declare import Destination, DestinationFamily, Feature, ServiceKind
from relocate.errors import SourceFormatError
from relocate.sources._crs import metric_crs
from relocate.sources._csv import MAX_FILE_BYTES
from relocate.sources.communes import CommuneData

__all__ = [
    "METROPOLE",
    "POINT_COLUMNS",
    "POSITION_TOLERANCE_M",
    "Download",
    "OpenDataSource",
    "ParseContext",
    "Parsed",
    "file_date_edition",
    "outside_their_commune",
    "refuse_swapped_positions",
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
