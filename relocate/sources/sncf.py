"""SNCF passenger stations ("Gares de voyageurs"): one point per station, from the published CSV."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import ClassVar

import numpy as np
import pandas as pd

from relocate.errors import SourceFormatError
from relocate.sources._csv import CsvSpec, TableRead, insee_codes, read_checked_csv
from relocate.sources.opendata import Download, OpenDataSource, ParseContext, Parsed

__all__ = [
    "POINT_COLUMNS",
    "SPEC",
    "SncfStationsSource",
    "check_range",
    "drop_repeated_rows",
    "file_date_edition",
    "optional_insee_codes",
    "rows_of",
    "text_or_none",
]

#: The columns every table of points starts with.
POINT_COLUMNS = ("insee", "kind", "name", "lon", "lat")

_NAME = "Nom"
_TRIGRAM = "Trigramme"
_SEGMENT = "Segment(s) DRG"
_POSITION = "Position géographique"
_COMMUNE = "Code commune"
_UIC = "Code(s) UIC"
_ID = "id"

#: The published format: ``;``-separated, UTF-8 with a byte-order mark, the position as one
#: ``"lat, lon"`` field (checked on the 2026 list, 2,782 stations).
SPEC = CsvSpec(
    sep=";",
    required=[_NAME, _TRIGRAM, _POSITION, _COMMUNE, _ID],
    bom_expected=True,
)

_LAT_LON = r"^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$"


# --- helpers shared by the point sources (sncf, laposte, bpe) ------------------------------


def rows_of(table: TableRead, mask: np.ndarray | pd.Series) -> TableRead:
    """The rows of ``table`` where ``mask`` is true, each keeping its line number.

    Warnings go on being collected in ``table.warnings`` (the same list).
    """
    keep = np.asarray(mask, dtype=bool)
    lines = np.array([table.line_of(int(p)) for p in np.flatnonzero(keep)], dtype=np.int64)
    return TableRead(
        path=table.path,
        frame=table.frame.loc[keep].reset_index(drop=True),
        lines=lines,
        warnings=table.warnings,
    )


def text_or_none(values: pd.Series) -> pd.Series:
    """Stripped text, with None where the cell is empty (object dtype)."""
    stripped = values.astype(str).str.strip().astype(object)
    return stripped.where(stripped != "", None)


def optional_insee_codes(table: TableRead, column: str) -> pd.Series:
    """INSEE codes as 5-character text, None where the cell is empty.

    Non-empty cells are checked as :func:`~relocate.sources._csv.insee_codes`
    checks them (integer codes padded with a warning, anything else an error
    naming its line).
    """
    raw = table.frame[column].astype(str).str.strip()
    present = (raw != "").to_numpy()
    codes = np.full(len(raw), None, dtype=object)
    if present.any():
        subset = rows_of(table, present)
        codes[present] = insee_codes(subset, column).to_numpy(dtype=object)
    return pd.Series(codes, index=table.frame.index, dtype=object)


def check_range(
    table: TableRead, values: pd.Series, column: str, *, low: float, high: float, what: str
) -> None:
    """Raise a SourceFormatError naming the first value outside ``[low, high]``.

    NaN (a missing value) passes.
    """
    array = values.to_numpy(dtype=float)
    bad = ~np.isnan(array) & ((array < low) | (array > high))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise SourceFormatError(
            f"{table.where(row, column)}: {what} {float(array[row])!r} is outside "
            f"[{low:g}, {high:g}] ({int(bad.sum())} such values)"
        )


def drop_repeated_rows(table: TableRead, keys: pd.Series, *, what: str) -> np.ndarray:
    """Return a mask keeping one row per key (an identifier the publisher gives each row).

    Rows repeated exactly are dropped, with a warning counting them; two rows
    with one key that disagree are an error naming both lines. Rows without a
    key (None) are never taken for one another.
    """
    frame = table.frame.assign(__key=keys.to_numpy())
    exact = frame.duplicated(keep="first").to_numpy()
    if exact.any():
        table.warnings.append(
            f"{table.path.name}: {int(exact.sum())} repeated {what} rows were dropped"
        )
    rest = frame.loc[~exact, "__key"]
    clash = rest.duplicated(keep=False).to_numpy() & rest.notna().to_numpy()
    if clash.any():
        key = rest.iloc[int(np.flatnonzero(clash)[0])]
        first, second = (int(i) for i in rest.index[(rest == key).to_numpy()][:2])
        raise SourceFormatError(
            f"{table.path.name}, lines {table.line_of(first)} and {table.line_of(second)}: "
            f"two different {what} rows with the identifier {key!r}"
        )
    return ~exact


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


# --- the source ---------------------------------------------------------------------------


def _positions(table: TableRead) -> tuple[pd.Series, pd.Series]:
    """Latitudes and longitudes from the one ``"lat, lon"`` field (NaN where it is empty)."""
    raw = table.frame[_POSITION].astype(str).str.strip()
    empty = (raw == "").to_numpy()
    parts = raw.str.extract(_LAT_LON)
    bad = parts[0].isna().to_numpy() & ~empty
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise SourceFormatError(
            f"{table.where(row, _POSITION)}: {raw.iloc[row]!r} is not a position "
            f'"latitude, longitude" ({int(bad.sum())} such values in that column)'
        )
    lat = pd.to_numeric(parts[0]).astype(float)
    lon = pd.to_numeric(parts[1]).astype(float)
    check_range(table, lat, _POSITION, low=-90, high=90, what="latitude")
    check_range(table, lon, _POSITION, low=-180, high=180, what="longitude")
    return lat, lon


class SncfStationsSource(OpenDataSource):
    """SNCF Gares & Connexions' list of passenger stations.

    The table has one row per station: ``insee`` (the ``Code commune``),
    ``kind`` (``"station"``), ``name``, ``lon``, ``lat``, and ``sncf_id``,
    ``sncf_trigram``, ``sncf_segment`` (the DRG segments, ``A``/``B``/``C``,
    ``;``-joined when there are several) and ``sncf_uic`` (UIC codes,
    ``;``-joined).
    """

    key: ClassVar[str] = "sncf"
    name: ClassVar[str] = "Gares de voyageurs (passenger railway stations)"
    publisher: ClassVar[str] = "SNCF Gares & Connexions"
    licence: ClassVar[str] = "ODbL"
    page_url: ClassVar[str] = "https://ressources.data.sncf.com/explore/dataset/gares-de-voyageurs/"
    file_format: ClassVar[str] = (
        "CSV, ';'-separated, UTF-8 with a byte-order mark: Nom;Trigramme;Segment(s) DRG;"
        'Position géographique ("lat, lon" in one field);Code commune;Code(s) UIC;id'
    )
    edition_rule: ClassVar[str] = (
        "the file carries no date: the edition is the day the file was downloaded or "
        "imported (the file's date, UTC), written 'retrieved YYYY-MM-DD' so that "
        "nobody takes it for the date the data describes"
    )
    rhythm_days: ClassVar[int] = 365
    per_departement: ClassVar[bool] = False

    #: The portal's CSV export (Opendatasoft explore API v2.1) with column labels as headers
    #: and ';' between columns: the layout of the published file.
    export_url: ClassVar[str] = (
        "https://ressources.data.sncf.com/api/explore/v2.1/catalog/datasets/"
        "gares-de-voyageurs/exports/csv?lang=fr&timezone=Europe%2FParis"
        "&use_labels=true&delimiter=%3B"
    )

    def downloads(self, *, departement: str) -> list[Download]:
        """The national list (one file whatever the département)."""
        del departement
        return [Download(url=self.export_url, filename="gares-de-voyageurs.csv")]

    def parse(self, files: Sequence[Path], *, context: ParseContext) -> Parsed:
        """Parse the station list into a table of points.

        Raises
        ------
        SourceFormatError
            Naming the file, line and column of what cannot be read: a missing
            column, a position that is not ``"lat, lon"``, a coordinate out of
            range, a commune code that is not one, two rows with one ``id``.
        """
        del context
        if len(files) != 1:
            raise SourceFormatError(
                f"the SNCF station list is one CSV file; got {len(files)} files"
            )
        path = files[0]
        table = read_checked_csv(path, SPEC)
        frame = table.frame
        keep = drop_repeated_rows(table, text_or_none(frame[_ID]), what="station")
        table = rows_of(table, keep)
        frame = table.frame
        codes = optional_insee_codes(table, _COMMUNE)
        lat, lon = _positions(table)

        def extra(column: str) -> pd.Series:
            if column in frame.columns:
                return text_or_none(frame[column])
            return pd.Series([None] * len(frame), dtype=object)

        stations = pd.DataFrame(
            {
                "insee": codes.to_numpy(dtype=object),
                "kind": np.full(len(frame), "station", dtype=object),
                "name": text_or_none(frame[_NAME]).to_numpy(dtype=object),
                "lon": lon.to_numpy(dtype=float),
                "lat": lat.to_numpy(dtype=float),
                "sncf_id": text_or_none(frame[_ID]).to_numpy(dtype=object),
                "sncf_trigram": text_or_none(frame[_TRIGRAM]).to_numpy(dtype=object),
                "sncf_segment": extra(_SEGMENT).to_numpy(dtype=object),
                "sncf_uic": extra(_UIC).to_numpy(dtype=object),
            }
        )
        edition, edition_date = file_date_edition(path)
        notes = {
            "stations": len(stations),
            "without_position": int(stations["lon"].isna().sum()),
            "without_commune": int(stations["insee"].isna().sum()),
        }
        return Parsed(
            table=stations,
            edition=edition,
            edition_date=edition_date,
            warnings=tuple(table.warnings),
            notes=notes,
        )
