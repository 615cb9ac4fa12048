"""Reading the programme's CSV files: headers in English or French, communes, yes/no, dates.

Every reader raises a :class:`~relocate.errors.SourceFormatError` naming the
file, the line and the column of the first bad cell, and how many more there
are, as the open-data parsers do (:mod:`relocate.sources._csv`).
"""

from __future__ import annotations

import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from relocate._names import find_village, normalise_name
from relocate.errors import SourceError, SourceFormatError, UnknownVillageError
from relocate.features.access import village_points
from relocate.sources._csv import CsvSpec, TableRead, read_checked_csv, size_text
from relocate.sources.opendata import ParseContext

__all__ = [
    "CommuneIndex",
    "bad_cell",
    "check_regular_file",
    "commune_index",
    "communes_of",
    "dates",
    "integers",
    "read_programme_csv",
    "text_cells",
    "yes_no",
]

_SEPARATORS = (";", ",", "\t")
_INSEE = re.compile(r"^(\d{5}|2[AB]\d{3})$", re.IGNORECASE)
#: How a yes or a no may be written (normalised: lower case, no accents).
YES = frozenset({"yes", "y", "oui", "o", "1", "true", "vrai", "x", "good", "bon", "bonne"})
NO = frozenset({"no", "n", "non", "0", "false", "faux", "poor", "bad", "mauvais", "mauvaise"})
#: The longest text a cell may hold.
MAX_TEXT = 500


def check_regular_file(path: Path, *, max_bytes: int) -> None:
    """Refuse what is not a readable regular file of at most ``max_bytes`` (one line).

    Raises
    ------
    SourceError
        If the path is missing, a folder, a pipe or a device, or too large.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        raise SourceError(f"{path}: no such file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise SourceError(f"{path} is a folder, not a file: give the file in it")
    if not stat.S_ISREG(info.st_mode):
        raise SourceError(f"{path} is not a regular file: save the data to a file and give that")
    if info.st_size > max_bytes:
        raise SourceError(
            f"{path} is {size_text(info.st_size)}, more than the {size_text(max_bytes)} "
            "relocate accepts for it: not the expected file?"
        )


def _key(name: str) -> str:
    """A column name compared loosely: ``Année d'arrivée`` -> ``anneedarrivee``."""
    return re.sub(r"[^a-z0-9]", "", normalise_name(name.replace("_", " ")))


def _header_line(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            head = handle.read(1 << 16)
    except OSError as exc:
        raise SourceFormatError(f"cannot read {path.name}: {exc.strerror or exc}") from None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError:  # a spreadsheet's export in Windows-1252 (read so, with a warning)
        text = head.decode("cp1252", errors="replace")
    return text.splitlines()[0] if text else ""


def read_programme_csv(
    path: Path,
    *,
    columns: Mapping[str, Sequence[str]],
    required: Sequence[str],
    max_bytes: int,
) -> tuple[TableRead, dict[str, str]]:
    """Read a programme CSV file whose columns may be named in English or French.

    Parameters
    ----------
    path
        The file.
    columns
        Each documented column (its English name) and the other names it may have.
    required
        The documented columns the file must have.
    max_bytes
        The largest file accepted.

    Returns
    -------
    table, names
        The table (text cells, each row with its line), and for each documented
        column found, its name in the file's header.

    Raises
    ------
    SourceFormatError
        If the file is not a CSV file with those columns (one line: which column
        is missing, and the names it may have).
    """
    header = _header_line(path)
    wanted = {_key(alias): name for name, aliases in columns.items() for alias in (name, *aliases)}
    best: tuple[int, str, dict[str, str]] = (-1, ";", {})
    for sep in _SEPARATORS:
        found: dict[str, str] = {}
        for cell in header.split(sep):
            written = cell.strip().strip('"').strip()
            canonical = wanted.get(_key(written))
            if canonical is not None and canonical not in found:
                found[canonical] = written
        if len(found) > best[0]:
            best = (len(found), sep, found)
    _, sep, found = best
    missing = [name for name in required if name not in found]
    if missing and found:
        name = missing[0]
        also = ", ".join(repr(a) for a in columns[name][:3])
        raise SourceFormatError(
            f"{path.name}, line 1: column {name!r} (or {also}) is missing; the file needs the "
            f"columns {', '.join(required)}"
        )
    spec = CsvSpec(sep=sep, required=[found.get(name, name) for name in required])
    table = read_checked_csv(path, replace(spec, max_bytes=max_bytes))
    return table, found


def bad_cell(table: TableRead, bad: np.ndarray, column: str, why: str) -> None:
    """Raise for the first true row of ``bad``: ``file, line N, column 'c': 'v' why (n such)``.

    Raises
    ------
    SourceFormatError
        If any row is bad.
    """
    if not bad.any():
        return
    row = int(np.flatnonzero(bad)[0])
    value = str(table.frame[column].iloc[row]).strip()
    count = int(bad.sum())
    more = f" ({count} such values in that column)" if count > 1 else ""
    raise SourceFormatError(f"{table.where(row, column)}: {value!r} {why}{more}")


def text_cells(table: TableRead, column: str | None, *, required: bool = False) -> pd.Series:
    """A column's stripped text on one line, None where empty (all None if the column is absent).

    Raises
    ------
    SourceFormatError
        If a required cell is empty, or a cell is longer than :data:`MAX_TEXT` characters.
    """
    n = len(table.frame)
    if column is None:
        return pd.Series([None] * n, index=table.frame.index, dtype=object)
    values = table.frame[column].astype(str).map(lambda v: " ".join(v.split()))
    empty = (values == "").to_numpy()
    if required and empty.any():
        row = int(np.flatnonzero(empty)[0])
        raise SourceFormatError(f"{table.where(row, column)}: empty; every row needs a value")
    bad_cell(
        table,
        (values.str.len() > MAX_TEXT).to_numpy(),
        column,
        f"is longer than {MAX_TEXT} characters",
    )
    return values.astype(object).where(~empty, None)


def yes_no(table: TableRead, column: str) -> pd.Series:
    """A column of yes/no cells (``oui``, ``non``, ``yes``, ``1``, ``0``...) as booleans.

    Raises
    ------
    SourceFormatError
        If a cell is empty or not a yes or a no.
    """
    words = table.frame[column].astype(str).map(normalise_name)
    bad = ~(words.isin(YES) | words.isin(NO)).to_numpy()
    bad_cell(table, bad, column, "is not yes or no (oui/non, yes/no, 1/0)")
    return words.isin(YES)


def integers(table: TableRead, column: str, *, low: int, high: int, what: str) -> pd.Series:
    """A column of whole numbers within ``[low, high]`` (Int64).

    Raises
    ------
    SourceFormatError
        If a cell is empty, not a whole number, or out of range.
    """
    raw = table.frame[column].astype(str).str.strip()
    numbers = pd.to_numeric(raw.str.replace(r"\.0+$", "", regex=True), errors="coerce")
    whole = numbers.notna() & (numbers == numbers.round())
    bad_cell(table, (~whole).to_numpy(), column, f"is not {what} (a whole number)")
    values = numbers.astype("Int64")
    out = ((values < low) | (values > high)).to_numpy(dtype=bool)
    bad_cell(table, out, column, f"is outside {low}-{high} for {what}")
    return values


def dates(table: TableRead, column: str, *, required: bool) -> pd.Series:
    """A column of ISO dates (``2026-09-05``; ``05/09/2026`` is read too), None where empty.

    Raises
    ------
    SourceFormatError
        If a cell is not a date (or is empty where ``required``).
    """
    raw = table.frame[column].astype(str).str.strip()
    parsed = [_date(v) for v in raw]
    empty = (raw == "").to_numpy()
    bad = np.array([p is None for p in parsed]) & (~empty | required)
    bad_cell(table, bad, column, "is not a date (YYYY-MM-DD)")
    return pd.Series(parsed, index=table.frame.index, dtype=object)


def _date(text: str) -> date | None:
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return None


@dataclass(frozen=True)
class CommuneIndex:
    """The communes a programme file may name.

    Attributes
    ----------
    names
        The département's communes, by INSEE code (names are looked up among them).
    communes
        Every commune of France, indexed by INSEE code (a code may name any of them).
    """

    names: Mapping[str, str]
    communes: gpd.GeoDataFrame

    def resolve(self, text: str) -> str:
        """The INSEE code a cell names: a code of France, or a name in the département.

        Raises
        ------
        UnknownVillageError
            If the code is no commune's, or the name matches none or several
            (the message lists them).
        """
        wanted = text.strip()
        if _INSEE.fullmatch(wanted):
            code = wanted.upper()
            if code in self.communes.index:
                return code
            raise UnknownVillageError(f"no commune of France has INSEE code {code!r}")
        return find_village(self.names, wanted)

    def positions(self, codes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Where each commune is measured from: its town hall, or a point inside its polygon."""
        unique = pd.Index(pd.unique(np.asarray(codes, dtype=object)))
        lon, lat = village_points(self.communes.loc[unique])
        where = unique.get_indexer(pd.Index(np.asarray(codes, dtype=object)))
        return np.asarray(lon, dtype=float)[where], np.asarray(lat, dtype=float)[where]


def commune_index(context: ParseContext) -> CommuneIndex:
    """The communes of a parse context: the département's names, every commune's polygon."""
    communes = context.communes.communes
    mine = communes[communes["departement"] == context.departement]
    return CommuneIndex(
        names={str(code): str(name) for code, name in mine["name"].items()},
        communes=communes,
    )


def communes_of(table: TableRead, column: str, index: CommuneIndex) -> pd.Series:
    """The INSEE code each cell of a column names (one look-up per distinct cell).

    Raises
    ------
    SourceFormatError
        Naming the line and column of the first cell that names no commune, or
        several (with the candidates).
    """
    raw = table.frame[column].astype(str).map(lambda v: " ".join(v.split()))
    found: dict[str, str] = {}
    for row, text in enumerate(raw):
        if text in found:
            continue
        if not text:
            raise SourceFormatError(
                f"{table.where(row, column)}: empty; give an INSEE code or a name"
            )
        try:
            found[text] = index.resolve(text)
        except UnknownVillageError as exc:
            raise SourceFormatError(f"{table.where(row, column)}: {exc}") from None
    return raw.map(found).astype(object)
